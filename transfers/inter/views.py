"""Pages of 跨行转账, 联行号查询 and 预约交易管理 (thin: forms validate, services write).

Logged-in customers only; every POST is CSRF-protected; a GET never changes anything; a
business refusal is shown on the same page with what was typed kept.
"""

import re

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ebank.clearing.routing import Channel
from ebank.clearing.selectors import bank_code_search
from ebank.core.errors import BusinessError, LimitExceeded
from ebank.core.masking import mask_account_number
from ebank.core.proxy import client_ip as _ip
from ebank.core.web import customer_required, redirect_to_confirm
from security.confirm.selectors import operation_typed

from ..models import PayeeKind
from ..selectors import limit_refusal_context, payee_book, payee_get_for_customer
from ..services import inter
from .forms import BankCodeSearchForm, InterTransferForm, ReservedQueryForm

LOOKUP_LIMIT = 20
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _search_text(text: str) -> str:
    """What the customer typed into a search box, without what a database cannot take (NUL)."""
    return CONTROL_RE.sub(" ", text or "")[:64]


@customer_required
@require_http_methods(["GET", "POST"])
def inter_transfer(request):
    customer = request.user.customer
    candidates = []
    limit_refusal = None
    if request.method == "POST" and request.POST.get("action") == "search_bank":
        # 查询收款行 without the script: keep what was typed, list the matching banks.
        initial = {key: request.POST.get(key) for key in request.POST if key != "csrfmiddlewaretoken"}
        form = InterTransferForm(customer=customer, initial=initial)
        candidates = bank_code_search(_search_text(request.POST.get("bank_query", "")))
        if not candidates:
            messages.warning(request, "未找到该收款行，请检查行名或联行号")
    else:
        form = InterTransferForm(request.POST or None, customer=customer,
                                 initial=_initial(request) if request.method == "GET" else None)
        if request.method == "POST" and form.is_valid():
            try:
                operation = inter.inter_transfer_start(user=request.user,
                                                       request=form.inter_request())
            except LimitExceeded as exc:
                limit_refusal = limit_refusal_context(exc)
            except BusinessError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect_to_confirm(operation)
        candidates = form.bank_candidates
    ibps = inter.channel_status(Channel.IBPS)
    return render(request, "transfers/inter/form.html", {
        "form": form, "candidates": candidates, "ibps": ibps, "notes": inter.NOTES,
        "selected_code": form["bank_code"].value() or "",
        "limit_refusal": limit_refusal,
        "book": payee_book(customer=customer, kind=PayeeKind.INTER),
    })


def _initial(request) -> dict:
    """What fills the form on GET: 返回 from the confirmation (``?from=``, everything typed),
    收款人登记簿 › 转账 (``?payee=``), or 转账中转页 (``?account=``, the 转出账号)."""
    typed = operation_typed(request=request, kind=inter.OPERATION_KIND)
    if typed:
        return {"from_account": typed["from_sub_account_id"], "mode": typed["mode"],
                "payee_account": typed["payee_account"], "payee_name": typed["payee_name"],
                "bank_query": typed["bank_name"], "bank_code": typed["bank_code"],
                "fill_branch": bool(typed["branch_code"]), "branch_code": typed["branch_code"],
                "amount": typed["amount"], "purpose": typed["purpose"],
                "save_payee": bool(typed["save_payee"])}
    initial = {}
    if request.GET.get("account"):
        initial["from_account"] = request.GET["account"]
    picked = request.GET.get("payee")
    if picked:
        payee = payee_get_for_customer(customer=request.user.customer,
                                       pk=int(picked) if picked.isascii() and picked.isdigit()
                                       and len(picked) < 18 else 0)
        initial.update(payee_account=payee.account_number, payee_name=payee.name,
                       bank_query=payee.bank_name, bank_code=payee.bank_code)
    return initial


@customer_required
@require_GET
def bank_code_lookup(request):
    """The search behind the 收款行 box (static/js/transfers-inter.js): JSON, at most 20 rows."""
    rows = bank_code_search(_search_text(request.GET.get("q", "")), limit=LOOKUP_LIMIT)
    return JsonResponse({"results": [
        {"code": row.code, "name": row.name, "bank_name": row.bank_name, "city": row.city}
        for row in rows]})


@customer_required
@require_GET
def bank_codes(request):
    form = BankCodeSearchForm(request.GET or None)
    results = None
    if request.GET and form.is_valid():
        results = bank_code_search(form.cleaned_data["q"], limit=100)
    return render(request, "transfers/inter/bank_codes.html", {"form": form, "results": results})


@customer_required
@require_GET
def reserved(request):
    form = ReservedQueryForm(request.GET or {}, today=timezone.localdate())
    rows = None
    if form.is_valid():
        rows = list(inter.reserved_transfers(customer=request.user.customer,
                                             date_from=form.cleaned_data["date_from"],
                                             date_to=form.cleaned_data.get("date_to")))
        for transfer in rows:
            transfer.payee_masked = mask_account_number(transfer.payee_account)
    return render(request, "transfers/inter/reserved.html", {"form": form, "rows": rows})


@customer_required
@require_GET
def reserved_detail(request, pk: int):
    transfer = inter.reserved_transfer_get(customer=request.user.customer, pk=pk)
    transfer.payee_masked = mask_account_number(transfer.payee_account)
    return render(request, "transfers/inter/reserved_detail.html", {"transfer": transfer})


@customer_required
@require_POST
def reserved_delete(request, pk: int):
    try:
        transfer = inter.reserved_transfer_delete(user=request.user, pk=pk,
                                                  ip_address=_ip(request))
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("transfers:reserved_detail", pk=pk)
    messages.success(request, f"预约交易{transfer.number}已删除")
    return redirect("transfers:reserved")
