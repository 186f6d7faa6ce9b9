"""转账汇款 URLs: own-account and intra-bank transfers, inter-bank transfers and their tools."""

from .inter import urls as inter_urls
from .own_intra import urls as own_intra_urls

app_name = "transfers"
urlpatterns = own_intra_urls.urlpatterns + inter_urls.urlpatterns

# --- TRF-BATCH: 批量行内转账 / 批量跨行转账 / 批量转账查询 ---
from .batch import urls as batch_urls  # noqa: E402

urlpatterns += batch_urls.urlpatterns
# --- end TRF-BATCH
