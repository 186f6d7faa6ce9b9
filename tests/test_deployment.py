"""The image and the stack: what the Docker build leaves out, who publishes ports, the health
check over plain HTTP (docs/deployment.md). `.ci/run` also validates the compose file with
`docker-compose config`."""

import fnmatch
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)


def _dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule, enough for these patterns: a pattern that matches the path or one of its
    parent folders leaves it out; ``**/`` matches at any depth."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for pattern in patterns:
        for prefix in prefixes:
            if fnmatch.fnmatchcase(prefix, pattern):
                return True
            if pattern.startswith("**/") and fnmatch.fnmatchcase(prefix.split("/")[-1], pattern[3:]):
                return True
    return False


@pytest.mark.parametrize("path", [
    "var/dev-secret-key", "var/bank-ca/ca-key.pem", "var/ebank.sqlite3", ".venv/bin/python",
    ".git/config", ".env", "accounts/__pycache__/models.cpython-311.pyc",
    "tests/browser/node_modules/axe-core/axe.min.js", "deploy/certs/privkey.pem",
])
def test_the_image_never_holds_secrets_or_local_state(path):
    assert _ignored(path, _dockerignore_patterns()), path


@pytest.mark.parametrize("path", [
    "manage.py", "ebank/settings/prod.py", "templates/base.html", "static/css/site.css",
    "requirements.txt", "deploy/nginx/ebank.conf",
])
def test_the_image_holds_the_site(path):
    assert not _ignored(path, _dockerignore_patterns()), path


def _service(compose: str, name: str) -> str:
    match = re.search(rf"^  {name}:\n(.*?)(?=^  \S|^\S|\Z)", compose, re.M | re.S)
    assert match, name
    return match.group(1)


def test_only_the_tls_proxy_publishes_ports_and_the_web_trusts_it_alone():
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for name in ("web", "worker", "beat", "migrate", "postgres", "redis"):
        assert "ports:" not in _service(compose, name), name
    proxy = _service(compose, "proxy")
    assert '"${HTTPS_PORT:-443}:443"' in proxy and "ipv4_address: 172.30.0.10" in proxy
    assert "deploy/nginx/ebank.conf" in proxy and "TLS_CERT_DIR" in proxy
    assert "TRUSTED_PROXIES: 172.30.0.10" in compose
    nginx = (ROOT / "deploy/nginx/ebank.conf").read_text(encoding="utf-8")
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "proxy_set_header X-Forwarded-Proto https;" in nginx


def test_production_exempts_the_health_check_only_and_trusts_the_configured_proxy(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "prod-test-" + "k" * 50)
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY", "bT0xK0n6oYQK4m0m2kY7uI5x6b2oRkq8oQ0cWwq0JqY=")
    monkeypatch.setenv("PIN_KEY", "prod-test-pin-key")
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    monkeypatch.setenv("TRUSTED_PROXIES", "172.30.0.10, 10.0.0.0/8")
    # Re-read both modules with this environment (Django's live settings are not touched).
    importlib.reload(importlib.import_module("ebank.settings.base"))
    prod = importlib.reload(importlib.import_module("ebank.settings.prod"))
    assert prod.SECURE_REDIRECT_EXEMPT == [r"^healthz$"]
    assert prod.TRUSTED_PROXIES == ["172.30.0.10", "10.0.0.0/8"]
    assert prod.MIDDLEWARE[0] == "ebank.core.proxy.ForwardedHeadersMiddleware"


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^healthz$"],
                   SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_the_health_check_answers_over_plain_http_and_pages_still_redirect(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 301
