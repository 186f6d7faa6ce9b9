"""URL patterns of the 转账中转页, 关联账户互转, 行内转账, 收款人管理, 定时转账维护 and 网银转账查询 (included by the
app's urls.py). The names are the ones the menu resolves; transfers are named by their 交易流水号,
payees by their id — never by a card number."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("hub", views.transfer_hub, name="hub"),
    path("own", views.own_transfer, name="own"),
    path("intra", views.intra_transfer, name="intra"),
    path("payees", views.payee_list, name="payees"),
    path("payees/new", views.payee_add, name="payee_add"),
    path("payees/<int:pk>/delete", views.payee_delete, name="payee_delete"),
    path("scheduled", views.scheduled_list, name="scheduled"),
    path("scheduled/<str:number>", views.scheduled_detail, name="scheduled_detail"),
    path("scheduled/<str:number>/cancel", views.scheduled_cancel, name="scheduled_cancel"),
    path("history", views.transfer_history, name="history"),
    path("history/<str:number>", views.transfer_detail, name="detail"),
]
