"""The customer-session rules that hold on every page (SEC-SESSION, SEC-FORCE).

For an authenticated request outside the admin:

* staff are not customers: on customer pages they are anonymous (the admin has its own login
  and keeps its session), so ``login_required`` pages send them to the customer login;
* a suspended or cancelled customer is logged out at once (a teller's STF-SUSPEND takes effect
  on the customer's next click, not at their next login);
* one live session per user: a session that is not the user's ``live_session_key`` was ended
  by a newer login and is logged out;
* a customer who must change the password is sent to the forced change page until they do;
* a customer locked out (five wrong login passwords, at login or in a form of the session) is
  logged out: on the very request whose wrong password locked it (``LoginLockedOut``) and on
  any later click of another session;
* a session ended by a newer login (``security.identity.services._session_end`` leaves only a mark in it) is
  told so on its next request: "您的账号已在其他地方登录…".

For every authenticated request, customer or staff (the admin included):

* the absolute lifetime: a session logged in more than ``SESSION_ABSOLUTE_SECONDS`` ago (12 hours
  by default) is logged out, however active it was — the login time rides in the session data
  (:data:`SESSION_STARTED_KEY`), which the request reads anyway: no query of its own;
* ``Cache-Control: no-store`` on the answer (pages, PDFs, Excel), so that no browser or proxy
  cache keeps a customer's data once the session is over.

Idle timeout is the session's own expiry (SESSION_COOKIE_AGE), moved forward by
:class:`SessionIdleRefreshMiddleware` at most every ``SESSION_REFRESH_SECONDS``.
"""

import time

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import LazyObject, SimpleLazyObject, empty

from ..models import UserStatus
from .backends import session_user_offered
from .services import (
    IN_SESSION_LOCKED_MESSAGE,
    SESSION_ENDED_KEY,
    LoginLockedOut,
    user_login_locked,
)

SESSION_TAKEN_OVER_MESSAGE = "您的账号已在其他地方登录，本次会话已结束。如非本人操作，请立即修改登录密码。"
USER_DISABLED_MESSAGE = "您的个人网上银行已暂停或注销，请携带有效身份证件到我行网点办理。"
SESSION_LIFETIME_MESSAGE = "为了您的资金安全，本次登录已超过最长时限，请重新登录。"
# When the session logged in (Unix seconds): the start of its absolute lifetime.
SESSION_STARTED_KEY = "_login_started"


def session_login_stamp(session) -> None:
    """Start the absolute lifetime now (the login view, at every password login)."""
    session[SESSION_STARTED_KEY] = int(time.time())


def session_lifetime_over(session) -> bool:
    started = session.get(SESSION_STARTED_KEY)
    return started is not None and (
        time.time() - int(started) >= int(settings.SESSION_ABSOLUTE_SECONDS))

# Paths that are never customer pages.
_OUTSIDE_PREFIXES = ("/admin/", "/captcha/", "/healthz")
# Customer pages a customer who must change the password may still reach.
_FORCE_CHANGE_ALLOWED = ("security:password_force_change", "security:logout",
                         "security:session_keepalive", "security:login")


# The session key holding when the session's expiry was last moved forward (Unix seconds).
SESSION_REFRESHED_KEY = "_idle_refreshed"


