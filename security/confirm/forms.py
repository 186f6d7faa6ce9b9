"""The confirmation form: 交易密码 (where the kind asks for it), 安全认证方式, and its credential.

Secrets are never rendered back: both secret fields are PasswordInput without render_value, so a
refused attempt shows the page again with the method kept and the fields empty.
"""

from django import forms

from .registry import CREDENTIAL_LABELS, AuthMethod

PIN_FORMAT_MESSAGE = "交易密码应为6位数字"


class ConfirmForm(forms.Form):
    pin = forms.CharField(
        label="交易密码", required=False, max_length=6, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={
            "autocomplete": "off", "maxlength": "6", "inputmode": "numeric",
        }),
    )
    method = forms.ChoiceField(label="安全认证方式", choices=(),
                               error_messages={"required": "请选择安全认证方式",
                                               "invalid_choice": "请选择可用的安全认证方式"})
    credential = forms.CharField(
        label="认证信息", required=False, max_length=32, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={
            "autocomplete": "off", "maxlength": "32",
        }),
    )

    def __init__(self, *args, methods: list[str], requires_pin: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.requires_pin = requires_pin
        self.fields["method"].choices = [(m, AuthMethod(m).label) for m in methods]
        if not requires_pin:
            del self.fields["pin"]

    def clean_pin(self) -> str:
        pin = self.cleaned_data.get("pin", "")
        if not pin:
            raise forms.ValidationError("请输入交易密码")
        # Checked here so a mistyped length never costs one of the three tries.
        if len(pin) != 6 or not pin.isascii() or not pin.isdigit():
            raise forms.ValidationError(PIN_FORMAT_MESSAGE)
        return pin

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method and not cleaned.get("credential"):
            self.add_error("credential", f"请输入{CREDENTIAL_LABELS[AuthMethod(method)]}")
        return cleaned
