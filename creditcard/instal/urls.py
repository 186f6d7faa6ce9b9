from django.urls import path

from . import views

urlpatterns = [
    path("instal/trial/", views.trial, name="instal_trial"),
    path("instal/bill/", views.bill_apply, name="bill_instal"),
    path("instal/bill/terminate/", views.bill_terminate_list, name="bill_instal_terminate"),
    path("instal/bill/list/", views.bill_plan_list, name="bill_instal_list"),
    path("instal/flex/", views.flex_apply, name="flex_instal"),
    path("instal/flex/terminate/", views.flex_terminate_list, name="flex_instal_terminate"),
    path("instal/flex/list/", views.flex_plan_list, name="flex_instal_list"),
    path("instal/plan/<int:pk>/", views.plan_detail, name="instal_plan"),
    path("instal/plan/<int:pk>/terminate/", views.terminate_plan,
         name="instal_terminate_plan"),
]
