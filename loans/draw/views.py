"""个人贷款发放 (LN-DRAW): the approvals still drawable, then one approval's page — 发放金额, the
电子借据 in full with its schedule (本人已阅读并同意电子借据), then X-CONFIRM. Nothing moves before the
confirmation."""

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.confirm.selectors import operation_typed
from security.tools.services import tools_live

from . import selectors, services
from .forms import DrawAgreeForm, DrawForm

STEP_IOU, STEP_AGREE = "iou", "agree"


@customer_required
@require_GET
def draw(request):
    """个人贷款发放: the customer's approvals with something left to draw before 发放截止日."""
    today = business_day()
    return render(request, "loans/draw/list.html", {
        "applications": selectors.applications_drawable(customer=request.user.customer,
                                                        today=today),
        "has_tool": bool(tools_live(user=request.user)), "tool_message": TOOL_REQUIRED_MESSAGE})


def _amount_error(form, exc: BusinessError) -> None:
    """A refusal under 发放金额 when it is about the amount, else above the form."""
    form.add_error("amount" if exc.code == "amount" else None, exc.message)


@customer_required
@require_http_methods(["GET", "POST"])
def draw_form(request, pk: int):
    """One approval: 发放金额 → the 电子借据 (step ``iou``) → agreed (step ``agree``) → X-CONFIRM."""
    application = selectors.application_get_for_customer(customer=request.user.customer, pk=pk)
    today = business_day()
    tools = tools_live(user=request.user)
    refusal = services.draw_refusal(application, today)
    context = {"application": application, "refusal": refusal, "has_tool": bool(tools),
               "tool_message": TOOL_REQUIRED_MESSAGE, "iou": None}
    step = request.POST.get("step") if request.method == "POST" else None
    if step == STEP_AGREE and not refusal and tools:
        agree_form = DrawAgreeForm(request.POST)
        amount_form = DrawForm(request.POST)
        if amount_form.is_valid():
            amount = amount_form.cleaned_data["amount"]
            try:
                iou = services.draw_preview(application=application, amount=amount, today=today)
                if agree_form.is_valid():
                    operation = services.draw_start(user=request.user, application=application,
                                                    amount=amount, tools=tools)
                    return redirect_to_confirm(operation)
            except BusinessError as exc:
                _amount_error(amount_form, exc)
            else:
                context.update(iou=iou, agree_form=agree_form)
        context["form"] = amount_form
    elif step == STEP_IOU and not refusal and tools:
        amount_form = DrawForm(request.POST)
        if amount_form.is_valid():
            amount = amount_form.cleaned_data["amount"]
            try:
                iou = services.draw_preview(application=application, amount=amount, today=today)
            except BusinessError as exc:
                _amount_error(amount_form, exc)
            else:
                context.update(iou=iou, agree_form=DrawAgreeForm(
                    initial={"amount": f"{amount:.2f}"}))
        context["form"] = amount_form
    else:
        typed = operation_typed(request=request, kind=services.KIND_DRAW) or {}
        amount = (typed.get("amount") if typed.get("application") == application.pk
                  else f"{application.available:.2f}")
        context["form"] = DrawForm(initial={"amount": amount})
    return render(request, "loans/draw/form.html", context)
