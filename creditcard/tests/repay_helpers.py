"""What the 还款管理 tests share: a card linked to e-banking, statements built by hand (the
statement run is another area's), items of every kind, and the page → confirmation → result
walk."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db.models import Max, Sum
from django.urls import reverse

from accounts.models import LinkedMedium
from accounts.services import funds_move
from creditcard.engine import charge_post
from creditcard.models import (
    CardBook,
    CardBusinessType,
    CardItem,
    InterestMethod,
    ItemKind,
    Statement,
)
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import BusinessType, LedgerAccount
from security.models import PendingOperation
from tests.customer_world import World

from .conftest import card_for

# 2026-02-10 10:00 in Shanghai: after the February statement (the 5th), before its due date.
PAY_DAY_AT = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)
PAY_DAY = date(2026, 2, 10)

_BOOKS = {ItemKind.CASH_FEE: (CardBusinessType.CASH_FEE, CardBook.FEE_INCOME),
          ItemKind.INTEREST: (CardBusinessType.INTEREST, CardBook.INTEREST_INCOME),
          ItemKind.LATE_FEE: (CardBusinessType.LATE_FEE, CardBook.PENALTY_INCOME),
          ItemKind.CASH: (CardBusinessType.CASH, CardBook.ACQUIRER),
          # An instalment's principal is normally billed without an entry (its purchase posted
          # it); posted here as the purchase it came from, so the ledger holds it all the same.
          ItemKind.INSTALMENT: (CardBusinessType.PURCHASE, CardBook.ACQUIRER),
          ItemKind.PURCHASE: (CardBusinessType.PURCHASE, CardBook.ACQUIRER)}


def link(medium) -> None:
    """Link ``medium`` to its customer's e-banking (关联账户管理), last in their order."""
    top = (LinkedMedium.objects.filter(customer_id=medium.customer_id)
           .aggregate(m=Max("position"))["m"] or 0)
    LinkedMedium.objects.get_or_create(medium=medium, defaults={
        "customer_id": medium.customer_id, "position": top + 1})


def linked_card(customer, **kwargs):
    card = card_for(customer, **kwargs)
    link(card.medium)
    return card


def item(card, kind, amount, on: date, *, reference=None) -> CardItem:
    business_type, book = _BOOKS[kind]
    return charge_post(card=card, kind=kind, amount=Decimal(amount), business_type=business_type,
                       credit_ledger_id=bank_book_id(book), txn_date=on, posted_on=on,
                       reference=reference or f"{kind}-{on:%Y%m%d}-{amount}",
                       description=f"测试{ItemKind(kind).label}",
                       interest_from=on if kind == ItemKind.CASH else None)


def statement_build(card, statement_date: date, items, *, minimum="0.00") -> Statement:
    """A statement holding ``items`` (what the statement run would have billed)."""
    total = sum((i.amount for i in items), Decimal("0.00"))
    statement = Statement.objects.create(
        card=card, statement_date=statement_date,
        period_start=statement_date - timedelta(days=31), due_date=statement_date
        + timedelta(days=20), previous_balance=Decimal("0.00"), new_debits=total,
        new_credits=Decimal("0.00"), balance=total, minimum_payment=Decimal(minimum),
        credit_limit=card.credit_limit, interest_method=InterestMethod.FULL_BALANCE)
    CardItem.objects.filter(pk__in=[i.pk for i in items]).update(statement=statement)
    return statement


def outstanding(*items) -> list[Decimal]:
    return [CardItem.objects.get(pk=i.pk).outstanding for i in items]


def drain(sub_account, leave="0.00") -> None:
    """Take an account's money to the bank's cash book (现金支取), leaving ``leave``."""
    balance = LedgerAccount.objects.get(pk=sub_account.ledger_account_id).balance
    take = balance - Decimal(leave)
    if take > 0:
        funds_move(debit_ledger_id=sub_account.ledger_account_id,
                   credit_ledger_id=bank_book_id(BankBook.CASH), amount=take,
                   idempotency_key=f"drain:{sub_account.pk}:{take}",
                   business_type=BusinessType.CASH_WITHDRAWAL, reference=f"drain-{sub_account.pk}")


def started(response) -> PendingOperation:
    """The operation a form's 提交 started (the redirect to its confirmation page)."""
    assert response.status_code == 302, response.content.decode()[:2000]
    operation = PendingOperation.objects.latest("id")
    assert response["Location"] == reverse("security:confirm", args=[operation.public_id])
    return operation


def main(medium):
    return World.main(medium)


def items_total(card) -> Decimal:
    return CardItem.objects.filter(card=card).aggregate(s=Sum("outstanding"))["s"]
