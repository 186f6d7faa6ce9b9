"""The web helpers every app's views share (ebank/core/web.py)."""

from types import SimpleNamespace

from django.test import RequestFactory

from ebank.core.web import querystring_without_page, redirect_to_confirm


def test_the_pagination_query_keeps_the_filters_and_drops_the_page():
    request = RequestFactory().get("/x", {"date_from": "2026-11-01", "page": "3", "q": "张伟"})
    query = querystring_without_page(request)
    assert query.endswith("&") and "page=" not in query
    assert query.startswith("date_from=2026-11-01&q=")


def test_no_filters_give_an_empty_query():
    assert querystring_without_page(RequestFactory().get("/x", {"page": "2"})) == ""


def test_a_started_operation_goes_to_its_confirmation_page():
    response = redirect_to_confirm(SimpleNamespace(public_id="abc123"))
    assert response.status_code == 302 and response["Location"] == "/confirm/abc123/"
