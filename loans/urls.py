"""贷款业务's URLs: one namespace, each area's pages (docs/loans.md, Pages)."""

from django.urls import include, path

app_name = "loans"
urlpatterns: list = []

# 个人贷款发放 (LN-DRAW) and 个人贷款查询 (LN-QUERY).
urlpatterns += [path("", include("loans.draw.urls")), path("", include("loans.query.urls"))]
