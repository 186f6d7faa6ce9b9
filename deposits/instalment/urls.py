"""URL patterns of 零存整取, included in deposits.urls (the one namespace "deposits")."""

from django.urls import path

from . import views

urlpatterns = [
    path("instalment", views.instalment, name="instalment"),
    path("instalment/book", views.book_top_up, name="instalment_book"),
    path("instalment/withdraw", views.withdraw, name="instalment_withdraw"),
]
