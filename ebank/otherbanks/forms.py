"""The simulated other bank's signing form (its own page, its own words)."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from ebank.core.errors import BusinessError
from ebank.core.money import parse_amount


def _amount(label: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=32, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                         "autocomplete": "off"}))


class SimSigningForm(forms.Form):
    card_number = forms.RegexField(
        label="银行卡号", regex=r"^\d{12,32}$", max_length=32,
        error_messages={"required": "请输入银行卡号", "invalid": "请输入正确的银行卡号"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    password = forms.CharField(
        label="银行卡密码", max_length=32, error_messages={"required": "请输入银行卡密码"},
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    single_limit = _amount("单笔限额")
    daily_limit = _amount("日累计限额")
    valid_until = forms.DateField(label="协议有效期至",
                                  error_messages={"required": "请选择协议有效期",
                                                  "invalid": "请输入正确的日期"},
                                  widget=forms.DateInput(attrs={"type": "date"}))
    accept = forms.BooleanField(label="本人已阅读并同意签约协议",
                                error_messages={"required": "请阅读并同意签约协议"})

    def __init__(self, *args, pay: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.pay = pay
        if not pay:
            del self.fields["single_limit"]
            del self.fields["daily_limit"]
        else:
            self.fields["single_limit"].initial = "50000.00"
            self.fields["daily_limit"].initial = "100000.00"
        self.fields["valid_until"].initial = timezone.localdate() + timedelta(days=365)

    def _clean_amount(self, name: str, label: str):
        text = self.cleaned_data.get(name)
        if not text:
            raise forms.ValidationError(f"请输入{label}")
        try:
            return parse_amount(text)
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_single_limit(self):
        return self._clean_amount("single_limit", "单笔限额")

    def clean_daily_limit(self):
        return self._clean_amount("daily_limit", "日累计限额")
