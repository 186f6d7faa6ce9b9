"""URL patterns of the security app's confirm pages (included by security/urls.py)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("confirm/<str:public_id>/", views.confirm, name="confirm"),
    path("confirm/<str:public_id>/sms", views.confirm_sms, name="confirm_sms"),
    path("confirm/<str:public_id>/result", views.confirm_result, name="confirm_result"),
    # DEMO ONLY: a 404 unless settings.DEMO_TOOLS_ENABLED (dev and test settings).
    path("dev/devices", views.demo_devices, name="demo_devices"),
]
