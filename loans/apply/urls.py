from django.urls import path

from . import views

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("applications/", views.applications, name="applications"),
    path("applications/<str:number>/withdraw/", views.withdraw, name="application_withdraw"),
]
