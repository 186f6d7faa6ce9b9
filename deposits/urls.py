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
# Each area's pages (the one namespace): 零存整取, 零存宝, 悠悦宝 and 利先得, 通知存款 and 活期宝,
# 大额存单 and 存本取息.
urlpatterns += [path("", include(f"deposits.{area}.urls"))
                for area in ("instalment", "lingcunbao", "smart", "notice", "largecd", "payout")]
