from django.urls import path

from . import views

urlpatterns = [
    path("risk/", views.risk, name="risk"),
    path("risk/result/<int:pk>/", views.result, name="risk_result"),
]
