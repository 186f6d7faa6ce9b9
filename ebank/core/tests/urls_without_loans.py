"""The site's URLs without 贷款业务's pages (test_menu: the items of an app not built are plain
text)."""

from ebank import urls as site_urls

urlpatterns = [pattern for pattern in site_urls.urlpatterns
               if getattr(pattern, "namespace", None) != "loans"]
