"""Pages of 理财交易撤单 (query → 撤单 → X-CONFIRM with the 数字证书) and 交易明细查询."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, querystring_without_page, redirect_to_confirm

from . import selectors
from .cancel import cancel_check, order_cancel_start
from .forms import HistoryQueryForm, OrderQueryForm

PAGE_SIZE = 20


def _usable(query) -> bool:
    """A query with mistakes lists nothing (its messages show above the form)."""
    return not query.is_bound or query.is_valid()


@customer_required
@require_GET
def cancel_list(request):
    customer = request.user.customer
    query = OrderQueryForm(request.GET or None, products=selectors.products_ordered(customer),
                           today=business_day())
    orders = (selectors.orders_cancellable(customer, **query.conditions())
              if _usable(query) else [])
    return render(request, "wealth/settle/cancel_list.html", {"query": query, "orders": orders})


@customer_required
@require_http_methods(["GET", "POST"])
def cancel(request, number: str):
    order = selectors.order_get(request.user.customer, number)
    refusal = ""
    if request.method == "POST":
        try:
            operation = order_cancel_start(user=request.user, order=order)
        except BusinessError as exc:
            refusal = exc.message
        else:
            return redirect_to_confirm(operation)
    else:
        try:
            cancel_check(order)
        except BusinessError as exc:
            refusal = exc.message
    return render(request, "wealth/settle/cancel.html", {
        "order": order, "lines": selectors.order_lines(order), "refusal": refusal})


@customer_required
@require_GET
def history(request):
    customer = request.user.customer
    query = HistoryQueryForm(request.GET or None, products=selectors.products_ordered(customer),
                             today=business_day())
    orders = selectors.orders_placed(customer, **query.conditions()) if _usable(query) else []
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "wealth/settle/history.html", {
        "query": query, "page": page, "querystring": querystring_without_page(request)})


@customer_required
@require_GET
def order_detail(request, number: str):
    order = selectors.order_get(request.user.customer, number)
    try:
        cancel_check(order)
    except BusinessError:
        cancellable = False
    else:
        cancellable = True
    return render(request, "wealth/settle/order.html", {
        "order": order, "lines": selectors.order_lines(order), "cancellable": cancellable})
