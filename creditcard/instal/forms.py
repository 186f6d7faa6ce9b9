"""Forms of 账单分期管理 (shape only; the services check amounts, periods and the rules with the
manual's words)."""

from django import forms

from ..models import InstalmentStatus
from ..settings import INSTALMENT_PERIODS

# A card select as wide as its longest option (the whole masked number), full width on a phone.
CARD_SELECT = forms.Select(attrs={"class": "account-select"})
PERIOD_CHOICES = [("", "请选择")] + [(str(n), f"{n}期") for n in INSTALMENT_PERIODS]


def _amount_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=20,
                           error_messages={"required": f"请输入{label}"},
                           widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                         "autocomplete": "off",
                                                         "data-capitals": ""}))


def _periods_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label="分期期数", choices=PERIOD_CHOICES, coerce=int,
                                  error_messages={"required": "请选择分期期数",
                                                  "invalid_choice": "分期期数只能为3、6、12或24期"})


def card_choices(cards) -> list[tuple[str, str]]:
    return [(str(card.pk), f"{card.product} {card.medium.masked_number}") for card in cards]


class CardForm(forms.Form):
    """选择信用卡 (the 查询 of the application and 提前终止 pages)."""

    card = forms.TypedChoiceField(label="信用卡", coerce=int, widget=CARD_SELECT,
                                  error_messages={"required": "请选择信用卡",
                                                  "invalid_choice": "请选择信用卡"})

    def __init__(self, *args, cards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["card"].choices = card_choices(cards)


class TrialForm(forms.Form):
    amount = _amount_field("分期金额")
    periods = _periods_field()


class BillApplyForm(forms.Form):
    amount = _amount_field("分期金额")
    periods = _periods_field()


class FlexApplyForm(forms.Form):
    item = forms.TypedChoiceField(label="分期消费", coerce=int, widget=forms.RadioSelect,
                                  error_messages={"required": "请选择一笔消费",
                                                  "invalid_choice": "请选择一笔消费"})
    periods = _periods_field()

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [
            (str(item.pk), f"{item.txn_date:%Y-%m-%d} {item.merchant or item.description} "
                           f"¥{item.outstanding:,.2f}") for item in items]


class PlanQueryForm(forms.Form):
    card = forms.TypedChoiceField(label="信用卡", coerce=int, required=False,
                                  empty_value=None, widget=CARD_SELECT,
                                  error_messages={"invalid_choice": "请选择信用卡"})
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部")] + list(InstalmentStatus.choices),
                               error_messages={"invalid_choice": "请选择状态"})

    def __init__(self, *args, cards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["card"].choices = [("", "全部信用卡")] + card_choices(cards)
