"""Pages of 自助缴费 (one per BillKind: 查询 → 反显 and 缴费账户/金额 → X-CONFIRM) and of
缴费记录查询 (list and detail)."""

from datetime import timedelta
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.payers import payer_accounts
from ebank.core.errors import BusinessError
from ebank.core.money import format_cny
from ebank.core.web import customer_required, querystring_without_page, redirect_to_confirm
from payments.numbers import customer_no_label

from ..models import BillKind, BillPaymentStatus
from . import selectors, services
from .forms import NumberForm, PayForm, RecordQueryForm

PAGE_SIZE = 20
STEP_QUERY, STEP_PAY = "query", "pay"


# A biller's answer older than this is asked again (the amount owed may have changed).
QUOTE_TTL = timedelta(minutes=15)


def _session_key(kind: str) -> str:
    return f"payments.bill.{kind}"


def _quote_keep(request, quote: services.Quote) -> None:
    """Step 2's state: the biller's answer, whose it is and when it was given."""
    request.session[_session_key(quote.kind)] = {
        "customer_id": request.user.customer_id, "at": timezone.now().timestamp(),
        "quote": quote.as_session()}


def _quote_kept(request, kind: str) -> "services.Quote | None":
    """The answer kept for ``kind`` — None when there is none, it is another customer's, or
    it is older than :data:`QUOTE_TTL`."""
    kept = request.session.get(_session_key(kind))
    if not isinstance(kept, dict) or kept.get("customer_id") != request.user.customer_id:
        return None
    at = kept.get("at")
    if not isinstance(at, int | float):
        return None
    age = timezone.now().timestamp() - at
    if not 0 <= age <= QUOTE_TTL.total_seconds():
        return None
    return services.Quote.from_session(kept.get("quote") or {})


def _kind_or_404(kind: str) -> str:
    if kind not in BillKind.values:
        raise Http404("缴费类型不存在")
    return kind


def _accounts(customer) -> list:
    return payer_accounts(customer=customer)


def _render(request, kind, *, number_form, quote=None, pay_form=None, status=200):
    return render(request, "payments/bills/pay.html", {
        "kind": kind, "title": BillKind(kind).label, "number_form": number_form,
        "quote": quote, "quote_lines": services.quote_lines(quote) if quote else [],
        "tax_lines": [(name, format_cny(Decimal(amount))) for name, amount in quote.tax_lines]
        if quote else [], "pay_form": pay_form,
        "is_tax": kind == BillKind.TAX, "fixed": services.amount_fixed(kind),
        "number_label": customer_no_label(kind),
    }, status=status)


@customer_required
@require_http_methods(["GET", "POST"])
def pay(request, kind: str):
    kind = _kind_or_404(kind)
    customer = request.user.customer
    step = request.POST.get("step") if request.method == "POST" else None
    if step == STEP_PAY:
        return _pay_step(request, kind)
    if step == STEP_QUERY:
        number_form = NumberForm(request.POST, kind=kind)
        if number_form.is_valid():
            try:
                quote = services.bill_query(customer=customer, kind=kind,
                                            customer_no=number_form.cleaned_data["customer_no"])
            except BusinessError as exc:
                number_form.add_error("customer_no", exc.message)
            else:
                _quote_keep(request, quote)
                pay_form = PayForm(accounts=_accounts(customer), fixed=quote.fixed,
                                   initial={"account": request.GET.get("account", "")})
                return _render(request, kind, number_form=number_form, quote=quote,
                               pay_form=pay_form)
        return _render(request, kind, number_form=number_form)
    # GET: step 1, prefilled from ?no= (缴费登记簿) and ?account=.
    number_form = NumberForm(kind=kind, initial={"customer_no": request.GET.get("no", "")})
    return _render(request, kind, number_form=number_form)


def _pay_step(request, kind: str):
    customer = request.user.customer
    quote = _quote_kept(request, kind)
    number_form = NumberForm(kind=kind, initial={
        "customer_no": quote.customer_no if quote else request.POST.get("customer_no", "")})
    if (quote is None or quote.kind != kind
            or request.POST.get("customer_no", "") != quote.customer_no):
        # No answer kept (or a stale one), or another tab queried another number since:
        # ask again.
        number_form = NumberForm({"customer_no": request.POST.get("customer_no", "")}, kind=kind)
        number_form.is_valid()
        number_form.add_error(None, services.REQUERY)
        return _render(request, kind, number_form=number_form)
    pay_form = PayForm(request.POST, accounts=_accounts(customer), fixed=quote.fixed)
    if pay_form.is_valid():
        try:
            operation = services.bill_pay_start(
                user=request.user, quote=quote, sub_account_id=pay_form.cleaned_data["account"],
                amount=pay_form.cleaned_data.get("amount"))
        except BusinessError as exc:
            field = "amount" if exc.code == "amount" and "amount" in pay_form.fields else None
            pay_form.add_error(field, exc.message)
        else:
            return redirect_to_confirm(operation)
    return _render(request, kind, number_form=number_form, quote=quote, pay_form=pay_form)


@customer_required
@require_GET
def records(request):
    query = RecordQueryForm(request.GET)
    rows = []
    if query.is_valid():
        data = query.cleaned_data
        rows = selectors.bill_payments_for_customer(
            customer=request.user.customer, date_from=data["date_from"],
            date_to=data["date_to"], kind=data["kind"], status=data["status"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for payment in page:
        payment.number_label = customer_no_label(payment.kind)
    return render(request, "payments/bills/records.html", {
        "query": query, "page": page, "querystring": querystring_without_page(request),
        "paid": BillPaymentStatus.PAID, "reversed": BillPaymentStatus.REVERSED,
    })


@customer_required
@require_GET
def record(request, number: str):
    payment = selectors.bill_payment_get_for_customer(customer=request.user.customer,
                                                      number=number)
    return render(request, "payments/bills/record.html", {
        "payment": payment, "number_label": customer_no_label(payment.kind),
        "receipt_url": selectors.payment_receipt_url(payment),
        "paid": BillPaymentStatus.PAID, "reversed": BillPaymentStatus.REVERSED,
        "tax_notice": services.TAX_NOTICE if payment.kind == BillKind.TAX else "",
    })
