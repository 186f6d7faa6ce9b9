"""Pages of 账单分期管理: 分期付款试算, 账单分期/灵活分期 申请 (the table and the APR first, then
X-CONFIRM), 提前终止 (choose a plan, its confirmation page, X-CONFIRM with a tool) and 查询."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, querystring_without_page, redirect_to_confirm

from ..models import InstalmentKind, InstalmentStatus
from ..selectors import card_get, cards_of, last_statement
from . import selectors, services
from .forms import BillApplyForm, CardForm, FlexApplyForm, PlanQueryForm, TrialForm

PAGE_SIZE = 20
STEP_QUOTE, STEP_APPLY = "quote", "apply"
TITLES = {InstalmentKind.BILL: "账单分期", InstalmentKind.FLEX: "灵活分期"}
URLS = {InstalmentKind.BILL: {"apply": "creditcard:bill_instal",
                              "terminate": "creditcard:bill_instal_terminate",
                              "list": "creditcard:bill_instal_list"},
        InstalmentKind.FLEX: {"apply": "creditcard:flex_instal",
                              "terminate": "creditcard:flex_instal_terminate",
                              "list": "creditcard:flex_instal_list"}}


def _error_to(form, exc: BusinessError, fields: dict) -> None:
    """The service's refusal under the field it is about (else above the form)."""
    form.add_error(fields.get(exc.code) if exc.code in fields else None, exc.message)


def _chosen_card(request, cards):
    """The card of ``?card=`` (the customer's own, else a 404) or the first one."""
    wanted = request.POST.get("card") or request.GET.get("card")
    if wanted:
        return card_get(request.user.customer, wanted)
    return cards[0] if cards else None


# --- 分期付款试算 ---------------------------------------------------------------------------------


@customer_required
@require_GET
def trial(request):
    form = TrialForm(request.GET if "amount" in request.GET else None)
    result = None
    if form.is_bound and form.is_valid():
        try:
            amount = services.amount_parse(form.cleaned_data["amount"])
            result = services.instal_trial(principal=amount,
                                           periods=form.cleaned_data["periods"])
        except BusinessError as exc:
            _error_to(form, exc, {"amount": "amount", "periods": "periods"})
    return render(request, "creditcard/instal/trial.html", {
        "form": form, "trial": result,
        "summary": services.trial_summary(result) if result else []})


# --- 账单分期申请 --------------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def bill_apply(request):
    customer = request.user.customer
    cards = list(cards_of(customer))
    card = _chosen_card(request, cards)
    statement = last_statement(card) if card else None
    context = {"cards_form": CardForm(initial={"card": card.pk if card else None}, cards=cards),
               "card": card, "statement": statement, "owed": None, "refusal": "",
               "trial": None}
    form = BillApplyForm(request.POST if request.method == "POST" else None)
    if card is not None:
        try:
            context["owed"] = services.bill_instal_check(card=card, statement=statement,
                                                         today=business_day())
        except BusinessError as exc:
            context["refusal"] = exc.message
    step = request.POST.get("step")
    if (request.method == "POST" and card is not None and not context["refusal"]
            and form.is_valid()):
        data = form.cleaned_data
        try:
            amount = services.amount_parse(data["amount"])
            if amount > context["owed"]:
                raise BusinessError(f"分期金额不能超过本期账单可分期金额¥{context['owed']:,.2f}",
                                    code="amount")
            if step == STEP_APPLY:
                operation = services.bill_instal_start(
                    user=request.user, card=card, statement=statement, principal=amount,
                    periods=data["periods"])
                return redirect_to_confirm(operation)
            result = services.instal_trial(principal=amount, periods=data["periods"])
        except BusinessError as exc:
            _error_to(form, exc, {"amount": "amount", "periods": "periods"})
        else:
            context.update(trial=result, summary=services.trial_summary(result),
                           amount=amount, periods=data["periods"])
    context["form"] = form
    return render(request, "creditcard/instal/bill_apply.html", context)


# --- 灵活分期申请 --------------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def flex_apply(request):
    customer = request.user.customer
    cards = list(cards_of(customer))
    card = _chosen_card(request, cards)
    items = services.flex_items(card) if card else []
    form = FlexApplyForm(request.POST if request.method == "POST" else None, items=items)
    context = {"cards_form": CardForm(initial={"card": card.pk if card else None}, cards=cards),
               "card": card, "items": items, "trial": None}
    if request.method == "POST" and card is not None and form.is_valid():
        data = form.cleaned_data
        item = selectors.flex_item_get(card, data["item"])
        try:
            principal = services.flex_instal_check(card=card, item=item)
            if request.POST.get("step") == STEP_APPLY:
                operation = services.flex_instal_start(user=request.user, card=card, item=item,
                                                       periods=data["periods"])
                return redirect_to_confirm(operation)
            result = services.instal_trial(principal=principal, periods=data["periods"])
        except BusinessError as exc:
            _error_to(form, exc, {"periods": "periods"})
        else:
            context.update(trial=result, summary=services.trial_summary(result), item=item,
                           periods=data["periods"])
    context["form"] = form
    return render(request, "creditcard/instal/flex_apply.html", context)


