"""URL patterns of the security app's auth pages (included by security/urls.py)."""

urlpatterns: list = []
