"""柜面业务 pages of the staff admin (served by ``StaffAdminSite`` under ``/admin/counter/``).

find customer (by ID or card; POST, so no ID number lands in a URL or an access log)
→ the customer's 柜面业务 menu → one action's form → the service → the result page with the
业务受理单 (PDF download: GET, no state change). Every page is scoped to the teller's branch
(another branch's customer or slip is a 404) and every service re-checks it.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from ebank.core.errors import BusinessError
from ebank.core.masking import mask_phone
from security.models import ApprovalRequest, CounterReceipt, ToolKind, User
from security.staff.counter import forms as counter_forms
from security.staff.counter.actions import (
    TOKEN_ACTIONS,
    counter_action_get,
    counter_actions_applicable,
)
from security.staff.counter.common import counter_refusal_record
from security.staff.counter.pdf import counter_receipt_pdf
from security.staff.counter.selectors import (
    FIND_LIMIT,
    customer_page_read,
    customers_find,
    ebank_status_label,
)
from security.staff.counter.services import login_name_shown
from security.staff.counter.state import customer_state_read

from .scoping import customer_get_for_staff, scope_queryset


def _context(site, request, title: str, **extra) -> dict:
    return {**site.each_context(request), "title": title, **extra}


def _receipt_for_staff(staff, number: str) -> CounterReceipt:
    receipts = scope_queryset(CounterReceipt.objects.select_related("customer", "branch",
                                                                    "staff"),
                              staff=staff, branch_path="customer__branch")
    try:
        return receipts.get(number=number)
    except CounterReceipt.DoesNotExist as exc:
        raise Http404("受理单不存在") from exc


def customer_find(request, site):
    form = counter_forms.CustomerFindForm(request.POST or None)
    found, more = [], False
    if request.method == "POST" and form.is_valid():
        found, more = customers_find(staff=request.user, id_type=form.cleaned_data["id_type"],
                                     text=form.cleaned_data["query"])
        if len(found) == 1:
            return redirect("admin:counter_menu", customer_id=found[0].customer.pk)
        if not found:
            form.add_error(None, "未找到符合条件的客户，请核对卡号/账号、证件号码、姓名或手机号"
                                 "（只能查找本行社的客户）")
    return TemplateResponse(request, "admin/counter/find.html", _context(
        site, request, "柜面业务", form=form, found=found, more=more, limit=FIND_LIMIT))


def customer_menu(request, site, customer_id):
    customer = customer_get_for_staff(staff=request.user, customer_id=customer_id)
    state = customer_state_read(customer=customer)
    page = customer_page_read(state=state)
    offered = [(spec.code, spec.label) for spec in counter_actions_applicable(state)]
    return TemplateResponse(request, "admin/counter/menu.html", _context(
        site, request, f"柜面业务：{customer.name}", customer=customer, state=state, page=page,
        phone_masked=mask_phone(customer.phone), offered=offered,
        ebank_status=ebank_status_label(state.user),
        login_name=login_name_shown(state.user) if state.user else ""))


def customer_action(request, site, customer_id, action):
    customer = customer_get_for_staff(staff=request.user, customer_id=customer_id)
    spec = counter_action_get(action)
    if spec is None:
        raise Http404("业务不存在")
    state = customer_state_read(customer=customer)
    if not spec.applies(state):
        # Reached by URL or a crafted POST: nothing runs, the teller is told why.
        messages.error(request, f"当前不能办理{spec.label}：{spec.unavailable}")
        return redirect("admin:counter_menu", customer_id=customer.pk)
    form = spec.form(request.POST or None, customer=customer, state=state)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = spec.run(request.user, customer, form.cleaned_data)
        except BusinessError as exc:
            counter_refusal_record(acting_user=request.user, customer=customer,
                                   action=spec.code, reason=exc.message)
            form.add_error(None, exc.message)
        except PermissionDenied as exc:
            counter_refusal_record(acting_user=request.user, customer=customer,
                                   action=spec.code, reason=str(exc))
            raise
        else:
            if isinstance(receipt, ApprovalRequest):  # it waits for 复核 (the slip comes then)
                messages.success(request, f"{spec.label}已提交复核，请主管复核；"
                                          "复核通过后打印业务受理单")
                return redirect("admin:security_approvalrequest_change", receipt.pk)
            chosen = form.cleaned_data.get("kind") or form.cleaned_data.get("tool_kind")
            if action in TOKEN_ACTIONS and chosen == ToolKind.TOKEN:
                _remember_token_secret(request, customer, receipt)
            messages.success(request, f"{spec.label}办理成功，请打印业务受理单")
            return redirect("admin:counter_receipt", number=receipt.number)
    return TemplateResponse(request, "admin/counter/action.html", _context(
        site, request, spec.label, customer=customer, form=form,
        action=action, note=spec.note))


def _remember_token_secret(request, customer, receipt) -> None:
    """A new digital token's key is shown once, on the result page right after the action."""
    from security.tools import services as tools

    user = User.objects.get(customer=customer)
    tool = tools.tool_for(user=user, kind=ToolKind.TOKEN)
    if tool is not None:
        request.session[f"counter_token_secret:{receipt.number}"] = tools.token_secret_base32(
            tool=tool)


def receipt_detail(request, site, number):
    receipt = _receipt_for_staff(request.user, number)
    secret = request.session.pop(f"counter_token_secret:{receipt.number}", None)
    response = TemplateResponse(request, "admin/counter/result.html", _context(
        site, request, f"业务受理单 {receipt.number}", receipt=receipt,
        detail=receipt.detail, token_secret=secret,
        menu_url=reverse("admin:counter_menu", kwargs={"customer_id": receipt.customer_id})))
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@require_GET
def receipt_pdf(request, site, number):
    receipt = _receipt_for_staff(request.user, number)
    response = HttpResponse(counter_receipt_pdf(receipt=receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{receipt.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def urlpatterns(site) -> list:
    def bind(view):
        def bound(request, **kwargs):
            return view(request, site, **kwargs)

        bound.__name__ = view.__name__
        return site.admin_view(bound)

    return [
        path("counter/", bind(customer_find), name="counter_find"),
        path("counter/customer/<int:customer_id>/", bind(customer_menu), name="counter_menu"),
        path("counter/customer/<int:customer_id>/<slug:action>/", bind(customer_action),
             name="counter_action"),
        path("counter/receipt/<str:number>/", bind(receipt_detail), name="counter_receipt"),
        path("counter/receipt/<str:number>/pdf/", bind(receipt_pdf), name="counter_receipt_pdf"),
    ]
