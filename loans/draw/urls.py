from django.urls import path

from . import views

urlpatterns = [
    path("draw/", views.draw, name="draw"),
    path("draw/<int:pk>/", views.draw_form, name="draw_form"),
]
