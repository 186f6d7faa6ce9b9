from django.urls import path

from . import views

urlpatterns = [
    path("products/", views.products, name="products"),
    path("products/<int:pk>/", views.product, name="product"),
    path("products/<int:pk>/buy/", views.buy, name="buy"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/redeem/", views.redeem, name="redeem"),
]
