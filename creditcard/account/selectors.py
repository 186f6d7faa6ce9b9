"""账户管理's reads (CC-LIMIT, CC-UNBILLED, CC-BILLED): a card's limits, its unbilled lines, its
statements with what each still owes, and one statement's lines — each in a fixed number of
queries, however many lines or statements there are (tests/test_account_pages.py pins them)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from ebank.core.money import format_cny

from .. import engine, selectors
from ..models import Card, CardCredit, CardItem, Statement

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CardLine:
    """One line of a statement or of 未出账单: a debit item (+) or a credit (−)."""

    txn_date: date
    posted_on: date
    description: str
    merchant: str
    kind: str
    amount: Decimal   # signed: debits +, credits −
    order: tuple

    @property
    def is_credit(self) -> bool:
        return self.amount < 0

    @property
    def kind_shown(self) -> str:
        """The kind beside the description, unless the description already says it
        ("消费 合肥百货大楼", not "消费 合肥百货大楼（消费）")."""
        return "" if self.kind in self.description else self.kind


def _lines(items, credits) -> list[CardLine]:
    lines = [CardLine(txn_date=item.txn_date, posted_on=item.posted_on,
                      description=item.description, merchant=item.merchant,
                      kind=item.get_kind_display(), amount=item.amount,
                      order=(item.posted_on, item.txn_date, 0, item.pk)) for item in items]
    lines += [CardLine(txn_date=credit.txn_date, posted_on=credit.posted_on,
                       description=credit.description, merchant=credit.merchant,
                       kind=credit.get_kind_display(), amount=-credit.amount,
                       order=(credit.posted_on, credit.txn_date, 1, credit.pk))
              for credit in credits]
    return sorted(lines, key=lambda line: line.order)


@dataclass(frozen=True)
class LineTotals:
    debits: Decimal
    credits: Decimal   # positive: what the credits add up to

    @property
    def credits_negated(self) -> Decimal:
        """The credits' total as the lines sign it (0.00, not -0.00, when there is none)."""
        return ZERO - self.credits

    @property
    def net(self) -> Decimal:
        return self.debits - self.credits


def line_totals(lines: list[CardLine]) -> LineTotals:
    return LineTotals(debits=sum((line.amount for line in lines if not line.is_credit), ZERO),
                      credits=sum((-line.amount for line in lines if line.is_credit), ZERO))


_ITEM_FIELDS = ("id", "kind", "amount", "txn_date", "posted_on", "description", "merchant")


def unbilled_lines(card: Card) -> list[CardLine]:
    """未出账单: the card's items and credits on no statement yet, oldest first (2 queries)."""
    items = CardItem.objects.filter(card=card, statement__isnull=True).only(*_ITEM_FIELDS)
    credits = CardCredit.objects.filter(card=card, statement__isnull=True).only(*_ITEM_FIELDS)
    return _lines(items, credits)


def statement_lines(statement: Statement) -> list[CardLine]:
    """Every line of a statement, in posting order (2 queries)."""
    items = CardItem.objects.filter(statement=statement).only(*_ITEM_FIELDS)
    credits = CardCredit.objects.filter(statement=statement).only(*_ITEM_FIELDS)
    return _lines(items, credits)


@dataclass(frozen=True)
class CardLimits:
    """信用额度查询's figures."""

    card: Card
    available_credit: Decimal
    cash_available: Decimal
    overpayment: Decimal
    last_statement: Statement | None
    statement_unpaid: Decimal | None
    minimum_unpaid: Decimal | None


def card_limits(card: Card) -> CardLimits:
    last = selectors.last_statement(card)
    return CardLimits(
        card=card, available_credit=engine.available_credit(card),
        cash_available=engine.cash_available(card), overpayment=engine.overpayment(card),
        last_statement=last,
        statement_unpaid=selectors.statement_unpaid(last) if last else None,
        minimum_unpaid=selectors.minimum_unpaid(last) if last else None)


def statements_between(card: Card, *, start: date, end: date) -> list[Statement]:
    """The card's statements whose 账单日 lies in [start, end], newest first."""
    return list(Statement.objects.filter(card=card, statement_date__gte=start,
                                         statement_date__lte=end)
                .order_by("-statement_date"))


def statements_unpaid(card: Card, statements: list[Statement]) -> dict[int, Decimal]:
    """``selectors.statement_unpaid`` of each statement, in two queries for the whole list
    (the rule is ``selectors.unpaid_from``)."""
    if not statements:
        return {}
    owed = list(CardItem.objects.filter(statement__card=card).order_by()
                .values_list("statement__statement_date").annotate(s=Sum("outstanding")))
    spare = (CardCredit.objects.filter(card=card).aggregate(s=Sum("unapplied"))["s"] or ZERO)
    return {statement.pk: selectors.unpaid_from(statement.statement_date, owed, spare=spare)
            for statement in statements}


@dataclass(frozen=True)
class StatementDocument:
    """A statement as its page, PDF and Excel show it (one source for the three)."""

    statement: Statement
    lines: list[CardLine]
    totals: LineTotals
    unpaid: Decimal
    minimum_unpaid: Decimal

    def summary(self) -> list[tuple[str, object]]:
        """(label, value) of the summary block: Decimal for money, int for points, date."""
        s = self.statement
        return [("账单日", s.statement_date), ("到期还款日", s.due_date),
                ("信用额度", s.credit_limit),
                ("上期账单金额", s.previous_balance), ("本期新增", s.new_debits),
                ("本期还款/退货", s.new_credits), ("本期应还金额", s.balance),
                ("最低还款额", s.minimum_payment), ("利息", s.interest), ("违约金", s.late_fee),
                ("分期应还", s.instalments), ("本期积分", s.points_earned),
                ("积分余额", s.points_balance),
                ("本期应还未还", self.unpaid), ("最低还款额未还", self.minimum_unpaid)]


    def summary_text(self) -> list[tuple[str, str]]:
        return [(label, _text(value)) for label, value in self.summary()]

    def summary_pairs(self) -> list[list[tuple[str, str]]]:
        """The summary two (label, text) a row, as the PDF prints it."""
        text = self.summary_text()
        return [text[index:index + 2] for index in range(0, len(text), 2)]


def _text(value) -> str:
    if isinstance(value, Decimal):
        return format_cny(value)
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def statement_document(statement: Statement) -> StatementDocument:
    lines = statement_lines(statement)
    return StatementDocument(statement=statement, lines=lines, totals=line_totals(lines),
                             unpaid=selectors.statement_unpaid(statement),
                             minimum_unpaid=selectors.minimum_unpaid(statement))


def card_label(card: Card) -> str:
    return f"{card.product} {card.medium.masked_number}"

