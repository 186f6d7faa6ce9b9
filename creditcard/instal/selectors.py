"""Reads of 账单分期管理, scoped to the customer (another customer's plan is a 404)."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Customer

from ..models import CardItem, InstalmentPlan
from ..selectors import cards_of


def plans_of(customer: Customer, *, kind: str, card=None, status: str = "") -> QuerySet:
    plans = InstalmentPlan.objects.filter(card__in=cards_of(customer, include_closed=True),
                                          kind=kind)
    if card is not None:
        plans = plans.filter(card=card)
    if status:
        plans = plans.filter(status=status)
    return plans.select_related("card__medium", "statement", "item").order_by("-applied_on",
                                                                             "-pk")


def plan_get(customer: Customer, pk) -> InstalmentPlan:
    try:
        return (InstalmentPlan.objects.select_related("card__medium", "statement", "item")
                .get(pk=int(pk), card__in=cards_of(customer, include_closed=True)))
    except (InstalmentPlan.DoesNotExist, TypeError, ValueError):
        raise Http404("没有这笔分期") from None


def flex_item_get(card, pk) -> CardItem:
    try:
        return CardItem.objects.get(pk=int(pk), card=card)
    except (CardItem.DoesNotExist, TypeError, ValueError):
        raise Http404("没有这笔消费") from None
