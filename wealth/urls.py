"""基金/投资理财's URLs: one namespace; each area (xjl, products, orders, risk) adds its include."""

from django.urls import include, path

app_name = "wealth"
urlpatterns: list = []
urlpatterns.append(path("", include("wealth.settle.urls")))  # settle: 理财交易撤单, 交易明细查询
