"""Pages of 定期存款: 我的定期存款, 定期存款详情, 整存整取开户, 定期支取 and 卡内预约转存
(list, 新增, 执行记录, 撤销) (thin views).

A form's 提交 starts a confirmation (X-CONFIRM, deposits.operations) and redirects to it;
nothing moves money here. A refusal is shown on the same page with what was typed kept. GET
never writes; every POST is CSRF-protected; a deposit named in the URL is looked up through
the logged-in customer (another customer's → 404).
"""

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm
from security.confirm.selectors import operation_typed

from . import fixed, operations, plan_services, selectors
from .forms import FixedOpenForm, FixedWithdrawForm, PlanForm
from .models import MaturityOption, PlanStatus, Product
from .rates import term_text


def picked_deposit(request, deposits, *, missing: str = "定期存款不存在") -> dict:
    """``?deposit=<id>`` on a GET from a list's 支取/续存 link: the form's initial deposit, one of
    ``deposits`` (the customer's own, offered on the page), else 404 (``missing``)."""
    picked = request.GET.get("deposit") if request.method == "GET" else None
    if not picked:
        return {}
    if not any(str(deposit.pk) == picked for deposit in deposits):
        raise Http404(missing)
    return {"deposit": picked}


def withdraw_initial(typed: dict) -> dict:
    """A 支取 form's 全部/部分 choice and amount as typed before the confirmation."""
    full = bool(typed.get("full"))
    return {"mode": "full" if full else "partial", "amount": "" if full else typed["amount"]}


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
    rows = selectors.deposits_for_customer(customer=customer, on=on, open_only=True,
                                           products=(Product.FIXED,))
    typed = operation_typed(request=request, kind=operations.KIND_FIXED_WITHDRAW)
    initial = {"mode": "full"}
    if typed:
        initial = {"deposit": typed["deposit"], **withdraw_initial(typed)}
    else:
        # From 我的定期存款 › 支取: the deposit chosen (another customer's → 404).
        initial.update(picked_deposit(request, rows))
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


# --- 卡内预约转存 -------------------------------------------------------------------------------


def _plan_row(plan) -> dict:
    return {"plan": plan, "frequency": plan_services.frequency_text(plan.frequency, plan.run_day),
            "term": term_text(plan.term_months),
            "active": plan.status == PlanStatus.ACTIVE}


@customer_required
@require_GET
def plans(request):
    rows = [_plan_row(plan) for plan in
            plan_services.plans_for_customer(customer=request.user.customer)]
    return render(request, "deposits/plans.html", {"rows": rows})


@customer_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    customer = request.user.customer
    typed = operation_typed(request=request, kind=operations.KIND_PLAN_CREATE)
    initial = {"frequency": "monthly"}
    if typed:
        weekly = typed["frequency"] == "weekly"
        initial = {"medium": typed["medium"], "amount": typed["amount"],
                   "term_months": typed["term_months"], "frequency": typed["frequency"],
                   "month_day": "" if weekly else typed["run_day"],
                   "weekday": typed["run_day"] if weekly else "",
                   "starts_on": date.fromisoformat(typed["starts_on"]),
                   "ends_on": date.fromisoformat(typed["ends_on"]) if typed.get("ends_on") else None}
    form = PlanForm(request.POST if request.method == "POST" else None, initial=initial,
                    cards=selectors.linked_cards(customer=customer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = operations.plan_create_start(
                user=request.user, medium_id=data["medium"], amount=data["amount"],
                term_months=data["term_months"], frequency=data["frequency"],
                run_day=data["run_day"], starts_on=data["starts_on"], ends_on=data["ends_on"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "deposits/plan_new.html", {"form": form})


@customer_required
@require_GET
def plan_runs(request, pk: int):
    plan = plan_services.plan_get(customer=request.user.customer, pk=pk)
    if plan is None:
        raise Http404("预约转存不存在")
    runs = plan.runs.select_related("deposit__sub_account__medium").order_by("-run_on", "-id")
    return render(request, "deposits/plan_runs.html", {
        "row": _plan_row(plan),
        "runs": [{"run": run, "number": fixed.masked_number(run.deposit.sub_account)
                  if run.deposit else ""} for run in runs]})


@customer_required
@require_POST
def plan_cancel(request, pk: int):
    plan = plan_services.plan_get(customer=request.user.customer, pk=pk)
    if plan is None:
        raise Http404("预约转存不存在")
    try:
        plan_services.plan_cancel(user=request.user, plan_id=plan.pk)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "卡内预约转存已撤销")
    return redirect("deposits:plans")
