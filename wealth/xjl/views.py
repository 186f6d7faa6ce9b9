"""Pages of 基金业务 › 薪加利: 购买薪加利 (收益详情, 转入), 我的薪加利 (收益明细, 转出) and
薪加利交易明细查询. Forms start an X-CONFIRM operation; a refusal is said on the same page with
what was typed kept."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.payers import payer_accounts
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, querystring_without_page, redirect_to_confirm
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.tools.services import tools_live
from security.tools.subject import limit_subject_for

from ..suitability import SuitabilityRefused
from . import selectors, services
from .common import xjl_product_get
from .forms import HistoryForm, PeriodForm, XjlInForm, XjlOutForm

PAGE_SIZE = 20


def _refuse(form, exc: BusinessError) -> None:
    field = exc.code if exc.code in form.fields else None
    form.add_error(field, exc.message)


@customer_required
@require_GET
def xjl_buy(request):
    customer = request.user.customer
    return render(request, "wealth/xjl/buy.html", {
        "holdings": selectors.holdings(customer, business_day())})


@customer_required
@require_GET
def xjl_product(request, pk):
    product = xjl_product_get(pk)
    return render(request, "wealth/xjl/product.html", {
        "product": product, "navs": selectors.nav_history(product, business_day())})


@customer_required
@require_http_methods(["GET", "POST"])
def xjl_in(request, pk):
    customer = request.user.customer
    product = xjl_product_get(pk)
    form = XjlInForm(request.POST or None, accounts=payer_accounts(customer=customer))
    needs_assessment = False
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.xjl_in_start(
                user=request.user, product_id=product.pk,
                sub_account_id=form.cleaned_data["account"], amount=form.cleaned_data["amount"])
        except SuitabilityRefused as exc:
            needs_assessment = exc.needs_assessment
            form.add_error(None, exc.message)
        except BusinessError as exc:
            _refuse(form, exc)
        else:
            return redirect_to_confirm(operation)
    return render(request, "wealth/xjl/in.html", {
        "form": form, "product": product, "needs_assessment": needs_assessment,
        # Said before anything is typed (as 理财产品认购 does); the operation refuses it anyway.
        "tool_message": None if tools_live(user=request.user) else TOOL_REQUIRED_MESSAGE,
        "nav": selectors.nav_latest(product, business_day())})


@customer_required
@require_GET
def xjl_mine(request):
    customer = request.user.customer
    return render(request, "wealth/xjl/mine.html", {
        "holdings": selectors.holdings(customer, business_day()),
        "quota": selectors.instant_quota(limit_subject_for(user=request.user))})


@customer_required
@require_http_methods(["GET", "POST"])
def xjl_out(request, pk):
    customer = request.user.customer
    holding = selectors.holding_get(customer, pk)
    product = holding.product
    form = XjlOutForm(request.POST or None, accounts=payer_accounts(customer=customer),
                      initial={"mode": services.OutMode.INSTANT})
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.xjl_out_start(
                user=request.user, product_id=product.pk, mode=form.cleaned_data["mode"],
                sub_account_id=form.cleaned_data["account"], amount=form.cleaned_data["amount"])
        except BusinessError as exc:
            _refuse(form, exc)
        else:
            return redirect_to_confirm(operation)
    return render(request, "wealth/xjl/out.html", {
        "form": form, "product": product,
        "holding": holding,
        "quota": selectors.instant_quota(limit_subject_for(user=request.user))})


def _period_page(request, form_class, rows_of):
    form = form_class(request.GET or None, today=business_day())
    if not request.GET:
        form = form_class({}, today=business_day())
    rows = []
    if form.is_valid():
        rows = rows_of(form.cleaned_data)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return form, page


@customer_required
@require_GET
def xjl_income(request):
    customer = request.user.customer
    form, page = _period_page(request, PeriodForm, lambda data: selectors.incomes_for(
        customer, date_from=data["date_from"], date_to=data["date_to"]))
    return render(request, "wealth/xjl/income.html", {
        "form": form, "page": page, "querystring": querystring_without_page(request)})


@customer_required
@require_GET
def xjl_history(request):
    customer = request.user.customer
    form, page = _period_page(request, HistoryForm, lambda data: selectors.history_rows(
        customer, date_from=data["date_from"], date_to=data["date_to"],
        kind=data.get("kind") or ""))
    return render(request, "wealth/xjl/history.html", {
        "form": form, "page": page, "querystring": querystring_without_page(request)})
