"""Pages of 智能存款: 悠悦宝 (购买, 支取) and 利先得支取 (thin views, as deposits.views).

A form's 提交 starts a confirmation (X-CONFIRM, deposits.smart.operations); a refusal is shown
on the same page with what was typed kept. GET never writes; a deposit named in the URL is
looked up through the logged-in customer (another customer's → 404).
"""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm
from security.confirm.selectors import operation_typed

from .. import selectors
from ..models import MaturityOption, Product
from ..views import picked_deposit, withdraw_initial
from . import lixiande, operations, youyuebao
from .forms import LixiandeWithdrawForm, YouyuebaoOpenForm, YouyuebaoWithdrawForm


@customer_required
@require_http_methods(["GET", "POST"])
def youyuebao_open(request):
    customer = request.user.customer
    terms = youyuebao.terms_on(business_day())
    typed = operation_typed(request=request, kind=operations.KIND_YYB_OPEN)
    initial = {"maturity_option": MaturityOption.ROLL_ALL}
    if typed:
        initial = {"from_sub_account": typed["from_sub_account"],
                   "fixed_book": typed.get("fixed_book") or "", "amount": typed["amount"],
                   "maturity_option": typed["maturity_option"]}
    form = YouyuebaoOpenForm(request.POST if request.method == "POST" else None,
                             initial=initial, sources=selectors.open_sources(customer=customer),
                             books=selectors.fixed_books(customer=customer),
                             minimum_note=youyuebao.note_2_buy(terms.minimum))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = operations.youyuebao_open_start(
                user=request.user, from_sub_account_id=data["from_sub_account"],
                fixed_book_id=data["fixed_book"], amount=data["amount"],
                maturity_option=data["maturity_option"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/smart/youyuebao_open.html", {
        "form": form, "minimum": youyuebao.yuan(terms.minimum)})


@customer_required
@require_http_methods(["GET", "POST"])
def youyuebao_withdraw(request):
    customer = request.user.customer
    on = business_day()
    terms = youyuebao.terms_on(on)
    rows = selectors.deposits_for_customer(customer=customer, on=on, open_only=True,
                                           products=(Product.YOUYUEBAO,))
    greyed = [row.pk for row in rows if not youyuebao.online(row.deposit, terms)]
    typed = operation_typed(request=request, kind=operations.KIND_YYB_WITHDRAW)
    initial = {"mode": "full"}
    if typed:
        initial = {"deposit": typed["deposit"], "to_sub_account": typed["to"],
                   **withdraw_initial(typed)}
    else:
        initial.update(picked_deposit(request, rows))
    form = YouyuebaoWithdrawForm(request.POST if request.method == "POST" else None,
                                 initial=initial, deposits=rows, greyed=greyed,
                                 targets=youyuebao.targets(customer=customer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = operations.youyuebao_withdraw_start(
                user=request.user, deposit_id=data["deposit"], full=data["mode"] == "full",
                amount=data["amount"], to_sub_account_id=data["to_sub_account"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/smart/youyuebao_withdraw.html", {
        "form": form, "rows": rows, "greyed": greyed, "note_1": youyuebao.NOTE_1,
        "minimum": youyuebao.yuan(terms.minimum)})


@customer_required
@require_http_methods(["GET", "POST"])
def lixiande_withdraw(request):
    customer = request.user.customer
    rows = selectors.deposits_for_customer(customer=customer, on=business_day(), open_only=True,
                                           products=(Product.LIXIANDE,))
    typed = operation_typed(request=request, kind=operations.KIND_LXD_WITHDRAW)
    initial = {}
    if typed:
        initial = {"deposit": typed["deposit"]}
    else:
        initial.update(picked_deposit(request, rows))
    form = LixiandeWithdrawForm(request.POST if request.method == "POST" else None,
                                initial=initial, deposits=rows)
    if request.method == "POST" and form.is_valid():
        try:
            operation = operations.lixiande_withdraw_start(
                user=request.user, deposit_id=form.cleaned_data["deposit"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/smart/lixiande_withdraw.html", {
        "form": form, "rows": rows, "early_note": lixiande.EARLY_NOTE})
