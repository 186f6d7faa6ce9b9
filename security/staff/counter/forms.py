"""The teller's forms of the counter actions. Every action starts with the ID check.

Passwords (登录密码, 证书密码) are keyed by the customer on the PIN pad; they are never
rendered back (``render_value=False``), so a refused form asks for them again.
"""

from decimal import Decimal

from django import forms

from accounts.models import Customer, IdType, Medium, MediumStatus
from ebank.core.errors import BusinessError
from ebank.core.money import parse_amount
from security.models import ToolKind, ToolReplaceReason

from .common import fee_text, tool_fee
from .services import REGISTRABLE_KINDS


def tool_fee_lines(*, none_label: str = "") -> list[dict[str, str]]:
    """The 工本费 of every tool kind as the form shows it before 提交 (``none_label``: the line of
    the form's "no tool" choice)."""
    lines = [{"kind": "", "label": none_label, "text": "无工本费"}] if none_label else []
    return lines + [{"kind": kind, "label": label, "text": fee_text(tool_fee(kind))}
                    for kind, label in ToolKind.choices]


class IdentityForm(forms.Form):
    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices,
                                initial=IdType.RESIDENT_ID, help_text="客户出示的有效身份证件的类型")
    id_number = forms.CharField(label="证件号码", max_length=32,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}),
                                help_text="按证件原件录入，须与开户时登记的证件一致",
                                error_messages={"required": "请输入客户出示的证件号码"})
    id_copy_received = forms.BooleanField(
        label="已核验身份证件原件并收取复印件", required=False,
        help_text="核验原件为本人有效证件后收取复印件，随申请书留存")

    def __init__(self, *args, customer: Customer, state=None, **kwargs):
        self.customer = customer
        # The CustomerState the page was built from (tool kinds offered); None in plain use.
        self.state = state
        super().__init__(*args, **kwargs)

    def _kinds_offered(self, kinds) -> None:
        """Offer only ``kinds`` in the ``kind`` field (a service still refuses any other)."""
        if self.state is not None:
            self.fields["kind"].choices = [(k, ToolKind(k).label) for k in kinds]

    def identity(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("id_type", "id_number",
                                                        "id_copy_received")}


def _password_pair(form: forms.Form, first: str, second: str, label: str) -> None:
    a, b = form.cleaned_data.get(first), form.cleaned_data.get(second)
    if a and b and a != b:
        form.add_error(second, f"两次输入的{label}不一致")


def _password_field(label: str, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=128, strip=False,
                           help_text=help_text,
                           widget=forms.PasswordInput(render_value=False,
                                                      attrs={"autocomplete": "new-password"}))


