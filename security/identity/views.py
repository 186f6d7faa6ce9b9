"""Pages of login, logout, session keep-alive, home, password change and 网上自助注册.

Thin: forms check shapes, services in security/identity/services.py decide and write. Every refused login
renders the same page with the same message; the registration wizard keeps its progress in the
session (never a clear password or PIN) and sends each step back to the earliest one missing.
"""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Customer, Medium
from accounts.pages.selectors import home_panel
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_phone
from ebank.core.proxy import client_ip
from ebank.core.web import url_or_none

from ..models import ToolStatus
from .forms import (
    LoginForm,
    PasswordChangeForm,
    RegisterAgreementForm,
    RegisterIdentityForm,
    RegisterLoginForm,
    RegisterSmsForm,
)
from .middleware import session_login_stamp, session_refresh
from .services import (
    LOGIN_FAILED_MESSAGE,
    LOGIN_LOCK_HINT,
    LoginRefused,
    password_hash_make,
    registration_digest,
    registration_match,
    registration_review,
    user_login_check,
    user_login_record,
    user_logout_record,
    user_password_change,
    user_register_online,
    user_session_bind,
)
from .throttles import login_throttle, register_throttle, sms_throttle_check

try:  # the SMS services module of the tools issue; the functions live in sms.py either way
    from ..tools.services import sms_code_issue, sms_code_verify
except ImportError:
    from ..tools.sms import sms_code_issue, sms_code_verify

SESSION_TIMEOUT_NOTICE = "会话已超时，请重新登录"
REGISTER_SESSION_KEY = "register_online"
REGISTER_DONE_KEY = "register_online_done"
REGISTER_SMS_PURPOSE = "register"


def _posted(request: HttpRequest):
    """The POST data to bind a form to (even when empty), or None on GET."""
    return request.POST if request.method == "POST" else None


# --- login and session -------------------------------------------------------------------------


def _login_page(request, form, *, failed: bool, status: int = 200,
                failed_message: str = LOGIN_FAILED_MESSAGE) -> HttpResponse:
    return render(request, "security/auth/login.html", {
        "form": form,
        "failed": failed,
        "failed_message": failed_message,
        "lock_hint": LOGIN_LOCK_HINT,
        "timeout_notice": SESSION_TIMEOUT_NOTICE if request.GET.get("timeout") else "",
        "next": _safe_next(request),
        "register_url": reverse("security:register"),
    }, status=status)


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


@never_cache
@require_http_methods(["GET", "POST"])
@login_throttle
def login_view(request):
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect("security:home")
        return _login_page(request, LoginForm(), failed=False)
    form = LoginForm(request.POST)
    failed_message = LOGIN_FAILED_MESSAGE
    if form.is_valid():
        try:
            user = user_login_check(login_name=form.cleaned_data["login_name"],
                                    password=form.cleaned_data["password"],
                                    ip_address=client_ip(request))
        except LoginRefused as refused:
            # Worded from the typed identifier's count alone: the same for any name.
            failed_message = refused.message
        else:
            previous_login_at = user.last_login
            login(request, user)  # rotates the session key
            session_login_stamp(request.session)  # the absolute lifetime starts now
            user_login_record(user=user, session_key=request.session.session_key,
                              ip_address=client_ip(request),
                              previous_login_at=previous_login_at)
            return redirect(_safe_next(request) or "security:home")
    # One page for every refusal: nothing on it says which check failed.
    typed = str(request.POST.get("login_name", ""))[:64].replace("\x00", "")
    return _login_page(request, LoginForm(initial={"login_name": typed}), failed=True,
                       failed_message=failed_message)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        user_logout_record(user=request.user, session_key=request.session.session_key,
                           ip_address=client_ip(request))
    logout(request)
    messages.success(request, "您已安全退出个人网上银行。为了您的资金安全，请关闭浏览器。")
    return redirect("security:login")


@require_POST
def session_keepalive(request):
    """The idle-warning banner's 继续: moves the session's expiry a full timeout forward."""
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False}, status=401)
    session_refresh(request.session)
    return JsonResponse({"ok": True, "timeout": int(settings.SESSION_COOKIE_AGE)})


