"""自助缴费 URLs, one namespace over the areas (payments/<area>/urls.py)."""

from django.urls import include, path

app_name = "payments"
urlpatterns = [
    path("", include("payments.hub.urls")),
    path("book/", include("payments.book.urls")),
]
