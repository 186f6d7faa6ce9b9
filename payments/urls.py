"""URL patterns of payments (app_name "payments", mounted at /payments/): each area's own."""

from django.urls import include, path

app_name = "payments"
urlpatterns = [
    path("", include("payments.quickpay.urls")),
]
