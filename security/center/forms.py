"""Forms of 客户服务, 安全中心 and 网银日志查询. Messages in Chinese; typed values are re-shown.

Choices that name the customer's own rows (linked accounts, sub-accounts) are built from the
customer's querysets, so another customer's id is simply "not a valid choice".
"""

import re
from decimal import Decimal

from django import forms

from accounts.models import Customer
from ebank.core.errors import BusinessError
from ebank.core.money import parse_amount
from security.identity.services import login_name_shape_problems

from . import selectors
from .width import text_width, width_limit_message

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
POSTCODE_RE = re.compile(r"^\d{6}$")
SMS_CODE_RE = re.compile(r"^\d{6}$")

MESSAGE_SUBJECT_WIDTH = 40  # 20 汉字 or 40 characters (manual 留言管理 note 2)
MESSAGE_CONTENT_WIDTH = 340  # 170 汉字 or 340 characters
RESERVED_MESSAGE_WIDTH = 60  # 30 汉字 or 60 characters
QUERY_MAX_DAYS = 366


def _phone_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=11, min_length=1,
                           error_messages={"required": f"请输入{label}",
                                           "max_length": "请输入正确的11位手机号码"},
                           widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                         "autocomplete": "off"}))


def _clean_phone(value: str) -> str:
    value = value.strip()
    if not PHONE_RE.fullmatch(value):
        raise forms.ValidationError("请输入正确的11位手机号码")
    return value


def _password_field(label: str = "网银登录密码") -> forms.CharField:
    return forms.CharField(label=label, max_length=128, strip=False,
                           error_messages={"required": f"请输入{label}"},
                           widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


def _sms_code_field(label: str = "手机验证码", required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, max_length=6, required=required,
                           error_messages={"required": f"请输入{label}",
                                           "max_length": "验证码为6位数字"},
                           widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                         "autocomplete": "one-time-code"}))


def _clean_sms_code(value: str) -> str:
    if value and not SMS_CODE_RE.fullmatch(value):
        raise forms.ValidationError("验证码为6位数字")
    return value


class _WidthLimited:
    """clean_<field> for text fields limited by the manual's 汉字/字符 width rule."""

    @staticmethod
    def check(value: str, label: str, max_width: int) -> str:
        if text_width(value) > max_width:
            raise forms.ValidationError(width_limit_message(label, max_width))
        return value


# --- 安全中心 -------------------------------------------------------------------------------------


class ReservedMessageForm(forms.Form):
    reserved_message = forms.CharField(
        label="新预留信息", max_length=RESERVED_MESSAGE_WIDTH,
        error_messages={"required": "请输入新预留信息",
                        "max_length": width_limit_message("预留信息", RESERVED_MESSAGE_WIDTH)})

    def clean_reserved_message(self):
        return _WidthLimited.check(self.cleaned_data["reserved_message"], "预留信息",
                                   RESERVED_MESSAGE_WIDTH)


# An amount input: static/js/amount-capitals.js shows its 大写 as it is typed.
AMOUNT_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "data-capitals": ""}


class LimitForm(forms.Form):
    single_limit = forms.CharField(label="客户单笔限额", max_length=32, required=False,
                                   error_messages={"max_length": "请输入正确的金额"},
                                   widget=forms.TextInput(attrs=AMOUNT_ATTRS))
    daily_limit = forms.CharField(label="客户日累计限额", max_length=32, required=False,
                                  error_messages={"max_length": "请输入正确的金额"},
                                  widget=forms.TextInput(attrs=AMOUNT_ATTRS))

    def _amount(self, name: str) -> Decimal | None:
        text = self.cleaned_data.get(name, "")
        if not text:
            return None  # empty: the customer sets nothing, the bank's limit applies
        try:
            return parse_amount(text)
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_single_limit(self):
        return self._amount("single_limit")

    def clean_daily_limit(self):
        return self._amount("daily_limit")

    def clean(self):
        cleaned = super().clean()
        single, daily = cleaned.get("single_limit"), cleaned.get("daily_limit")
        if single is not None and daily is not None and single > daily:
            raise forms.ValidationError("客户单笔限额不得超过客户日累计限额")
        return cleaned


# --- 客户服务 -------------------------------------------------------------------------------------


