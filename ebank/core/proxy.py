"""Forwarded headers, believed only when the TLS proxy in front of the site sent them.

Behind the proxy (docker-compose.yml's ``proxy``: nginx terminating TLS), gunicorn sees the
proxy's address as REMOTE_ADDR; the customer's address arrives in ``X-Forwarded-For`` and the
scheme in ``X-Forwarded-Proto`` (``SECURE_PROXY_SSL_HEADER``). Anyone can send those headers,
so they count only from an address listed in ``TRUSTED_PROXIES`` (addresses or networks, from
the environment; empty by default: no forwarded header is believed):

- ``ForwardedHeadersMiddleware`` (first in MIDDLEWARE) removes every forwarded header of a
  request that did not come from a trusted proxy, before SecurityMiddleware asks
  ``request.is_secure()`` and before any view reads them;
- ``client_ip`` is the one helper every view uses for the address in audit rows, login
  records and throttles: REMOTE_ADDR, or, from a trusted proxy, the right-most address of
  ``X-Forwarded-For`` that is not itself a trusted proxy.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False)
                 for entry in trusted if entry.strip())


def _address(text: str | None):
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    parsed = _address(address)
    if parsed is None:
        return False
    return any(parsed in network
               for network in _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()))))


def client_ip(request) -> str | None:
    """The customer's address (for audit rows, login records and throttles)."""
    remote = request.META.get("REMOTE_ADDR") or None
    if not is_trusted_proxy(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        parsed = _address(hop)
        if parsed is None:
            break  # a malformed hop: nothing left of it can be believed
        if not is_trusted_proxy(hop):
            return str(parsed)
    return remote


class ForwardedHeadersMiddleware:
    """Drop forwarded headers that a trusted proxy did not send."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR")):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
