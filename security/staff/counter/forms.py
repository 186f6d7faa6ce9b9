"""The teller's forms of the counter actions. Every action starts with the ID check.

Passwords (登录密码, 证书密码) are keyed by the customer on the PIN pad; they are never
rendered back (``render_value=False``), so a refused form asks for them again.
"""

from django import forms

from accounts.models import Customer, IdType, Medium, MediumStatus
from security.models import ToolKind, ToolReplaceReason

from .services import REGISTRABLE_KINDS


class IdentityForm(forms.Form):
    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices,
                                initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(label="证件号码", max_length=32,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    id_copy_received = forms.BooleanField(label="已核验身份证件原件并收取复印件", required=False)

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


def _password_field(label: str, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=128, strip=False,
                           widget=forms.PasswordInput(render_value=False,
                                                      attrs={"autocomplete": "new-password"}))


class MediumChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Medium) -> str:
        return f"{obj.get_kind_display()} {obj.masked_number}"


def _media(customer: Customer, kinds=REGISTRABLE_KINDS):
    return Medium.objects.filter(customer=customer, status=MediumStatus.NORMAL,
                                 kind__in=kinds).order_by("number")


class RegisterForm(IdentityForm):
    medium = MediumChoiceField(label="注册卡号（首次登录名）", queryset=Medium.objects.none(),
                               empty_label=None)
    initial_password = _password_field("登录密码（客户输入）")
    initial_password_again = _password_field("再次输入登录密码")
    tool_kind = forms.ChoiceField(label="安全认证工具", required=False,
                                  choices=[("", "暂不申领"), *ToolKind.choices])
    cert_password = _password_field("证书密码（申领USBKey时客户输入）", required=False)
    cert_password_again = _password_field("再次输入证书密码", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medium"].queryset = _media(self.customer)

    def clean(self):
        cleaned = super().clean()
        _password_pair(self, "initial_password", "initial_password_again", "登录密码")
        _password_pair(self, "cert_password", "cert_password_again", "证书密码")
        if cleaned.get("tool_kind") == ToolKind.USBKEY and not cleaned.get("cert_password"):
            self.add_error("cert_password", "申领USBKey须由客户输入证书密码")
        return cleaned


class ToolIssueForm(IdentityForm):
    kind = forms.ChoiceField(label="安全认证工具", choices=ToolKind.choices)
    fee_medium = MediumChoiceField(label="扣费账户", queryset=Medium.objects.none(),
                                   empty_label=None)
    cert_password = _password_field("证书密码（USBKey，客户输入）", required=False)
    cert_password_again = _password_field("再次输入证书密码", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fee_medium"].queryset = _media(self.customer)
        self._tool_kinds_offer()

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
    reason = forms.ChoiceField(label="更换原因", choices=ToolReplaceReason.choices)

    field_order = ["id_type", "id_number", "id_copy_received", "kind", "reason", "fee_medium",
                   "cert_password", "cert_password_again"]

    def _tool_kinds_offer(self) -> None:
        if self.state is not None:
            self._kinds_offered(sorted(self.state.live_tool_kinds, key=ToolKind.values.index))


class ToolCancelForm(IdentityForm):
    kind = forms.ChoiceField(label="安全认证工具", choices=ToolKind.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.state is not None:
            self._kinds_offered(sorted(self.state.live_tool_kinds, key=ToolKind.values.index))


class PasswordResetForm(IdentityForm):
    new_password = _password_field("新登录密码（客户输入）")
    new_password_again = _password_field("再次输入新登录密码")

    def clean(self):
        cleaned = super().clean()
        _password_pair(self, "new_password", "new_password_again", "登录密码")
        return cleaned


class CustomerFindForm(forms.Form):
    """The counter starts from the ID the customer hands over (or the card number)."""

    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices,
                                initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(label="证件号码", max_length=32, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    card_number = forms.CharField(label="或 卡号/账号", max_length=19, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("id_number") and not cleaned.get("card_number"):
            raise forms.ValidationError("请输入证件号码或卡号")
        return cleaned


class MessageReplyForm(forms.Form):
    reply = forms.CharField(label="回复内容", max_length=1000, widget=forms.Textarea(
        attrs={"rows": 6, "cols": 80}))
