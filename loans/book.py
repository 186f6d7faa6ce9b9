"""The money of a 借据: drawdown, what is due, how a payment is applied, prepayment quotes.

Every function that writes runs in the caller's transaction and expects the 借据 locked first
(:func:`loan_lock`; the drawdown locks the application). Lock order everywhere: application →
借据 → (inside the ledger) the ledger accounts in id order. A payment is one ledger entry:
debit the repayment account, credit 贷款本金 with the principal, 贷款利息收入 with the interest
and 贷款罚息收入 with 罚息 and 复利.

How a payment is applied (DOMAIN-RULES §4): the oldest period first; within a period 复利, 罚息,
interest, then principal ("interest first, then principal"; 罚息/复利 are interest too).
Prepayment settles what is due on the day first, then pays the prepaid principal and the
interest on it since the last due date (by days: principal × annual / 360 × days).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import ReceiptDirection, SubAccount
from accounts.receipts.services import ReceiptChannel, receipt_issue
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.ledger.models import Entry, LedgerAccount
from ebank.ledger.services import Leg, entry_post

from . import schedule as sched
from .models import (
    ZERO,
    Instalment,
    Loan,
    LoanApplication,
    LoanBook,
    LoanBusinessType,
    LoanStatus,
    Repayment,
    RepaymentKind,
)
from .rules import number_new

DRAW_ACTION = "loans.draw"
REPAY_ACTION = "loans.repay"
AUDIT_LABELS = {DRAW_ACTION: "个人贷款发放", REPAY_ACTION: "个人贷款还款"}

CHANGED = "贷款应还金额已变化，请重新提交"


def lender_name() -> str:
    """The other party of a loan movement on receipts and in 交易明细: the bank's lending (the
    借据号 is in the receipt's 用途; it is no account number to print masked)."""
    return f"{settings.BANK_NAME}个人贷款"


# --- reading -------------------------------------------------------------------------------------


LOAN_BOOKS = (LoanBook.PRINCIPAL, LoanBook.INTEREST_INCOME, LoanBook.PENALTY_INCOME)


def loan_book_ids() -> dict[str, int]:
    """The ledger account ids of 贷款本金, 贷款利息收入 and 贷款罚息收入, in one query."""
    return dict(LedgerAccount.objects.filter(code__in=LOAN_BOOKS).values_list("code", "id"))


def loan_lock(loan_id: int) -> Loan:
    """The 借据 row under its lock (the first lock of every writer of a 借据)."""
    return Loan.objects.select_for_update(of=("self",)).select_related(
        "repayment_account__medium__customer", "repayment_account__medium__branch",
        "repayment_account__ledger_account", "customer", "product").get(pk=loan_id)


def instalments_open(loan: Loan) -> list[Instalment]:
    """The periods of the current schedule not yet settled, in order."""
    return list(loan.instalments.filter(active=True, settled_on__isnull=True).order_by("number"))


def instalments_due(loan: Loan, on: date) -> list[Instalment]:
    """Open periods due on or before ``on`` (overdue ones and the one due that day)."""
    return [row for row in instalments_open(loan) if row.due_date <= on]


def last_due_date(loan: Loan, on: date) -> date:
    """The latest due date on or before ``on`` of any period (the draw date before the first):
    interest on principal repaid early counts from there."""
    last = (loan.instalments.filter(due_date__lte=on).order_by("-due_date")
            .values_list("due_date", flat=True).first())
    return last if last is not None else loan.draw_date


@dataclass
class Split:
    """A sum of money by what it pays."""

    principal: Decimal = ZERO
    interest: Decimal = ZERO
    penalty: Decimal = ZERO
    compound: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty + self.compound

    def __add__(self, other: "Split") -> "Split":
        return Split(self.principal + other.principal, self.interest + other.interest,
                     self.penalty + other.penalty, self.compound + other.compound)


def owed_split(rows: list[Instalment]) -> Split:
    """What ``rows`` still owe, by part."""
    total = Split()
    for row in rows:
        total += Split(row.principal_due, row.interest_due, row.penalty_due, row.compound_due)
    return total


