"""Forms of 整存整取开户 and 定期支取: shape only (a choice made, an amount typed); the services
check the manual's notes and answer in its words, so a crafted POST meets the same rules."""

from django import forms

from ebank.core.errors import BusinessError
from ebank.core.money import format_cny, parse_amount

from .fixed import TERMS
from .models import MaturityOption
from .rates import term_text


class AmountField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal",
                                                           "autocomplete": "off",
                                                           "data-capitals": ""}))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_amount(text)
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from None


class IdChoiceField(forms.TypedChoiceField):
    """An id among those offered; any id is passed on to the service, which answers in the
    manual's words (another customer's account is 账户不存在)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("widget", forms.Select(attrs={"class": "account-select"}))
        super().__init__(**kwargs)

    def valid_value(self, value):
        text = str(value)
        return text == "" or (text.isascii() and text.isdigit() and len(text) <= 18)


def source_label(sub) -> str:
    ledger = sub.ledger_account
    return (f"{sub.medium.get_kind_display()} {sub.medium.masked_number}"
            f"（可用余额{format_cny(ledger.balance - ledger.held)}）")


class FixedOpenForm(forms.Form):
    from_sub_account = IdChoiceField(label="转出账户", error_messages={
        "required": "请选择转出账户"})
    fixed_book = IdChoiceField(label="转入账户", required=False, empty_value=None,
                               help_text="借记卡可存入本卡（卡内活期转定期）；"
                                         "活期存折、活期一本通只能转入定期一本通")
    term_months = forms.TypedChoiceField(
        label="存期", coerce=int, choices=[("", "请选择")] + [(m, term_text(m)) for m in TERMS],
        error_messages={"required": "请选择存期", "invalid_choice": "请选择存期"})
    amount = AmountField(label="存入金额", error_messages={"required": "请输入存入金额"},
                         help_text="起存金额50元")
    maturity_option = forms.ChoiceField(
        label="到期处理方式", choices=MaturityOption.choices, initial=MaturityOption.ROLL_ALL,
        widget=forms.RadioSelect, error_messages={"required": "请选择到期处理方式",
                                                  "invalid_choice": "请选择到期处理方式"})

    def __init__(self, *args, sources, books, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_sub_account"].choices = [("", "请选择")] + [
            (str(s.pk), source_label(s)) for s in sources]
        self.fields["fixed_book"].choices = [("", "本卡（卡内活期转定期）")] + [
            (str(m.pk), f"定期一本通 {m.masked_number}") for m in books]


def withdraw_mode_field(modes) -> forms.ChoiceField:
    """支取方式 of a 支取 form: ``modes`` are its ("full", …) and ("partial", …) choices."""
    return forms.ChoiceField(label="支取方式", choices=modes, initial="full",
                             widget=forms.RadioSelect,
                             error_messages={"required": "请选择支取方式",
                                             "invalid_choice": "请选择支取方式"})


class PartialNeedsAmount:
    """A 支取 form's check that a partial one names its amount."""

    def clean(self):
        data = super().clean()
        if data.get("mode") == "partial" and not data.get("amount"):
            self.add_error("amount", "请输入支取金额")
        return data


class FixedWithdrawForm(PartialNeedsAmount, forms.Form):
    MODES = (("full", "全部支取（销户或到期支取）"), ("partial", "部分提前支取"))

    deposit = IdChoiceField(label="定期账户", error_messages={"required": "请选择定期账户"})
    mode = withdraw_mode_field(MODES)
    amount = AmountField(label="支取金额", required=False,
                         help_text="部分提前支取时填写；全部支取无需填写")

    def __init__(self, *args, deposits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deposit"].choices = [("", "请选择")] + [
            (str(row.pk), f"{row.number} {row.term} {format_cny(row.balance)}"
                          f"（{row.deposit.matures_on:%Y-%m-%d}到期）") for row in deposits]


class PlanForm(forms.Form):
    """新增卡内预约转存: a month day or a weekday, picked by the frequency."""

    WEEKDAYS = [(str(n), f"周{'一二三四五六日'[n - 1]}") for n in range(1, 8)]

    medium = IdChoiceField(label="借记卡", error_messages={"required": "请选择借记卡"})
    amount = AmountField(label="每次转存金额", error_messages={"required": "请输入每次转存金额"},
                         help_text="整存整取起存金额50元")
    term_months = forms.TypedChoiceField(
        label="存期", coerce=int, choices=[("", "请选择")] + [(m, term_text(m)) for m in TERMS],
        error_messages={"required": "请选择存期", "invalid_choice": "请选择存期"})
    frequency = forms.ChoiceField(
        label="转存频率", choices=[("monthly", "每月"), ("weekly", "每周")], initial="monthly",
        widget=forms.RadioSelect, error_messages={"required": "请选择转存频率",
                                                  "invalid_choice": "请选择转存频率"})
    month_day = forms.TypedChoiceField(
        label="每月转存日", coerce=int, required=False, empty_value=None,
        choices=[("", "请选择")] + [(str(n), f"{n}日") for n in range(1, 32)],
        help_text="29日至31日在没有该日的月份于月末转存",
        error_messages={"invalid_choice": "每月转存日应为1日至31日"})
    weekday = forms.TypedChoiceField(
        label="每周转存日", coerce=int, required=False, empty_value=None,
        choices=[("", "请选择")] + WEEKDAYS,
        error_messages={"invalid_choice": "每周转存日应为周一至周日"})
    starts_on = forms.DateField(
        label="开始日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="最早为明天", error_messages={"required": "请输入开始日期",
                                          "invalid": "请按年-月-日输入开始日期"})
    ends_on = forms.DateField(
        label="结束日期", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="不填为长期有效", error_messages={"invalid": "请按年-月-日输入结束日期"})

    def __init__(self, *args, cards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medium"].choices = [("", "请选择")] + [
            (str(c.pk), f"借记卡 {c.masked_number}") for c in cards]

    def clean(self):
        data = super().clean()
        frequency = data.get("frequency")
        if frequency == "monthly":
            if data.get("month_day") is None and "month_day" not in self.errors:
                self.add_error("month_day", "请选择每月转存日")
            data["run_day"] = data.get("month_day")
        elif frequency == "weekly":
            if data.get("weekday") is None and "weekday" not in self.errors:
                self.add_error("weekday", "请选择每周转存日")
            data["run_day"] = data.get("weekday")
        return data

