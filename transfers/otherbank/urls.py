"""URL patterns of 他行账户管理 (included by the app's urls.py)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("otherbank", views.index, name="otherbank"),
    path("otherbank/sign-query", views.sign_query, name="otherbank_sign_query"),
    path("otherbank/sign-pay", views.sign_pay, name="otherbank_sign_pay"),
    path("otherbank/callback", views.callback, name="otherbank_callback"),
    path("otherbank/agreements", views.agreements, name="otherbank_agreements"),
    path("otherbank/agreements/<int:pk>/cancel", views.agreement_cancel,
         name="otherbank_agreement_cancel"),
    path("otherbank/balance", views.balance, name="otherbank_balance"),
    path("otherbank/log", views.log, name="otherbank_log"),
]
