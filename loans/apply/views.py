"""个人贷款申请 (LN-APPLY): the application form (filed only through the confirmation, X-CONFIRM
with a USBKey or 数字令牌) and 我的贷款申请 with its 撤销."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.payers import payer_accounts
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.proxy import client_ip
from ebank.core.web import customer_required, querystring_without_page, redirect_to_confirm
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.confirm.selectors import operation_typed
from security.tools.services import tools_live

from ..models import ApplicationStatus
from ..review.services import checking_lapsed
from ..rules import lpr_on
from . import selectors
from .forms import FIELDS, ApplyForm
from .services import KIND_APPLY, application_withdraw, apply_start, months_text

PAGE_SIZE = 10


def _shelf_rows(products):
    """Each product with its terms, purposes and the rate from its shortest term today."""
    today = business_day()
    rows = []
    for product in products:
        try:
            rate = lpr_on(product.term_list[0], today) + product.spread if product.term_list \
                else None
        except BusinessError:
            rate = None
        rows.append({"product": product, "terms": months_text(product.term_list),
                     "purposes": "、".join(product.purpose_list), "rate": rate})
    return rows


@customer_required
@require_http_methods(["GET", "POST"])
def apply(request):
    customer = request.user.customer
    has_tool = bool(tools_live(user=request.user))
    products = selectors.products_on_sale()
    accounts = payer_accounts(customer=customer)
    typed = operation_typed(request=request, kind=KIND_APPLY) or {}
    initial = {name: str(typed[name]) for name in FIELDS if name in typed}
    if not initial and request.GET.get("product", "").isdigit():
        initial = {"product": request.GET["product"]}
    form = ApplyForm(request.POST if request.method == "POST" else None, initial=initial,
                     customer=customer, products=products, accounts=accounts)
    if request.method == "POST" and has_tool and form.is_valid():
        try:
            operation = apply_start(user=request.user, terms=form.terms)
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "loans/apply/apply.html", {
        "form": form, "has_tool": has_tool, "tool_message": TOOL_REQUIRED_MESSAGE,
        "accounts": accounts, "shelf": _shelf_rows(products)})


def _shown_status(application) -> str:
    """The customer's word for the state: 审批中 until the bank decides (待审批, 待复核, and a 复核
    that ended without 批准, which is 待审批 again: the bank's inner steps are not the
    customer's)."""
    if application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.CHECKING):
        return "审批中"
    return application.get_status_display()


@customer_required
@require_GET
def applications(request):
    rows = selectors.applications_of(request.user.customer).select_related("approval_request")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for application in page:
        application.shown_status = _shown_status(application)
        application.withdrawable = (application.status == ApplicationStatus.SUBMITTED
                                    or checking_lapsed(application))
    return render(request, "loans/apply/applications.html", {
        "page": page, "querystring": querystring_without_page(request),
        "approved": ApplicationStatus.APPROVED, "rejected": ApplicationStatus.REJECTED,
        "expired": ApplicationStatus.EXPIRED})


@customer_required
@require_POST
def withdraw(request, number: str):
    selectors.application_get(request.user.customer, number)   # another's: 404
    try:
        application_withdraw(user=request.user, number=number, ip=client_ip(request))
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"贷款申请{number}已撤销")
    return redirect("loans:applications")
