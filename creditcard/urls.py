from django.urls import include, path  # noqa: F401

app_name = "creditcard"
urlpatterns = [
    path("", include("creditcard.points.urls")),  # CC-POINTS
]
