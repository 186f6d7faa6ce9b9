from django.urls import path

from . import views

urlpatterns = [
    path("pay/<str:kind>/", views.pay, name="pay"),
    path("records/", views.records, name="records"),
    path("records/<str:number>/", views.record, name="record"),
]
