"""Forms of login, password change and the 网上自助注册 wizard.

Passwords, PINs and SMS codes are never rendered back (``PasswordInput`` without
``render_value``); everything else the customer typed is kept on a refused page.
"""

from captcha.fields import CaptchaField
from django import forms

from accounts.models import IdType

from ..models import User
from .services import login_name_problems, password_problems


def _captcha() -> CaptchaField:
    field = CaptchaField(label="附加码", error_messages={"invalid": "附加码错误",
                                                        "required": "请输入附加码"})
    field.widget.attrs.update({"class": "captcha-input", "maxlength": "8"})
    return field


class LoginForm(forms.Form):
    login_name = forms.CharField(
        label="登录名", max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True,
                                      "placeholder": "登录名/卡号/账号"}),
    )
    password = forms.CharField(
        label="登录密码", max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    captcha = _captcha()


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", max_length=128, strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label="新密码", max_length=128, strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                   help_text="至少8位，不能全为数字，不能过于简单或与登录名相近")
    confirm_password = forms.CharField(label="确认新密码", max_length=128, strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        new, confirm = data.get("new_password"), data.get("confirm_password")
        if new and confirm and new != confirm:
            self.add_error("confirm_password", "两次输入的新密码不一致")
        elif new:
            for problem in password_problems(password=new, user=self.user):
                self.add_error("new_password", problem)
        return data


# --- 网上自助注册 --------------------------------------------------------------------------------


class RegisterAgreementForm(forms.Form):
    agree = forms.BooleanField(label="我已阅读并同意《个人电子银行服务协议》",
                               error_messages={"required": "请阅读协议并勾选“我已阅读”"})


class RegisterIdentityForm(forms.Form):
    number = forms.CharField(label="卡号/账号", max_length=19, min_length=10,
                             widget=forms.TextInput(attrs={"autocomplete": "off",
                                                           "inputmode": "numeric"}),
                             error_messages={"min_length": "请输入正确的卡号或存折账号"})
    pin = forms.CharField(label="交易密码", max_length=6, min_length=6, strip=False,
                          widget=forms.PasswordInput(attrs={"autocomplete": "off",
                                                            "inputmode": "numeric"}),
                          error_messages={"min_length": "交易密码应为6位数字"})
    name = forms.CharField(label="姓名", max_length=64)
    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices,
                                initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(label="证件号码", max_length=32,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    captcha = _captcha()

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if not number.isascii() or not number.isdigit():
            raise forms.ValidationError("卡号/账号应为数字")
        return number

    def clean_pin(self):
        pin = self.cleaned_data["pin"]
        if not pin.isascii() or not pin.isdigit():
            raise forms.ValidationError("交易密码应为6位数字")
        return pin


class RegisterSmsForm(forms.Form):
    code = forms.CharField(label="短信验证码", max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric"}),
                           error_messages={"min_length": "短信验证码应为6位数字"})

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isascii() or not code.isdigit():
            raise forms.ValidationError("短信验证码应为6位数字")
        return code


class RegisterLoginForm(forms.Form):
    username = forms.CharField(label="登录名", max_length=20,
                               help_text="4至20位字母、数字或下划线，不能全部为数字",
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label="登录密码", max_length=128, strip=False,
                               help_text="至少8位，不能全为数字，不能过于简单或与登录名相近",
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    confirm_password = forms.CharField(label="确认密码", max_length=128, strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, customer_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.customer_name = customer_name

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        for problem in login_name_problems(login_name=username):
            raise forms.ValidationError(problem)
        return username

    def clean(self):
        data = super().clean()
        password, confirm = data.get("password"), data.get("confirm_password")
        if password and confirm and password != confirm:
            self.add_error("confirm_password", "两次输入的登录密码不一致")
        elif password:
            # Judged against an unsaved user carrying the new name, for the similarity check.
            probe = User(username=data.get("username", ""), first_name=self.customer_name)
            for problem in password_problems(password=password, user=probe):
                self.add_error("password", problem)
        return data
