"""自助缴费 and 网上支付 (namespace "payments", mounted at /payments/): each area's urls."""

from django.urls import include, path

app_name = "payments"
urlpatterns = [
    # 缴费中转页 (payments:index).
    path("", include("payments.hub.urls")),
    # 水电煤暖/申报扣税/话费缴费 (payments:pay kind) and 缴费记录查询 (payments:records).
    path("", include("payments.bills.urls")),
    # 缴费登记簿管理 (payments:book, book_edit, book_delete).
    path("book/", include("payments.book.urls")),
    # 网上支付 › 协议管理 (payments:quickpay, quickpay_limit, quickpay_revoke, quickpay_debits).
    path("", include("payments.quickpay.urls")),
]
