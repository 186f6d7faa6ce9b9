"""URL patterns of the security app's center pages (included by security/urls.py)."""

urlpatterns: list = []
