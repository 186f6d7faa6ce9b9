"""网上支付 › 协议管理 (included by payments/urls.py, namespace "payments")."""

from django.urls import path

from . import views

urlpatterns = [
    path("quickpay/", views.quickpay, name="quickpay"),
    path("quickpay/<int:pk>/limit", views.quickpay_limit, name="quickpay_limit"),
    path("quickpay/<int:pk>/revoke", views.quickpay_revoke, name="quickpay_revoke"),
    path("quickpay/<int:pk>/debits", views.quickpay_debits, name="quickpay_debits"),
]
