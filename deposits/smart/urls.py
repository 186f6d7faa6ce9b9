"""URL patterns of 智能存款 (appended to deposits.urls, namespace "deposits")."""

from django.urls import path

from . import views

urlpatterns = [
    path("youyuebao/open", views.youyuebao_open, name="youyuebao_open"),
    path("youyuebao/withdraw", views.youyuebao_withdraw, name="youyuebao_withdraw"),
    path("lixiande/withdraw", views.lixiande_withdraw, name="lixiande_withdraw"),
]
