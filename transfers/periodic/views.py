"""Pages of 定时转账设置, 定时转账详情/撤销 and 定时转账执行查询 (thin views).

GET never writes; every POST is CSRF-protected; plans and runs are looked up through the
logged-in customer (another customer's number is a 404).
"""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.payers import account_label, payer_accounts
from ebank.core.errors import BusinessError, LimitExceeded
from ebank.core.masking import mask_account_number
from ebank.core.money import format_cny
from ebank.core.proxy import client_ip as _ip
from ebank.core.web import customer_required, querystring_without_page, redirect_to_confirm
from ebank.limits.models import LimitKind, LimitLevel
from security.confirm.selectors import operation_typed
from transfers import selectors
from transfers.models import PeriodicStatus

from . import services
from .forms import PeriodicForm, PeriodicRunQueryForm

PAGE_SIZE = 20
_TYPED_KEYS = ("payee_kind", "payee_account", "payee_name", "bank_code", "amount", "purpose",
               "frequency", "weekday", "day_of_month", "start_date", "end_date", "run_count")


def limit_refusal_text(exc: LimitExceeded) -> str:
    """The limit engine's refusal as the 转账金额 field's own error on 定时转账设置.

    The engine's message is written for the transfer pages (“请点击‘返回’按钮返回转账页面…”); here
    the amount is on the same page, so it only names the limit (the decision's figures) and asks
    for less — or, for a limit the customer set, says where to change it."""
    limit = getattr(exc, "limit", None)
    kind = getattr(exc, "kind", None)
    if limit is None or kind is None:
        return "转账金额超过转账限额，请调低金额"
    own = getattr(exc, "level", None) == LimitLevel.CUSTOMER
    whose = "您自设的" if own else ""
    if kind == LimitKind.SINGLE:
        which = f"{whose}单笔限额{format_cny(limit)}"
    else:
        remaining = getattr(exc, "remaining", None)
        left = (f"（剩余可用{format_cny(remaining)}）"
                if remaining is not None and remaining < limit else "")
        which = f"{whose}当日累计限额{format_cny(limit)}{left}"
    advice = "请调低金额或到“安全中心 › 限额管理”修改转账限额" if own else "请调低金额"
    return f"超过{which}，{advice}"


@customer_required
@require_http_methods(["GET", "POST"])
def periodic_new(request):
    """定时转账设置."""
    customer = request.user.customer
    payers = partial(payer_accounts, customer=customer)
    initial = {}
    typed = operation_typed(request=request, kind=services.KIND_PERIODIC)
    if typed:
        initial = {"from_sub_account": typed["from_sub_account"],
                   **{key: typed[key] for key in _TYPED_KEYS if typed.get(key) is not None}}
    form = PeriodicForm(request.POST or None, payers=payers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = services.periodic_start(
                user=request.user, from_sub_account_id=data["from_sub_account"],
                payee_kind=data["payee_kind"], amount=data["amount"],
                payee_account=data["payee_account"], payee_name=data["payee_name"],
                bank_code=data["bank_code"], purpose=data["purpose"],
                frequency=data["frequency"], weekday=data["weekday"],
                day_of_month=data["day_of_month"], start_date=data["start_date"],
                end_date=data["end_date"], run_count=data["run_count"])
        except LimitExceeded as exc:
            form.add_error("amount", limit_refusal_text(exc))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "transfers/periodic/new.html",
                  {"form": form, "run_hour": int(settings.PERIODIC_TRANSFER_HOUR)})


def _plan_context(plan) -> dict:
    """The plan as 定时转账详情 and 删除定时转账 show it (``_plan_table.html``)."""
    schedule = services.schedule_of(plan)
    upcoming = []
    if plan.status == PeriodicStatus.ACTIVE:
        upcoming = [d for d in (services.run_date(schedule, plan.runs_done + i)
                                for i in range(1, services.PREVIEW_RUNS + 1)) if d is not None]
    return {"plan": plan, "schedule": schedule, "upcoming": upcoming,
            "payer_label": account_label(plan.payer),
            "payee_masked": mask_account_number(plan.payee_account),
            "cancellable": plan.status == PeriodicStatus.ACTIVE}


@customer_required
@require_GET
def periodic_detail(request, number: str):
    """定时转账详情 (from 定时转账维护 and 定时转账执行查询)."""
    plan = services.periodic_get_for_customer(customer=request.user.customer, number=number)
    runs = [(run, *services.run_outcome(run)) for run in plan.runs.select_related("transfer")
            .order_by("-sequence")[:PAGE_SIZE]]
    return render(request, "transfers/periodic/detail.html",
                  {**_plan_context(plan), "runs": runs})


@customer_required
@require_http_methods(["GET", "POST"])
def periodic_cancel(request, number: str):
    """撤销: GET is the 删除定时转账 page (the plan and a 确定删除 button; writes nothing),
    POST cancels it."""
    if request.method == "GET":
        plan = services.periodic_get_for_customer(customer=request.user.customer,
                                                  number=number)
        return render(request, "transfers/periodic/cancel.html",
                      {**_plan_context(plan), "not_cancellable": services.CANCEL_NOT_ACTIVE})
    try:
        plan = services.periodic_cancel(user=request.user, number=number, ip=_ip(request))
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("transfers:periodic_detail", number=number)
    messages.success(request, f"交易流水号{plan.number}的定时转账已撤销，以后不再执行")
    return redirect("transfers:scheduled")


@customer_required
@require_GET
def periodic_runs(request):
    """定时转账执行查询: every run with its outcome, by run date."""
    query = PeriodicRunQueryForm(request.GET or None)
    rows = []
    if not query.is_bound or query.is_valid():
        filters = ({"date_from": query.cleaned_data["date_from"],
                    "date_to": query.cleaned_data["date_to"],
                    "number": query.cleaned_data["number"]} if query.is_bound else {})
        rows = services.periodic_runs_for_customer(customer=request.user.customer, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "transfers/periodic/runs.html", {
        "query": query, "page": page, "querystring": querystring_without_page(request),
        "rows": [(run, *services.run_outcome(run)) for run in page.object_list],
    })


@customer_required
@require_GET
def periodic_run_detail(request, number: str, sequence: str):
    """执行记录 of one run; a failed one shows 失败原因."""
    run = services.periodic_run_get_for_customer(customer=request.user.customer, number=number,
                                                 sequence=int(sequence))
    outcome, reason = services.run_outcome(run)
    transfer = run.transfer
    return render(request, "transfers/periodic/run_detail.html", {
        "run": run, "plan": run.plan, "outcome": outcome, "reason": reason,
        "payer_label": account_label(run.plan.payer),
        "payee_masked": mask_account_number(run.plan.payee_account),
        "receipt_url": selectors.transfer_receipt_url(transfer=transfer) if transfer else "",
    })