@require_GET
@login_required
def home(request):
    user = request.user
    customer = user.customer
    return render(request, "security/auth/home.html", {
        "customer": customer,
        # The linked accounts with balances and 常用功能 (issue 11 §2), from 账户管理.
        **home_panel(customer=customer),
        "reserved_message_url": url_or_none("security:reserved_message"),
        "has_tool": user.security_tools.filter(status=ToolStatus.ACTIVE).exists(),
    })


# --- passwords -------------------------------------------------------------------------------------


def _password_change(request, *, template: str, success_redirect: str):
    form = PasswordChangeForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user_password_change(user=request.user,
                                 old_password=form.cleaned_data["old_password"],
                                 new_password=form.cleaned_data["new_password"],
                                 ip_address=client_ip(request))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            # The step-up: a new session key for this session, bound as the live one; every
            # other session of the user died with the old password's session hash.
            update_session_auth_hash(request, request.user)
            user_session_bind(user=request.user, session_key=request.session.session_key)
            messages.success(request, "登录密码修改成功，下次登录请使用新密码。")
            return redirect(success_redirect)
    return render(request, template, {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def password_force_change(request):
    if not request.user.must_change_password:
        return redirect("security:home")
    return _password_change(request, template="security/auth/password_force_change.html",
                            success_redirect="security:home")


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def password_change(request):
    return _password_change(request, template="security/auth/password_change.html",
                            success_redirect="security:password_change")


# --- 网上自助注册 ------------------------------------------------------------------------------------
#
# Progress in the session under REGISTER_SESSION_KEY:
#   nonce                      this wizard run (binds the SMS code)
#   agreed                     step 1 done
#   customer_id, medium_id     step 2 done (core records matched, SMS sent)
#   sms_ok                     step 3 done
#   username, password_hash    step 4 done


REGISTER_STEPS = (
    ("agreed", "security:register"),
    ("medium_id", "security:register_identity"),
    ("sms_ok", "security:register_sms"),
    ("username", "security:register_login"),
)
STEP_TITLES = ("阅读协议", "验证身份", "短信验证", "设置登录信息", "确认提交")


def _progress(request) -> dict:
    return request.session.get(REGISTER_SESSION_KEY) or {}


def _progress_save(request, progress: dict) -> None:
    request.session[REGISTER_SESSION_KEY] = progress


def _missing_step(progress: dict, upto: int):
    """A redirect to the first of the steps before ``upto`` not done yet, else None."""
    for key, url_name in REGISTER_STEPS[:upto]:
        if not progress.get(key):
            return redirect(url_name)
    return None


def _register_render(request, template: str, step: int, context: dict, status: int = 200):
    context.update({"step": step, "step_titles": STEP_TITLES})
    return render(request, f"security/auth/{template}", context, status=status)


def _registered_parties(progress: dict) -> tuple[Customer, Medium]:
    customer = Customer.objects.get(pk=progress["customer_id"])
    medium = Medium.objects.get(pk=progress["medium_id"], customer=customer)
    return customer, medium


def _anonymous_only(view):
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("security:home")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@never_cache
@require_http_methods(["GET", "POST"])
@_anonymous_only
def register(request):
    """Step 1: 《个人电子银行服务协议》, ticked 我已阅读."""
    form = RegisterAgreementForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        _progress_save(request, {"nonce": secrets.token_hex(16), "agreed": True})
        return redirect("security:register_identity")
    return _register_render(request, "register_agreement.html", 1, {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
@register_throttle
@_anonymous_only
def register_identity(request):
    """Step 2: card/passbook, 交易密码, name and ID as the core records have them."""
    progress = _progress(request)
    if (back := _missing_step(progress, 1)) is not None:
        return back
    form = RegisterIdentityForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            match = registration_match(number=data["number"], pin=data["pin"], name=data["name"],
                                       id_type=data["id_type"], id_number=data["id_number"])
            digest = registration_digest(customer_id=match.customer.pk,
                                         medium_id=match.medium.pk, nonce=progress["nonce"])
            sms_throttle_check(request)
            try:
                sms_code_issue(phone=match.customer.phone, purpose=REGISTER_SMS_PURPOSE,
                               operation_digest=digest)
            except BusinessError:
                # Sent a moment ago for this very registration (the customer came back to this
                # step): that code is still the one to type.
                if progress.get("medium_id") != match.medium.pk:
                    raise
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            # Later steps belong to what was matched now: start them over.
            _progress_save(request, {"nonce": progress["nonce"], "agreed": True,
                                     "customer_id": match.customer.pk,
                                     "medium_id": match.medium.pk})
            return redirect("security:register_sms")
    return _register_render(request, "register_identity.html", 2, {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
@register_throttle
@_anonymous_only
def register_sms(request):
    """Step 3: the SMS code sent to the reserved phone, bound to this registration."""
    progress = _progress(request)
    if (back := _missing_step(progress, 2)) is not None:
        return back
    customer, medium = _registered_parties(progress)
    digest = registration_digest(customer_id=customer.pk, medium_id=medium.pk,
                                 nonce=progress["nonce"])
    form = RegisterSmsForm(_posted(request))
    if request.method == "POST":
        if request.POST.get("action") == "resend":
            sms_throttle_check(request)
            try:
                sms_code_issue(phone=customer.phone, purpose=REGISTER_SMS_PURPOSE,
                               operation_digest=digest)
            except BusinessError as exc:
                # (An unbound form takes no error: this was a 500 when a resend came too soon.)
                messages.error(request, exc.message)
            else:
                messages.success(request, "验证码已重新发送")
            return redirect("security:register_sms")
        elif form.is_valid():
            if sms_code_verify(phone=customer.phone, purpose=REGISTER_SMS_PURPOSE,
                               operation_digest=digest, code=form.cleaned_data["code"]):
                progress["sms_ok"] = True
                _progress_save(request, progress)
                return redirect("security:register_login")
            form.add_error("code", "短信验证码错误或已失效，请重新输入或重新获取")
    return _register_render(request, "register_sms.html", 3, {
        "form": form, "phone_tail": customer.phone[-4:], "phone_masked": mask_phone(customer.phone),
    })


@never_cache
@require_http_methods(["GET", "POST"])
@_anonymous_only
def register_login(request):
    """Step 4: 登录名, 登录密码, 确认密码."""
    progress = _progress(request)
    if (back := _missing_step(progress, 3)) is not None:
        return back
    customer, _medium = _registered_parties(progress)
    initial = {"username": progress.get("username", "")}
    form = RegisterLoginForm(_posted(request), initial=initial, customer_name=customer.name)
    if request.method == "POST" and form.is_valid():
        progress["username"] = form.cleaned_data["username"]
        # Only the hash is kept between steps; the clear password is gone after this request.
        progress["password_hash"] = password_hash_make(form.cleaned_data["password"])
        _progress_save(request, progress)
        return redirect("security:register_review")
    return _register_render(request, "register_login.html", 4, {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
@_anonymous_only
def register_review(request):
    """Step 5: what will be registered, masked; 提交 creates the user."""
    progress = _progress(request)
    if (back := _missing_step(progress, 4)) is not None:
        return back
    customer, medium = _registered_parties(progress)
    error = ""
    if request.method == "POST":
        try:
            user = user_register_online(customer=customer, medium=medium,
                                        username=progress["username"],
                                        password_hash=progress["password_hash"],
                                        ip_address=client_ip(request))
        except BusinessError as exc:
            error = exc.message
        else:
            request.session.pop(REGISTER_SESSION_KEY, None)
            request.session[REGISTER_DONE_KEY] = {"username": user.username,
                                                  "name": customer.name}
            return redirect("security:register_done")
    return _register_render(request, "register_review.html", 5, {
        "review": registration_review(customer=customer, medium=medium,
                                      username=progress["username"]),
        "error": error,
    })


@never_cache
@require_GET
def register_done(request):
    done = request.session.get(REGISTER_DONE_KEY)
    if not done:
        return redirect("security:register")
    return _register_render(request, "register_done.html", 6, {"done": done})


@require_POST
def register_cancel(request):
    request.session.pop(REGISTER_SESSION_KEY, None)
    return redirect("security:login")
