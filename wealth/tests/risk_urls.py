"""A URLconf for the 风险测评 tests: the site's, with a stand-in 理财产品认购 page in the wealth
namespace (the real one is another area's), so the result page's link can be seen."""

from django.http import HttpResponse
from django.urls import include, path

from ebank.urls import urlpatterns as site_urlpatterns


def _products(request):
    return HttpResponse("理财产品认购")


wealth_patterns = ([path("", include("wealth.risk.urls")),
                    path("products/", _products, name="products")], "wealth")

urlpatterns = [path("wealth/", include(wealth_patterns)),
               *(pattern for pattern in site_urlpatterns
                 if getattr(pattern, "namespace", None) != "wealth")]
