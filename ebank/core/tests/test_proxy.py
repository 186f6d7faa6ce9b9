"""Forwarded headers count only from TRUSTED_PROXIES (docker-compose.yml's TLS proxy)."""

import pytest
from django.test import RequestFactory, override_settings

from accounts.demo import seed_demo_bank
from ebank.core.proxy import client_ip
from security.models import User

PROXY = "172.30.0.10"
CUSTOMER = "203.0.113.7"


def _request(remote: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@override_settings(TRUSTED_PROXIES=[])
def test_without_a_trusted_proxy_the_peer_is_the_client_whatever_it_forwards():
    assert client_ip(_request(PROXY, CUSTOMER)) == PROXY
    assert client_ip(_request("")) is None


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_from_the_proxy_the_forwarded_address_is_the_client():
    assert client_ip(_request(PROXY, CUSTOMER)) == CUSTOMER
    # The client wrote its own X-Forwarded-For; the proxy appended the real peer: the
    # right-most hop the proxy vouches for wins, not what the client typed.
    assert client_ip(_request(PROXY, f"10.9.9.9, {CUSTOMER}")) == CUSTOMER
    assert client_ip(_request(PROXY)) == PROXY
    assert client_ip(_request(PROXY, "not-an-ip")) == PROXY


@override_settings(TRUSTED_PROXIES=["172.30.0.0/24"])
def test_a_trusted_network_and_a_chain_of_proxies():
    assert client_ip(_request(PROXY, f"{CUSTOMER}, 172.30.0.11")) == CUSTOMER
    assert client_ip(_request("198.51.100.1", CUSTOMER)) == "198.51.100.1"


PROD_TRANSPORT = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
                  "SECURE_SSL_REDIRECT": True, "TRUSTED_PROXIES": [PROXY]}


@pytest.mark.django_db
@override_settings(**PROD_TRANSPORT)
def test_x_forwarded_proto_counts_only_from_the_proxy(client):
    # From the proxy, "https" is believed: the page answers.
    assert client.get("/login", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https").status_code == 200
    # Sent straight to gunicorn by anyone else it is dropped: plain HTTP, redirected.
    response = client.get("/login", REMOTE_ADDR=CUSTOMER, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response["Location"].startswith("https://")


@pytest.mark.django_db
@pytest.mark.parametrize(("remote", "expected"), [(PROXY, CUSTOMER), ("198.51.100.1", "198.51.100.1")])
def test_the_login_records_the_address_the_proxy_vouches_for(client, settings, remote, expected):
    settings.TRUSTED_PROXIES = [PROXY]
    user = User.objects.create(username="proxycheck", customer=seed_demo_bank()[3])
    user.set_password("Proxy@2026check")
    user.save()
    client.post("/login", {"login_name": "proxycheck", "password": "Proxy@2026check",
                           "captcha_0": "x", "captcha_1": "PASSED"},
                REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=f"10.9.9.9, {CUSTOMER}")
    user.refresh_from_db()
    assert user.last_login_ip == expected
