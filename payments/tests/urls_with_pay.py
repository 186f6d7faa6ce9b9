"""A test-only URLconf: the site with stand-ins for the pay pages and 缴费记录查询 that other
areas build (``payments:pay`` kind, ``payments:records``), so that the links to them can be
tested before they exist. Their views are never called."""

from django.urls import URLResolver, include, path

from ebank.urls import urlpatterns as site


def _not_called(request, **kwargs):  # only reversed, never routed to in these tests
    raise AssertionError("not called")


def _site_without_payments() -> list:
    return [entry for entry in site
            if not (isinstance(entry, URLResolver) and entry.namespace == "payments")]


payments = ([path("", include("payments.hub.urls")),
             path("book/", include("payments.book.urls")),
             path("pay/<str:kind>/", _not_called, name="pay"),
             path("records/", _not_called, name="records")], "payments")

urlpatterns = [*_site_without_payments(), path("payments/", include(payments))]
