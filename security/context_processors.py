"""The site layout's context: the session timeout, the last login and the layout's links.

The customer menu is not here: each menu app registers its group (ebank.core.menu) and
ebank.core.context_processors.menu puts it in the page.
"""

from functools import lru_cache

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from ebank.core.web import urls_key

from .identity.middleware import session_seconds_left


@lru_cache(maxsize=8)
def _layout_urls(urlconf: str, prefix: str, static_url: str) -> dict[str, str]:
    # The addresses base.html links on every page, reversed once per process rather than by a
    # {% url %} or {% static %} tag on every request.
    return {
        "home": reverse("security:home"),
        "login": reverse("security:login"),
        "logout": reverse("security:logout"),
        "keepalive": reverse("security:session_keepalive"),
        "site_css": static("css/site.css"),
        "mobile_css": static("css/mobile.css"),
        "layout_js": static("js/layout.js"),
        "timeout_js": static("js/session-timeout.js"),
    }


def _previous_login_text(user) -> str:
    at = user.previous_login_at
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S") if at is not None else ""


def site(request):
    """The idle-warning script's seconds left (customers), the last login, the layout's links."""
    user = getattr(request, "user", None)
    is_customer = bool(user is not None and user.is_authenticated
                       and getattr(user, "is_customer", False))
    session = getattr(request, "session", None)
    return {
        "is_customer": is_customer,
        "session_timeout_seconds": (session_seconds_left(session) if is_customer and session
                                    is not None else int(settings.SESSION_COOKIE_AGE)),
        "previous_login_text": _previous_login_text(user) if is_customer else "",
        "layout_urls": _layout_urls(*urls_key(), settings.STATIC_URL),
    }
