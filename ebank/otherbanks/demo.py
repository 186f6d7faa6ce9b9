"""The simulated other banks' demo data: the banks, and accounts for the holders a caller names.

This lower app knows no customers of ours (dependency rule): the demo part that gives the demo
customers their other-bank cards is transfers' (``transfers.otherbank.demo``, seed_demo part 36),
which reads the customers and calls :func:`sim_demo_seed`. Card passwords are the demo's
(DEMO_CARD_PASSWORD), printed like the other demo secrets.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from .simulator import SimulatedOtherBanks

DEMO_CARD_PASSWORD = "147258"  # noqa: S105 - the simulated other bank's demo cards only

BANKS = (("102", "中国工商银行"), ("103", "中国农业银行"), ("104", "中国银行"),
         ("105", "中国建设银行"))


@dataclass(frozen=True)
class DemoHolder:
    name: str
    id_number: str
    bank_code: str
    card_number: str
    balance: Decimal


def _history(now: datetime) -> tuple[tuple, ...]:
    return (
        (now - timedelta(days=20), "12000.00", "工资", "合肥某科技有限公司"),
        (now - timedelta(days=12), "-860.50", "消费", "合肥某超市"),
        (now - timedelta(days=3), "-1200.00", "转账", "赵敏"),
    )


def sim_demo_seed(out, holders: list[DemoHolder]) -> None:
    """The banks, and one card per holder (idempotent per card number)."""
    sim = SimulatedOtherBanks()
    for code, name in BANKS:
        sim.bank_open(code, name)
    now = timezone.now().replace(microsecond=0)
    out.line("simulated other banks (他行模拟器) ready:")
    for holder in holders:
        sim.account_open(bank_code=holder.bank_code, number=holder.card_number,
                         holder_name=holder.name, id_number=holder.id_number,
                         password=DEMO_CARD_PASSWORD, balance=holder.balance,
                         history=_history(now))
        out.line(f"  {holder.name} {dict(BANKS)[holder.bank_code]} {holder.card_number} "
                 f"密码 {DEMO_CARD_PASSWORD}")
