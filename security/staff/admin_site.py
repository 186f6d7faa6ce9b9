"""The staff admin site: 柜面管理, reached with 用户名 + 密码 + 动态口令 (TOTP).

``OTPAdminSite`` (django-otp) lets in only a staff user verified by one of their confirmed OTP
devices in this session; a staff user without a device cannot reach any admin page. The site
also serves the counter pages (``security/staff/admin_counter.py``) under ``/admin/counter/``.

The login says one thing for a wrong password and a wrong 动态口令 (which one was wrong would
tell an attacker holding a stolen password that it is right). Each counts on the staff user's
row; the fifth in a row locks the admin login until head office unlocks it (员工管理,
``security.staff.people.staff_unlock``). A locked teller is told so only after typing
both the right password and the right 动态口令.
"""

from functools import update_wrapper

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.models import Device

from ebank.core.proxy import client_ip

from ..identity.services import (
    STAFF_LOCKED_MESSAGE,
    STAFF_LOGIN_FAILED_MESSAGE,
    staff_login_failure_record,
    staff_login_success_record,
    staff_named,
)
from ..identity.throttles import staff_login_throttle
from .admin_index import workstation_panel
from .admin_sections import sections_arrange
from .people import STAFF_MUST_CHANGE_MESSAGE, staff_password_changed


class StaffLoginForm(OTPAdminAuthenticationForm):
    otp_error_messages = dict(
        OTPAdminAuthenticationForm.otp_error_messages,
        token_required="请输入动态口令",  # noqa: S106 — a message, not a secret
        invalid_token="动态口令错误，请重新输入",  # noqa: S106 — a message
        device_required="请选择动态口令设备",
        verification_not_allowed="动态口令验证暂不可用，请稍后再试",
        not_interactive="所选设备不支持获取口令",
    )

    def clean(self):
        staff = staff_named(self.cleaned_data.get("username") or "")
        try:
            cleaned = super().clean()
        except ValidationError as refused:
            if staff is not None:
                request = self.request
                staff_login_failure_record(
                    user=staff, ip_address=client_ip(request) if request else None)
            # django-otp keeps the user a right password found (its page then offers the
            # device picker): forget it, or the page would tell the password was right.
            self.user_cache = None
            raise ValidationError(STAFF_LOGIN_FAILED_MESSAGE, code="invalid_login") from refused
        user = self.get_user()
        if user is not None:
            if user.staff_locked_at is not None:
                self.user_cache = None
                raise ValidationError(STAFF_LOCKED_MESSAGE, code="locked")
            staff_login_success_record(user=user)
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].label = "动态口令"
        self.fields["otp_token"].widget.attrs.update({"autocomplete": "one-time-code",
                                                      "inputmode": "numeric"})

    def _chosen_device(self, user):
        # A teller has one device: use it without a second round trip to pick it.
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user))
            if len(devices) == 1:
                device = Device.from_persistent_id(devices[0].persistent_id, for_verify=True)
        return device

    def _update_form(self, user):
        super()._update_form(user)
        # django-otp re-renders the typed password for its second step; never render one.
        self.fields["password"].widget.render_value = False


class StaffAdminSite(OTPAdminSite):
    site_header = "个人网上银行 柜面管理"
    site_title = "柜面管理"
    index_title = "业务管理"
    login_form = StaffLoginForm
    login_template = "admin/otp_login.html"
    # At 1366 px the sidebar's 300 px are the list's columns; the index is the map, one click
    # away on every page (the header and the breadcrumbs).
    enable_nav_sidebar = False

    def __init__(self, name: str = "admin"):
        # Named "admin" (not django-otp's "otpadmin") so every reverse("admin:…") keeps working.
        super().__init__(name)

    def admin_view(self, view, cacheable=False):
        """Every admin page, and a temporary password first: a member of staff whose password
        head office set (新增员工, 重置密码) changes it before anything else."""
        protected = super().admin_view(view, cacheable)

        def first_change_password(request, *args, **kwargs):
            user = request.user
            if (user.is_authenticated and user.is_staff and user.must_change_password
                    and request.path not in self._open_while_forced()):
                messages.warning(request, STAFF_MUST_CHANGE_MESSAGE)
                return redirect("admin:password_change")
            return protected(request, *args, **kwargs)

        return update_wrapper(first_change_password, protected)

    def _open_while_forced(self) -> set[str]:
        return {reverse(f"{self.name}:{name}") for name in
                ("password_change", "password_change_done", "logout", "jsi18n")}

    def password_change(self, request, extra_context=None):
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            staff_password_changed(user=request.user)
        return response

    @method_decorator(staff_login_throttle)
    def login(self, request, extra_context=None):
        # The per-address throttle of the customer login, counted on its own (THROTTLE_LOGIN).
        return super().login(request, extra_context)

    def get_urls(self):
        from . import admin_counter, worklog

        return (admin_counter.urlpatterns(self) + worklog.urlpatterns(self)
                + super().get_urls())

    def get_app_list(self, request, app_label=None):
        """The index and the nav sidebar list the models in the workstation's sections
        (``admin_sections``); an app's own page (``/admin/<app>/``) keeps Django's list."""
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        return sections_arrange(app_list, index_url=reverse("admin:index", current_app=self.name))

    def index(self, request, extra_context=None):
        context = {"workstation": workstation_panel(request), **(extra_context or {})}
        return super().index(request, context)
