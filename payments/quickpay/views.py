"""网上支付 › 协议管理: the customer's quick-pay agreements, 限额修改, 撤销协议, 支付记录."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.proxy import client_ip
from ebank.core.web import customer_required, querystring_without_page, redirect_to_confirm
from security.confirm.selectors import operation_typed

from . import selectors, services
from .forms import (
    QuickPayDebitQueryForm,
    QuickPayLimitForm,
    QuickPayQueryForm,
    QuickPayRevokeForm,
)

PAGE_SIZE = 20


@customer_required
@require_GET
def quickpay(request):
    customer = request.user.customer
    links = selectors.quickpay_linked_media(customer=customer)
    form = QuickPayQueryForm(request.GET or None, links=links)
    medium_id, status = None, ""
    if form.is_bound and form.is_valid():
        medium_id, status = form.cleaned_data["account"], form.cleaned_data["status"]
    agreements = (selectors.quickpay_agreements_for(customer=customer, medium_id=medium_id,
                                                    status=status)
                  if not form.is_bound or form.is_valid() else [])
    return render(request, "payments/quickpay/list.html",
                  {"form": form, "agreements": agreements})


@customer_required
@require_http_methods(["GET", "POST"])
def quickpay_limit(request, pk: int):
    agreement = selectors.quickpay_agreement_for(customer=request.user.customer, pk=pk)
    initial = {"single_limit": agreement.single_limit, "daily_limit": agreement.daily_limit}
    # 返回 from the confirmation: the limits typed come back (for this agreement only).
    for kind in (services.KIND_LIMIT_RAISE, services.KIND_LIMIT_LOWER):
        typed = operation_typed(request=request, kind=kind)
        if typed.get("agreement_id") == agreement.pk:
            initial = {key: typed[key] for key in ("single_limit", "daily_limit")}
    form = QuickPayLimitForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.quickpay_limit_change_start(
                user=request.user, agreement=agreement,
                single_limit=form.cleaned_data["single_limit"],
                daily_limit=form.cleaned_data["daily_limit"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    single_cap, daily_cap = services.quickpay_caps()
    return render(request, "payments/quickpay/limit.html",
                  {"form": form, "agreement": agreement, "single_cap": single_cap,
                   "daily_cap": daily_cap})


@customer_required
@require_http_methods(["GET", "POST"])
def quickpay_revoke(request, pk: int):
    agreement = selectors.quickpay_agreement_for(customer=request.user.customer, pk=pk)
    form = QuickPayRevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.quickpay_revoke(user=request.user, agreement=agreement,
                                     pin=form.cleaned_data["pin"], ip=client_ip(request))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"快捷支付协议{agreement.number}已撤销，"
                                      f"{agreement.merchant_name}不能再通过该协议扣款")
            return redirect("payments:quickpay")
    return render(request, "payments/quickpay/revoke.html",
                  {"form": form, "agreement": agreement})


@customer_required
@require_GET
def quickpay_debits(request, pk: int):
    """支付记录: the agreement's debits of a date range (default the last month, at most one
    year), 20 a page; a wrong range is said on the page with the dates kept."""
    agreement = selectors.quickpay_agreement_for(customer=request.user.customer, pk=pk)
    today = business_day()
    query = QuickPayDebitQueryForm(request.GET or None, today=today)
    if not query.is_bound:
        date_from, date_to = query.default_range()
    elif query.is_valid():
        date_from, date_to = query.cleaned_data["date_from"], query.cleaned_data["date_to"]
    else:
        date_from = date_to = None
    rows = (selectors.quickpay_debits_of(agreement=agreement, date_from=date_from,
                                         date_to=date_to)
            if date_from is not None else [])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "payments/quickpay/debits.html",
                  {"agreement": agreement, "query": query, "page": page,
                   "querystring": querystring_without_page(request),
                   "date_from": date_from, "date_to": date_to,
                   "used_today": services.quickpay_used_today(agreement=agreement, day=today)})