# --- 提前终止 ------------------------------------------------------------------------------------


def _listed_card(cards, pk):
    """The query's card among the customer's cards it offered (closed ones included: their
    plans are still the customer's to read); the form already refused any other."""
    return next(card for card in cards if card.pk == pk)



def _terminate_list(request, kind: str):
    customer = request.user.customer
    if request.GET.get("plan"):
        # 选中一条记录 → 提前终止: that plan's confirmation page (the customer's own, else 404).
        plan = selectors.plan_get(customer, request.GET["plan"])
        if plan.kind != kind:
            return redirect(URLS[kind]["terminate"])
        return redirect("creditcard:instal_terminate_plan", pk=plan.pk)
    cards = list(cards_of(customer, include_closed=True))
    query = PlanQueryForm(request.GET or None, cards=cards)
    card = None
    if query.is_bound and query.is_valid() and query.cleaned_data["card"]:
        card = _listed_card(cards, query.cleaned_data["card"])
    plans = selectors.plans_of(customer, kind=kind, card=card, status=InstalmentStatus.ACTIVE)
    return render(request, "creditcard/instal/terminate_list.html", {
        "title": f"{TITLES[kind]}提前终止", "kind": kind, "query": query, "plans": plans,
        "list_url": URLS[kind]["list"]})


@customer_required
@require_GET
def bill_terminate_list(request):
    return _terminate_list(request, InstalmentKind.BILL)


@customer_required
@require_GET
def flex_terminate_list(request):
    return _terminate_list(request, InstalmentKind.FLEX)


@customer_required
@require_http_methods(["GET", "POST"])
def terminate_plan(request, pk: int):
    plan = selectors.plan_get(request.user.customer, pk)
    refusal = ""
    if request.method == "POST":
        try:
            operation = services.instal_terminate_start(user=request.user, plan=plan)
        except BusinessError as exc:
            refusal = exc.message
        else:
            return redirect_to_confirm(operation)
    else:
        try:
            services.terminate_check(plan)
        except BusinessError as exc:
            refusal = exc.message
    return render(request, "creditcard/instal/terminate.html", {
        "title": f"{TITLES[plan.kind]}提前终止", "plan": plan, "refusal": refusal,
        "summary": services.terminate_summary(plan), "note": services.FEE_NOTE,
        "back_url": reverse(URLS[plan.kind]["terminate"])})


# --- 查询 ----------------------------------------------------------------------------------------


def _plan_list(request, kind: str):
    customer = request.user.customer
    cards = list(cards_of(customer, include_closed=True))
    query = PlanQueryForm(request.GET or None, cards=cards)
    card, status = None, ""
    if query.is_bound and query.is_valid():
        if query.cleaned_data["card"]:
            card = _listed_card(cards, query.cleaned_data["card"])
        status = query.cleaned_data["status"]
    plans = selectors.plans_of(customer, kind=kind, card=card, status=status)
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    for plan in page:
        plan.rate_text = f"{plan.fee_rate * 100:.2f}%"
    return render(request, "creditcard/instal/plans.html", {
        "title": f"{TITLES[kind]}查询", "kind": kind, "query": query, "page": page,
        "querystring": querystring_without_page(request)})


@customer_required
@require_GET
def bill_plan_list(request):
    return _plan_list(request, InstalmentKind.BILL)


@customer_required
@require_GET
def flex_plan_list(request):
    return _plan_list(request, InstalmentKind.FLEX)


@customer_required
@require_GET
def plan_detail(request, pk: int):
    plan = selectors.plan_get(request.user.customer, pk)
    table = services.plan_trial(plan)
    rows = []
    for row in table.rows:
        if row.period <= plan.periods_billed:
            state = "已入账"
        elif plan.status == InstalmentStatus.TERMINATED:
            state = "提前终止（本金已一次性入账，手续费不再收取）"
        else:
            state = "未入账"
        rows.append((row, state))
    footer = None
    if plan.status == InstalmentStatus.TERMINATED:
        # 提前终止: all the principal billed, only the fees of the periods billed before it.
        fees = sum((row.fee for row in table.rows[:plan.periods_billed]), services.ZERO)
        footer = {"principal": plan.principal, "total_fee": fees,
                  "total_payment": plan.principal + fees}
    return render(request, "creditcard/instal/plan.html", {
        "title": f"{TITLES[plan.kind]}明细", "plan": plan, "trial": table, "rows": rows,
        "footer": footer,
        "list_url": URLS[plan.kind]["list"],
        "can_terminate": plan.status == InstalmentStatus.ACTIVE and plan.unbilled_principal > 0})
