"""seed_demo's 薪加利 part: XJL001 with 30 days of 万份收益 and 张伟's 20,000.00 转入 made when
seeding, every record of it (ledger entry, share postings, order, 电子回单) dated then, nothing
dated back; its income comes from the real nightly step the next day. Twice is harmless."""

from datetime import date, timedelta
from decimal import Decimal as D
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Receipt
from ebank.core.clock import SHANGHAI
from ebank.ledger.models import Entry as LedgerEntry
from wealth.book import share_book_check
from wealth.models import Income, Nav, Order, OrderKind, Product, SharePosting
from wealth.xjl.income import income_distribute

from .conftest import shanghai

pytestmark = pytest.mark.django_db

SEEDED_ON = date(2026, 6, 20)


def _seed() -> list[str]:
    out = StringIO()
    with time_machine.travel(shanghai(SEEDED_ON, 10), tick=True):
        call_command("seed_demo", stdout=out, no_color=True)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("薪加利:"))
    return lines[start:start + 2]


def test_the_demo_gives_zhang_a_truthful_transfer_in(settings, tmp_path):
    settings.BANK_CA_DIR = tmp_path / "bank-ca"
    settings.BANK_CA_PASSPHRASE = "test-only-ca-passphrase"
    first = _seed()
    product = Product.objects.get(code="XJL001")
    assert Nav.objects.filter(product=product).count() == 30
    order = Order.objects.get(product=product, kind=OrderKind.XJL_IN)
    assert order.confirmed_amount == D("20000.00")
    # Every record of the 转入 says the same moment: the seeding, not a day dated back.
    entry = LedgerEntry.objects.get(pk=order.entry_id)
    moments = [order.placed_at, entry.posted_at,
               *SharePosting.objects.filter(entry__ledger_entry_id=entry.pk)
               .values_list("posted_at", flat=True),
               *Receipt.objects.filter(entry_id=entry.pk).values_list("posted_at", flat=True)]
    assert len(moments) == 5
    assert {timezone.localtime(m, SHANGHAI).date() for m in moments} == {SEEDED_ON}
    assert order.trade_date == SEEDED_ON
    assert not Income.objects.filter(product=product).exists()
    assert share_book_check() == []
    assert _seed() == first
    assert first == ["薪加利: XJL001 薪加利, 万份收益 30 days",
                     "  张伟 持有 20,000.00 份, 0 天收益 ¥0.00"]
    # The shares earn from the next day, paid by the real nightly step once published.
    Nav.objects.create(product=product, date=SEEDED_ON, nav=D("1.0000"),
                       income_per_10k=D("0.4521"), seven_day_yield=D("1.6500"))
    Nav.objects.create(product=product, date=SEEDED_ON + timedelta(days=1), nav=D("1.0000"),
                       income_per_10k=D("0.4521"), seven_day_yield=D("1.6500"))
    with time_machine.travel(shanghai(SEEDED_ON + timedelta(days=2), 1), tick=False):
        income_distribute(SEEDED_ON + timedelta(days=1))
    income = Income.objects.get(product=product, customer=order.customer)
    assert income.date == SEEDED_ON + timedelta(days=1)
    assert income.shares_base == D("20000.0000") and income.amount == D("0.90")
    assert share_book_check() == []
