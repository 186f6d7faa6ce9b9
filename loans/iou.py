"""The 电子借据 as the customer reads it: its elements and its schedule, built once for every place
that shows it — the draw page before confirming (借据号 still to come, 待确认), the confirmation's
summary, the 借据's own page, its PDF and its Excel file.

DOMAIN-RULES §4: "one IOU per drawdown with its number, amount, rate, method, term, dates,
repayment account and status; the customer confirms it before the money arrives".
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from accounts.models import Receipt
from accounts.payers import account_label, receipt_url
from ebank.core.money import format_cny

from . import schedule as sched
from .book import loan_schedule
from .models import Loan, LoanApplication

NUMBER_PENDING = "放款时生成"
STATUS_PENDING = "待确认"


def rate_text(rate: Decimal) -> str:
    """3.6000 → "3.60%" (more places only when the rate has them: 3.6250 → "3.625%")."""
    two_places = rate.quantize(Decimal("0.01"))
    return f"{two_places if rate == two_places else rate.normalize()}%"


@dataclass(frozen=True)
class IouDocument:
    number: str
    product_name: str
    borrower: str
    amount: Decimal
    annual_rate: Decimal
    method_label: str
    months: int
    draw_date: date
    maturity_date: date
    repayment_day: int
    account_text: str
    status_label: str
    rows: list[sched.Instalment] = field(default_factory=list)

    @property
    def first(self) -> sched.Instalment | None:
        return self.rows[0] if self.rows else None

    @property
    def total_interest(self) -> Decimal:
        return sum((row.interest for row in self.rows), Decimal("0.00"))

    @property
    def total_payment(self) -> Decimal:
        return sum((row.payment for row in self.rows), Decimal("0.00"))

    def elements(self, *, with_amount: bool = True) -> list[tuple[str, str]]:
        """The 借据's elements, in the order the page, the PDF and the file print them.
        ``with_amount`` False for the confirmation's summary (its page prints the amount)."""
        first = self.first
        lines = [("借据号", self.number), ("贷款产品", self.product_name),
                 ("借款人", self.borrower)]
        if with_amount:
            lines.append(("借款金额", format_cny(self.amount)))
        lines += [("执行年利率", rate_text(self.annual_rate)), ("还款方式", self.method_label),
                  ("期限", f"{self.months}个月"), ("放款日", f"{self.draw_date:%Y-%m-%d}"),
                  ("到期日", f"{self.maturity_date:%Y-%m-%d}"),
                  ("每月还款日", f"每月{self.repayment_day}日"), ("还款账户", self.account_text)]
        if first is not None:
            lines.append(("首期还款日与金额",
                          f"{first.due_date:%Y-%m-%d} {format_cny(first.payment)}"))
        lines.append(("状态", self.status_label))
        return lines

    def fingerprint(self) -> str:
        """What the customer agreed to, compared again at execution."""
        return "|".join([f"{self.amount:.2f}", f"{self.annual_rate:.4f}", self.method_label,
                         str(self.months), str(self.repayment_day), f"{self.draw_date}",
                         *(f"{r.number}:{r.due_date}:{r.principal}:{r.interest}" for r in self.rows)])


def iou_preview(*, application: LoanApplication, amount: Decimal, on: date) -> IouDocument:
    """The 借据 a drawdown of ``amount`` on ``on`` would make (before anything moves)."""
    rows = loan_schedule(amount=amount, annual_rate=application.annual_rate,
                         months=application.approved_months, method=application.method,
                         draw_date=on, repayment_day=application.repayment_day)
    return IouDocument(
        number=NUMBER_PENDING, product_name=application.product.name,
        borrower=application.customer.name, amount=amount,
        annual_rate=application.annual_rate, method_label=application.get_method_display(),
        months=application.approved_months, draw_date=on, maturity_date=rows[-1].due_date,
        repayment_day=application.repayment_day,
        account_text=account_label(application.repayment_account),
        status_label=STATUS_PENDING, rows=rows)


def iou_of(loan: Loan, instalments) -> IouDocument:
    """A drawn 借据 with its current schedule (``instalments``: its active rows, in order)."""
    return IouDocument(
        number=loan.number, product_name=loan.product.name, borrower=loan.customer.name,
        amount=loan.amount, annual_rate=loan.annual_rate, method_label=loan.get_method_display(),
        months=loan.months, draw_date=loan.draw_date, maturity_date=loan.maturity_date,
        repayment_day=loan.repayment_day, account_text=account_label(loan.repayment_account),
        status_label=loan.get_status_display(),
        rows=[sched.Instalment(row.number, row.due_date, row.principal, row.interest,
                               row.balance_after) for row in instalments])


def draw_receipt_url(loan: Loan) -> str:
    """The 电子回单 of the drawdown (the credit to the repayment account)."""
    return receipt_url(Receipt.objects.filter(entry_id=loan.draw_entry_id,
                                              sub_account_id=loan.repayment_account_id).first())
