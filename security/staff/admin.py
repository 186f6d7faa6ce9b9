"""The staff admin of the security app (柜面管理), in Chinese.

* The site itself (password + TOTP, counter pages) is ``admin_site.StaffAdminSite``, installed
  as ``admin.site`` by ``admin_apps.StaffAdminConfig``.
* Every customer-bearing list is scoped to the teller's branch (``scoping``); customer data is
  read-only here — it changes through the counter services (``admin_counter``), each of which
  writes an audit row and a 业务受理单.
* 留言 are answered through a reply form (STF-MSG) with an 逾期 filter.
* The models of ``accounts`` that carry customers are registered in ``admin_accounts`` (they
  need this app's staff scoping; ``accounts`` may not import ``security``).
* Staff are not in 网银用户: head office manages them in 员工管理 (``admin_people``).
"""

from collections import Counter

from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.models import Customer
from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column
from ebank.core.audit import (
    AUDIT_CHANNEL_LABELS,
    audit_action_choices,
    audit_action_label,
    audit_channel_label,
)
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_account_number, mask_phone
from ebank.core.models import AuditEvent
from security.confirm.registry import AuthMethod, operation_kind_get, operation_kinds
from security.staff.counter.forms import MessageReplyForm
from security.staff.counter.messages import customer_message_reply

from ..models import (
    CounterReceipt,
    CustomerMessage,
    MobileBankingAgreement,
    PendingOperation,
    SecurityTool,
    SmsMessage,
    SmsSubscription,
    ToolRegisterEntry,
    User,
)
from ..tools.sms import (
    SMS_BACKEND_LABELS,
    SMS_PURPOSE_LABELS,
    sms_backend_label,
    sms_purpose_label,
    sms_text_for_staff,
)
from . import (
    admin_accounts,  # noqa: F401 — registers the accounts models
    admin_people,  # noqa: F401 — 员工管理 and 员工动态口令 (head office)
)
from .scoping import (
    BranchScopedAdminMixin,
    StaffAuditMixin,
    head_office,
    scope_queryset,
)


def staff_display_name(staff) -> str:
    """陈静（teller_hf）: the name the branch knows, with the login that finds them."""
    name = staff.get_full_name()
    return f"{name}（{staff.username}）" if name else staff.username


def login_name_masked(name: str) -> str:
    return mask_account_number(name) if name.isdigit() and len(name) >= 12 else name


class CustomerScopedAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    branch_path = "user__customer__branch"

    def audit_customer_id(self, obj):
        return getattr(getattr(obj, "user", None), "customer_id", None)

    @admin.display(description="客户", ordering="user__username")
    def user_display(self, obj):
        """A login name is often a card number: masked, with the customer's name."""
        user = obj.user
        name = user.customer.name if user.customer_id else ""
        return f"{name} {login_name_masked(user.username)}".strip()


@admin.register(User)
class UserAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    """网银用户: customers' e-banking logins (staff are in 员工管理, ``admin_people``). Changes go
    through 柜面业务."""

    branch_path = "customer__branch"
    list_display = ("login_name", "customer", "status", "registration_channel", "registered_at",
                    "login_locked_on", "must_change_password", "counter_link")
    list_filter = ("status", "registration_channel")
    list_select_related = ("customer",)
    search_fields = ("=username", "customer__cif_no", "customer__name")
    fields = ("login_name", "customer", "status", "registration_channel",
              "registered_at", "registered_by", "must_change_password", "password_changed_at",
              "failed_logins", "login_locked_on", "previous_login_at", "previous_login_ip")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(customer__isnull=False)

    @admin.display(description="登录名", ordering="username")
    def login_name(self, obj):
        return login_name_masked(obj.username)

    @admin.display(description="柜面业务")
    def counter_link(self, obj):
        if obj.customer_id is None:
            return ""
        url = reverse("admin:counter_menu", kwargs={"customer_id": obj.customer_id})
        return format_html('<a href="{}">办理</a>', url)


