"""Forms of 跨行资金归集 and 自动归集设置 (shape only; the services check the agreement's
limits and validity with the manual's words)."""

from decimal import Decimal

from django import forms

from accounts.payers import account_option_label
from ebank.core.money import format_cny
from transfers.models import CollectionFrequency, CollectionMode

from ..otherbank.services import agreement_label
from ..own_intra.forms import AmountField
from .services import PlanRequest, PullRequest


def _agreement_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label="付款账户", coerce=int,
                                  error_messages={"required": "请选择付款账户（他行账户）",
                                                  "invalid_choice": "请选择付款账户（他行账户）"})


def _account_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label="收款账户", coerce=int,
                                  error_messages={"required": "请选择收款账户",
                                                  "invalid_choice": "请选择收款账户"})


class _Choices(forms.Form):
    def __init__(self, *args, agreements, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [("", "请选择")] + [
            (str(a.pk), f"{agreement_label(a)}（单笔限额{a.single_limit:,.2f}元）")
            for a in agreements]
        self.fields["account"].choices = [("", "请选择")] + [
            (str(a.pk), account_option_label(a)) for a in accounts]


# No 授权支付协议 allows more in one debit; a larger figure is a typing slip, said at the field.
AMOUNT_MAX = Decimal("10000000.00")
RESERVE_MAX = Decimal("100000000.00")


class CappedAmountField(AmountField):
    def __init__(self, *, maximum: Decimal = AMOUNT_MAX, **kwargs):
        self.maximum = maximum
        super().__init__(**kwargs)

    def clean(self, value):
        amount = super().clean(value)
        if amount is not None and amount > self.maximum:
            raise forms.ValidationError(f"{self.label}不能超过{format_cny(self.maximum)}")
        return amount


class PullForm(_Choices):
    agreement = _agreement_field()
    account = _account_field()
    amount = CappedAmountField(label="收款金额", error_messages={"required": "请输入收款金额"})

    def pull_request(self) -> PullRequest:
        d = self.cleaned_data
        return PullRequest(agreement_id=d["agreement"], to_sub_account_id=d["account"],
                           amount=d["amount"])


class OptionalAmountField(CappedAmountField):
    """An amount that may be left empty (None)."""

    def clean(self, value):
        if value is None or not str(value).strip():
            return None
        return super().clean(value)


WEEKDAYS = [(str(i), f"星期{'一二三四五六日'[i - 1]}") for i in range(1, 8)]
MONTH_DAYS = [(str(i), f"{i}日") for i in range(1, 29)]


class PlanForm(_Choices):
    agreement = _agreement_field()
    account = _account_field()
    frequency = forms.ChoiceField(label="扣款频率", choices=CollectionFrequency.choices,
                                  widget=forms.RadioSelect,
                                  error_messages={"required": "请选择扣款频率",
                                                  "invalid_choice": "请选择扣款频率"})
    weekday = forms.ChoiceField(label="每周归集日", choices=WEEKDAYS, required=False,
                                error_messages={"invalid_choice": "请选择每周归集日"})
    month_day = forms.ChoiceField(label="每月归集日", choices=MONTH_DAYS, required=False,
                                  help_text="每月1日至28日",
                                  error_messages={"invalid_choice": "请选择每月归集日"})
    mode = forms.ChoiceField(label="扣款模式", choices=CollectionMode.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "请选择扣款模式",
                                             "invalid_choice": "请选择扣款模式"})
    fixed_amount = OptionalAmountField(label="归集金额", required=False, help_text="定额归集时填写")
    reserve = OptionalAmountField(label="留存余额", required=False, maximum=RESERVE_MAX,
                                  help_text="留存余额归集时填写：他行账户保留的金额")
    minimum = OptionalAmountField(label="起归金额", required=False, initial="100.00",
                                  help_text="全额或留存余额归集时，可归集金额低于此金额则当期不归集")

    # Which fields each choice uses; the others are ignored (static/js/collect-plan.js hides
    # them; without the script they are shown and whatever they hold is not read).
    DAY_FIELD = {CollectionFrequency.WEEKLY: "weekday", CollectionFrequency.MONTHLY: "month_day"}
    MODE_FIELDS = {CollectionMode.FIXED: ("fixed_amount",),
                   CollectionMode.RESERVE: ("reserve", "minimum"),
                   CollectionMode.FULL: ("minimum",)}
    REQUIRED = {"weekday": "请选择每周归集日", "month_day": "请选择每月归集日",
                "fixed_amount": "请输入归集金额", "reserve": "请输入留存余额",
                "minimum": "请输入起归金额"}

    def _applying(self, data: dict) -> set[str]:
        frequency, mode = data.get("frequency"), data.get("mode")
        return ({self.DAY_FIELD[frequency]} if frequency in self.DAY_FIELD else set()) | set(
            self.MODE_FIELDS.get(mode, ()))

    def clean(self):
        data = super().clean()
        applying = self._applying(data)
        for name in self.REQUIRED:
            if name not in applying:
                # A field that does not apply to the chosen frequency or mode is not read: what
                # it holds is neither refused nor used.
                self._errors.pop(name, None)
                data[name] = None
            elif name not in self._errors and data.get(name) in (None, ""):
                # Only the first error per field: a field already refused is not also "missing".
                self.add_error(name, self.REQUIRED[name])
        return data

    def plan_request(self) -> PlanRequest:
        d = self.cleaned_data
        frequency = d["frequency"]
        day = (int(d["weekday"]) if frequency == CollectionFrequency.WEEKLY
               else int(d["month_day"]) if frequency == CollectionFrequency.MONTHLY else 0)
        mode = d["mode"]
        return PlanRequest(
            agreement_id=d["agreement"], to_sub_account_id=d["account"], frequency=frequency,
            day=day, mode=mode,
            amount=d["fixed_amount"] if mode == CollectionMode.FIXED else None,
            reserve=d["reserve"] if mode == CollectionMode.RESERVE else None,
            # 定额: the amount itself is the minimum (a fixed run never takes less).
            minimum=d["fixed_amount"] if mode == CollectionMode.FIXED else d["minimum"])
