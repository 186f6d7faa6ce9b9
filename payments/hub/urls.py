"""URL pattern of the 缴费中转页 (/payments/)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("", views.index, name="index"),
]
