"""The security app's URLs: login and registration, the confirmation flow, 安全中心 and 客户服务.

Each sub-package has its own ``urls.py`` (plain ``urlpatterns``); they share the one ``security``
namespace, so every URL name is ``security:<name>``.
"""

from .center import urls as center_urls
from .confirm import urls as confirm_urls
from .identity import urls as identity_urls

app_name = "security"
urlpatterns = identity_urls.urlpatterns + confirm_urls.urlpatterns + center_urls.urlpatterns
