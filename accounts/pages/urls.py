"""URL patterns of 账户管理 pages (included by the app's urls.py): 账户总览, 交易明细查询,
关联账户管理, 账户挂失. Objects are named by LinkedMedium pk (never a card number: it would land
in access logs); 交易明细 takes its sub-account as ``?account=<SubAccount pk>``."""

from django.urls import path

from . import views

urlpatterns = [
    path("overview", views.overview, name="overview"),
    path("overview/<int:pk>", views.detail, name="detail"),
    path("history", views.history, name="history"),
    path("history/export", views.history_export, name="history_export"),
    path("linked", views.linked, name="linked"),
    path("linked/add", views.link_add, name="link_add"),
    path("linked/move", views.linked_move, name="linked_move"),
    path("linked/<int:pk>/delete", views.unlink, name="unlink"),
    path("linked/<int:pk>/alias", views.alias, name="alias"),
    path("loss", views.loss, name="loss"),
]
