"""贷款业务's URLs: one namespace, each area's pages (docs/loans.md, Pages)."""

from django.urls import include, path

app_name = "loans"
urlpatterns: list = []

# 个人贷款还款 (LN-REPAY).
urlpatterns += [path("", include("loans.repay.urls"))]
