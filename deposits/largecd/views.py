"""Pages of 大额存单: 产品信息 with 开户, 开户 (→ X-CONFIRM), 大额存单支取 (choose the card, its
大额存单, 支取 / 变更 / 查询), 支取 (→ X-CONFIRM). GET never writes."""

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm
from security.confirm.selectors import operation_typed

from ..cd import cd_products_on_sale
from ..fixed import balance_of
from ..interest_account_views import deposit_or_404
from ..models import DepositStatus, Product
from ..rates import term_text
from ..selectors import open_sources
from ..views import withdraw_initial
from . import operations, services
from .forms import CDOpenForm, CDWithdrawForm
from .selectors import card_with_rows

NOTES = ("大额存单个人起存金额20万元，以各期产品的起存金额为准。",
         "各期大额存单发行额度有限，额度售完即止。",
         "到期日前提前支取按支取日活期利率计息；部分提前支取后的余额不能小于20万元，否则请做销户处理。",
         "当日开立的大额存单不允许做部分提前支取操作。",
         "到期后本金转回本卡活期主账户，利息转入利息账户（可在“大额存单支取”中变更）。")


@customer_required
@require_GET
def cd_products(request):
    products = [{"product": p, "term": term_text(p.term_months),
                 "minimum": services.minimum_of(p), "remaining": p.remaining}
                for p in cd_products_on_sale(day=business_day())]
    return render(request, "deposits/largecd/products.html",
                  {"products": products, "notes": NOTES})


def _card_sources(customer):
    from accounts.models import MediumKind
    return [s for s in open_sources(customer=customer) if s.medium.kind == MediumKind.DEBIT_CARD]


@customer_required
@require_http_methods(["GET", "POST"])
def cd_open(request):
    customer = request.user.customer
    products = list(cd_products_on_sale(day=business_day()))
    typed = operation_typed(request=request, kind=operations.KIND_CD_OPEN)
    initial = {}
    if typed:
        initial = {"product": typed["product"], "from_sub_account": typed["from_sub_account"],
                   "amount": typed["amount"]}
    elif request.GET.get("product"):
        initial["product"] = request.GET["product"]
    form = CDOpenForm(request.POST if request.method == "POST" else None, initial=initial,
                      products=products, sources=_card_sources(customer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = operations.cd_open_start(
                user=request.user, product_id=data["product"],
                from_sub_account_id=data["from_sub_account"], amount=data["amount"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    shown = [{"product": p, "term": term_text(p.term_months), "remaining": p.remaining}
             for p in products]
    return render(request, "deposits/largecd/open.html",
                  {"form": form, "products": shown, "notes": NOTES})


@customer_required
@require_GET
def cd_list(request):
    cards, card, rows = card_with_rows(customer=request.user.customer, product=Product.LARGE_CD,
                                       value=request.GET.get("card"), on=business_day())
    return render(request, "deposits/largecd/list.html",
                  {"cards": cards, "card": card, "rows": rows})


@customer_required
@require_http_methods(["GET", "POST"])
def cd_withdraw(request, pk: int):
    deposit = deposit_or_404(customer=request.user.customer, product=Product.LARGE_CD, pk=pk)
    typed = operation_typed(request=request, kind=operations.KIND_CD_WITHDRAW)
    initial = {"mode": "full"}
    if typed and typed.get("deposit") == deposit.pk:
        initial = withdraw_initial(typed)
    form = CDWithdrawForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = operations.cd_withdraw_start(
                user=request.user, deposit_id=deposit.pk, full=data["mode"] == "full",
                amount=data["amount"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/largecd/withdraw.html", {
        "form": form, "deposit": deposit, "balance": balance_of(deposit.sub_account),
        "term": term_text(deposit.term_months), "notes": NOTES,
        "open": deposit.status == DepositStatus.OPEN})
