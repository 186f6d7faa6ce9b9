"""Pages of 零存整取 (thin views): 零存整取 (卡内活期转定期 储种 零存整取: 开户 / 续存),
零存整取存折续存 and 零存整取支取. A 提交 starts the confirmation (X-CONFIRM); a refusal is
shown on the same page with what was typed kept; GET never writes; a deposit named in the URL
is looked up through the logged-in customer (another customer's → 404)."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm
from security.confirm.selectors import operation_typed

from ..fixed import WITHDRAW_NOTE_2, WITHDRAW_NOTE_3
from ..selectors import open_sources
from ..views import picked_deposit
from . import operations, selectors
from .forms import BookTopUpForm, InstalmentForm, WithdrawForm
from .services import OPEN_NOTE_2, WITHDRAW_NOTE_1


@customer_required
@require_http_methods(["GET", "POST"])
def instalment(request):
    customer = request.user.customer
    on = business_day()
    rows = selectors.instalments_for_customer(customer=customer, on=on, passbook=False)
    initial = {"mode": "open"}
    typed = (operation_typed(request=request, kind=operations.KIND_OPEN)
             or operation_typed(request=request, kind=operations.KIND_TOP_UP))
    if typed:
        initial = {"mode": typed.get("mode", "open"),
                   "from_sub_account": typed["from_sub_account"],
                   "term_months": typed.get("term_months", ""),
                   "deposit": typed.get("deposit", ""), "amount": typed["amount"]}
    else:
        initial.update(picked_deposit(request, rows, missing="零存整取不存在"))
        if "deposit" in initial:
            initial["mode"] = "top_up"
    form = InstalmentForm(request.POST if request.method == "POST" else None, initial=initial,
                          sources=selectors.card_sources(customer=customer), deposits=rows)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["mode"] == "open":
                operation = operations.open_start(
                    user=request.user, from_sub_account_id=data["from_sub_account"],
                    term_months=data["term_months"], amount=data["amount"])
            else:
                operation = operations.top_up_start(
                    user=request.user, deposit_id=data["deposit"],
                    from_sub_account_id=data["from_sub_account"], amount=data["amount"],
                    passbook=False)
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/instalment/instalment.html", {
        "form": form, "rows": rows, "note_2": OPEN_NOTE_2})


@customer_required
@require_http_methods(["GET", "POST"])
def book_top_up(request):
    customer = request.user.customer
    rows = selectors.instalments_for_customer(customer=customer, on=business_day(),
                                              passbook=True)
    initial = {}
    typed = operation_typed(request=request, kind=operations.KIND_TOP_UP)
    if typed:
        initial = {"deposit": typed["deposit"], "from_sub_account": typed["from_sub_account"],
                   "amount": typed["amount"]}
    else:
        initial.update(picked_deposit(request, rows, missing="零存整取不存在"))
    form = BookTopUpForm(request.POST if request.method == "POST" else None, initial=initial,
                         sources=open_sources(customer=customer), deposits=rows)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = operations.top_up_start(
                user=request.user, deposit_id=data["deposit"],
                from_sub_account_id=data["from_sub_account"], amount=data["amount"],
                passbook=True)
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/instalment/book_top_up.html", {"form": form, "rows": rows})


@customer_required
@require_http_methods(["GET", "POST"])
def withdraw(request):
    customer = request.user.customer
    rows = selectors.instalments_for_customer(customer=customer, on=business_day())
    initial = {}
    typed = operation_typed(request=request, kind=operations.KIND_WITHDRAW)
    if typed:
        initial = {"deposit": typed["deposit"]}
    else:
        initial.update(picked_deposit(request, rows, missing="零存整取不存在"))
    form = WithdrawForm(request.POST if request.method == "POST" else None, initial=initial,
                        deposits=rows)
    if request.method == "POST" and form.is_valid():
        try:
            operation = operations.withdraw_start(user=request.user,
                                                  deposit_id=form.cleaned_data["deposit"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/instalment/withdraw.html", {
        "form": form, "rows": rows,
        "notes": (WITHDRAW_NOTE_1, WITHDRAW_NOTE_2, WITHDRAW_NOTE_3)})
