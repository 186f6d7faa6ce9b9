from django.urls import include, path  # noqa: F401

app_name = "creditcard"
urlpatterns = [
    # 账户管理: limit, unbilled, statements, statement(_pdf/_xlsx), info.
    path("", include("creditcard.account.urls")),
    path("", include("creditcard.repay.urls")),  # 还款管理
    path("", include("creditcard.points.urls")),  # CC-POINTS
    path("", include("creditcard.instal.urls")),  # CC-INSTAL 账单分期管理
    path("", include("creditcard.instal.urls")),  # CC-INSTAL 账单分期管理
    # 账户管理: limit, unbilled, statements, statement(_pdf/_xlsx), info.
    path("", include("creditcard.account.urls")),
]
