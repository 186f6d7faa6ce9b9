"""零存宝's pages (in the deposits namespace): the two tabs of the manual."""

from django.urls import path

from . import views

urlpatterns = [
    path("lingcunbao/deposit", views.lcb_open, name="lcb_open"),
    path("lingcunbao/withdraw", views.lcb_withdraw, name="lcb_withdraw"),
]
