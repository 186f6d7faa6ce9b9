"""Reads of 协议管理, always through the logged-in customer."""

from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Customer, LinkedMedium

from ..models import QuickPayAgreement, QuickPayDebit


def quickpay_linked_media(*, customer: Customer) -> list[LinkedMedium]:
    return list(LinkedMedium.objects.filter(customer=customer).select_related("medium")
                .order_by("position"))


def quickpay_agreements_for(*, customer: Customer, medium_id: int | None = None,
                            status: str = "") -> QuerySet[QuickPayAgreement]:
    rows = QuickPayAgreement.objects.filter(customer=customer).select_related("medium")
    if medium_id:
        rows = rows.filter(medium_id=medium_id)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-signed_at", "-id")


def quickpay_agreement_for(*, customer: Customer, pk: int) -> QuickPayAgreement:
    """The customer's agreement, else a 404 (another customer's too)."""
    agreement = (QuickPayAgreement.objects.select_related("medium")
                 .filter(pk=pk, customer=customer).first())
    if agreement is None:
        raise Http404("协议不存在")
    return agreement


def quickpay_debits_of(*, agreement: QuickPayAgreement, date_from: date | None = None,
                       date_to: date | None = None) -> QuerySet[QuickPayDebit]:
    """The agreement's debits, newest first, of the business dates ``date_from``–``date_to``
    (inclusive; the index (agreement, business_date) serves the range)."""
    rows = QuickPayDebit.objects.filter(agreement=agreement)
    if date_from:
        rows = rows.filter(business_date__gte=date_from)
    if date_to:
        rows = rows.filter(business_date__lte=date_to)
    return rows.order_by("-created_at", "-id")
