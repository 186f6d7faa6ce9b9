"""贷款业务's URLs: one namespace, each area's pages (docs/loans.md, Pages)."""

from django.urls import include, path

app_name = "loans"
urlpatterns: list = []
urlpatterns += [path("", include("loans.apply.urls"))]
