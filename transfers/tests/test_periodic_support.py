"""Helpers of the 定时转账 tests (TRF-SCHED): set a plan up at a fixed moment, run due work then.

Times are Asia/Shanghai. The setups happen on 2026-01-20 (a Tuesday); a monthly plan on the
31st starting 2026-01-31 runs on Jan 31, Feb 28 and Mar 31.
"""

from datetime import date, datetime
from decimal import Decimal

import time_machine

from ebank.core.clock import SHANGHAI
from ebank.duework.services import dispatch_due
from tests.customer_world import confirm
from transfers.models import PayeeKind, PeriodicFrequency, PeriodicTransfer
from transfers.periodic.services import periodic_start

SETUP_AT = datetime(2026, 1, 20, 10, 0, tzinfo=SHANGHAI)
JAN_31 = date(2026, 1, 31)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def start(world, *, user=None, payer=None, payee=None, name=None, kind=PayeeKind.INTRA,
          amount="1000.00", frequency=PeriodicFrequency.MONTHLY, day=31, weekday=None,
          start_date=JAN_31, end_date=None, count=3, bank_code="", moment=SETUP_AT):
    payee_medium = payee or world.li_card
    with time_machine.travel(moment, tick=False):
        return periodic_start(
            user=user or world.zhang,
            from_sub_account_id=world.main(payer or world.zhang_card).pk, payee_kind=kind,
            amount=Decimal(amount),
            payee_account=payee_medium if isinstance(payee_medium, str) else payee_medium.number,
            payee_name=name if name is not None else (
                "赵敏" if isinstance(payee_medium, str) else payee_medium.customer.name),
            bank_code=bank_code, purpose="房租", frequency=frequency, weekday=weekday,
            day_of_month=day if frequency == PeriodicFrequency.MONTHLY else None,
            start_date=start_date, end_date=end_date, run_count=count)


def set_up(world, *, user=None, moment=SETUP_AT, **kwargs) -> PeriodicTransfer:
    operation = start(world, user=user, moment=moment, **kwargs)
    with time_machine.travel(moment, tick=False):
        operation = confirm(operation, user=user or world.zhang)
    assert operation.status == "executed", operation.failure_reason
    return PeriodicTransfer.objects.get(operation=operation)


def run_due(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return dispatch_due(now=moment)