class LoginSettingsForm(forms.Form):
    new_login_name = forms.CharField(label="新登录名", max_length=20, required=False,
                                     error_messages={"max_length": "登录名应为4至20位字母、数字或下划线"},
                                     help_text="4-20位字母、数字或下划线，不能全为数字；下次登录时生效")
    login_by_id_number = forms.BooleanField(label="证件号码登录", required=False)
    login_by_phone = forms.BooleanField(label="手机号登录", required=False)
    password = _password_field()

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_login_name(self):
        name = self.cleaned_data["new_login_name"]
        if not name:
            return ""
        if name.lower() == self.user.username.lower():
            raise forms.ValidationError("新登录名与当前登录名相同")
        if self.user.pending_username and name.lower() == self.user.pending_username.lower():
            raise forms.ValidationError("该登录名已设置，将在您下次登录时生效")
        # The same shape as 网上自助注册 (4-20 letters/digits/_, not all digits, not an ID
        # number). Whether another customer holds it is told only after the 登录密码 was right
        # (services.login_settings_change): the form must not answer it to whoever sits at an
        # open session.
        problems = login_name_shape_problems(login_name=name)
        if problems:
            raise forms.ValidationError(problems[0])
        return name


class PhoneNewForm(forms.Form):
    """手机号码变更, step 1: the new phone and the code sent to it."""

    new_phone = _phone_field("新手机号码")
    code = _sms_code_field("新手机号码验证码", required=False)

    def clean_new_phone(self):
        return _clean_phone(self.cleaned_data["new_phone"])

    def clean_code(self):
        return _clean_sms_code(self.cleaned_data["code"])


class PhoneOldForm(forms.Form):
    """Step 2: the code sent to the old phone and the login password."""

    old_code = _sms_code_field("原手机号码验证码")
    password = _password_field()

    def clean_old_code(self):
        return _clean_sms_code(self.cleaned_data["old_code"])


class ProfileOtherForm(forms.Form):
    address = forms.CharField(label="联系地址", max_length=128, required=False,
                              error_messages={"max_length": "联系地址最多128个字符"})
    postcode = forms.CharField(label="邮政编码", max_length=6, required=False,
                               error_messages={"max_length": "邮政编码为6位数字"})
    email = forms.EmailField(label="电子邮箱", max_length=254, required=False,
                             error_messages={"invalid": "请输入正确的电子邮箱",
                                             "max_length": "电子邮箱过长"})
    password = _password_field()

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"]
        if postcode and not POSTCODE_RE.fullmatch(postcode):
            raise forms.ValidationError("邮政编码为6位数字")
        return postcode


class LinkedMediumChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return selectors.linked_medium_label(obj)


class LinkedMediaMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return selectors.linked_medium_label(obj)


class CorePhoneForm(forms.Form):
    link = LinkedMediumChoiceField(label="网银关联账户", queryset=None, empty_label="请选择账户",
                                   error_messages={"invalid_choice": "请选择您的网银关联账户",
                                                   "required": "请选择网银关联账户"})
    new_phone = _phone_field("新核心预留手机号")

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].queryset = selectors.linked_media_for_customer(customer=customer)

    def clean_new_phone(self):
        return _clean_phone(self.cleaned_data["new_phone"])


