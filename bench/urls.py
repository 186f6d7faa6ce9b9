"""URLconf of the web load bench: the production URLs plus the bare baseline view.

Never included by ``ebank.urls``: the baseline exists only under ``bench.settings``.
"""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from accounts.models import Customer
from ebank.urls import urlpatterns as production_urlpatterns


@require_GET
def bare(request):
    """The floor of a Django page here: the whole middleware stack and a small template, no
    session, no database (the request carries no cookie)."""
    return render(request, "bench/bare.html", {"title": "基准页"})


@require_GET
def one_query(request):
    """The issue's calibration point ("with one ORM query 0.55 of that"): the bare view after one
    ORM query (the first customer by primary key), its name shown."""
    customer = Customer.objects.order_by("pk").first()
    return render(request, "bench/bare.html", {"title": customer.name if customer else "基准页"})


urlpatterns = [path("bench/bare", bare, name="bench_bare"),
               path("bench/query", one_query, name="bench_query"),
               *production_urlpatterns]
