"""零存宝's pages, the manual's two tabs: 零存宝开户/续存 and 零存宝支取 (thin views).

提交 starts a confirmation (X-CONFIRM, .operations) and redirects to it; a refusal is shown on
the same page with what was typed kept. GET never writes; a 零存宝 named in the query or form
is looked up through the logged-in customer (another customer's → 404 on GET, 「零存宝账户不存在或
已销户」 on POST).
"""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm
from security.confirm.selectors import operation_typed

from ..views import picked_deposit
from . import operations, services
from .forms import LcbDepositForm, LcbWithdrawForm
from .selectors import card_sources, lcb_rows

NOTES = (services.NOTE_1, services.NOTE_2, services.NOTE_3)


def _context(rows, on) -> dict:
    return {"rows": [{"row": row, "month": services.month_total(row.deposit, on)} for row in rows],
            "cap": services.monthly_cap_on(on), "notes": NOTES}


@customer_required
@require_http_methods(["GET", "POST"])
def lcb_open(request):
    customer = request.user.customer
    on = business_day()
    rows = lcb_rows(customer=customer, on=on)
    typed = (operation_typed(request=request, kind=operations.KIND_OPEN)
             or operation_typed(request=request, kind=operations.KIND_TOP_UP))
    initial = ({"deposit": typed.get("deposit") or "",
                "from_sub_account": typed["from_sub_account"], "amount": typed["amount"]}
               if typed else picked_deposit(request, rows, missing="零存宝账户不存在"))
    form = LcbDepositForm(request.POST if request.method == "POST" else None, initial=initial,
                          sources=card_sources(customer=customer), deposits=rows)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["deposit"] is None:
                operation = operations.lcb_open_start(
                    user=request.user, from_sub_account_id=data["from_sub_account"],
                    amount=data["amount"])
            else:
                operation = operations.lcb_top_up_start(
                    user=request.user, deposit_id=data["deposit"],
                    from_sub_account_id=data["from_sub_account"], amount=data["amount"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/lingcunbao/deposit.html",
                  {"form": form, "tab": "deposit", **_context(rows, on)})


@customer_required
@require_http_methods(["GET", "POST"])
def lcb_withdraw(request):
    customer = request.user.customer
    on = business_day()
    rows = lcb_rows(customer=customer, on=on)
    typed = operation_typed(request=request, kind=operations.KIND_WITHDRAW)
    initial = {"deposit": typed["deposit"]} if typed else picked_deposit(request, rows, missing="零存宝账户不存在")
    form = LcbWithdrawForm(request.POST if request.method == "POST" else None, initial=initial,
                           deposits=rows)
    if request.method == "POST" and form.is_valid():
        try:
            operation = operations.lcb_withdraw_start(user=request.user,
                                                      deposit_id=form.cleaned_data["deposit"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/lingcunbao/withdraw.html",
                  {"form": form, "tab": "withdraw", **_context(rows, on)})
