"""URL patterns of 跨行转账, 联行号查询 and 预约交易管理 (included by the app's urls.py)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("inter", views.inter_transfer, name="inter"),
    path("bank-codes", views.bank_codes, name="bank_codes"),
    path("bank-codes/lookup", views.bank_code_lookup, name="bank_code_lookup"),
    path("reserved", views.reserved, name="reserved"),
    path("reserved/<int:pk>", views.reserved_detail, name="reserved_detail"),
    path("reserved/<int:pk>/delete", views.reserved_delete, name="reserved_delete"),
]
