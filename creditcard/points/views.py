"""积分管理 (CC-POINTS; 安全中心 积分查询/积分兑换 link here too): 积分查询, 积分礼品兑换,
积分兑换查询, 历史兑换查询."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, querystring_without_page, redirect_to_confirm
from security.confirm.selectors import operation_typed

from . import book, selectors, services
from .forms import DateRangeForm, RedeemForm

PAGE_SIZE = 20


@customer_required
@require_GET
def points(request):
    """积分查询: the one balance, what expires by the end of next month, the moves of a range."""
    customer = request.user.customer
    today = business_day()
    earliest, default_from, latest = selectors.moves_window(today)
    query = DateRangeForm(request.GET or None, earliest=earliest, latest=latest,
                          default_from=default_from, window_text="（近三年）")
    chosen = query.range()
    rows = (selectors.points_moves_of(customer=customer, date_from=chosen[0], date_to=chosen[1])
            if chosen else [])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    expiring_by = book.month_end(book.add_months(today.replace(day=1), 1))
    return render(request, "creditcard/points/points.html", {
        "balance": book.points_balance(customer), "today": today,
        "expiring": book.points_expiring(customer, today=today, by=expiring_by),
        "expiring_by": expiring_by, "query": query, "chosen": chosen, "page": page,
        "querystring": querystring_without_page(request)})


@customer_required
@require_http_methods(["GET", "POST"])
def gifts(request):
    """积分礼品兑换: choose a gift and the quantity, the recipient → the confirmation page."""
    customer = request.user.customer
    catalogue = services.gifts_available()
    typed = operation_typed(request=request, kind=services.KIND_REDEEM)
    initial = ({"gift": typed.get("gift_id"), **{key: typed[key] for key in (
        "quantity", "recipient", "phone", "address", "postcode") if key in typed}}
        if typed else {"recipient": customer.name, "phone": customer.phone})
    form = RedeemForm(request.POST if request.method == "POST" else None, gifts=catalogue,
                      initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = services.redemption_start(
                user=request.user, gift=data["gift"], quantity=data["quantity"],
                recipient=data["recipient"], phone=data["phone"], address=data["address"],
                postcode=data["postcode"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "creditcard/points/gifts.html", {
        "form": form, "gifts": list(catalogue), "balance": book.points_balance(customer)})


def _redemptions(request, *, history: bool):
    today = business_day()
    if history:
        earliest, latest = selectors.history_window(today)
        window_text = "（近7-24个月）"
    else:
        earliest, latest = selectors.recent_window(today)
        window_text = "（近6个月）"
    query = DateRangeForm(request.GET or None, earliest=earliest, latest=latest,
                          window_text=window_text)
    chosen = query.range()
    rows = (selectors.redemptions_of(customer=request.user.customer, date_from=chosen[0],
                                     date_to=chosen[1]) if chosen else [])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "creditcard/points/redemptions.html", {
        "history": history, "title": "历史兑换查询" if history else "积分兑换查询",
        "earliest": earliest, "latest": latest, "query": query, "chosen": chosen,
        "page": page, "querystring": querystring_without_page(request)})


@customer_required
@require_GET
def redemptions(request):
    """积分兑换查询: the redemptions of the last 6 months."""
    return _redemptions(request, history=False)


@customer_required
@require_GET
def redemptions_history(request):
    """历史兑换查询: the redemptions of 7–24 months back."""
    return _redemptions(request, history=True)
