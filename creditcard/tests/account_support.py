"""账户管理's test helpers: a card linked to e-banking (as the counter links it) and a statement
built directly from the models (the statement run is creditcard.statements'), with the card's
unbilled items and credits up to its 账单日 put on it."""

from datetime import date
from decimal import Decimal

from django.db.models import Max, Sum

from accounts.demo import DEMO_PIN
from accounts.models import LinkedMedium
from creditcard.cards import card_issue
from creditcard.models import CardCredit, CardItem, InterestMethod, Statement

ISSUED = date(2026, 1, 2)


def card_link(card) -> None:
    customer = card.customer
    top = LinkedMedium.objects.filter(customer=customer).aggregate(m=Max("position"))["m"] or 0
    LinkedMedium.objects.get_or_create(medium=card.medium,
                                       defaults={"customer": customer, "position": top + 1})


def linked_card_for(customer, *, credit_limit="50000.00", statement_day=5):
    """A card issued on 2026-01-02 (as conftest's ``card``) and linked to e-banking."""
    card = card_issue(customer=customer, credit_limit=Decimal(credit_limit),
                      statement_day=statement_day, issued_on=ISSUED, pin=DEMO_PIN)
    card_link(card)
    return card


def statement_make(card, *, on: date = date(2026, 2, 5), period_start: date | None = None,
                   previous_balance: str = "0.00", minimum_payment: str | None = None,
                   **figures) -> Statement:
    """The statement of ``on`` with every unbilled item and credit posted up to it."""
    items = CardItem.objects.filter(card=card, statement__isnull=True, posted_on__lte=on)
    credits = CardCredit.objects.filter(card=card, statement__isnull=True, posted_on__lte=on)
    debits = items.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    paid = credits.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    balance = Decimal(previous_balance) + debits - paid
    statement = Statement.objects.create(
        card=card, statement_date=on,
        period_start=period_start or date(on.year - (on.month == 1), (on.month - 2) % 12 + 1,
                                          on.day + 1),
        due_date=date.fromordinal(on.toordinal() + 20), previous_balance=Decimal(previous_balance),
        new_debits=debits, new_credits=paid, balance=balance,
        minimum_payment=Decimal(minimum_payment) if minimum_payment is not None
        else max(Decimal("0.00"), (balance * Decimal("0.1")).quantize(Decimal("0.01"))),
        purchases=debits, credit_limit=card.credit_limit,
        interest_method=InterestMethod.FULL_BALANCE,
        **{name: Decimal(value) if isinstance(value, str) else value
           for name, value in figures.items()})
    items.update(statement=statement)
    credits.update(statement=statement)
    card.last_statement_on = on
    card.save(update_fields=["last_statement_on"])
    return statement
