"""理财交易撤单 and 交易明细查询 (included by wealth/urls.py, namespace ``wealth``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("cancel/", views.cancel_list, name="cancel_list"),
    path("cancel/<str:number>/", views.cancel, name="cancel"),
    path("history/", views.history, name="history"),
    path("history/<str:number>/", views.order_detail, name="order"),
]
