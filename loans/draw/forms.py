"""个人贷款发放's form: 发放金额 as typed (kept on a refusal), and on the 借据 page the agreement."""

from django import forms

from ebank.core.errors import BusinessError
from ebank.core.money import parse_amount_named

from .services import AGREE_REQUIRED


class DrawForm(forms.Form):
    amount = forms.CharField(label="发放金额（元）", required=False, max_length=30,
                             widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                           "autocomplete": "off"}),
                             error_messages={"max_length": "请输入正确的发放金额"})

    def clean_amount(self):
        try:
            return parse_amount_named(self.cleaned_data.get("amount", ""), label="发放金额")
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from exc


class DrawAgreeForm(DrawForm):
    """The 借据 page's 提交: the amount again (hidden) and 本人已阅读并同意电子借据."""

    amount = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(label="本人已阅读并同意电子借据",
                               error_messages={"required": AGREE_REQUIRED})