def allocate(rows: list[Instalment], amount: Decimal) -> list[tuple[Instalment, Split]]:
    """Apply ``amount`` to ``rows`` (oldest first): 复利, 罚息, interest, then principal of each
    period before the next. Returns the non-empty pieces; what is left over is not used."""
    pieces = []
    left = amount
    for row in rows:
        if left <= 0:
            break
        piece = Split()
        for part, due in (("compound", row.compound_due), ("penalty", row.penalty_due),
                          ("interest", row.interest_due), ("principal", row.principal_due)):
            take = min(left, due)
            if take > 0:
                setattr(piece, part, take)
                left -= take
        if piece.total > 0:
            pieces.append((row, piece))
    return pieces


# --- drawdown ------------------------------------------------------------------------------------


def application_lock(application_id: int) -> LoanApplication:
    return LoanApplication.objects.select_for_update(of=("self",)).select_related(
        "customer", "product", "repayment_account__medium__customer",
        "repayment_account__medium__branch", "repayment_account__ledger_account",
    ).get(pk=application_id)


def loan_schedule(*, amount: Decimal, annual_rate: Decimal, months: int, method: str,
                  draw_date: date, repayment_day: int) -> list[sched.Instalment]:
    return sched.schedule(principal=amount, annual_percent=annual_rate, months=months,
                          method=method, draw_date=draw_date, repayment_day=repayment_day)


def loan_disburse(*, application: LoanApplication, amount: Decimal, on: date, actor,
                  idempotency_key: str, account: SubAccount | None = None) -> Loan:
    """个人贷款发放: a 借据 of ``amount`` drawn on ``on`` within ``application``'s approval (locked
    by the caller with :func:`application_lock`, its state checked by the caller), its schedule,
    the entry 贷款本金 → the repayment account, the customer's 电子回单 and an audit row."""
    # A retry with the same key (its first run committed) returns that 借据. Looked up before
    # posting: the entry's reference names the 借据 number, drawn at random each run, so the
    # ledger would call the retry a different entry (IdempotencyConflict), not a replay. The
    # caller holds the application's lock, so a retry running alongside waits and finds it.
    done = Loan.objects.filter(draw_entry_id__in=Entry.objects.filter(
        idempotency_key=idempotency_key).values("pk")).first()
    if done is not None:
        return done
    account = account or application.repayment_account
    rows = loan_schedule(amount=amount, annual_rate=application.annual_rate,
                         months=application.approved_months, method=application.method,
                         draw_date=on, repayment_day=application.repayment_day)
    now = timezone.now()
    number = number_new("JJ", on)
    result = entry_post(
        idempotency_key=idempotency_key, business_type=LoanBusinessType.DRAW,
        reference=f"loan:{number}",
        legs=[Leg.debit(loan_book_ids()[LoanBook.PRINCIPAL], amount),
              Leg.credit(account.ledger_account_id, amount)],
        memo=f"个人贷款发放 {application.product.name}")
    if result.replayed:
        return Loan.objects.get(draw_entry_id=result.entry_id)
    loan = Loan.objects.create(
        number=number, application=application, customer=application.customer,
        product=application.product, amount=amount, annual_rate=application.annual_rate,
        method=application.method, months=application.approved_months,
        repayment_day=application.repayment_day, draw_date=on, maturity_date=rows[-1].due_date,
        repayment_account=account, principal_owed=amount, draw_entry_id=result.entry_id,
        drawn_at=now)
    Instalment.objects.bulk_create(
        Instalment(loan=loan, number=row.number, due_date=row.due_date, principal=row.principal,
                   interest=row.interest, balance_after=row.balance_after) for row in rows)
    application.drawn_amount += amount
    application.save(update_fields=["drawn_amount"])
    medium = account.medium
    receipt_issue(
        entry_id=result.entry_id, sub_account=account, direction=ReceiptDirection.CREDIT,
        amount=amount, payer_name=lender_name(), payer_account="",
        payer_bank=medium.branch.name, payee_name=medium.customer.name,
        payee_account=medium.number, payee_bank=medium.branch.name,
        purpose=f"个人贷款发放 借据号{loan.number}", business=LoanBusinessType.DRAW.label,
        channel=ReceiptChannel.WEB, posted_at=now)
    audit_record(action=DRAW_ACTION, actor=actor, customer_id=loan.customer_id,
                 object_ref=f"loan:{loan.number}",
                 detail={"application": application.number, "amount": str(amount),
                         "rate": str(loan.annual_rate), "months": loan.months,
                         "method": loan.method})
    return loan


