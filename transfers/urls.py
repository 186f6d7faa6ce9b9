"""转账汇款 URLs, one namespace over the areas: own-account and intra-bank transfers, inter-bank
transfers and their tools, 定时转账, 批量转账, and 他行账户管理 / 资金归集 (pages the 账户管理 menu names
too)."""

from .batch import urls as batch_urls
from .collect import urls as collect_urls
from .inter import urls as inter_urls
from .otherbank import urls as otherbank_urls
from .own_intra import urls as own_intra_urls
from .periodic import urls as periodic_urls

app_name = "transfers"
urlpatterns = (own_intra_urls.urlpatterns + inter_urls.urlpatterns + periodic_urls.urlpatterns
               + batch_urls.urlpatterns + otherbank_urls.urlpatterns + collect_urls.urlpatterns)
