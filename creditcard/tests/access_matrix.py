"""The access matrix's factories for creditcard's URLs (tests/test_access_matrix.py).

Each makes the object for ``owner`` (a User) and returns the URL's kwargs.
"""


def _statement(owner):
    """账户管理: a statement of a card of the owner's."""
    from creditcard.tests.account_support import linked_card_for, statement_make

    card = linked_card_for(owner.customer)
    return {"pk": statement_make(card).pk}


def _instalment_plan(owner):
    """账单分期管理: a 灵活分期 plan on a card of the owner's."""
    from datetime import date
    from decimal import Decimal

    from accounts.demo import DEMO_PIN
    from creditcard.cards import card_issue
    from creditcard.models import InstalmentKind, InstalmentPlan

    card = card_issue(customer=owner.customer, credit_limit=Decimal("20000.00"), statement_day=5,
                      issued_on=date(2026, 1, 2), pin=DEMO_PIN)
    plan = InstalmentPlan.objects.create(
        card=card, kind=InstalmentKind.FLEX, principal=Decimal("3000.00"), periods=3,
        fee_rate=Decimal("0.0075"), period_principal=Decimal("1000.00"),
        period_fee=Decimal("22.50"), apr=Decimal("13.45"), applied_on=date(2026, 2, 10),
        unbilled_principal=Decimal("3000.00"), reference=f"FQMATRIX{owner.pk:010d}")
    return {"pk": plan.pk}


OBJECT_URLS = {
    "creditcard:statement": _statement,
    "creditcard:statement_pdf": _statement,
    "creditcard:statement_xlsx": _statement,
    "creditcard:instal_plan": _instalment_plan,
    "creditcard:instal_terminate_plan": _instalment_plan,
}
