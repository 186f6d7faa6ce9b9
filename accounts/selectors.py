"""Reads of the customer-side model. Anything a URL names is looked up through its customer."""

from django.db.models import QuerySet

from .models import Branch, Customer, SubAccount, SubAccountKind


def branch_list() -> QuerySet[Branch]:
    return Branch.objects.select_related("bank").order_by("-is_head_office", "code")


def sub_account_get_for_customer(*, customer: Customer, number: str) -> SubAccount:
    """The customer's sub-account by its number (``<medium>-<seq>``); another customer's → 404."""
    from django.http import Http404

    medium_number, _, seq = number.rpartition("-")
    try:
        return SubAccount.objects.select_related("medium", "ledger_account").get(
            medium__customer=customer, medium__number=medium_number, seq=int(seq)
        )
    except (SubAccount.DoesNotExist, ValueError) as exc:
        raise Http404("账户不存在") from exc


def current_main_account(*, medium_number: str) -> SubAccount:
    """The 活期主账户 of a medium (what a card number means as a payee)."""
    return SubAccount.objects.select_related("medium", "ledger_account").get(
        medium__number=medium_number, kind=SubAccountKind.CURRENT_MAIN
    )