@admin.register(SecurityTool)
class SecurityToolAdmin(CustomerScopedAdmin):
    list_display = ("serial", "kind", "user_display", "status", "issued_at", "not_after",
                    "branch")
    list_filter = ("kind", "status")
    list_select_related = ("user__customer", "branch")
    search_fields = ("=serial", "user__customer__cif_no", "user__customer__name")
    fields = ("user_display", "kind", "serial", "status", "issued_at", "branch",
              "certificate_serial", "not_after", "password_failures")
    readonly_fields = fields


@admin.register(ToolRegisterEntry)
class ToolRegisterEntryAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    """《网上银行 USB-Key 及密码信封领取登记簿》."""

    branch_path = "tool__user__customer__branch"
    list_display = ("recorded_at", "tool", "customer_name", "action", "reason", "fee_cny",
                    "staff_name", "branch")
    list_filter = ("action", "reason")
    list_select_related = ("tool__user__customer", "staff", "branch")
    search_fields = ("=tool__serial", "tool__user__customer__name")
    date_hierarchy = "recorded_at"
    fields = ("recorded_at", "tool", "customer_name", "action", "reason", "fee_cny",
              "fee_entry_id", "staff_name", "branch")
    readonly_fields = fields

    fee_cny = money_column("fee", "手续费", ordering="fee")

    @admin.display(description="经办柜员", ordering="staff__username")
    def staff_name(self, obj):
        return staff_display_name(obj.staff)

    @admin.display(description="客户")
    def customer_name(self, obj):
        return obj.tool.user.customer.name if obj.tool.user.customer_id else ""


@admin.register(CounterReceipt)
class CounterReceiptAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "action", "customer", "staff_name", "branch", "created_at",
                    "print_link")
    list_filter = ("action",)
    list_select_related = ("customer", "staff", "branch")
    search_fields = ("=number", "customer__cif_no", "customer__name")
    date_hierarchy = "created_at"
    fields = ("number", "action", "customer", "staff", "branch", "created_at", "detail")
    readonly_fields = fields

    @admin.display(description="经办柜员", ordering="staff__username")
    def staff_name(self, obj):
        return staff_display_name(obj.staff)

    @admin.display(description="业务受理单")
    def print_link(self, obj):
        return format_html('<a href="{}">查看</a> · <a href="{}">打印（PDF）</a>',
                           reverse("admin:counter_receipt", kwargs={"number": obj.number}),
                           reverse("admin:counter_receipt_pdf", kwargs={"number": obj.number}))


class MessageStateFilter(admin.SimpleListFilter):
    title = "回复状态"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("overdue", "逾期未回复"), ("open", "待回复"), ("replied", "已回复"))

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(replied_at__isnull=True, due_date__lt=today)
        if self.value() == "open":
            return queryset.filter(replied_at__isnull=True)
        if self.value() == "replied":
            return queryset.filter(replied_at__isnull=False)
        return queryset


