"""The security matrix over every customer URL of the site.

* every URL that names an object, opened by another customer → 404 and nothing written;
* every POST without a CSRF token → 403;
* no GET changes anything in the database;
* every HTML page carries the security headers, and no page shows a seeded secret.

Every URL of the site is walked but the staff admin's and the captcha's, whatever its namespace
(or none): a new app's URLs are picked up automatically. A new URL with an object in it must be
given a factory in its app's ``tests/access_matrix.py`` (``OBJECT_URLS``, collected below), and
every URL a name, or the coverage test fails.
"""

import hashlib
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, re_path, reverse

from accounts.demo import seed_demo_bank
from accounts.models import LinkedMedium
from security.models import User
from tests.secrets_scan import seeded_secrets

pytestmark = pytest.mark.django_db

# Written by a GET for reasons that are not business state: the session row (idle timeout) and
# the 附加码 challenge a login page draws.
VOLATILE_TABLES = {"security_usersession", "captcha_captchastore"}
# Not customer pages, so not walked: the staff admin (tested with the staff site) and the
# captcha images (django-simple-captcha's urls, no namespace, no customer data). Every other URL
# is, namespaced or not: a new app's URLs are in the matrix the day they are included.
EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_URLCONFS = {"captcha.urls"}


def _params(pattern) -> list[str]:
    """The parameters a route or regex captures (positional groups as "#1", "#2" …)."""
    regex = pattern.regex
    return list(regex.groupindex) or [f"#{i}" for i in range(1, regex.groups + 1)]


def _walk(patterns, prefix="", namespace=None, params=()):
    for entry in patterns:
        captured = [*params, *_params(entry.pattern)]
        if isinstance(entry, URLResolver):
            module = getattr(entry.urlconf_name, "__name__", None)  # None: a list of patterns
            if entry.namespace in EXCLUDED_NAMESPACES or module in EXCLUDED_URLCONFS:
                continue
            inner = ":".join(ns for ns in (namespace, entry.namespace) if ns) or None
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, captured)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield name, prefix + str(entry.pattern), captured


def customer_urls(patterns=None):
    """(name, route, parameters) of every URL but the excluded; name None for an unnamed one."""
    yield from _walk(get_resolver().url_patterns if patterns is None else patterns)


def coverage_gaps(urls, object_urls) -> list[str]:
    """The URLs the matrix cannot test: unnamed ones (nothing to reverse) and those naming an
    object without a factory in ``object_urls`` (no other customer's object to try)."""
    gaps = []
    for name, route, params in urls:
        if name is None:
            gaps.append(f"unnamed URL {route!r}: give it a name")
        elif params and name not in object_urls:
            gaps.append(f"{name} ({route}): give it a factory in its app's tests/access_matrix.py")
    return gaps


def db_fingerprint() -> str:
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.db_table):
        if model._meta.db_table in VOLATILE_TABLES or not model._meta.managed:
            continue
        rows = sorted(map(repr, model.objects.order_by().values_list()))
        digest.update(f"{model._meta.db_table}:{len(rows)}:{'|'.join(rows)}".encode())
    return digest.hexdigest()


def make_user(customer, username) -> User:
    user = User.objects.create(username=username, customer=customer)
    user.set_password("Matrix@2026")
    user.save()
    for position, medium in enumerate(customer.media.all(), start=1):
        LinkedMedium.objects.get_or_create(medium=medium, defaults={
            "customer": customer, "position": position})
    return user


@pytest.fixture
def alice_bob():
    customers = seed_demo_bank()
    return make_user(customers[0], "alice_matrix"), make_user(customers[1], "bob_matrix")


def _app_object_urls() -> dict:
    """Every installed app's factories: ``OBJECT_URLS`` of its ``<app>/tests/access_matrix.py``.

    An app keeps the factories for its object URLs in its own folder, so a new app joins the
    matrix without a line here; a name given by two apps is refused.
    """
    found: dict = {}
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(settings.BASE_DIR) or ".venv" in config.path:
            continue  # Django's and third parties' apps: their URLs have no object factories
        module_name = f"{config.name}.tests.access_matrix"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name is not None and module_name.startswith(missing.name):
                continue  # the app has no such module (or no tests package)
            raise
        clash = found.keys() & module.OBJECT_URLS.keys()
        assert not clash, f"{module_name} repeats {sorted(clash)}"
        found.update(module.OBJECT_URLS)
    return found


# URL name → a factory making the object for its owner and returning the URL kwargs.
OBJECT_URLS = _app_object_urls()


def _app_param_urls() -> dict:
    """``PARAM_URLS`` of the apps' ``tests/access_matrix.py``: URL name → the kwargs of a URL
    whose parameters name no object (a page's kind, e.g. payments:pay kind=power). Walked
    like the plain URLs below; an app without such URLs needs no ``PARAM_URLS``."""
    found: dict = {}
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(settings.BASE_DIR) or ".venv" in config.path:
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.access_matrix")
        except ModuleNotFoundError:
            continue
        found.update(getattr(module, "PARAM_URLS", {}))
    return found


