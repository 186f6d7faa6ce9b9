"""基金/投资理财's URLs: one namespace; each area (xjl, products, orders, risk) adds its include."""

from django.urls import include, path

app_name = "wealth"
urlpatterns: list = [
    path("", include("wealth.risk.urls")),  # 风险测评 (wealth/risk/)
]
