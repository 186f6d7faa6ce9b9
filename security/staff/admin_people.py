"""员工管理 and 员工动态口令 in the staff admin (head office only).

Every page here answers 403 to anyone but head office (``people.people_manager``), GET or POST;
every change is a POST to one of ``security.staff.people``'s services, which check the same
rule again. The 动态口令 issuing page shows the QR code and the secret once, in the answer to
the issuing POST, marked no-store; the secret is never on any other page.
"""

import segno
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.html import format_html
from django_otp.plugins.otp_totp.models import TOTPDevice

from ebank.core.errors import BusinessError

from ..models import StaffMember, StaffOTPDevice
from . import people
from .people_forms import OTPEnrolForm, StaffCreateForm, StaffPasswordResetForm
from .roles import ROLE_ORDER, Role
from .scoping import StaffAuditMixin


def role_of(member) -> Role | None:
    """The role of a listed member of staff, from their prefetched groups (no query a row)."""
    if member.is_superuser:
        return Role.HEAD_OFFICE
    names = {group.name for group in member.groups.all()}
    return next((role for role in ROLE_ORDER if role.label in names), None)


def state_of(member) -> str:
    if not member.is_active:
        return "已停用"
    return "已锁定" if member.staff_locked_at is not None else "正常"


class RoleFilter(admin.SimpleListFilter):
    title = "角色"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value() not in Role.values:
            return queryset
        in_group = queryset.filter(groups__name=Role(self.value()).label)
        if self.value() == Role.HEAD_OFFICE:
            return (in_group | queryset.filter(is_superuser=True)).distinct()
        return in_group.filter(is_superuser=False)


class StateFilter(admin.SimpleListFilter):
    title = "状态"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("active", "正常"), ("locked", "已锁定"), ("inactive", "已停用"))

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(is_active=True, staff_locked_at__isnull=True)
        if self.value() == "locked":
            return queryset.filter(is_active=True, staff_locked_at__isnull=False)
        if self.value() == "inactive":
            return queryset.filter(is_active=False)
        return queryset


