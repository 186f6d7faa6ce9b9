"""URL patterns of 电子回单查询 and 电子回单校验 (included by the app's urls.py).

A receipt is named by its number (``HD`` + date + 10 digits), never by an account number.
"excel" comes before ``<number>`` so it is never read as a number; 校验 has its own path
(not under receipts/, where the menu would mark 电子回单查询 as the open page as well).
"""

from django.urls import path

from . import views

urlpatterns: list = [
    path("receipts", views.receipt_list, name="receipts"),
    path("receipts/excel", views.receipts_excel, name="receipts_excel"),
    path("receipt-verify", views.receipt_verify_page, name="receipt_verify"),
    path("receipts/<str:number>", views.receipt_detail, name="receipt_detail"),
    path("receipts/<str:number>/pdf", views.receipt_pdf, name="receipt_pdf"),
]
