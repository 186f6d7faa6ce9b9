"""The forms of 员工管理 (the checks that need the database are the services')."""

from django import forms

from accounts.models import Branch

from .roles import Role


class _PasswordTwiceForm(forms.Form):
    password1 = forms.CharField(label="初始密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="确认密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "两次输入的密码不一致")
        return cleaned


class StaffCreateForm(_PasswordTwiceForm):
    username = forms.CharField(label="用户名", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    name = forms.CharField(label="姓名", max_length=150)
    branch = forms.ModelChoiceField(label="所属行社", queryset=Branch.objects.order_by("code"),
                                    empty_label="请选择")
    role = forms.ChoiceField(label="角色", choices=[("", "请选择"), *Role.choices])

    field_order = ["username", "name", "branch", "role", "password1", "password2"]


class StaffPasswordResetForm(_PasswordTwiceForm):
    password1 = forms.CharField(label="新临时密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class OTPEnrolForm(forms.Form):
    token = forms.CharField(label="动态口令", max_length=6, min_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                          "inputmode": "numeric"}))
