from django.urls import path

from . import views

urlpatterns = [
    path("points/", views.points, name="points"),
    path("points/gifts/", views.gifts, name="gifts"),
    path("points/redemptions/", views.redemptions, name="redemptions"),
    path("points/redemptions/history/", views.redemptions_history, name="redemptions_history"),
]
