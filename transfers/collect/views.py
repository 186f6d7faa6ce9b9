"""Pages of 跨行资金归集 and 资金归集管理 (自动归集设置, 归集管理查询 with 详情, 明细, 撤销)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.payers import payer_accounts
from ebank.core.errors import BusinessError
from ebank.core.proxy import client_ip as _ip
from ebank.core.web import customer_required, redirect_to_confirm
from transfers.models import CollectionPlanStatus, OtherBankKind

from ..otherbank.services import agreement_label, agreements_for_customer
from . import services
from .forms import PlanForm, PullForm


def _choices(customer) -> dict:
    return {"agreements": agreements_for_customer(customer=customer, kind=OtherBankKind.PAY,
                                                  active_only=True),
            "accounts": payer_accounts(customer=customer)}


@customer_required
@require_http_methods(["GET", "POST"])
def pull(request):
    customer = request.user.customer
    choices = _choices(customer)
    form = PullForm(request.POST if request.method == "POST" else None, **choices)
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.pull_start(user=request.user, request=form.pull_request(),
                                            back_url=reverse("transfers:collect_pull"))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "transfers/collect/pull.html", {
        "form": form, "has_agreements": bool(choices["agreements"]), "note": services.NOTE})


@customer_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    customer = request.user.customer
    choices = _choices(customer)
    form = PlanForm(request.POST if request.method == "POST" else None, **choices)
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.plan_start(user=request.user, request=form.plan_request(),
                                            back_url=reverse("transfers:collect_new"))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "transfers/collect/new.html", {
        "form": form, "has_agreements": bool(choices["agreements"])})


def _decorate(plan):
    plan.rule = services.plan_describe(plan)
    plan.agreement_text = agreement_label(plan.agreement)
    return plan


@customer_required
@require_GET
def plan_list(request):
    plans = [_decorate(p) for p in services.plans_for_customer(customer=request.user.customer)]
    return render(request, "transfers/collect/list.html",
                  {"plans": plans, "active": CollectionPlanStatus.ACTIVE})


@customer_required
@require_GET
def plan_detail(request, pk: int):
    plan = _decorate(services.plan_get_for_customer(customer=request.user.customer, pk=pk))
    return render(request, "transfers/collect/detail.html",
                  {"plan": plan, "active": CollectionPlanStatus.ACTIVE})


@customer_required
@require_GET
def plan_runs(request, pk: int):
    plan = _decorate(services.plan_get_for_customer(customer=request.user.customer, pk=pk))
    runs = services.plan_runs(plan=plan)
    return render(request, "transfers/collect/runs.html", {"plan": plan, "runs": runs})


@customer_required
@require_POST
def plan_cancel(request, pk: int):
    try:
        plan = services.plan_cancel(user=request.user, pk=pk, ip_address=_ip(request))
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("transfers:collect_detail", pk=pk)
    messages.success(request, f"自动归集{plan.number}已撤销")
    return redirect("transfers:collect_list")
