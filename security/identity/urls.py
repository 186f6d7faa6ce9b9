"""URL patterns of the security app's auth pages (included by security/urls.py)."""

from django.urls import path

from . import views as auth

urlpatterns: list = [
    path("", auth.home, name="home"),
    path("login", auth.login_view, name="login"),
    path("logout", auth.logout_view, name="logout"),
    path("session/keepalive", auth.session_keepalive, name="session_keepalive"),
    path("password/change", auth.password_force_change, name="password_force_change"),
    path("security/password", auth.password_change, name="password_change"),
    path("register", auth.register, name="register"),
    path("register/identity", auth.register_identity, name="register_identity"),
    path("register/sms", auth.register_sms, name="register_sms"),
    path("register/login", auth.register_login, name="register_login"),
    path("register/review", auth.register_review, name="register_review"),
    path("register/done", auth.register_done, name="register_done"),
    path("register/cancel", auth.register_cancel, name="register_cancel"),
]
