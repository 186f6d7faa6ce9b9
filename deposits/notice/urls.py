"""URL patterns of 通知存款 and 活期宝 (included by deposits/urls.py, namespace "deposits")."""

from django.urls import path

from . import views

urlpatterns = [
    path("notice/open", views.notice_open, name="notice_open"),
    path("notice/withdraw", views.notice_withdraw, name="notice_withdraw"),
    path("notice/<int:pk>/notify", views.notice_give, name="notice_give"),
    path("notice/<int:pk>/notify/cancel", views.notice_cancel, name="notice_cancel"),
    path("hqb", views.hqb, name="hqb"),
    path("hqb/<int:pk>/terminate", views.hqb_terminate, name="hqb_terminate"),
]
