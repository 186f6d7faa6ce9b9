"""The security app's URLs: login and registration, the confirmation flow, 安全中心 and 客户服务."""

from . import urls_auth, urls_center, urls_confirm

app_name = "security"
urlpatterns = urls_auth.urlpatterns + urls_confirm.urlpatterns + urls_center.urlpatterns
