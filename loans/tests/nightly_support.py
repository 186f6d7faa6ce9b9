"""What the nightly tests share: a 借据 of 100,000.00 over 12 months at 3.6 % (等额本息, 8,496.73
a month) drawn on 2026-01-21 with the repayment day the 21st, and a night of the two loan steps
run as the batch runs them."""

from datetime import date, timedelta
from decimal import Decimal

import time_machine

from ebank.duework.services import batch_step_run
from ebank.ledger.models import LedgerAccount
from loans.nightly import loans_deduct_step, loans_overdue_accrue_step

from .support import application_approved, loan_drawn, shanghai

DRAWN = date(2026, 1, 21)
FIRST_DUE = date(2026, 2, 21)


def loan_for(world, *, on=DRAWN, repayment_day=21, **kwargs):
    account = world.main(world.zhang_card)
    application = application_approved(user=world.zhang, account=account, product=world.product,
                                       repayment_day=repayment_day, on=on, **kwargs)
    return loan_drawn(application=application, on=on)


def balance_set(loan, amount) -> None:
    """Leave ``amount`` on the 借据's repayment account (nothing held)."""
    LedgerAccount.objects.filter(pk=loan.repayment_account.ledger_account_id).update(
        balance=Decimal(amount), held=Decimal("0.00"))


def night(on: date) -> tuple[bool, bool]:
    """The loan steps of the nightly batch for business date ``on`` (run at 00:10 the next day)."""
    with time_machine.travel(shanghai(on + timedelta(days=1), 0, 10), tick=False):
        return (batch_step_run(step="loans_deduct", business_date=on, fn=loans_deduct_step),
                batch_step_run(step="loans_overdue_accrue", business_date=on,
                               fn=loans_overdue_accrue_step))
