"""Pages of 电子回单查询 and 电子回单校验 (thin: forms validate, selectors read).

Every page is for a logged-in customer (the session middleware has already turned staff into
anonymous users and logged out suspended ones); receipts are looked up through the customer, so
another customer's receipt is a 404. Nothing here writes: 校验 is a POST only because the
elements typed should not land in URLs and access logs.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Customer
from ebank.core.web import querystring_without_page

from . import excel, pdf, selectors
from .forms import ReceiptQueryForm, ReceiptVerifyForm
from .services import receipt_verify

PAGE_SIZE = 20


def _customer(request) -> Customer:
    customer = getattr(request.user, "customer", None)
    if customer is None:
        raise PermissionDenied("仅限网银客户使用")
    return customer


def _query(request, customer: Customer) -> ReceiptQueryForm:
    data = request.GET.copy()
    data.setdefault("period", selectors.Period.DEFAULT)
    form = ReceiptQueryForm(data, accounts=selectors.receipt_accounts(customer=customer),
                            today=timezone.localdate())
    form.is_valid()
    return form


def _receipts(form: ReceiptQueryForm, customer: Customer):
    if form.errors:
        return None
    return selectors.receipts_for_customer(
        customer=customer, date_from=form.cleaned_data["date_from"],
        date_to=form.cleaned_data["date_to"], sub_account_ids=form.sub_account_ids())


@login_required
@require_GET
def receipt_list(request):
    customer = _customer(request)
    form = _query(request, customer)
    receipts = _receipts(form, customer)
    page = Paginator(receipts if receipts is not None else [], PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "accounts/receipts/list.html", {
        "form": form, "page": page,
        "rows": [selectors.receipt_row(receipt) for receipt in page.object_list],
        "date_from": form.cleaned_data.get("date_from") if not form.errors else None,
        "date_to": form.cleaned_data.get("date_to") if not form.errors else None,
        "querystring": querystring_without_page(request),
    })


@login_required
@require_GET
def receipts_excel(request):
    customer = _customer(request)
    form = _query(request, customer)
    receipts = _receipts(form, customer)
    if receipts is None:
        # Same page, same message, what was chosen kept: the download link carries the query.
        return receipt_list(request)
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    content = excel.receipts_workbook(
        receipts=receipts.iterator(),
        title=f"电子回单 {customer.name} {start:%Y-%m-%d} 至 {end:%Y-%m-%d}")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="receipts-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"')
    return response


@login_required
@require_GET
def receipt_detail(request, number: str):
    receipt = selectors.receipt_get_for_customer(customer=_customer(request), number=number)
    return render(request, "accounts/receipts/detail.html",
                  selectors.receipt_document(receipt=receipt))


@login_required
@require_GET
def receipt_pdf(request, number: str):
    receipt = selectors.receipt_get_for_customer(customer=_customer(request), number=number)
    response = HttpResponse(pdf.receipt_pdf(receipt=receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{receipt.number}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def receipt_verify_page(request):
    form = ReceiptVerifyForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = {
            "genuine": receipt_verify(
                number=data["number"], posted_at=data["posted_at"],
                payer_account=data["payer_account"], payer_name=data["payer_name"],
                payee_account=data["payee_account"], payee_name=data["payee_name"],
                amount=data["amount"], purpose=data["purpose"],
                verification_code=data["verification_code"]),
            "number_on_record": selectors.receipt_number_exists(number=data["number"]),
        }
    return render(request, "accounts/receipts/verify.html", {"form": form, "result": result})