PARAM_URLS = _app_param_urls()


def test_every_url_with_an_object_has_a_factory():
    gaps = coverage_gaps(customer_urls(), {**OBJECT_URLS, **PARAM_URLS})
    assert not gaps, "\n".join(gaps)


def _page(request, **kwargs):  # only routed, never called
    raise AssertionError("not called")


def test_a_new_apps_urls_are_walked_and_an_object_url_without_a_factory_is_refused():
    """A site with a new app (its own namespace), a URL outside any namespace and the excluded
    admin and captcha: the new URLs are walked, and the ones naming objects are refused until
    they have factories."""
    leasing = ([path("", _page, name="index"),
              path("<int:pk>/", _page, name="detail"),
              re_path(r"^legacy/(\d+)/$", _page, name="legacy"),
              path("unnamed/", _page)], "leasing")
    site = [path("admin/", admin.site.urls),
            path("captcha/", include("captcha.urls")),
            path("leasing/", include(leasing)),
            path("accounts/", include("accounts.urls")),
            path("branch/<slug:code>/", _page, name="branch_detail"),
            path("about", _page, name="about")]

    urls = list(customer_urls(site))
    names = {name for name, _route, _params in urls}

    assert {"leasing:index", "leasing:detail", "about", "accounts:detail"} <= names
    assert not any(name and name.startswith(("admin:", "captcha")) for name in names)
    assert coverage_gaps(urls, OBJECT_URLS) == [
        "leasing:detail (leasing/<int:pk>/): give it a factory in its app's tests/access_matrix.py",
        "leasing:legacy (leasing/^legacy/(\\d+)/$): give it a factory in its app's tests/access_matrix.py",
        "unnamed URL 'leasing/unnamed/': give it a name",
        "branch_detail (branch/<slug:code>/): give it a factory in its app's tests/access_matrix.py",
    ]
    factories = {**OBJECT_URLS, "leasing:detail": _page, "leasing:legacy": _page,
                 "branch_detail": _page}
    assert coverage_gaps([url for url in urls if url[0]], factories) == []


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_another_customers_object_is_404_and_nothing_is_written(alice_bob, name):
    alice, bob = alice_bob
    url = reverse(name, kwargs=OBJECT_URLS[name](bob))
    client = Client()
    client.force_login(alice)
    before = db_fingerprint()
    # A page answers the method it does not take with 405 before looking anything up; the
    # method it does take must not find the other customer's object.
    answers = {client.get(url).status_code,
               client.post(url, {"pin": "135246", "credential": "000000", "method": "sms"}
                           ).status_code}
    assert answers <= {404, 405} and 404 in answers, answers
    assert db_fingerprint() == before


def _plain_urls():
    return sorted(name for name, _route, params in customer_urls() if name and not params)


@pytest.mark.parametrize("name", _plain_urls())
def test_get_changes_nothing(alice_bob, name):
    alice, _bob = alice_bob
    client = Client()
    client.force_login(alice)
    url = reverse(name)
    before = db_fingerprint()
    response = client.get(url)
    assert response.status_code in (200, 302, 405), (url, response.status_code)
    assert db_fingerprint() == before, f"GET {url} wrote to the database"


@pytest.mark.parametrize("name", _plain_urls() + sorted(OBJECT_URLS))
def test_post_without_csrf_token_is_refused(alice_bob, name):
    alice, _bob = alice_bob
    kwargs = OBJECT_URLS[name](alice) if name in OBJECT_URLS else {}
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    before = db_fingerprint()
    assert client.post(reverse(name, kwargs=kwargs), {"x": "1"}).status_code == 403
    assert db_fingerprint() == before


@pytest.mark.parametrize("name", _plain_urls())
def test_html_pages_carry_security_headers_and_no_secret(alice_bob, name):
    alice, _bob = alice_bob
    client = Client()
    client.force_login(alice)
    response = client.get(reverse(name), follow=True)
    if "text/html" not in response.get("Content-Type", ""):
        return
    csp = response["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                      "script-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    body = response.content.decode()
    assert "<script>" not in body and " onclick=" not in body
    for label, secret in seeded_secrets().items():
        assert secret not in body, f"{label} shown on {name}"


# --- URLs whose parameters name no object (PARAM_URLS): as the plain URLs ---


@pytest.mark.parametrize("name", sorted(PARAM_URLS))
def test_param_url_get_changes_nothing_and_post_needs_csrf(alice_bob, name):
    alice, _bob = alice_bob
    url = reverse(name, kwargs=PARAM_URLS[name])
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    before = db_fingerprint()
    assert client.get(url).status_code in (200, 302, 405), url
    assert client.post(url, {"x": "1"}).status_code == 403
    assert db_fingerprint() == before, f"{url} wrote to the database"
