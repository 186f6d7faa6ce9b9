from django.urls import include, path  # noqa: F401

app_name = "creditcard"
urlpatterns = [
    path("", include("creditcard.instal.urls")),  # CC-INSTAL 账单分期管理
]
