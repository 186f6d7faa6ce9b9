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

from accounts.models import Medium
from accounts.services import customer_find_by_id_number
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_phone
from security.models import ApprovalRequest, CounterReceipt, ToolKind, User
from security.staff.counter import forms as counter_forms
from security.staff.counter import services as counter
from security.staff.counter.actions import (
    TOKEN_ACTIONS,
    counter_action_get,
    counter_actions_applicable,
)
from security.staff.counter.common import counter_refusal_record
from security.staff.counter.pdf import counter_receipt_pdf
from security.staff.counter.state import customer_state_read

from .scoping import customer_get_for_staff, customers_visible_to, scope_queryset


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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = None
        if data["id_number"]:
            found = customer_find_by_id_number(id_type=data["id_type"], id_number=data["id_number"])
        elif data["card_number"]:
            medium = Medium.objects.filter(number=data["card_number"].strip()).first()
            found = medium.customer if medium else None
        if found is not None and customers_visible_to(request.user).filter(pk=found.pk).exists():
            return redirect("admin:counter_menu", customer_id=found.pk)
        form.add_error(None, "本行社未找到该客户，请核对证件号码或卡号")
    return TemplateResponse(request, "admin/counter/find.html",
                            _context(site, request, "柜面业务", form=form))


def customer_menu(request, site, customer_id):
    customer = customer_get_for_staff(staff=request.user, customer_id=customer_id)
    state = customer_state_read(customer=customer)
    offered = [(spec.code, spec.label) for spec in counter_actions_applicable(state)]
    receipts = CounterReceipt.objects.filter(customer=customer).select_related("staff")[:10]
    return TemplateResponse(request, "admin/counter/menu.html", _context(
        site, request, f"柜面业务：{customer.name}", customer=customer,
        phone_masked=mask_phone(customer.phone), offered=offered, receipts=receipts,
        registration=counter.registration_items(customer=customer)))


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
