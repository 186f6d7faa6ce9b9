"""基金/投资理财's URLs: one namespace, each area's pages (docs/wealth.md, Pages)."""

from django.urls import include, path

app_name = "wealth"
urlpatterns = [
    path("", include("wealth.xjl.urls")),       # 薪加利
    path("", include("wealth.orders.urls")),    # 理财产品认购, 我的理财产品
    path("", include("wealth.settle.urls")),    # 理财交易撤单, 交易明细查询
    path("", include("wealth.risk.urls")),      # 风险测评
]
