"""账户管理 URLs: overview, history, linked accounts, loss reports, e-receipts."""

from . import urls_pages, urls_receipts

app_name = "accounts"
urlpatterns = urls_pages.urlpatterns + urls_receipts.urlpatterns
