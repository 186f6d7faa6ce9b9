"""柜面业务 pages of the staff admin (served by ``StaffAdminSite`` under ``/admin/counter/``).

find customer (by ID or card; POST, so no ID number lands in a URL or an access log)
→ the customer's 柜面业务 menu → one action's form → the service → the result page with the
业务受理单 (PDF download: GET, no state change). Every page is scoped to the teller's branch
(another branch's customer or slip is a 404) and every service re-checks it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from accounts.models import Customer, Medium
from accounts.services import customer_find_by_id_number
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_phone
from security.models import CounterAction, CounterReceipt, ToolKind, User, UserStatus
from security.staff.counter import forms as counter_forms
from security.staff.counter import services as counter
from security.staff.counter.common import counter_refusal_record
from security.staff.counter.pdf import counter_receipt_pdf

from .scoping import customer_get_for_staff, customers_visible_to, scope_queryset

NOT_REGISTERED = "none"


@dataclass(frozen=True)
class ActionSpec:
    form: type[counter_forms.IdentityForm]
    run: Callable[[User, Customer, dict], CounterReceipt]
    # The 网银状态 in which the menu offers the action (NOT_REGISTERED: no live login).
    offered_in: tuple[str, ...]
    note: str = ""


def _identity(data: dict) -> dict:
    return {key: data[key] for key in ("id_type", "id_number", "id_copy_received")}


ACTIVE, SUSPENDED = UserStatus.ACTIVE.value, UserStatus.SUSPENDED.value

ACTIONS: dict[str, ActionSpec] = {
    CounterAction.REGISTER: ActionSpec(
        counter_forms.RegisterForm,
        lambda staff, customer, d: counter.counter_register(
            acting_user=staff, customer=customer, medium=d["medium"], **_identity(d),
            initial_password=d["initial_password"], tool_kind=d["tool_kind"] or None,
            cert_password=d["cert_password"] or None),
        (NOT_REGISTERED,), "首次登录名为所选卡号；首次登录须修改登录密码。"),
    CounterAction.QUERY: ActionSpec(
        counter_forms.IdentityForm,
        lambda staff, customer, d: counter.counter_query(
            acting_user=staff, customer=customer, **_identity(d)),
        (NOT_REGISTERED, ACTIVE, SUSPENDED)),
    CounterAction.CANCEL: ActionSpec(
        counter_forms.IdentityForm,
        lambda staff, customer, d: counter.counter_cancel(
            acting_user=staff, customer=customer, **_identity(d)),
        (ACTIVE, SUSPENDED), "注销后安全认证工具同时注销，关联账户解除。"),
    CounterAction.SUSPEND: ActionSpec(
        counter_forms.IdentityForm,
        lambda staff, customer, d: counter.counter_suspend(
            acting_user=staff, customer=customer, **_identity(d)),
        (ACTIVE,), "暂停期间客户除注销外不能办理其他网上银行业务。"),
    CounterAction.RESUME: ActionSpec(
        counter_forms.IdentityForm,
        lambda staff, customer, d: counter.counter_resume(
            acting_user=staff, customer=customer, **_identity(d)),
        (SUSPENDED,)),
    CounterAction.TOOL_ISSUE: ActionSpec(
        counter_forms.ToolIssueForm,
        lambda staff, customer, d: counter.counter_tool_issue(
            acting_user=staff, customer=customer, **_identity(d), kind=d["kind"],
            fee_medium=d["fee_medium"], cert_password=d["cert_password"] or None),
        (ACTIVE,), "工本费从扣费账户的活期主账户扣收，同时登记领取登记簿。"),
    CounterAction.TOOL_REPLACE: ActionSpec(
        counter_forms.ToolReplaceForm,
        lambda staff, customer, d: counter.counter_tool_replace(
            acting_user=staff, customer=customer, **_identity(d), kind=d["kind"],
            reason=d["reason"], fee_medium=d["fee_medium"],
            cert_password=d["cert_password"] or None),
        (ACTIVE,), "原工具立即停用；更换比照申领收取工本费。"),
    CounterAction.TOOL_CANCEL: ActionSpec(
        counter_forms.ToolCancelForm,
        lambda staff, customer, d: counter.counter_tool_cancel(
            acting_user=staff, customer=customer, **_identity(d), kind=d["kind"]),
        (ACTIVE,)),
    CounterAction.TOOL_UNLOCK: ActionSpec(
        counter_forms.IdentityForm,
        lambda staff, customer, d: counter.counter_tool_unlock(
            acting_user=staff, customer=customer, **_identity(d)),
        (ACTIVE,), "USBKey证书密码连续错误6次锁定，须柜面解锁。"),
    CounterAction.PASSWORD_RESET: ActionSpec(
        counter_forms.PasswordResetForm,
        lambda staff, customer, d: counter.counter_password_reset(
            acting_user=staff, customer=customer, **_identity(d),
            new_password=d["new_password"]),
        (ACTIVE,), "重置后客户下次登录须修改密码，登录锁定同时解除。"),
    CounterAction.LOGIN_UNLOCK: ActionSpec(
        counter_forms.IdentityForm,
        lambda staff, customer, d: counter.counter_login_unlock(
            acting_user=staff, customer=customer, **_identity(d)),
        (ACTIVE,)),
}

# Actions after which the customer may leave with a new digital token: show its key once.
TOKEN_ACTIONS = (CounterAction.REGISTER, CounterAction.TOOL_ISSUE, CounterAction.TOOL_REPLACE)


def _user_state(customer: Customer) -> str:
    user = User.objects.filter(customer=customer).only("status").first()
    if user is None or user.status == UserStatus.CANCELLED:
        return NOT_REGISTERED
    return user.status


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
    state = _user_state(customer)
    offered = [(action, CounterAction(action).label) for action, spec in ACTIONS.items()
               if state in spec.offered_in]
    receipts = CounterReceipt.objects.filter(customer=customer).select_related("staff")[:10]
    return TemplateResponse(request, "admin/counter/menu.html", _context(
        site, request, f"柜面业务：{customer.name}", customer=customer,
        phone_masked=mask_phone(customer.phone), offered=offered, receipts=receipts,
        registration=counter.registration_items(customer=customer)))


def customer_action(request, site, customer_id, action):
    customer = customer_get_for_staff(staff=request.user, customer_id=customer_id)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("业务不存在")
    form = spec.form(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = spec.run(request.user, customer, form.cleaned_data)
        except BusinessError as exc:
            counter_refusal_record(acting_user=request.user, customer=customer, action=action,
                                   reason=exc.message)
            form.add_error(None, exc.message)
        except PermissionDenied as exc:
            counter_refusal_record(acting_user=request.user, customer=customer, action=action,
                                   reason=str(exc))
            raise
        else:
            chosen = form.cleaned_data.get("kind") or form.cleaned_data.get("tool_kind")
            if action in TOKEN_ACTIONS and chosen == ToolKind.TOKEN:
                _remember_token_secret(request, customer, receipt)
            messages.success(request, f"{CounterAction(action).label}办理成功，请打印业务受理单")
            return redirect("admin:counter_receipt", number=receipt.number)
    return TemplateResponse(request, "admin/counter/action.html", _context(
        site, request, CounterAction(action).label, customer=customer, form=form,
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
