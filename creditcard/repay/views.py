"""Pages of 还款管理: 信用卡还款, 信用卡取现, 自动还款管理. Each shows one of the customer's cards
(``?card=``, else the first; another customer's card is a 404), its figures and a form whose
提交 starts the confirmation; a refusal is said on the same page with what was typed kept."""

from decimal import Decimal

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm

from ..engine import available_credit, cash_available
from ..models import AutoRepayMode, AutoRepayRun
from ..selectors import card_get, cards_of
from . import autorepay, cash, repayment
from .common import own_accounts
from .forms import AutoRepayForm, CashForm, RepayForm

RULE_AMOUNT = Decimal("100.00")


def _card_chosen(request, customer):
    """The card named by the form (POST) or ``?card=`` — the customer's or a 404 — else the
    first card; None when the customer has none."""
    pk = request.POST.get("card") if request.method == "POST" else request.GET.get("card")
    if pk:
        return card_get(customer, pk)
    return cards_of(customer).first()


def _refuse(form, exc: BusinessError, fields: dict) -> None:
    form.add_error(fields.get(exc.code) if fields.get(exc.code) in form.fields else None,
                   exc.message)


def _no_card(request, title):
    return render(request, "creditcard/repay/no_card.html", {"title": title})


def _choice_offered(figures) -> str:
    """The 还款方式 ticked at first: 全额还款 while the statement owes something, else 其他金额
    (a paid statement refuses 全额还款 and 最低还款额; what is owed since is paid by amount)."""
    if figures.full > 0:
        return repayment.RepayChoice.FULL
    return repayment.RepayChoice.OTHER


@customer_required
@require_http_methods(["GET", "POST"])
def repay(request):
    customer = request.user.customer
    card = _card_chosen(request, customer)
    if card is None:
        return _no_card(request, "信用卡还款")
    accounts = own_accounts(customer)
    figures = repayment.repay_figures(card)
    form = RepayForm(request.POST or None, accounts=accounts,
                     initial={"choice": _choice_offered(figures)})
    if request.method == "POST" and form.is_valid():
        try:
            operation = repayment.repay_start(
                user=request.user, card_id=card.pk, sub_account_id=form.cleaned_data["account"],
                choice=form.cleaned_data["choice"], amount=form.cleaned_data.get("amount"))
        except BusinessError as exc:
            _refuse(form, exc, {"amount": "amount", "choice": "choice", "account": "account",
                                "insufficient_funds": "account"})
        else:
            return redirect_to_confirm(operation)
    return render(request, "creditcard/repay/repay.html", {
        "form": form, "card": card, "cards": cards_of(customer),
        "figures": figures})


@customer_required
@require_http_methods(["GET", "POST"])
def cash_advance(request):
    customer = request.user.customer
    card = _card_chosen(request, customer)
    if card is None:
        return _no_card(request, "信用卡取现")
    form = CashForm(request.POST or None, accounts=own_accounts(customer, debit_cards_only=True))
    if request.method == "POST" and form.is_valid():
        try:
            operation = cash.cash_start(user=request.user, card_id=card.pk,
                                        sub_account_id=form.cleaned_data["account"],
                                        amount=form.cleaned_data.get("amount"))
        except BusinessError as exc:
            _refuse(form, exc, {"amount": "amount", "account": "account"})
        else:
            return redirect_to_confirm(operation)
    return render(request, "creditcard/repay/cash.html", {
        "form": form, "card": card, "cards": cards_of(customer),
        "cash_available": cash_available(card), "available_credit": available_credit(card),
        # The rule at 100 yuan, to read the fee and the interest off before typing an amount.
        "terms": cash.cash_terms(RULE_AMOUNT, business_day())})


@customer_required
@require_http_methods(["GET", "POST"])
def autorepay_manage(request):
    customer = request.user.customer
    card = _card_chosen(request, customer)
    if card is None:
        return _no_card(request, "自动还款管理")
    form = AutoRepayForm(request.POST or None,
                         accounts=own_accounts(customer, debit_cards_only=True))
    if request.method == "POST" and form.is_valid():
        try:
            operation = autorepay.autorepay_start(
                user=request.user, card_id=card.pk, mode=form.cleaned_data["mode"],
                sub_account_id=form.cleaned_data.get("account"))
        except BusinessError as exc:
            _refuse(form, exc, {"mode": "mode", "account": "account"})
        else:
            return redirect_to_confirm(operation)
    return render(request, "creditcard/repay/autorepay.html", {
        "form": form, "card": card, "cards": cards_of(customer),
        "current_account": autorepay.autorepay_account(card),
        "is_set": card.autorepay_mode != AutoRepayMode.NONE,
        "runs": card_runs(card)})


def card_runs(card):
    return (AutoRepayRun.objects.filter(statement__card=card)
            .select_related("statement", "medium").order_by("-run_on", "-id")[:6])
