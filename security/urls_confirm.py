"""URL patterns of the security app's confirm pages (included by security/urls.py)."""

urlpatterns: list = []