# --- payments ------------------------------------------------------------------------------------


def status_refresh(loan: Loan, *, overdue_through: date) -> None:
    """正常 / 逾期 (a period due on or before ``overdue_through`` still owes) / 已结清."""
    still_open = instalments_open(loan)
    if loan.principal_owed == 0 and not still_open:
        status = LoanStatus.SETTLED
    elif any(row.due_date <= overdue_through for row in still_open):
        status = LoanStatus.OVERDUE
    else:
        status = LoanStatus.NORMAL
    if status != loan.status:
        loan.status = status
        loan.save(update_fields=["status"])


def payment_post(*, loan: Loan, account: SubAccount, pieces: list[tuple[Instalment, Split]],
                 kind: str, on: date, idempotency_key: str, actor=None,
                 extra: Split | None = None, prepay_mode: str = "",
                 channel: str = ReceiptChannel.WEB) -> Repayment:
    """Post one payment on ``loan`` (locked) from ``account``: ``pieces`` applied to their
    periods plus ``extra`` (prepaid principal and its interest, not tied to a period), one
    entry, the 还款记录, the 电子回单 and an audit row. Raises InsufficientFunds (nothing
    written) when the account is short."""
    total = Split()
    for _row, piece in pieces:
        total += piece
    if extra is not None:
        total += extra
    if total.total <= 0:
        raise BusinessError("没有需要归还的款项")
    books = loan_book_ids()
    legs = [Leg.debit(account.ledger_account_id, total.total)]
    if total.principal:
        legs.append(Leg.credit(books[LoanBook.PRINCIPAL], total.principal))
    if total.interest:
        legs.append(Leg.credit(books[LoanBook.INTEREST_INCOME], total.interest))
    if total.penalty + total.compound:
        legs.append(Leg.credit(books[LoanBook.PENALTY_INCOME], total.penalty + total.compound))
    business_type = {RepaymentKind.DEDUCT: LoanBusinessType.DEDUCT,
                     RepaymentKind.PARTIAL: LoanBusinessType.PREPAY,
                     RepaymentKind.FULL: LoanBusinessType.PREPAY}.get(kind, LoanBusinessType.REPAY)
    result = entry_post(idempotency_key=idempotency_key, business_type=business_type,
                        reference=f"loan:{loan.number}", legs=legs,
                        memo=f"{RepaymentKind(kind).label} 借据号{loan.number}")
    if result.replayed:
        return Repayment.objects.get(entry_id=result.entry_id)
    for row, piece in pieces:
        row.principal_paid += piece.principal
        row.interest_paid += piece.interest
        row.penalty_paid += piece.penalty
        row.compound_paid += piece.compound
        if row.owed == 0:
            row.settled_on = on
        row.save(update_fields=["principal_paid", "interest_paid", "penalty_paid",
                                "compound_paid", "settled_on"])
    loan.principal_owed -= total.principal
    update = ["principal_owed"]
    if loan.principal_owed == 0 and not instalments_open(loan):
        loan.settled_on = on
        update.append("settled_on")
    loan.save(update_fields=update)
    now = timezone.now()
    medium = account.medium
    receipt = receipt_issue(
        entry_id=result.entry_id, sub_account=account, direction=ReceiptDirection.DEBIT,
        amount=total.total, payer_name=medium.customer.name, payer_account=medium.number,
        payer_bank=medium.branch.name, payee_name=lender_name(),
        payee_account="", payee_bank=medium.branch.name,
        purpose=f"{RepaymentKind(kind).label} 借据号{loan.number}",
        business=business_type.label, channel=channel, posted_at=now)
    repayment = Repayment.objects.create(
        loan=loan, kind=kind, amount=total.total, principal=total.principal,
        interest=total.interest, penalty=total.penalty, compound=total.compound,
        prepay_mode=prepay_mode, from_account=account, entry_id=result.entry_id,
        business_date=on, posted_at=now, receipt_number=receipt.number)
    audit_record(action=REPAY_ACTION, actor=actor, customer_id=loan.customer_id,
                 channel="system" if kind == RepaymentKind.DEDUCT else "web",
                 object_ref=f"loan:{loan.number}",
                 detail={"kind": kind, "amount": str(total.total),
                         "principal": str(total.principal), "interest": str(total.interest),
                         "penalty": str(total.penalty), "compound": str(total.compound),
                         "prepay_mode": prepay_mode})
    # The night's deduction closes the day (what it leaves due is overdue); during the day what
    # falls due today is not overdue yet.
    status_refresh(loan, overdue_through=on if kind == RepaymentKind.DEDUCT
                   else on - timedelta(days=1))
    return repayment


