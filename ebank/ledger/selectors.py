"""Reads of the books, and the checks ``verify_ledger`` runs."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from .models import Entry, Hold, HoldStatus, LedgerAccount, Posting, Side

CENT = Decimal("0.01")
ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=20, decimal_places=2))


@dataclass(frozen=True)
class Violation:
    kind: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.subject}: {self.detail}"


def _signed_posting_sum(prefix: str = ""):
    """Sum of postings, debits positive and credits negative."""
    return Coalesce(
        Sum(
            Case(
                When(**{f"{prefix}side": Side.DEBIT}, then=F(f"{prefix}amount")),
                default=-F(f"{prefix}amount"),
                output_field=DecimalField(max_digits=20, decimal_places=2),
            )
        ),
        ZERO,
    )


def _cents(value) -> Decimal:
    # PostgreSQL sums NUMERIC exactly; the embedded SQLite sums REALs, so round to the fen.
    return Decimal(str(value)).quantize(CENT)


def ledger_violations() -> list[Violation]:
    """Every way the books disagree with themselves; empty when all is well."""
    found: list[Violation] = []

    unbalanced = (
        Entry.objects.annotate(total=_signed_posting_sum("postings__"), legs=Count("postings"))
        .filter(~Q(total=0) | Q(legs__lt=2))
        .values_list("id", "idempotency_key", "total", "legs")
    )
    for entry_id, key, total, legs in unbalanced:
        if _cents(total) == 0 and legs >= 2:
            continue
        found.append(Violation("entry", f"entry #{entry_id} ({key})",
                               f"postings sum to {total} over {legs} postings"))

    last_balance = Posting.objects.filter(account=OuterRef("pk")).order_by("-id")
    accounts = LedgerAccount.objects.annotate(
        signed=_signed_posting_sum("postings__"),
        last_balance=Subquery(last_balance.values("balance_after")[:1]),
    ).values_list("id", "code", "normal_side", "balance", "held", "allow_negative", "signed",
                  "last_balance")
    holds = dict(
        Hold.objects.filter(status=HoldStatus.ACTIVE)
        .values("account_id").annotate(total=Sum("amount")).values_list("account_id", "total")
    )
    book_total = Decimal("0")
    for acc_id, code, normal_side, balance, held, allow_negative, signed, last in accounts:
        signed = _cents(signed)
        expected = signed if normal_side == Side.DEBIT else -signed
        book_total += signed
        if expected != balance:
            found.append(Violation("balance", code,
                                   f"cached balance {balance} but postings give {expected}"))
        expected_held = holds.get(acc_id, Decimal("0.00"))
        if expected_held != held:
            found.append(Violation("hold", code,
                                   f"cached held {held} but active holds total {expected_held}"))
        if not allow_negative and balance - held < 0:
            found.append(Violation("overdraft", code,
                                   f"available {balance - held} below zero"))
        if last is not None and last != balance:
            found.append(Violation("running", code,
                                   f"last posting's balance_after {last} differs from {balance}"))
    if book_total != 0:
        found.append(Violation("books", "all accounts", f"debits minus credits is {book_total}"))
    return found
