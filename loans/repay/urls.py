from django.urls import path

from . import views

urlpatterns = [
    path("repay/", views.repay_list, name="repay"),
    path("repay/<int:pk>/", views.repay_form, name="repay_form"),
]
