"""Pages of 关联账户互转, 行内转账, 收款人管理, 定时转账维护 and 网银转账查询 (thin views).

A form's 提交 starts a confirmation (X-CONFIRM) and redirects to its page; nothing moves money
here. A refusal is shown on the same page with what was typed kept. GET never writes; every
POST is CSRF-protected; objects named in a URL are looked up through the logged-in customer.
"""

from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import SubAccountKind
from accounts.payers import account_label, account_option_label, payer_accounts
from ebank.clearing.selectors import bank_code_search
from ebank.core.errors import BusinessError, LimitExceeded
from ebank.core.masking import mask_account_number
from ebank.core.proxy import client_ip as _ip
from ebank.core.web import customer_required, querystring_without_page, redirect_to_confirm
from security.confirm.selectors import operation_typed
from transfers import selectors
from transfers.models import PayeeKind, TransferKind, TransferStatus
from transfers.own_intra.forms import (
    IntraTransferForm,
    OwnTransferForm,
    PayeeForm,
    PayeeSearchForm,
    TransferQueryForm,
)
from transfers.services import own_intra, payees

PAGE_SIZE = 20


# --- 转账中转页 ------------------------------------------------------------------------------------


HUB_ENTRIES = (
    # (URL name, title, what it does, takes the 转出账户)
    ("transfers:own", "关联账户互转", "同一客户号下加挂网银的账户间转账，不占用对外转账限额", True),
    ("transfers:intra", "行内转账", "向本行其他客户的借记卡、活期存折或活期一本通转账，免收手续费", True),
    ("transfers:inter", "跨行转账", "向他行活期账户汇款，5万元（含）以下7×24小时实时到账", True),
    ("transfers:payees", "收款人管理", "查询、新增、删除收款人登记簿中的收款人", False),
    ("transfers:scheduled", "定时转账维护", "查看或撤销尚未执行的普通到账、次日到账转账", False),
    ("transfers:reserved", "预约交易管理", "查看或删除转为预约的跨行大额转账", False),
    ("transfers:history", "网银转账查询", "查询网银转账的状态、失败原因和电子回单", False),
)


@customer_required
@require_GET
def transfer_hub(request):
    """转账中转页 (manual 账户总览 › 操作 › 转账): choose the transfer business; with
    ``?account=<sub-account id>`` (the 活期主账户 of a linked account) each form opens with it
    as the 转出账户. Another customer's id is a 404."""
    account = None
    raw = request.GET.get("account", "")
    if raw:
        account = selectors.linked_sub_account_get(customer=request.user.customer,
                                                   sub_account_id=raw)
        if account is None or account.kind != SubAccountKind.CURRENT_MAIN:
            raise Http404("账户不存在")
    suffix = f"?account={account.pk}" if account is not None else ""
    entries = [(f"{reverse(name)}{suffix if takes_account else ''}", title, text)
               for name, title, text, takes_account in HUB_ENTRIES]
    return render(request, "transfers/hub.html", {
        "account": account,
        "account_label": account_option_label(account) if account is not None else "",
        "entries": entries,
    })


# --- 关联账户互转 ---------------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def own_transfer(request):
    customer = request.user.customer
    accounts = selectors.own_transfer_accounts(customer=customer)
    mains = [a for a in accounts if a.kind == SubAccountKind.CURRENT_MAIN]
    typed = operation_typed(request=request, kind=own_intra.KIND_OWN)
    initial = {key: typed[key] for key in ("amount", "purpose") if key in typed}
    if typed:
        initial.update(from_sub_account=typed["from_sub_account"],
                       to_sub_account=typed["to_sub_account"])
    elif request.GET.get("account"):
        initial["from_sub_account"] = request.GET["account"]  # 转账中转页: the account chosen
    form = OwnTransferForm(request.POST or None, payers=accounts, payees=mains, initial=initial)
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
            return redirect_to_confirm(operation)
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
    typed = operation_typed(request=request, kind=own_intra.KIND_INTRA)
    if typed:
        initial = {"from_sub_account": typed["from_sub_account"], **{
            key: typed[key] for key in ("mode", "amount", "payee_account", "payee_name",
                                        "purpose", "save_payee") if key in typed}}
    if request.method == "GET" and request.GET.get("account") and not typed:
        initial["from_sub_account"] = request.GET["account"]  # 转账中转页: the account chosen
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
            limit_refusal = selectors.limit_refusal_context(exc)
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "transfers/own_intra/intra.html", {
        "form": form,
        "limit_refusal": limit_refusal,
        "book": selectors.payee_book(customer=customer, kind=PayeeKind.INTRA),
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
        "search": search, "page": page, "querystring": querystring_without_page(request),
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
    # TRF-SCHED: the customer's 定时转账 (periodic plans), active ones first.
    from transfers.periodic.services import periodic_plans_for_maintenance
    periodic_plans = periodic_plans_for_maintenance(customer=request.user.customer,
                                                    ended=PAGE_SIZE)
    return render(request, "transfers/own_intra/scheduled.html",
                  {"page": page, "querystring": querystring_without_page(request),
                   "periodic_plans": periodic_plans})


def _detail(request, number: str, *, back: str):
    transfer = selectors.transfer_get_for_customer(customer=request.user.customer, number=number)
    cancellable = (transfer.status == TransferStatus.SCHEDULED
                   and transfer.kind in selectors.SCHEDULED_KINDS)
    return render(request, "transfers/own_intra/detail.html", {
        "transfer": transfer,
        "from_label": account_label(transfer.from_sub_account),
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
        "query": query, "page": page, "querystring": querystring_without_page(request),
        "kinds": TransferKind,
    })


@customer_required
@require_GET
def transfer_detail(request, number: str):
    return _detail(request, number, back="transfers:history")
