"""个人贷款查询 (LN-QUERY): every 借据 of the customer, one 借据 in full (its 电子借据, schedule,
repayments, nightly deductions and the periods a prepayment retired), its schedule as PDF and
Excel."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ebank.core.clock import business_day
from ebank.core.web import customer_required, download

from ..iou import draw_receipt_url
from ..models import LoanStatus
from . import exports, selectors


def repay_url(loan) -> str | None:
    """个人贷款还款 of ``loan`` while the 借据 still owes."""
    if loan.status == LoanStatus.SETTLED:
        return None
    return reverse("loans:repay_form", args=[loan.pk])


@customer_required
@require_GET
def loan_list(request):
    customer = request.user.customer
    loans = list(selectors.loans_of(customer))
    return render(request, "loans/query/list.html", {
        "rows": [(loan, repay_url(loan)) for loan in loans],
        "applications_url": reverse("loans:applications"),
        "applications_count": selectors.applications_count(customer)})


@customer_required
@require_GET
def detail(request, pk: int):
    loan = selectors.loan_get_for_customer(customer=request.user.customer, pk=pk)
    return render(request, "loans/query/detail.html", {
        "document": selectors.loan_document(loan, business_day()),
        "repay_url": repay_url(loan), "draw_receipt_url": draw_receipt_url(loan)})


@customer_required
@require_GET
def schedule_pdf(request, pk: int):
    loan = selectors.loan_get_for_customer(customer=request.user.customer, pk=pk)
    document = selectors.loan_document(loan, business_day(), history=False)
    return download(exports.schedule_pdf(document), content_type="application/pdf",
                    filename=exports.schedule_filename(document, "pdf"))


@customer_required
@require_GET
def schedule_xlsx(request, pk: int):
    loan = selectors.loan_get_for_customer(customer=request.user.customer, pk=pk)
    document = selectors.loan_document(loan, business_day(), history=False)
    return download(exports.schedule_xlsx(document), content_type=exports.XLSX_TYPE,
                    filename=exports.schedule_filename(document, "xlsx"))
