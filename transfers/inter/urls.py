"""URL patterns of 跨行转账, 联行号查询 and 预约交易管理 (included by the app's urls.py)."""

from django.urls import path

from . import views_inter

urlpatterns: list = [
    path("inter", views_inter.inter_transfer, name="inter"),
    path("bank-codes", views_inter.bank_codes, name="bank_codes"),
    path("bank-codes/lookup", views_inter.bank_code_lookup, name="bank_code_lookup"),
    path("reserved", views_inter.reserved, name="reserved"),
    path("reserved/<int:pk>", views_inter.reserved_detail, name="reserved_detail"),
    path("reserved/<int:pk>/delete", views_inter.reserved_delete, name="reserved_delete"),
]