class MessageQueryForm(forms.Form):
    # ISO format: what <input type="date"> shows and sends, whatever the locale's format.
    date_from = forms.DateField(label="起始日期", required=False, input_formats=["%Y-%m-%d"],
                                error_messages={"invalid": "请输入正确的起始日期"},
                                widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    date_to = forms.DateField(label="终止日期", required=False, input_formats=["%Y-%m-%d"],
                              error_messages={"invalid": "请输入正确的终止日期"},
                              widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("起始日期不能晚于终止日期")
        if start and end and (end - start).days >= QUERY_MAX_DAYS:
            raise forms.ValidationError("查询区间最长为一年")
        return cleaned


class AuditLogQueryForm(MessageQueryForm):
    pass


class MessageForm(forms.Form):
    subject = forms.CharField(label="*留言主题", max_length=MESSAGE_SUBJECT_WIDTH,
                              error_messages={"required": "请填写留言主题",
                                              "max_length": width_limit_message(
                                                  "留言主题", MESSAGE_SUBJECT_WIDTH)})
    content = forms.CharField(label="*留言内容", max_length=MESSAGE_CONTENT_WIDTH,
                              widget=forms.Textarea(attrs={"rows": 6}),
                              error_messages={"required": "请填写留言内容",
                                              "max_length": width_limit_message(
                                                  "留言内容", MESSAGE_CONTENT_WIDTH)})

    def clean_subject(self):
        return _WidthLimited.check(self.cleaned_data["subject"], "留言主题", MESSAGE_SUBJECT_WIDTH)

    def clean_content(self):
        return _WidthLimited.check(self.cleaned_data["content"], "留言内容", MESSAGE_CONTENT_WIDTH)


MOBILE_PASSWORD_HELP = "6-20位，须同时包含字母和数字"  # noqa: S105 - a rule, not a password


def _clean_mobile_password(form: forms.Form) -> None:
    password = form.cleaned_data.get("mobile_password")
    confirm = form.cleaned_data.get("mobile_password_confirm")
    if password is None:
        return
    if not (6 <= len(password) <= 20 and re.search(r"[A-Za-z]", password)
            and re.search(r"\d", password)) or not password.isascii() or " " in password:
        form.add_error("mobile_password", f"手机银行登录密码须为{MOBILE_PASSWORD_HELP}")
    elif password != confirm:
        form.add_error("mobile_password_confirm", "两次输入的密码不一致")


class MobileSignForm(forms.Form):
    code = _sms_code_field()
    links = LinkedMediaMultipleChoiceField(
        label="手机银行关联账户", queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择手机银行关联账户",
                        "invalid_choice": "请选择您的网银关联账户",
                        "invalid_pk_value": "请选择您的网银关联账户"})
    agreement = forms.BooleanField(label="我已阅读并同意《手机银行服务协议》",
                                   error_messages={"required": "请阅读并勾选《手机银行服务协议》"})
    mobile_password = _password_field("手机银行登录密码")
    mobile_password_confirm = _password_field("确认手机银行登录密码")

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["links"].queryset = selectors.linked_media_for_customer(customer=customer)
        self.fields["mobile_password"].help_text = MOBILE_PASSWORD_HELP

    def clean_code(self):
        return _clean_sms_code(self.cleaned_data["code"])

    def clean(self):
        cleaned = super().clean()
        _clean_mobile_password(self)
        return cleaned


class MobilePasswordResetForm(forms.Form):
    mobile_password = _password_field("新手机银行登录密码")
    mobile_password_confirm = _password_field("确认新密码")

    def clean(self):
        cleaned = super().clean()
        _clean_mobile_password(self)
        return cleaned


class MobileToggleForm(forms.Form):
    action = forms.ChoiceField(choices=[("suspend", "暂停"), ("resume", "启用")])


class SubAccountSelect(forms.Select):
    """Each option says which linked account it belongs to, for center.js to filter by."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-link"] = str(instance.medium.link.pk)
        return option


class SmsSubscribeForm(forms.Form):
    link = LinkedMediumChoiceField(label="签约账户", queryset=None, empty_label="请选择账户",
                                   error_messages={"invalid_choice": "请选择您的网银关联账户",
                                                   "required": "请选择签约账户"})
    sub_account = forms.ModelChoiceField(label="子账户", queryset=None, empty_label="请选择子账户",
                                         widget=SubAccountSelect(attrs={"data-filter-by": "id_link"}),
                                         error_messages={"invalid_choice": "请选择该账户的子账户",
                                                         "required": "请选择子账户"})
    threshold = forms.CharField(label="起点金额", max_length=32,
                                error_messages={"required": "请输入起点金额",
                                                "max_length": "请输入正确的金额"},
                                widget=forms.TextInput(attrs=AMOUNT_ATTRS))
    phone = _phone_field("签约手机号")

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].queryset = selectors.linked_media_for_customer(customer=customer)
        self.fields["sub_account"].queryset = selectors.sub_accounts_for_sms(customer=customer)
        self.fields["sub_account"].label_from_instance = (
            lambda sub: f"{sub.medium.masked_number}-{sub.seq:04d} {sub.get_kind_display()}")

    def clean_threshold(self):
        try:
            return parse_amount(self.cleaned_data["threshold"])
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        link, sub = cleaned.get("link"), cleaned.get("sub_account")
        if link is not None and sub is not None and sub.medium_id != link.medium_id:
            self.add_error("sub_account", "所选子账户不属于签约账户")
        return cleaned

