"""Every message in Chinese: Django's password validators (each configured one walked) and the
400/403/CSRF-403/404/500 pages, in the site's layout."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, override_settings
from django.urls import path

from ebank import urls as site_urls
from security.models import User

from .test_auth_helpers import bank, customer_user, login

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")

# Passwords that fail each kind of rule, tried against a user whose name they resemble.
CANDIDATES = ["zhangwei2026", "Ab1", "password", "12345678901", "qwertyuiop", "张伟张伟"]


def _is_chinese(text: str) -> bool:
    return bool(CJK.search(text)) and not LATIN_WORD.search(text)


def test_the_site_speaks_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_every_configured_password_validator_refuses_in_chinese():
    user = User(username="zhangwei2026", first_name="张伟")
    validators = password_validation.get_default_password_validators()
    assert len(validators) == len(settings.AUTH_PASSWORD_VALIDATORS) >= 4
    for validator in validators:
        messages = []
        for candidate in CANDIDATES:
            try:
                validator.validate(candidate, user=user)
            except Exception as refused:  # noqa: BLE001 - ValidationError, read below
                messages.extend(refused.messages)
        name = type(validator).__name__
        assert messages, f"no candidate fails {name}: add one"
        for message in messages:
            assert _is_chinese(message), (name, message)
        assert _is_chinese(validator.get_help_text()), name


def test_the_change_form_shows_the_validators_in_chinese(client):
    customer_user(bank()[0], username="zhangwei")
    login(client, "zhangwei")
    response = client.post("/security/password", {"old_password": "Huaihe#River2026",
                                                  "new_password": "Ab1",
                                                  "confirm_password": "Ab1"})
    html = response.content.decode()
    assert "登录密码过短，至少需要8位" in html and "This password" not in html


# --- error pages ------------------------------------------------------------------------------------


def _forbidden(request):
    raise PermissionDenied


def _bad(request):
    raise SuspiciousOperation("bad")


def _broken(request):
    raise RuntimeError("boom")


# The site's URLs (the layout links them) and three that fail; the root's handler500.
urlpatterns = [path("forbidden", _forbidden), path("bad", _bad), path("broken", _broken),
               *site_urls.urlpatterns]
handler500 = site_urls.handler500


def _in_layout(html: str) -> bool:
    return ('<header class="site-header">' in html and "/static/css/site.css" in html
            and "客服热线" in html)


def test_the_root_urlconf_serves_our_500():
    assert site_urls.handler500 == "ebank.views.server_error"


def test_404_in_chinese_in_the_layout(client):
    response = client.get("/no-such-page")
    html = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in html and _in_layout(html)
    assert "Not Found" not in html


def test_404_keeps_the_customers_menu(client):
    customer_user(bank()[0], username="zhangwei")
    login(client, "zhangwei")
    html = client.get("/no-such-page").content.decode()
    assert "页面不存在" in html and "安全退出" in html


@override_settings(ROOT_URLCONF=__name__)
def test_400_403_and_500_in_chinese_in_the_layout():
    client = Client(raise_request_exception=False)
    for url, status, title in (("/bad", 400, "请求有误"), ("/forbidden", 403, "无权访问"),
                               ("/broken", 500, "系统繁忙")):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == status, url
        assert title in html and _in_layout(html), url
        assert "boom" not in html and "Bad Request" not in html and "Server Error" not in html


def test_a_refused_csrf_token_is_a_chinese_page_without_the_reason():
    response = Client(enforce_csrf_checks=True).post("/login", {"login_name": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "页面已失效" in html and _in_layout(html)
    assert "CSRF" not in html and "Forbidden" not in html
