"""基金/投资理财's URLs: one namespace; each area (xjl, products, orders, risk) adds its include."""

from django.urls import include, path

app_name = "wealth"
urlpatterns: list = [
    path("", include("wealth.risk.urls")),  # 风险测评 (wealth/risk/)
]
urlpatterns: list = []

# --- orders (理财产品认购, 我的理财产品) ---
from django.urls import include, path  # noqa: E402

urlpatterns += [path("", include("wealth.orders.urls"))]
urlpatterns.append(path("", include("wealth.settle.urls")))  # settle: 理财交易撤单, 交易明细查询
# 薪加利 (FND-XJL): wealth/xjl/.

urlpatterns += [path("", include("wealth.xjl.urls"))]
