"""Small web helpers every app's views share (so no lower app imports a higher one's views)."""

from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# security.models.UserStatus.ACTIVE; spelled here because core sits below security.
ACTIVE_STATUS = "active"


def urls_key() -> tuple[str, str]:
    """(URLconf, script prefix): what a reversed URL depends on. Caches of reversed URLs are
    keyed by it — the URLconf does not change while a process runs, but a test may swap it."""
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()


def url_or_none(*names: str) -> str | None:
    """The path of the first of ``names`` that resolves (no arguments), else None."""
    return _url_or_none(names, *urls_key())


@lru_cache(maxsize=512)
def _url_or_none(names: tuple[str, ...], urlconf: str, prefix: str) -> str | None:
    # The URLconf does not change while a process runs: the menu resolves ~30 names per page.
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def customer_required(view):
    """Logged in, a customer (not staff), and not suspended or cancelled."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.customer_id is None or user.status != ACTIVE_STATUS:
            raise PermissionDenied("仅限网银客户使用")
        return view(request, *args, **kwargs)

    return wrapper


def querystring_without_page(request) -> str:
    """The current query (dates, filters) for pagination links, without ``page`` and ending in
    "&" when not empty: ``?{{ querystring }}page=2``."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def redirect_to_confirm(operation):
    """To the confirmation page of a started operation (X-CONFIRM)."""
    return redirect(reverse("security:confirm", args=[operation.public_id]))


def download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A file the browser saves as ``filename`` (an ASCII name: 借据号, 账单, 批次号)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
