"""Reads of 协议管理, always through the logged-in customer."""

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


def quickpay_debits_of(*, agreement: QuickPayAgreement) -> QuerySet[QuickPayDebit]:
    return QuickPayDebit.objects.filter(agreement=agreement).order_by("-created_at", "-id")
