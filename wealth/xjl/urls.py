from django.urls import path

from . import views

urlpatterns = [
    path("xjl/", views.xjl_buy, name="xjl_buy"),
    path("xjl/<int:pk>/yield/", views.xjl_product, name="xjl_product"),
    path("xjl/<int:pk>/in/", views.xjl_in, name="xjl_in"),
    path("xjl/mine/", views.xjl_mine, name="xjl_mine"),
    path("xjl/mine/<int:pk>/out/", views.xjl_out, name="xjl_out"),
    path("xjl/mine/income/", views.xjl_income, name="xjl_income"),
    path("xjl/history/", views.xjl_history, name="xjl_history"),
]
