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
# 零存整取 (deposits/instalment/)
from .instalment.urls import urlpatterns as instalment_urlpatterns  # noqa: E402

urlpatterns += instalment_urlpatterns
# 零存宝 (DEP-LCB)
urlpatterns += [path("", include("deposits.lingcunbao.urls"))]
# 智能存款: 悠悦宝 and 利先得 (deposits/smart).
from .smart import urls as smart_urls  # noqa: E402

urlpatterns += smart_urls.urlpatterns
# 通知存款 and 活期宝 (deposits/notice/).
urlpatterns += [path("", include("deposits.notice.urls"))]