@admin.register(CustomerMessage)
class CustomerMessageAdmin(CustomerScopedAdmin):
    """STF-MSG: 留言 with their due date (two working days), an overdue filter and a reply form."""

    list_display = ("subject", "user_display", "created_at", "due_date", "state", "replied_at",
                    "replied_by", "reply_link")
    list_filter = (MessageStateFilter,)
    list_select_related = ("user__customer", "replied_by")
    search_fields = ("subject", "user__customer__name", "user__customer__cif_no")
    ordering = ("replied_at", "due_date", "id")
    fields = ("user_display", "subject", "content", "created_at", "due_date", "reply",
              "replied_at", "replied_by")
    readonly_fields = fields

    @admin.display(description="状态")
    def state(self, obj):
        if obj.replied_at:
            return "已回复"
        return "逾期未回复" if obj.due_date < timezone.localdate() else "待回复"

    @admin.display(description="回复")
    def reply_link(self, obj):
        if obj.replied_at:
            return ""
        url = reverse("admin:security_customermessage_reply", args=[obj.pk])
        return format_html('<a href="{}">回复</a>', url)

    def get_urls(self):
        return [path("<int:message_id>/reply/", self.admin_site.admin_view(self.reply_view),
                     name="security_customermessage_reply"), *super().get_urls()]

    def reply_view(self, request, message_id):
        if not request.user.has_perm("security.change_customermessage"):
            raise PermissionDenied
        message = self.get_object(request, str(message_id))
        if message is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(message_id))
        form = MessageReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                customer_message_reply(acting_user=request.user, message=message,
                                       reply=form.cleaned_data["reply"])
            except BusinessError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已回复留言“{message.subject}”")
                return redirect("admin:security_customermessage_changelist")
        return TemplateResponse(request, "admin/security/customermessage/reply.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": "回复留言",
            "message": message, "form": form,
            "overdue": message.due_date < timezone.localdate(),
        })


def operation_kind_title(kind: str) -> str:
    try:
        return operation_kind_get(kind).title
    except ImproperlyConfigured:  # a kind no app registers any more
        return kind


