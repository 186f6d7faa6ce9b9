"""The simulated payment institution's pages (included at ``merchant-sim/`` by ebank/urls.py)."""

from django.urls import path

from . import views

app_name = "merchant_sim"
urlpatterns = [
    path("", views.index, name="index"),
    path("bind", views.bind, name="bind"),
    path("pay", views.pay, name="pay"),
]