# --- prepayment ----------------------------------------------------------------------------------


@dataclass
class PrepayQuote:
    """What a prepayment on ``on`` costs and what it leaves (shown before confirming; the
    executor quotes again under the lock and refuses when anything changed)."""

    on: date
    mode: str                      # PrepayMode code; "" for full repayment
    dues: Split                    # what is due on the day, settled first
    prepaid: Decimal               # principal repaid early
    accrued: Decimal               # its interest since the last due date
    accrued_days: int
    rows: list[sched.Instalment] = field(default_factory=list)   # the new schedule

    @property
    def total(self) -> Decimal:
        return self.dues.total + self.prepaid + self.accrued

    @property
    def full(self) -> bool:
        return not self.mode

    def fingerprint(self) -> list[str]:
        return [str(self.total), str(self.prepaid), self.mode,
                *(f"{r.number}:{r.due_date}:{r.principal}:{r.interest}" for r in self.rows)]


def _future(loan: Loan, on: date) -> list[Instalment]:
    return [row for row in instalments_open(loan) if row.due_date > on]


def prepay_quote(*, loan: Loan, on: date, prepaid: Decimal | None, mode: str) -> PrepayQuote:
    """A partial prepayment of ``prepaid`` principal (``mode`` KEEP_TERM or SHORTEN), or full
    repayment (``prepaid`` None, ``mode`` ""), on ``on``. Refusals are BusinessErrors in the
    customer's words."""
    if loan.status == LoanStatus.SETTLED:
        raise BusinessError("该笔贷款已结清")
    due_rows = instalments_due(loan, on)
    dues = owed_split(due_rows)
    future = _future(loan, on)
    owed_after = loan.principal_owed - dues.principal
    if not future or owed_after <= 0:
        raise BusinessError("该笔贷款已无未到期本金，请归还到期款项")
    last_due = last_due_date(loan, on)
    days = (on - last_due).days
    rate = loan.annual_rate
    if prepaid is None:
        return PrepayQuote(on=on, mode="", dues=dues, prepaid=owed_after,
                           accrued=sched.interest_by_days(owed_after, rate, days),
                           accrued_days=days)
    if mode not in sched.PrepayMode.LABELS:
        raise BusinessError("请选择提前还款方式", code="mode")
    if prepaid <= 0:
        raise BusinessError("提前还款本金须大于零", code="amount")
    if prepaid >= owed_after:
        raise BusinessError(f"部分提前还款本金须小于剩余本金{owed_after:,.2f}元；"
                            f"如需全部归还请选择全部提前还款", code="amount")
    first = future[0]
    regular = [row for row in future if row.number > 1 and row is not future[-1]]
    payment = regular[0].payment if regular else first.payment
    rows = sched.prepay(owed=owed_after, prepaid=prepaid, annual_percent=rate,
                        months_left=len(future), payment=payment, mode=mode, method=loan.method,
                        first_due=first.due_date, repayment_day=loan.repayment_day,
                        first_number=first.number)
    if first.number == 1 and sched.first_period_by_days(loan.draw_date, loan.repayment_day):
        # Still in a first period counted by days: what is left owes interest for all of it.
        row = rows[0]
        interest = sched.interest_by_days(row.balance_after + row.principal, rate,
                                          (first.due_date - loan.draw_date).days)
        rows[0] = sched.Instalment(row.number, row.due_date, row.principal, interest,
                                   row.balance_after)
    return PrepayQuote(on=on, mode=mode, dues=dues, prepaid=prepaid,
                       accrued=sched.interest_by_days(prepaid, rate, days), accrued_days=days,
                       rows=rows)