class HeadOfficeOnlyMixin:
    """Seen and used by head office only; changes go through the services, never a ModelForm."""

    def has_module_permission(self, request):
        return people.people_manager(request.user)

    def has_view_permission(self, request, obj=None):
        return people.people_manager(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return rows if people.people_manager(request.user) else rows.none()


STATUS_OPERATIONS = {
    # op: (service, title, button)
    "lock": (people.staff_lock, "锁定", "确认锁定"),
    "unlock": (people.staff_unlock, "解锁", "确认解锁"),
    "deactivate": (people.staff_deactivate, "停用", "确认停用"),
    "activate": (people.staff_activate, "启用", "确认启用"),
}

STATUS_NOTES = {
    "lock": "锁定后该员工无法登录柜面管理，已登录的会话立即失效，直至解锁。",
    "unlock": "解锁后该员工可重新登录，连续登录失败次数清零。",
    "deactivate": "停用后该员工无法登录，已登录的会话立即失效；其操作记录保留。",
    "activate": "启用后该员工可重新登录。",
}


@admin.register(StaffMember)
class StaffMemberAdmin(HeadOfficeOnlyMixin, admin.ModelAdmin):
    list_display = ("username", "full_name", "branch", "role_display", "state_display",
                    "otp_display", "last_login_display")
    list_filter = ("branch", RoleFilter, StateFilter)
    list_select_related = ("branch",)
    search_fields = ("username", "first_name", "last_name")
    ordering = ("branch__code", "username")
    fields = ("username_display", "full_name", "branch", "role_display", "state_display",
              "otp_display",
              "last_login", "last_login_ip", "failed_logins", "staff_locked_at",
              "password_changed_at", "date_joined")
    readonly_fields = fields
    actions = ["staff_unlock"]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).prefetch_related("groups").annotate(
            has_otp=Exists(confirmed))

    def has_add_permission(self, request):
        return people.people_manager(request.user)

    def has_staff_unlock_permission(self, request):
        return people.people_manager(request.user)

    @admin.display(description="用户名", ordering="username")
    def username_display(self, member):
        return member.username

    @admin.display(description="最近登录", ordering="last_login")
    def last_login_display(self, member):
        return member.last_login

    @admin.display(description="姓名", ordering="first_name")
    def full_name(self, member):
        return f"{member.last_name}{member.first_name}"

    @admin.display(description="角色")
    def role_display(self, member):
        role = role_of(member)
        return role.label if role else "未设角色"

    @admin.display(description="状态")
    def state_display(self, member):
        return state_of(member)

    @admin.display(description="动态口令")
    def otp_display(self, member):
        return "已绑定" if member.has_otp else "未绑定"

    @admin.action(description="解锁所选员工", permissions=["staff_unlock"])
    def staff_unlock(self, request, queryset):
        """Head office unlocks the selected staff, one service call (and audit row) each."""
        done, refused = 0, []
        for member in queryset.filter(staff_locked_at__isnull=False):
            try:
                people.staff_unlock(acting_user=request.user, staff=member)
            except BusinessError as exc:
                refused.append(f"{member.username}：{exc.message}")
            else:
                done += 1
        if done:
            self.message_user(request, f"已解锁{done}名员工", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)
        if not done and not refused:
            self.message_user(request, "所选员工中没有被锁定的员工", messages.WARNING)

    # --- pages -----------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:staff_id>/otp/", view(self.otp_issue_view),
                 name="security_staffmember_otp"),
            path("<int:staff_id>/otp/enrol/", view(self.otp_enrol_view),
                 name="security_staffmember_otp_enrol"),
            path("<int:staff_id>/password/", view(self.password_view),
                 name="security_staffmember_password"),
            re_path(rf"^(?P<staff_id>\d+)/(?P<op>{'|'.join(STATUS_OPERATIONS)})/$",
                    view(self.status_view), name="security_staffmember_status"),
            *super().get_urls(),
        ]

    def _context(self, request, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title,
                **extra}

    def _member(self, request, staff_id: int) -> StaffMember:
        """The member of staff named in the URL, after the head-office check (403 first)."""
        if not people.people_manager(request.user):
            raise PermissionDenied
        member = self.get_queryset(request).filter(pk=staff_id).first()
        if member is None:
            raise Http404("员工不存在")
        return member

    def _back(self, member):
        return redirect("admin:security_staffmember_change", member.pk)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StaffCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                member = people.staff_create(
                    acting_user=request.user, username=data["username"], name=data["name"],
                    branch=data["branch"], role=data["role"], password=data["password1"])
            except BusinessError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已新增员工 {member.username}，请为其发放动态口令")
                return self._back(member)
        return TemplateResponse(request, "admin/security/staffmember/add.html",
                                self._context(request, "新增员工", form=form))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        member = self.get_object(request, object_id) if people.people_manager(
            request.user) else None
        if member is not None:
            extra.update(member_state=state_of(member), pending_otp=people.staff_otp_pending(
                staff=member) is not None)
        return super().change_view(request, object_id, form_url, extra)

    def otp_issue_view(self, request, staff_id):
        member = self._member(request, staff_id)
        context = self._context(request, "发放动态口令", member=member)
        if request.method != "POST":
            return TemplateResponse(request, "admin/security/staffmember/otp_issue.html", context)
        try:
            issued = people.staff_otp_issue(acting_user=request.user, staff=member)
        except BusinessError as exc:
            messages.error(request, exc.message)
            return self._back(member)
        qr = segno.make(issued.config_url, error="m")
        response = TemplateResponse(request, "admin/security/staffmember/otp_issued.html", {
            **context, "qr_data_uri": qr.png_data_uri(scale=5, border=4),
            "secret": issued.secret_base32, "form": OTPEnrolForm()})
        # Shown once: never kept by the browser's or a proxy's cache.
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True, private=True)
        return response

    def otp_enrol_view(self, request, staff_id):
        member = self._member(request, staff_id)
        pending = people.staff_otp_pending(staff=member)
        form = OTPEnrolForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                try:
                    people.staff_otp_enrol(acting_user=request.user, staff=member,
                                           token=form.cleaned_data["token"])
                except BusinessError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request,
                                     f"员工 {member.username} 的动态口令已启用，原有动态口令已停止使用")
                    return self._back(member)
        elif request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        response = TemplateResponse(request, "admin/security/staffmember/otp_enrol.html",
                                    self._context(request, "启用动态口令", member=member,
                                                  pending=pending, form=form))
        add_never_cache_headers(response)
        return response

    def password_view(self, request, staff_id):
        member = self._member(request, staff_id)
        form = StaffPasswordResetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                people.staff_password_reset(acting_user=request.user, staff=member,
                                            password=form.cleaned_data["password1"])
            except BusinessError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已重置 {member.username} 的登录密码，请将临时密码当面交给本人")
                return self._back(member)
        return TemplateResponse(request, "admin/security/staffmember/password.html",
                                self._context(request, "重置密码", member=member, form=form))

    def status_view(self, request, staff_id, op):
        member = self._member(request, int(staff_id))
        service, title, button = STATUS_OPERATIONS[op]
        error = None
        if request.method == "POST":
            try:
                service(acting_user=request.user, staff=member)
            except BusinessError as exc:
                error = exc.message
            else:
                messages.success(request, f"已{title}员工 {member.username}")
                return self._back(member)
        return TemplateResponse(request, "admin/security/staffmember/status.html",
                                self._context(request, f"{title}员工", member=member, op=op,
                                              button=button, note=STATUS_NOTES[op],
                                              error=error, state=state_of(member)))