class LimitAmountField(forms.CharField):
    """An optional amount as typed at the counter (¥, 元 and thousands separators accepted)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=32, widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "data-capitals": ""}),
            error_messages={"max_length": "请输入正确的金额"}, **kwargs)

    def clean(self, value) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None  # not set: the branch's (else the bank's) limit applies
        try:
            return parse_amount(text)
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from exc


class MediumChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Medium) -> str:
        return f"{obj.get_kind_display()} {obj.masked_number}"


def _media(customer: Customer, kinds=REGISTRABLE_KINDS):
    return Medium.objects.filter(customer=customer, status=MediumStatus.NORMAL,
                                 kind__in=kinds).order_by("number")


class RegisterForm(IdentityForm):
    medium = MediumChoiceField(label="注册卡号（首次登录名）", queryset=Medium.objects.none(),
                               empty_label=None,
                               help_text="客户本人正常状态的借记卡或存折；该卡号即首次登录名和第一个关联账户")
    initial_password = _password_field("登录密码（客户输入）",
                                       help_text="由客户在密码键盘输入；首次登录须修改")
    initial_password_again = _password_field("再次输入登录密码")
    single_limit = LimitAmountField(label="对外转账单笔限额",
                                    help_text="可不填：不设置则为我行允许范围内的最大限额（按行社限额）")
    daily_limit = LimitAmountField(label="对外转账日累计限额",
                                   help_text="可不填；设置时不得超过行社（全行）的限额")
    tool_kind = forms.ChoiceField(label="安全认证工具", required=False,
                                  choices=[("", "暂不申领"), *ToolKind.choices],
                                  help_text="不申领则只能办理查询及小额业务；工本费从注册卡扣收")
    cert_password = _password_field("证书密码（申领USBKey时客户输入）", required=False,
                                    help_text="申领USBKey时由客户在密码键盘设置")
    cert_password_again = _password_field("再次输入证书密码", required=False)

    fee_after = "tool_kind"
    # Procedures §6: the ID check, the card, the password, the tool (its fee), then the limits.
    field_order = ["id_type", "id_number", "id_copy_received", "medium", "initial_password",
                   "initial_password_again", "tool_kind", "cert_password", "cert_password_again",
                   "single_limit", "daily_limit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medium"].queryset = _media(self.customer)
        self.fees = tool_fee_lines(none_label="暂不申领")

    def clean(self):
        cleaned = super().clean()
        _password_pair(self, "initial_password", "initial_password_again", "登录密码")
        _password_pair(self, "cert_password", "cert_password_again", "证书密码")
        if cleaned.get("tool_kind") == ToolKind.USBKEY and not cleaned.get("cert_password"):
            self.add_error("cert_password", "申领USBKey须由客户输入证书密码")
        single, daily = cleaned.get("single_limit"), cleaned.get("daily_limit")
        if single is not None and daily is not None and single > daily:
            self.add_error("single_limit", "单笔限额不得超过日累计限额")
        return cleaned


class ToolIssueForm(IdentityForm):
    kind = forms.ChoiceField(label="安全认证工具", choices=ToolKind.choices,
                             help_text="每类工具限一个；已有的工具请办理更换")
    fee_medium = MediumChoiceField(label="扣费账户", queryset=Medium.objects.none(),
                                   empty_label=None,
                                   help_text="工本费从该卡（存折）的活期主账户扣收")
    cert_password = _password_field("证书密码（USBKey，客户输入）", required=False,
                                    help_text="申领USBKey时由客户在密码键盘设置")

    fee_after = "kind"
    cert_password_again = _password_field("再次输入证书密码", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fee_medium"].queryset = _media(self.customer)
        self._tool_kinds_offer()
        self.fees = tool_fee_lines()

    def _tool_kinds_offer(self) -> None:
        if self.state is not None:
            self._kinds_offered(self.state.missing_tool_kinds)

    def clean(self):
        cleaned = super().clean()
        _password_pair(self, "cert_password", "cert_password_again", "证书密码")
        if cleaned.get("kind") == ToolKind.USBKEY and not cleaned.get("cert_password"):
            self.add_error("cert_password", "申领USBKey须由客户输入证书密码")
        return cleaned


class ToolReplaceForm(ToolIssueForm):
    reason = forms.ChoiceField(label="更换原因", choices=ToolReplaceReason.choices,
                               help_text="原工具提交后立即停用")

    field_order = ["id_type", "id_number", "id_copy_received", "kind", "reason", "fee_medium",
                   "cert_password", "cert_password_again"]

    def _tool_kinds_offer(self) -> None:
        if self.state is not None:
            self._kinds_offered(sorted(self.state.live_tool_kinds, key=ToolKind.values.index))


class ToolCancelForm(IdentityForm):
    kind = forms.ChoiceField(label="安全认证工具", choices=ToolKind.choices,
                             help_text="注销后该工具不能再用于网上银行交易")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.state is not None:
            self._kinds_offered(sorted(self.state.live_tool_kinds, key=ToolKind.values.index))


class PasswordResetForm(IdentityForm):
    new_password = _password_field("新登录密码（客户输入）",
                                   help_text="由客户在密码键盘输入；下次登录须修改")
    new_password_again = _password_field("再次输入新登录密码")

    def clean(self):
        cleaned = super().clean()
        _password_pair(self, "new_password", "new_password_again", "登录密码")
        return cleaned


class CustomerFindForm(forms.Form):
    """One box for what the customer hands over: card or account number, ID number, name or
    reserved phone. Sent by POST, so an ID number never lands in a URL or an access log."""

    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices,
                                initial=IdType.RESIDENT_ID,
                                help_text="按证件号码查找时使用的证件类型")
    query = forms.CharField(label="查找内容", max_length=64,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
                            help_text="卡号/账号、证件号码、客户姓名（全名）或预留手机号",
                            error_messages={"required": "请输入卡号/账号、证件号码、姓名或手机号"})


class MessageReplyForm(forms.Form):
    reply = forms.CharField(label="回复内容", max_length=1000, widget=forms.Textarea(
        attrs={"rows": 6, "cols": 80}))
