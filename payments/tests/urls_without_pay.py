"""A test-only URLconf: the site with only this branch's payments pages (中转页 and 登记簿), as
before the pay pages exist — their links must then be absent, never broken."""

from django.urls import include, path

from .urls_with_pay import _site_without_payments

payments = ([path("", include("payments.hub.urls")),
             path("book/", include("payments.book.urls"))], "payments")

urlpatterns = [*_site_without_payments(), path("payments/", include(payments))]
