"""Forms of 还款管理 (shape only: the services check the card, the accounts and the amounts and
say what is wrong in the manual's words)."""

from django import forms

from accounts.payers import account_option_label

from ..models import AutoRepayMode
from .repayment import RepayChoice

AMOUNT_WIDGET = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                       "data-capitals": ""})


def _account_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int,
                                  widget=forms.Select(attrs={"class": "account-select"}),
                                  error_messages={"required": f"请选择{label}",
                                                  "invalid_choice": f"请选择{label}"})


class _AccountsForm(forms.Form):
    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "请选择")] + [
            (str(a.pk), account_option_label(a)) for a in accounts]


class RepayForm(_AccountsForm):
    account = _account_field("转出账号")   # the manual: 按要求选择“转出账号”
    choice = forms.ChoiceField(label="还款方式", choices=RepayChoice.CHOICES,
                               widget=forms.RadioSelect,
                               error_messages={"required": "请选择还款方式",
                                               "invalid_choice": "请选择还款方式"})
    amount = forms.CharField(label="还款金额", max_length=32, required=False,
                             widget=AMOUNT_WIDGET,
                             help_text="选择“其他金额”时填写；超过欠款的部分为溢缴款")


class CashForm(_AccountsForm):
    account = _account_field("转入账户")
    amount = forms.CharField(label="取现金额", max_length=32, required=False,
                             widget=AMOUNT_WIDGET)


class AutoRepayForm(_AccountsForm):
    mode = forms.ChoiceField(
        label="自动还款方式", widget=forms.RadioSelect,
        choices=[(AutoRepayMode.FULL, "全额还款"), (AutoRepayMode.MINIMUM, "最低还款额"),
                 (AutoRepayMode.NONE, "取消自动还款")],
        error_messages={"required": "请选择自动还款方式",
                        "invalid_choice": "请选择自动还款方式"})
    account = _account_field("自动还款账户")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].required = False
        self.fields["account"].help_text = "取消自动还款时无需选择"

    def clean(self):
        data = super().clean()
        if data.get("mode") in (AutoRepayMode.FULL, AutoRepayMode.MINIMUM) \
                and not data.get("account"):
            self.add_error("account", "请选择自动还款账户")
        return data
