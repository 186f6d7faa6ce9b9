"""URL patterns of 定期存款 (app_name "deposits"): deposits are named by their id, looked up
through the logged-in customer."""

from django.urls import include, path

from . import views

app_name = "deposits"
urlpatterns = [
    path("", views.index, name="index"),
    path("fixed/<int:pk>", views.detail, name="detail"),
    path("fixed/open", views.fixed_open, name="fixed_open"),
    path("fixed/withdraw", views.fixed_withdraw, name="fixed_withdraw"),
]
urlpatterns += [
    path("plans", views.plans, name="plans"),
    path("plans/new", views.plan_new, name="plan_new"),
    path("plans/<int:pk>", views.plan_runs, name="plan_runs"),
    path("plans/<int:pk>/cancel", views.plan_cancel, name="plan_cancel"),
]
# 大额存单 and 存本取息 (DEP-CD, DEP-CBQX).
urlpatterns += [path("", include("deposits.largecd.urls")),
                path("", include("deposits.payout.urls"))]
