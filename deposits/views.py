"""Pages of 定期存款: 我的定期存款, 定期存款详情, 整存整取开户 and 定期支取 (thin views).

A form's 提交 starts a confirmation (X-CONFIRM, deposits.operations) and redirects to it;
nothing moves money here. A refusal is shown on the same page with what was typed kept. GET
never writes; every POST is CSRF-protected; a deposit named in the URL is looked up through
the logged-in customer (another customer's → 404).
"""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm
from security.confirm.selectors import operation_typed

from . import fixed, operations, selectors
from .forms import FixedOpenForm, FixedWithdrawForm
from .models import MaturityOption


@customer_required
@require_GET
def index(request):
    rows = selectors.deposits_for_customer(customer=request.user.customer, on=business_day())
    return render(request, "deposits/index.html", {
        "open_rows": [row for row in rows if row.is_open],
        "closed_rows": [row for row in rows if not row.is_open],
    })


@customer_required
@require_GET
def detail(request, pk: int):
    row = selectors.deposit_get(customer=request.user.customer, pk=pk, on=business_day())
    return render(request, "deposits/detail.html", {"row": row})


@customer_required
@require_http_methods(["GET", "POST"])
def fixed_open(request):
    customer = request.user.customer
    typed = operation_typed(request=request, kind=operations.KIND_FIXED_OPEN)
    initial = {"maturity_option": MaturityOption.ROLL_ALL}
    if typed:
        initial = {"from_sub_account": typed["from_sub_account"],
                   "fixed_book": typed.get("fixed_book") or "",
                   "term_months": typed["term_months"], "amount": typed["amount"],
                   "maturity_option": typed["maturity_option"]}
    form = FixedOpenForm(request.POST if request.method == "POST" else None, initial=initial,
                         sources=selectors.open_sources(customer=customer),
                         books=selectors.fixed_books(customer=customer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = operations.fixed_open_start(
                user=request.user, from_sub_account_id=data["from_sub_account"],
                fixed_book_id=data["fixed_book"], term_months=data["term_months"],
                amount=data["amount"], maturity_option=data["maturity_option"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/fixed_open.html", {"form": form})


@customer_required
@require_http_methods(["GET", "POST"])
def fixed_withdraw(request):
    customer = request.user.customer
    on = business_day()
    rows = selectors.deposits_for_customer(customer=customer, on=on, open_only=True)
    typed = operation_typed(request=request, kind=operations.KIND_FIXED_WITHDRAW)
    initial = {"mode": "full"}
    if typed:
        initial = {"deposit": typed["deposit"], "mode": "full" if typed.get("full") else "partial",
                   "amount": "" if typed.get("full") else typed["amount"]}
    elif request.method == "GET" and request.GET.get("deposit"):
        # From 我的定期存款 › 支取: the deposit chosen (another customer's → 404).
        picked = request.GET["deposit"]
        if not any(str(row.pk) == picked for row in rows):
            raise Http404("定期存款不存在")
        initial["deposit"] = picked
    form = FixedWithdrawForm(request.POST if request.method == "POST" else None, initial=initial, deposits=rows)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = operations.fixed_withdraw_start(
                user=request.user, deposit_id=data["deposit"], full=data["mode"] == "full",
                amount=data["amount"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/fixed_withdraw.html", {
        "form": form, "rows": rows, "notes": (fixed.WITHDRAW_NOTE_2,)})
