import pytest

from accounts.demo import seed_demo_bank

pytestmark = pytest.mark.django_db


def test_home_lists_the_branches_with_security_headers(client):
    seed_demo_bank()
    response = client.get("/branches")
    assert response.status_code == 200
    body = response.content.decode()
    assert "合肥科技农村商业银行" in body and "（总行）" in body
    csp = response["Content-Security-Policy"]
    for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_healthz_answers_and_post_is_refused(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.post("/healthz").status_code == 405
