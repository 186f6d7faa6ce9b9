"""The customer-session rules that hold on every page (SEC-SESSION, SEC-FORCE).

For an authenticated request outside the admin:

* staff are not customers: on customer pages they are anonymous (the admin has its own login
  and keeps its session), so ``login_required`` pages send them to the customer login;
* a suspended or cancelled customer is logged out at once (a teller's STF-SUSPEND takes effect
  on the customer's next click, not at their next login);
* one live session per user: a session that is not the user's ``live_session_key`` was ended
  by a newer login and is logged out;
* a customer who must change the password is sent to the forced change page until they do.

Idle timeout is the session's own expiry (SESSION_COOKIE_AGE, refreshed by every request).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse

from .models import UserStatus

SESSION_TAKEN_OVER_MESSAGE = "您的账号已在其他地方登录，本次会话已结束。如非本人操作，请立即修改登录密码。"
USER_DISABLED_MESSAGE = "您的个人网上银行已暂停或注销，请携带有效身份证件到我行网点办理。"

# Paths that are never customer pages.
_OUTSIDE_PREFIXES = ("/admin/", "/captcha/", "/healthz")
# Customer pages a customer who must change the password may still reach.
_FORCE_CHANGE_ALLOWED = ("security:password_force_change", "security:logout",
                         "security:session_keepalive", "security:login")


class CustomerSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._force_allowed: frozenset[str] | None = None

    def __call__(self, request):
        response = self._check(request)
        return response if response is not None else self.get_response(request)

    def _check(self, request):
        path = request.path_info
        if path.startswith(settings.STATIC_URL) or path.startswith(_OUTSIDE_PREFIXES):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        if not user.is_customer:
            request.user = AnonymousUser()
            return None
        if user.status != UserStatus.ACTIVE:
            logout(request)
            messages.error(request, USER_DISABLED_MESSAGE)
            return redirect("security:login")
        if user.live_session_key and request.session.session_key != user.live_session_key:
            logout(request)
            messages.warning(request, SESSION_TAKEN_OVER_MESSAGE)
            return redirect("security:login")
        if user.must_change_password and path not in self._force_change_paths():
            return redirect("security:password_force_change")
        return None

    def _force_change_paths(self) -> frozenset[str]:
        if self._force_allowed is None:
            self._force_allowed = frozenset(reverse(name) for name in _FORCE_CHANGE_ALLOWED)
        return self._force_allowed
