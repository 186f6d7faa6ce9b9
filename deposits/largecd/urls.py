from django.urls import path

from ..interest_account_views import interest_account
from ..models import Product
from . import views

urlpatterns = [
    path("cd", views.cd_products, name="cd_products"),
    path("cd/open", views.cd_open, name="cd_open"),
    path("cd/mine", views.cd_list, name="cd_list"),
    path("cd/<int:pk>/withdraw", views.cd_withdraw, name="cd_withdraw"),
    path("cd/<int:pk>/interest-account", interest_account, {"product": Product.LARGE_CD},
         name="cd_interest_account"),
]
