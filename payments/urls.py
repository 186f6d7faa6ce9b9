"""自助缴费 (namespace "payments", mounted at /payments/): each area's urls."""

from django.urls import include, path

app_name = "payments"

urlpatterns = [
    # bills: 水电煤暖/申报扣税/话费缴费 (payments:pay kind) and 缴费记录查询 (payments:records).
    path("", include("payments.bills.urls")),
]
