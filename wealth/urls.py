"""基金/投资理财's URLs: one namespace; each area (xjl, products, orders, risk) adds its include."""

app_name = "wealth"
urlpatterns: list = []
