"""Pages of 关联账户互转, 行内转账, 收款人管理, 定时转账维护 and 网银转账查询 (thin views).

A form's 提交 starts a confirmation (X-CONFIRM) and redirects to its page; nothing moves money
here. A refusal is shown on the same page with what was typed kept. GET never writes; every
POST is CSRF-protected; objects named in a URL are looked up through the logged-in customer.
"""

from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import SubAccountKind
from ebank.clearing.selectors import bank_code_search
from ebank.core.errors import BusinessError, LimitExceeded
from ebank.core.masking import mask_account_number
from ebank.core.proxy import client_ip as _ip
from ebank.core.web import customer_required
from ebank.limits.models import LimitLevel
from transfers import selectors
from transfers.forms_own_intra import (
    IntraTransferForm,
    OwnTransferForm,
    PayeeForm,
    PayeeSearchForm,
    TransferQueryForm,
)
from transfers.models import PayeeKind, TransferKind, TransferStatus
from transfers.services import own_intra, payees
from transfers.services.common import payer_accounts

PAGE_SIZE = 20


def _to_confirm(operation):
    return redirect(reverse("security:confirm", args=[operation.public_id]))


def _querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _limit_refusal(exc: LimitExceeded) -> dict:
    """Notes 3–4: a customer-set limit links to 限额管理; a bank limit only asks for less."""
    return {"message": exc.message,
            "customer_set": getattr(exc, "level", None) == LimitLevel.CUSTOMER}


# --- 关联账户互转 ---------------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def own_transfer(request):
    customer = request.user.customer
    accounts = selectors.own_transfer_accounts(customer=customer)
    mains = [a for a in accounts if a.kind == SubAccountKind.CURRENT_MAIN]
    form = OwnTransferForm(request.POST or None, payers=accounts, payees=mains)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = own_intra.own_transfer_start(
                user=request.user, from_sub_account_id=data["from_sub_account"],
                to_sub_account_id=data["to_sub_account"], amount=data["amount"],
                purpose=data["purpose"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return _to_confirm(operation)
    return render(request, "transfers/own_intra/own.html",
                  {"form": form, "has_accounts": len(mains) >= 2})


# --- 行内转账 ------------------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def intra_transfer(request):
    customer = request.user.customer
    # Read only if the form is shown: the service checks the posted account by itself.
    payers = partial(payer_accounts, customer=customer)
    initial = {}
    picked = request.GET.get("payee")
    if request.method == "GET" and picked:
        # 收款人登记簿 › 转账: fill the payee from the book (another customer's id is a 404).
        try:
            payee_pk = int(picked)
        except ValueError:
            payee_pk = 0
        payee = selectors.payee_get_for_customer(customer=customer, pk=payee_pk)
        initial = {"payee_account": payee.account_number, "payee_name": payee.name}
    form = IntraTransferForm(request.POST or None, payers=payers, initial=initial)
    limit_refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = own_intra.intra_transfer_start(
                user=request.user, from_sub_account_id=data["from_sub_account"],
                mode=data["mode"], amount=data["amount"], payee_account=data["payee_account"],
                payee_name=data["payee_name"], purpose=data["purpose"],
                save_payee=data["save_payee"])
        except LimitExceeded as exc:
            limit_refusal = _limit_refusal(exc)
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return _to_confirm(operation)
    return render(request, "transfers/own_intra/intra.html", {
        "form": form,
        "limit_refusal": limit_refusal,
        "book": [(p, mask_account_number(p.account_number)) for p in
                 selectors.payees_for_customer(customer=customer, kind=PayeeKind.INTRA)[:50]],
    })


# --- 收款人管理 ----------------------------------------------------------------------------------


@customer_required
@require_GET
def payee_list(request):
    customer = request.user.customer
    search = PayeeSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    rows = selectors.payees_for_customer(customer=customer, query=query)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "transfers/own_intra/payees.html", {
        "search": search, "page": page, "querystring": _querystring_without_page(request),
        "rows": [(p, mask_account_number(p.account_number)) for p in page.object_list],
    })


@customer_required
@require_http_methods(["GET", "POST"])
def payee_add(request):
    form = PayeeForm(request.POST or None)
    candidates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        bank_code = (request.POST.get("bank_pick") or data["bank_code"] or "").strip()
        try:
            payees.payee_add(user=request.user, kind=data["kind"],
                             account_number=data["account_number"], name=data["name"],
                             bank_code=bank_code if data["kind"] == PayeeKind.INTER else "",
                             bank_query=data["bank_query"], ip=_ip(request))
        except BusinessError as exc:
            form.add_error(None, exc.message)
            if exc.code == "bank_ambiguous":
                candidates = bank_code_search(data["bank_query"])
        else:
            messages.success(request, "收款人已加入收款人登记簿")
            return redirect("transfers:payees")
    return render(request, "transfers/own_intra/payee_form.html",
                  {"form": form, "candidates": candidates})


@customer_required
@require_POST
def payee_delete(request, pk: int):
    payees.payee_delete(user=request.user, payee_id=pk, ip=_ip(request))
    messages.success(request, "收款人已删除")
    return redirect("transfers:payees")


# --- 定时转账维护 ----------------------------------------------------------------------------------


@customer_required
@require_GET
def scheduled_list(request):
    rows = selectors.scheduled_transfers_for_customer(customer=request.user.customer)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "transfers/own_intra/scheduled.html",
                  {"page": page, "querystring": _querystring_without_page(request)})


def _detail(request, number: str, *, back: str):
    transfer = selectors.transfer_get_for_customer(customer=request.user.customer, number=number)
    cancellable = (transfer.status == TransferStatus.SCHEDULED
                   and transfer.kind in selectors.SCHEDULED_KINDS)
    return render(request, "transfers/own_intra/detail.html", {
        "transfer": transfer,
        "from_label": selectors.account_label(transfer.from_sub_account),
        "payee_masked": mask_account_number(transfer.payee_account),
        "receipt_url": selectors.transfer_receipt_url(transfer=transfer),
        "cancellable": cancellable,
        "back": back,
    })


@customer_required
@require_GET
def scheduled_detail(request, number: str):
    return _detail(request, number, back="transfers:scheduled")


@customer_required
@require_POST
def scheduled_cancel(request, number: str):
    try:
        transfer = own_intra.scheduled_transfer_cancel(user=request.user, number=number,
                                                       ip=_ip(request))
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("transfers:scheduled_detail", number=number)
    messages.success(request, f"交易流水号{transfer.number}的转账已撤销")
    return redirect("transfers:scheduled")


# --- 网银转账查询 ----------------------------------------------------------------------------------


@customer_required
@require_GET
def transfer_history(request):
    query = TransferQueryForm(request.GET or None)
    filters = {}
    if query.is_bound and query.is_valid():
        filters = {"date_from": query.cleaned_data["date_from"],
                   "date_to": query.cleaned_data["date_to"],
                   "status": query.cleaned_data["status"]}
    rows = (selectors.transfers_for_customer(customer=request.user.customer, **filters)
            if not query.is_bound or query.is_valid() else [])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "transfers/own_intra/history.html", {
        "query": query, "page": page, "querystring": _querystring_without_page(request),
        "kinds": TransferKind,
    })


@customer_required
@require_GET
def transfer_detail(request, number: str):
    return _detail(request, number, back="transfers:history")
