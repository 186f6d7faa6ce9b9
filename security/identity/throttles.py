"""Per-address throttles (django-ratelimit, counted in the Django cache).

Each is a decorator for a view: POSTs from one client address beyond the rate in the current
window are refused with :func:`throttled` (429, in Chinese) before the view runs. The rates are
settings (``THROTTLE_LOGIN``, ``THROTTLE_REGISTER``, ``THROTTLE_SMS``, "count/period" as
django-ratelimit reads them), read on every request so that tests and operators can change
them. The address is :func:`ebank.core.proxy.client_ip`: ``REMOTE_ADDR``, or behind the TLS
proxy the customer's address that a trusted proxy forwarded — never the proxy's own, which
would put every customer in one bucket (docs/login-and-session.md, docs/deployment.md).

These sit in front of the per-identifier lock (security.identity.services): the lock stops guessing one
customer's password, the throttle stops one address from trying many names, registrations or
SMS codes.
"""

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from ebank.core.proxy import client_ip

THROTTLED_MESSAGE = "您的操作过于频繁，请稍后再试"


def login_rate(group, request) -> str:
    return settings.THROTTLE_LOGIN


def register_rate(group, request) -> str:
    return settings.THROTTLE_REGISTER


def sms_rate(group, request) -> str:
    return settings.THROTTLE_SMS


def client_key(group, request) -> str:
    """The throttles' key: the client's address as one helper reads it for every purpose."""
    return client_ip(request) or ""


def _throttle(group: str, rate) -> callable:
    return ratelimit(group=group, key=client_key, rate=rate, method="POST", block=True)


login_throttle = _throttle("throttle:login", login_rate)
staff_login_throttle = _throttle("throttle:staff-login", login_rate)  # the admin's login
register_throttle = _throttle("throttle:register", register_rate)
# Every view that texts a code (registration, confirmation pages, profile changes) shares one
# count per address.
sms_throttle = _throttle("throttle:sms", sms_rate)


def sms_throttle_check(request) -> None:
    """The SMS throttle inside a view that texts a code on only some of its POSTs: counts this
    request and raises ``Ratelimited`` (answered by :func:`throttled`) beyond the rate."""
    if is_ratelimited(request, group="throttle:sms", key=client_key, rate=sms_rate, method="POST",
                      increment=True):
        raise Ratelimited()


def throttled(request, exception=None):
    """RATELIMIT_VIEW: the answer to a throttled request (django_ratelimit's middleware)."""
    return render(request, "429.html", {"message": THROTTLED_MESSAGE}, status=429)
