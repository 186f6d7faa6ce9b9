"""URLconf of the web load bench: the production URLs plus the bare baseline view.

Never included by ``ebank.urls``: the baseline exists only under ``bench.settings``.
"""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from ebank.urls import urlpatterns as production_urlpatterns


@require_GET
def bare(request):
    """The floor of a Django page here: the whole middleware stack and a small template, no
    session, no database (the request carries no cookie)."""
    return render(request, "bench/bare.html", {"title": "基准页"})


urlpatterns = [path("bench/bare", bare, name="bench_bare"), *production_urlpatterns]
