"""转账汇款 URLs: own-account and intra-bank transfers, inter-bank transfers and their tools."""

from . import urls_inter, urls_own_intra

app_name = "transfers"
urlpatterns = urls_own_intra.urlpatterns + urls_inter.urlpatterns
