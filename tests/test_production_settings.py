"""What production settings make every response carry: HSTS, secure cookies, no test captcha."""

import importlib

import pytest
from django.test import override_settings

from accounts.demo import seed_demo_bank
from security.models import User

pytestmark = pytest.mark.django_db

PROD_KEYS = (
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE", "X_FRAME_OPTIONS", "CONTENT_SECURITY_POLICY",
)


@pytest.fixture
def prod(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "prod-test-" + "k" * 50)
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY", "bT0xK0n6oYQK4m0m2kY7uI5x6b2oRkq8oQ0cWwq0JqY=")
    monkeypatch.setenv("PIN_KEY", "prod-test-pin-key")
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    # Re-read both modules with this environment (Django's live settings are not touched).
    importlib.reload(importlib.import_module("ebank.settings.base"))
    module = importlib.reload(importlib.import_module("ebank.settings.prod"))
    return {key: getattr(module, key) for key in PROD_KEYS} | {
        "CAPTCHA_TEST_MODE": getattr(module, "CAPTCHA_TEST_MODE", False)}


def test_production_never_accepts_the_test_captcha_and_keeps_debug_off(prod):
    assert prod["CAPTCHA_TEST_MODE"] is False and prod["DEBUG"] is False
    assert prod["SESSION_COOKIE_AGE"] == 300


def test_every_page_sends_hsts_and_secure_cookies(prod, client):
    settings_now = {k: v for k, v in prod.items() if k != "CAPTCHA_TEST_MODE"}
    user = User.objects.create(username="prodcheck", customer=seed_demo_bank()[3])
    user.set_password("Prod@2026check")
    user.save()
    with override_settings(**settings_now):
        page = client.get("/login", secure=True)
        assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        csrf = page.cookies["__Host-csrftoken"]
        assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
        assert "object-src 'none'" in page["Content-Security-Policy"]
        assert client.get("/login").status_code == 301  # plain HTTP goes to HTTPS
    # The session cookie comes with the login (test settings' captcha accepts PASSED).
    with override_settings(**settings_now, CAPTCHA_TEST_MODE=True):
        response = client.post("/login", {"login_name": "prodcheck", "password": "Prod@2026check",
                                          "captcha_0": "x", "captcha_1": "PASSED"}, secure=True)
        session = response.cookies["__Host-sessionid"]
        assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_production_refuses_to_start_without_the_pin_key(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("SECRET_KEY", "prod-test-" + "k" * 50)
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY", "bT0xK0n6oYQK4m0m2kY7uI5x6b2oRkq8oQ0cWwq0JqY=")
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    monkeypatch.delenv("PIN_KEY", raising=False)
    importlib.reload(importlib.import_module("ebank.settings.base"))
    with pytest.raises(ImproperlyConfigured, match="PIN_KEY"):
        importlib.reload(importlib.import_module("ebank.settings.prod"))
