from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views

admin.site.site_header = "个人网上银行 柜面管理"
admin.site.site_title = "柜面管理"
admin.site.index_title = "业务管理"

urlpatterns = [
    path("branches", accounts_views.home, name="branches"),
    path("healthz", accounts_views.healthz, name="healthz"),
    path("captcha/", include("captcha.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("transfers/", include("transfers.urls")),
    path("deposits/", include("deposits.urls")),
    path("payments/", include("payments.urls")),
    path("creditcard/", include("creditcard.urls")),
    path("wealth/", include("wealth.urls")),
    path("loans/", include("loans.urls")),
    path("otherbank-sim/", include("ebank.otherbanks.urls")),
    path("merchant-sim/", include("ebank.merchants.urls")),
    path("", include("security.urls")),
]

# 400, 403 and 404 are Django's views with templates/40x.html; 500 renders without the
# request's context processors (ebank/views.py).
handler500 = "ebank.views.server_error"
