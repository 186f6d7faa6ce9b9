"""URL patterns (included by the app's urls.py)."""

urlpatterns: list = []
