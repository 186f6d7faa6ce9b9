"""理财产品认购 (WLT-BUY) and 我的理财产品 (WLT-MINE): the product list and detail, 认购/申购,
the holdings and 赎回. Orders are placed only through the confirmation (X-CONFIRM)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.payers import payer_accounts
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm, url_or_none
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.confirm.selectors import operation_typed
from security.tools.services import tools_live

from ..models import OrderKind, level_rank
from ..placing import order_trade_date
from ..products import nav_latest
from ..suitability import SuitabilityRefused, risk_assessment_current
from ..trading import confirm_date_for, trade_date_for
from . import selectors, services
from .forms import BuyForm, ProductQueryForm, RedeemForm


def _public_or_back(request, pk):
    """The product, or back to the list with a word when it is gone (a stale bookmark)."""
    try:
        return selectors.product_public(pk)
    except Http404:
        messages.warning(request, "该产品不存在或已停止网银销售")
        return None


@customer_required
@require_GET
def products(request):
    """理财产品认购: 查询 the products on sale by 产品类型, 风险等级 and name/code."""
    query = ProductQueryForm(request.GET or None)
    rows = []
    if not query.is_bound or query.is_valid():
        data = query.cleaned_data if query.is_bound else {}
        rows = selectors.products_on_sale(at=timezone.now(),
                                          product_type=data.get("product_type", ""),
                                          risk_level=data.get("risk_level", ""),
                                          keyword=data.get("keyword", "").strip())
    return render(request, "wealth/orders/products.html", {
        "query": query, "products": rows,
        "assessment": risk_assessment_current(request.user.customer),
        "risk_url": url_or_none("wealth:risk")})


@customer_required
@require_GET
def product(request, pk):
    """A product's terms and its recent 净值."""
    item = _public_or_back(request, pk)
    if item is None:
        return redirect("wealth:products")
    now = timezone.now()
    return render(request, "wealth/orders/product.html", {
        "product": item, "navs": selectors.navs_recent(item),
        "status": selectors.sale_status(item, now), "buy_kind": selectors.buy_kind(item, now),
        "cutoff_rule": services.CUTOFF_RULE})


def _risk_context(customer, item):
    assessment = risk_assessment_current(customer)
    return {"assessment": assessment, "risk_url": url_or_none("wealth:risk"),
            "risk_ok": assessment is not None
            and level_rank(assessment.level) >= level_rank(item.risk_level)}


@customer_required
@require_http_methods(["GET", "POST"])
def buy(request, pk):
    """认购 (募集期) or 申购 (open product): 资金账户 and 购买金额 → the confirmation page."""
    item = _public_or_back(request, pk)
    if item is None:
        return redirect("wealth:products")
    customer = request.user.customer
    now = timezone.now()
    kind = selectors.buy_kind(item, now)
    has_tool = bool(tools_live(user=request.user))
    accounts = payer_accounts(customer=customer)
    typed = {}
    for kind_name in (services.KIND_SUBSCRIBE, services.KIND_PURCHASE):
        typed = typed or operation_typed(request=request, kind=kind_name) or {}
    initial = ({"payer": str(typed.get("payer", "")), "amount": typed.get("amount", "")}
               if typed.get("product") == item.pk else {})
    form = BuyForm(request.POST if request.method == "POST" else None, accounts=accounts,
                   initial=initial)
    suitability = None
    if request.method == "POST" and kind is not None and has_tool and form.is_valid():
        try:
            operation = services.buy_start(user=request.user, payer=form.chosen_account(),
                                           product=item, kind=kind,
                                           amount=form.cleaned_data["amount"])
        except SuitabilityRefused as exc:
            suitability = exc.message
        except BusinessError as exc:
            form.add_error("amount" if "金额" in exc.message else None, exc.message)
        else:
            return redirect_to_confirm(operation)
    trade_date = order_trade_date(item, kind, now)
    return render(request, "wealth/orders/buy.html", {
        "product": item, "kind": kind, "kind_label": OrderKind(kind).label if kind else "",
        "form": form, "has_tool": has_tool, "tool_message": TOOL_REQUIRED_MESSAGE,
        "accounts": accounts, "suitability": suitability, "nav": nav_latest(item),
        "trade_date": trade_date,
        "confirm_date": services.expected_confirm_date(item, kind, trade_date),
        "status": selectors.sale_status(item, now), **_risk_context(customer, item)})


@customer_required
@require_GET
def mine(request):
    """我的理财产品: holdings with 参考市值, 持仓成本, 持有收益 and the orders 待确认."""
    return render(request, "wealth/orders/mine.html", {
        "holdings": selectors.holdings_of(request.user.customer)})


@customer_required
@require_http_methods(["GET", "POST"])
def redeem(request, pk):
    """赎回 of an open product the customer holds (another's or one not held → 404)."""
    customer = request.user.customer
    account = selectors.holding_get(customer, pk)
    item = account.product
    has_tool = bool(tools_live(user=request.user))
    accounts = payer_accounts(customer=customer)
    typed = operation_typed(request=request, kind=services.KIND_REDEEM) or {}
    if typed.get("product") == item.pk:
        initial = {"payee": str(typed.get("payee", "")), "shares": typed.get("shares", "")}
    else:
        medium_id = selectors.last_buy_medium_id(customer, item)
        default = next((a for a in accounts if a.medium_id == medium_id), None)
        initial = {"payee": str(default.pk)} if default else {}
    form = RedeemForm(request.POST if request.method == "POST" else None, accounts=accounts,
                      available=account.available, initial=initial)
    nav = nav_latest(item)
    if request.method == "POST" and has_tool and form.is_valid():
        try:
            operation = services.redeem_start(user=request.user, account=account,
                                              shares=form.cleaned_data["shares"],
                                              payee=form.chosen_account())
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    estimate_shares = (form.cleaned_data.get("shares") if form.is_bound and form.is_valid()
                       else account.available)
    now = timezone.now()
    trade_date = trade_date_for(now)
    return render(request, "wealth/orders/redeem.html", {
        "product": item, "account": account, "form": form, "nav": nav,
        "has_tool": has_tool, "tool_message": TOOL_REQUIRED_MESSAGE,
        "estimate": selectors.redeem_estimate(item, estimate_shares, nav),
        "estimate_shares": estimate_shares, "trade_date": trade_date,
        "confirm_date": confirm_date_for(trade_date)})
