"""转账汇款 URLs: own-account and intra-bank transfers, inter-bank transfers and their tools."""

from .inter import urls as inter_urls
from .own_intra import urls as own_intra_urls

app_name = "transfers"
urlpatterns = own_intra_urls.urlpatterns + inter_urls.urlpatterns

# --- TRF-SCHED 定时转账 ---------------------------------------------------------------------------
from .periodic import urls as periodic_urls  # noqa: E402

urlpatterns += periodic_urls.urlpatterns
# --- end TRF-SCHED -------------------------------------------------------------------------------
# --- 他行账户管理 and 资金归集 (docs/otherbanks.md) ---
from .collect import urls as collect_urls  # noqa: E402
from .otherbank import urls as otherbank_urls  # noqa: E402

urlpatterns += otherbank_urls.urlpatterns + collect_urls.urlpatterns