def prepay_apply(*, loan: Loan, account: SubAccount, quote: PrepayQuote, idempotency_key: str,
                 actor=None) -> Repayment:
    """Post a prepayment quoted by :func:`prepay_quote` on ``loan`` (locked): the dues, the
    prepaid principal and its interest in one entry; the periods not yet due retired and the
    new schedule written (full repayment: none, the 借据 settled)."""
    again = prepay_quote(loan=loan, on=quote.on, prepaid=None if quote.full else quote.prepaid,
                         mode=quote.mode)
    if again.fingerprint() != quote.fingerprint():
        raise BusinessError(CHANGED)
    future = _future(loan, quote.on)
    pieces = allocate(instalments_due(loan, quote.on), quote.dues.total)
    extra = Split(principal=quote.prepaid, interest=quote.accrued)
    with transaction.atomic(savepoint=False):
        # Retire the periods not yet due first: the payment's 已结清 test reads the open ones.
        Instalment.objects.filter(pk__in=[row.pk for row in future]).update(active=False)
        Instalment.objects.bulk_create(
            Instalment(loan=loan, number=row.number, due_date=row.due_date,
                       principal=row.principal, interest=row.interest,
                       balance_after=row.balance_after) for row in quote.rows)
        kind = RepaymentKind.FULL if quote.full else RepaymentKind.PARTIAL
        repayment = payment_post(loan=loan, account=account, pieces=pieces, kind=kind,
                                 on=quote.on, idempotency_key=idempotency_key, actor=actor,
                                 extra=extra, prepay_mode=quote.mode)
        if quote.rows:
            loan.maturity_date = quote.rows[-1].due_date
            loan.save(update_fields=["maturity_date"])
    return repayment


def dues_pay(*, loan: Loan, account: SubAccount, on: date, amount: Decimal | None,
             kind: str, idempotency_key: str, actor=None,
             channel: str = ReceiptChannel.WEB,
             rows: list[Instalment] | None = None) -> Repayment:
    """Pay what is due on ``on`` (all of it when ``amount`` is None, else up to ``amount``,
    applied oldest first). ``rows``: the 借据's periods due on ``on`` when the caller has just
    read them under the 借据's lock (the night's deduction), else read here."""
    rows = instalments_due(loan, on) if rows is None else rows
    owed = owed_split(rows).total
    if owed <= 0:
        raise BusinessError("该笔贷款当前没有到期应还款项")
    if amount is not None and amount > owed:
        raise BusinessError(f"还款金额不能超过到期应还金额{owed:,.2f}元", code="amount")
    pieces = allocate(rows, owed if amount is None else amount)
    return payment_post(loan=loan, account=account, pieces=pieces, kind=kind, on=on,
                        idempotency_key=idempotency_key, actor=actor, channel=channel)


def principal_outstanding_total() -> Decimal:
    """The sum of every 借据's 剩余本金 (what 贷款本金 should hold)."""
    return Loan.objects.aggregate(total=Sum("principal_owed"))["total"] or ZERO
