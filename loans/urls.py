"""贷款业务's URLs: one namespace, each area's pages (docs/loans.md, Pages)."""

from django.urls import include, path

app_name = "loans"
urlpatterns = [
    path("", include("loans.apply.urls")),    # 个人贷款申请 (LN-APPLY)
    path("", include("loans.draw.urls")),     # 个人贷款发放 (LN-DRAW)
    path("", include("loans.repay.urls")),    # 个人贷款还款 (LN-REPAY)
    path("", include("loans.query.urls")),    # 个人贷款查询 (LN-QUERY)
]
