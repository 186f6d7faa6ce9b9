from django.urls import path

from . import views

urlpatterns = [
    path("repay/", views.repay, name="repay"),
    path("cash/", views.cash_advance, name="cash"),
    path("autorepay/", views.autorepay_manage, name="autorepay"),
]
