from django.urls import path

from ..interest_account_views import interest_account
from ..models import Product
from . import views

urlpatterns = [
    path("payout", views.payouts, name="payouts"),
    path("payout/<int:pk>/withdraw", views.payout_withdraw, name="payout_withdraw"),
    path("payout/<int:pk>/interest-account", interest_account,
         {"product": Product.INTEREST_PAYOUT}, name="payout_interest_account"),
]