def session_refresh_interval() -> int:
    """How often activity moves the idle expiry forward: SESSION_REFRESH_SECONDS, but never
    more than a tenth of the timeout itself (a 4-second test timeout refreshes every request)."""
    age = int(settings.SESSION_COOKIE_AGE)
    return max(0, min(int(settings.SESSION_REFRESH_SECONDS), age // 10))


def session_refresh(session) -> None:
    """Record activity now: the session is saved and its expiry is SESSION_COOKIE_AGE from now."""
    session[SESSION_REFRESHED_KEY] = int(time.time())


def session_seconds_left(session) -> int:
    """Seconds until the session expires if nothing else happens (for the idle warning)."""
    age = int(settings.SESSION_COOKIE_AGE)
    refreshed = session.get(SESSION_REFRESHED_KEY)
    if refreshed is None:
        return age
    return max(0, age - (int(time.time()) - int(refreshed)))


class SessionIdleRefreshMiddleware:
    """The sliding idle timeout (SEC-SESSION) without a session write on every click.

    Django's SESSION_SAVE_EVERY_REQUEST would write the session on every request just to move
    its expiry. Here a request moves it only when the last move is at least
    :func:`session_refresh_interval` old (30 s of a 5-minute timeout), and a request that
    changes the session anyway records the time for free. So an idle session ends between
    ``AGE − interval`` and ``AGE`` after the last click — never later than the timeout — and
    the warning script is told the real time left (:func:`session_seconds_left`).

    Sits just inside SessionMiddleware, which saves what this marks modified.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            refreshed = session.get(SESSION_REFRESHED_KEY)  # loads the session
            if session.session_key is not None and (
                    refreshed is None
                    or time.time() - int(refreshed) >= session_refresh_interval()):
                session_refresh(session)
        response = self.get_response(request)
        if session is not None and session.modified and not session.is_empty():
            session_refresh(session)
        return response


class SessionUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, offering ``get_user`` the user that the session store
    read with the session row (``security.identity.sessions``), so a logged-in request reads
    session, user and customer in one statement. Django's checks all still run on that user:
    the backend named in the session, the session hash (a password change ends other
    sessions), ``is_active``."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _session_user(request))


def _session_user(request):
    if not hasattr(request, "_cached_user"):
        session = request.session
        session.get(SESSION_KEY)  # loads the session row (and its user) if not yet loaded
        with session_user_offered(getattr(session, "loaded_user", None)):
            request._cached_user = auth.get_user(request)
    return request._cached_user


def _unwrapped(obj):
    while isinstance(obj, LazyObject):
        if obj._wrapped is empty:
            obj._setup()
        obj = obj._wrapped
    return obj


class CustomerSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._force_allowed: frozenset[str] | None = None

    def __call__(self, request):
        response = self._check(request)
        if response is None:
            response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            if SESSION_STARTED_KEY not in session:
                # A login that did not go through the login view (the staff admin's), or a
                # session older than the rule: its lifetime starts now.
                session_login_stamp(session)
            patch_cache_control(response, no_store=True, no_cache=True, must_revalidate=True,
                                private=True, max_age=0)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, LoginLockedOut):
            logout(request)
            messages.error(request, IN_SESSION_LOCKED_MESSAGE)
            return redirect("security:login")
        return None

    def _check(self, request):
        path = request.path_info
        if path.startswith(settings.STATIC_URL):
            return None
        user = request.user
        if not user.is_authenticated:
            if request.session.get(SESSION_ENDED_KEY):
                # A newer login ended this session (security.identity.services._session_end): say so once.
                request.session.flush()
                messages.warning(request, SESSION_TAKEN_OVER_MESSAGE)
                if not path.startswith("/admin/"):
                    return redirect("security:login")
            return None
        if session_lifetime_over(request.session):
            logout(request)
            if path.startswith("/admin/"):
                return redirect(reverse("admin:login") + "?next=" + reverse("admin:index"))
            messages.warning(request, SESSION_LIFETIME_MESSAGE)
            return redirect("security:login")
        if path.startswith(_OUTSIDE_PREFIXES):
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
        if user.login_locked_on is not None and user_login_locked(user=user):
            logout(request)
            messages.error(request, IN_SESSION_LOCKED_MESSAGE)
            return redirect("security:login")
        if user.must_change_password and path not in self._force_change_paths():
            return redirect("security:password_force_change")
        # From here on the page reads the user directly, not through the two lazy proxies the
        # auth and OTP middleware wrapped it in (hundreds of attribute reads per page).
        request.user = _unwrapped(user)
        return None

    def _force_change_paths(self) -> frozenset[str]:
        if self._force_allowed is None:
            self._force_allowed = frozenset(reverse(name) for name in _FORCE_CHANGE_ALLOWED)
        return self._force_allowed