class ConfirmedFilter(admin.SimpleListFilter):
    title = "已确认"
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return (("yes", "已确认"), ("no", "待启用"))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(confirmed=self.value() == "yes")
        return queryset


@admin.register(StaffOTPDevice)
class StaffOTPDeviceAdmin(HeadOfficeOnlyMixin, StaffAuditMixin, admin.ModelAdmin):
    """员工动态口令: which member of staff has which device, never its key. Only the name can
    be changed here (audited); new devices are issued from 员工管理 (发放动态口令)."""

    list_display = ("staff_display", "name_display", "confirmed_display", "created_display",
                    "last_used_display")
    list_filter = (ConfirmedFilter,)
    list_select_related = ("user__branch",)
    search_fields = ("user__username", "user__first_name", "name")
    fields = ("staff_display", "name", "confirmed_display", "created_display",
              "last_used_display", "manage_link")
    readonly_fields = ("staff_display", "confirmed_display", "created_display",
                       "last_used_display", "manage_link")

    def has_change_permission(self, request, obj=None):
        return people.people_manager(request.user)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "name":
            field.label, field.help_text = "名称", ""
        return field

    def has_add_permission(self, request):
        return False

    @admin.display(description="员工", ordering="user__username")
    def staff_display(self, device):
        user = device.user
        return f"{user.username}（{user.last_name}{user.first_name}，{user.branch or '未设行社'}）"

    @admin.display(description="名称", ordering="name")
    def name_display(self, device):
        return device.name

    @admin.display(description="已确认", boolean=True, ordering="confirmed")
    def confirmed_display(self, device):
        return device.confirmed

    @admin.display(description="发放时间", ordering="created_at")
    def created_display(self, device):
        return device.created_at

    @admin.display(description="最近使用", ordering="last_used_at")
    def last_used_display(self, device):
        return device.last_used_at

    @admin.display(description="员工管理")
    def manage_link(self, device):
        return format_html('<a href="{}">查看员工</a>', reverse(
            "admin:security_staffmember_change", args=[device.user_id]))


# The plugin's own TOTPDevice admin is English and shows every device (customers' digital
# tokens too, which are SecurityTools); 员工动态口令 above replaces it.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
