"""Reads of 个人贷款申请: the products on sale and the customer's own applications (another
customer's application is a 404)."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Customer

from ..models import LoanApplication, LoanProduct


def products_on_sale() -> list[LoanProduct]:
    return list(LoanProduct.objects.filter(on_sale=True).order_by("code"))


def applications_of(customer: Customer) -> QuerySet[LoanApplication]:
    return (LoanApplication.objects.filter(customer=customer)
            .select_related("product", "repayment_account__medium")
            .order_by("-applied_at", "-id"))


def application_get(customer: Customer, number: str) -> LoanApplication:
    """The customer's application by its 申请编号; anything else → 404."""
    try:
        return applications_of(customer).get(number=number)
    except LoanApplication.DoesNotExist as exc:
        raise Http404("贷款申请不存在") from exc
