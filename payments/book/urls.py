"""URL patterns of 缴费登记簿管理 (included under /payments/book/ by the app's urls.py); an entry
is named by its id, looked up through the logged-in customer."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("", views.book, name="book"),
    path("<int:pk>/edit", views.book_edit, name="book_edit"),
    path("<int:pk>/delete", views.book_delete, name="book_delete"),
]