class OperationKindFilter(admin.SimpleListFilter):
    """业务 by the kind's title (the X-CONFIRM registry; no query)."""

    title = "业务"
    parameter_name = "kind_code"

    def lookups(self, request, model_admin):
        return sorted(((name, kind.title) for name, kind in operation_kinds().items()),
                      key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(PendingOperation)
class PendingOperationAdmin(CustomerScopedAdmin):
    list_display = ("public_id", "user_display", "kind_display", "status", "created_at",
                    "executed_at", "auth_method_display")
    list_select_related = ("user__customer",)
    list_filter = ("status", OperationKindFilter)
    search_fields = ("=public_id",)
    fields = ("public_id", "user_display", "kind_display", "payload", "status", "created_at",
              "expires_at", "executed_at", "auth_method_display", "result", "failure_reason")
    readonly_fields = fields

    @admin.display(description="业务", ordering="kind")
    def kind_display(self, obj):
        return operation_kind_title(obj.kind)

    @admin.display(description="认证方式", ordering="auth_method")
    def auth_method_display(self, obj):
        if not obj.auth_method:
            return "-"
        try:
            return AuthMethod(obj.auth_method).label
        except ValueError:
            return obj.auth_method


class SmsPurposeFilter(admin.SimpleListFilter):
    """用途 by name, from the label table and the operation kinds (no query); a balance alert's
    purpose carries its entry ("balance_alert:<entry>") and is found by its code."""

    title = "用途"
    parameter_name = "purpose_code"

    def lookups(self, request, model_admin):
        named = {**SMS_PURPOSE_LABELS,
                 **{name: sms_purpose_label(name) for name in operation_kinds()}}
        return sorted(named.items(), key=lambda pair: (pair[1], pair[0]))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(Q(purpose=self.value()) | Q(purpose__startswith=f"{self.value()}:"))


class SmsBackendFilter(admin.SimpleListFilter):
    title = "通道"
    parameter_name = "backend_code"

    def lookups(self, request, model_admin):
        return list(SMS_BACKEND_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(backend=self.value()) if self.value() else queryset


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdminMixin, StaffAuditMixin, admin.ModelAdmin):
    """The SMS outbox; a branch sees the messages to its customers' reserved phones.

    Staff never read a live verification code here: the text is shown with the code masked
    until the code is used, expired or dead (``sms_text_for_staff``); the raw column is not
    shown, nor searchable."""

    list_display = ("created_at", "phone_masked", "purpose_display", "backend_display",
                    "text_shown")
    list_filter = (SmsPurposeFilter, SmsBackendFilter)
    search_fields = ("=phone",)
    fields = ("created_at", "phone", "purpose_display", "backend_display", "text_shown")
    readonly_fields = fields

    @admin.display(description="手机号", ordering="phone")
    def phone_masked(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description="用途", ordering="purpose")
    def purpose_display(self, obj):
        return sms_purpose_label(obj.purpose)

    @admin.display(description="通道", ordering="backend")
    def backend_display(self, obj):
        return sms_backend_label(obj.backend)

    @admin.display(description="短信内容")
    def text_shown(self, obj):
        return sms_text_for_staff(obj)

    def get_queryset(self, request):
        outbox = super().get_queryset(request).select_related("code")
        if head_office(request.user):
            return outbox
        phones = scope_queryset(Customer.objects.all(), staff=request.user,
                                branch_path="branch").values("phone")
        return outbox.filter(phone__in=phones)


@admin.register(SmsSubscription)
class SmsSubscriptionAdmin(CustomerScopedAdmin):
    list_display = ("user_display", "sub_account", "threshold_cny", "phone_masked", "active",
                    "created_at", "cancelled_at")
    list_select_related = ("user__customer", "sub_account__medium")
    list_filter = ("active",)
    fields = ("user_display", "sub_account", "threshold_cny", "phone_masked", "active",
              "created_at", "cancelled_at")
    readonly_fields = fields

    threshold_cny = money_column("threshold", "起点金额", ordering="threshold")

    @admin.display(description="签约手机号")
    def phone_masked(self, obj):
        return mask_phone(obj.phone)


@admin.register(MobileBankingAgreement)
class MobileBankingAgreementAdmin(CustomerScopedAdmin):
    list_display = ("user_display", "status", "signed_at", "changed_at")
    list_select_related = ("user__customer",)
    list_filter = ("status",)
    fields = ("user_display", "media", "status", "signed_at", "changed_at")
    readonly_fields = fields


class AuditActionFilter(admin.SimpleListFilter):
    """操作: every action by its Chinese name (ebank.core.audit's table; no query)."""

    title = "操作"
    parameter_name = "action_code"

    def lookups(self, request, model_admin):
        return audit_action_choices()

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class AuditChannelFilter(admin.SimpleListFilter):
    """渠道 by name; where two channels share one (柜面: counter and admin) the code tells them
    apart."""

    title = "渠道"
    parameter_name = "channel_code"

    def lookups(self, request, model_admin):
        shared = Counter(AUDIT_CHANNEL_LABELS.values())
        return [(code, label if shared[label] == 1 else f"{label}（{code}）")
                for code, label in AUDIT_CHANNEL_LABELS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(channel=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """X-LOG in the admin: head office sees all; a branch its customers' events and its own."""

    list_display = ("occurred_at", "action_display", "outcome", "actor", "customer_number",
                    "object_ref", "channel_display", "ip_address")
    list_filter = ("outcome", AuditChannelFilter, AuditActionFilter)
    search_fields = ("=customer_id", "action", "object_ref", "actor__username")
    date_hierarchy = "occurred_at"
    fields = ("occurred_at", "action_display", "action_code", "outcome", "actor", "customer_number",
              "object_ref", "channel_display", "ip_address", "detail")
    readonly_fields = fields

    @admin.display(description="操作", ordering="action")
    def action_display(self, event: AuditEvent) -> str:
        return audit_action_label(event.action, event.detail)

    @admin.display(description="渠道", ordering="channel")
    def channel_display(self, event: AuditEvent) -> str:
        return audit_channel_label(event.channel)

    @admin.display(description="操作代码")
    def action_code(self, event: AuditEvent) -> str:
        return event.action

    @admin.display(description="客户编号", ordering="customer_id")
    def customer_number(self, event: AuditEvent):
        return event.customer_id

    def get_queryset(self, request):
        events = super().get_queryset(request).select_related("actor")
        if head_office(request.user):
            return events
        customers = scope_queryset(Customer.objects.all(), staff=request.user,
                                   branch_path="branch").values("pk")
        return events.filter(Q(customer_id__in=customers) | Q(actor=request.user))
