"""账户管理 URLs: overview, history, linked accounts, loss reports, e-receipts."""

from .pages import urls as pages_urls
from .receipts import urls as receipts_urls

app_name = "accounts"
urlpatterns = pages_urls.urlpatterns + receipts_urls.urlpatterns
