"""The form of 个人贷款还款 (shape only: repayment.repay_prepare checks the amounts, the account
and the 借据 and says what is wrong in the manual's words)."""

from django import forms

from accounts.payers import account_option_label

from .repayment import KIND_CHOICES, MODE_CHOICES

AMOUNT_WIDGET = {"inputmode": "decimal", "autocomplete": "off", "data-capitals": ""}


class RepayForm(forms.Form):
    kind = forms.ChoiceField(label="还款类型", choices=KIND_CHOICES, widget=forms.RadioSelect,
                             error_messages={"required": "请选择还款类型",
                                             "invalid_choice": "请选择还款类型"})
    account = forms.TypedChoiceField(label="扣款账户", coerce=int,
                                     widget=forms.Select(attrs={"class": "account-select"}),
                                     error_messages={"required": "请选择扣款账户",
                                                     "invalid_choice": "请选择扣款账户"})
    amount = forms.CharField(label="还款金额", max_length=32, required=False,
                             widget=forms.TextInput(attrs=AMOUNT_WIDGET),
                             help_text="归还到期款项时填写，默认为全部到期应还金额")
    prepaid = forms.CharField(label="提前还款本金", max_length=32, required=False,
                              widget=forms.TextInput(attrs=AMOUNT_WIDGET),
                              help_text="部分提前还款时填写")
    mode = forms.ChoiceField(label="提前还款方式", choices=MODE_CHOICES, required=False,
                             widget=forms.RadioSelect, help_text="部分提前还款时选择",
                             error_messages={"invalid_choice": "请选择提前还款方式"})
    quote = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "请选择")] + [
            (str(a.pk), account_option_label(a)) for a in accounts]
