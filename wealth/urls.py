"""基金/投资理财's URLs: one namespace; each area (xjl, products, orders, risk) adds its include."""

app_name = "wealth"
urlpatterns: list = []

# 薪加利 (FND-XJL): wealth/xjl/.
from django.urls import include, path  # noqa: E402

urlpatterns += [path("", include("wealth.xjl.urls"))]
