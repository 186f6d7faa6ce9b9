"""The simulated other bank's pages (included at ``otherbank-sim/`` by ebank/urls.py)."""

from django.urls import path

from . import views

app_name = "otherbank_sim"
urlpatterns = [
    path("sign", views.sign, name="sign"),
]
