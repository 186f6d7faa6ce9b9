"""Pages of 通知存款 (开户, 支取 with 支取通知 / 取消通知) and 活期宝 (查询, 解约) (thin views).

A form's 提交 starts a confirmation (X-CONFIRM, deposits.notice.operations) and redirects to it;
取消通知 is a plain POST (no money moves). A refusal is shown on the same page with what was typed
kept. GET never writes; a deposit or agreement named in the URL is looked up through the
logged-in customer (another customer's → 404).
"""

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import MediumKind
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm
from security.confirm.selectors import operation_typed

from .. import fixed, selectors
from ..views import picked_deposit, withdraw_initial
from . import operations, services, sweep
from .forms import NoticeGiveForm, NoticeOpenForm, NoticeWithdrawForm


def _notice_rows(customer, on: date) -> list[dict]:
    rows = []
    for deposit in services.notice_deposits_for_customer(customer=customer):
        balance = deposit.sub_account.ledger_account.balance
        rows.append({"deposit": deposit, "balance": balance,
                     "number": fixed.masked_number(deposit.sub_account),
                     "interest": services.interest_to_date(deposit=deposit, balance=balance,
                                                           on=on),
                     "notice_usable": services.notice_valid_on(deposit, on)})
    return rows


def _deposit_or_404(customer, pk):
    try:
        return services.deposit_for_customer(customer=customer, pk=pk)
    except BusinessError:
        raise Http404("通知存款不存在") from None


@customer_required
@require_http_methods(["GET", "POST"])
def notice_open(request):
    customer = request.user.customer
    typed = operation_typed(request=request, kind=operations.KIND_NOTICE_OPEN)
    initial = {"product": typed["product"], "amount": typed["amount"],
               "from_sub_account": typed["from_sub_account"]} if typed else {}
    sources = [s for s in selectors.open_sources(customer=customer)
               if s.medium.kind == MediumKind.DEBIT_CARD]
    form = NoticeOpenForm(request.POST if request.method == "POST" else None, initial=initial,
                          sources=sources)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = operations.notice_open_start(
                user=request.user, from_sub_account_id=data["from_sub_account"],
                product=data["product"], amount=data["amount"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/notice/open.html", {"form": form})


@customer_required
@require_http_methods(["GET", "POST"])
def notice_withdraw(request):
    customer = request.user.customer
    on = business_day()
    rows = _notice_rows(customer, on)
    typed = operation_typed(request=request, kind=operations.KIND_NOTICE_WITHDRAW)
    initial = {"mode": "full"}
    if typed:
        initial = {"deposit": typed["deposit"], **withdraw_initial(typed)}
    else:
        initial.update(picked_deposit(request, [row["deposit"] for row in rows],
                                      missing="通知存款不存在"))
    form = NoticeWithdrawForm(request.POST if request.method == "POST" else None,
                              initial=initial, rows=rows)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = operations.notice_withdraw_start(
                user=request.user, deposit_id=data["deposit"], full=data["mode"] == "full",
                amount=data["amount"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/notice/withdraw.html", {"form": form, "rows": rows})


@customer_required
@require_http_methods(["GET", "POST"])
def notice_give(request, pk: int):
    customer = request.user.customer
    deposit = _deposit_or_404(customer, pk)
    on = business_day()
    typed = operation_typed(request=request, kind=operations.KIND_NOTICE_GIVE)
    initial = {"withdraw_on": services.earliest_withdraw_day(deposit, on)}
    if typed and str(typed.get("deposit")) == str(deposit.pk):
        initial = {"amount": typed["amount"],
                   "withdraw_on": date.fromisoformat(typed["withdraw_on"])}
    form = NoticeGiveForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = operations.notice_give_start(
                user=request.user, deposit_id=deposit.pk, amount=data["amount"],
                withdraw_on=data["withdraw_on"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    balance = fixed.balance_of(deposit.sub_account)
    return render(request, "deposits/notice/give.html", {
        "form": form, "deposit": deposit, "balance": balance,
        "number": fixed.masked_number(deposit.sub_account),
        "earliest": services.earliest_withdraw_day(deposit, on)})


@customer_required
@require_POST
def notice_cancel(request, pk: int):
    deposit = _deposit_or_404(request.user.customer, pk)
    try:
        services.notice_cancel(user=request.user, deposit_id=deposit.pk)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "支取通知已取消")
    return redirect("deposits:notice_withdraw")


# --- 活期宝 ---------------------------------------------------------------------------------------


@customer_required
@require_GET
def hqb(request):
    views = sweep.agreements_for_customer(customer=request.user.customer, on=business_day())
    return render(request, "deposits/notice/hqb.html", {"views": views})


@customer_required
@require_POST
def hqb_terminate(request, pk: int):
    try:
        sweep.agreement_for_customer(customer=request.user.customer, pk=pk)
    except BusinessError:
        raise Http404("活期宝协议不存在") from None
    try:
        operation = operations.hqb_terminate_start(user=request.user, agreement_id=pk)
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("deposits:hqb")
    return redirect_to_confirm(operation)
