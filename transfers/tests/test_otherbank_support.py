"""Fixtures and helpers for the 他行账户管理 / 资金归集 tests (no tests here).

The world is the shared demo bank (张伟 with a USBKey, 李娜 without a tool) plus the simulated
other banks of ``ebank.otherbanks.demo``: 张伟's 中国工商银行 card 6222020200112233445 (¥30,000.00,
three history rows) and 李娜's 中国建设银行 card. The clock stands at Wednesday 2026-06-10 10:00
Asia/Shanghai unless a test travels on.
"""

from datetime import date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine

from ebank.core.clock import SHANGHAI
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import LedgerAccount
from ebank.otherbanks.adapters import get_otherbank_adapter
from ebank.otherbanks.demo import DEMO_CARD_PASSWORD
from ebank.otherbanks.models import SimAccount
from ebank.otherbanks.simulator import signing_complete, signing_for_ticket
from tests.customer_world import DEMO_PIN, World, balance, confirm, entries, world
from transfers.models import OtherBankKind, OtherBankSigning
from transfers.otherbank import services as ob
from transfers.otherbank.demo import demo_seed as sim_seed

__all__ = ["DEMO_PIN", "ZHANG_CARD", "LI_CARD", "NOW", "World", "at", "balance", "confirm",
           "entries", "ibps_book", "obw_fixture", "sign", "sim_balance", "world"]

ZHANG_CARD = "6222020200112233445"
LI_CARD = "6217000130005566778"
CALLBACK = "http://testserver/transfers/otherbank/callback"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


NOW = at(2026, 6, 10, 10, 0)


class _Out:
    def line(self, text):
        pass

    def success(self, text):
        pass


@pytest.fixture(name="obw")
def obw_fixture(world):
    """The world with the simulated other banks, the clock at NOW."""
    with time_machine.travel(NOW, tick=False):
        sim_seed(_Out())
        get_otherbank_adapter().reset()
        yield world


def sim_balance(number: str = ZHANG_CARD) -> Decimal:
    return SimAccount.objects.get(number=number).balance


def ibps_book() -> Decimal:
    return LedgerAccount.objects.get(pk=bank_book_id(BankBook.IBPS_CLEARING)).balance


def complete_at_sim(signing: OtherBankSigning, *, card=ZHANG_CARD, password=DEMO_CARD_PASSWORD,
                    single="50000.00", daily="100000.00",
                    valid_until: date = date(2027, 6, 10)) -> str:
    """What the customer does on the other bank's page; returns the signed result text."""
    ticket = parse_qs(urlparse(signing.sign_url).query)["ticket"][0]
    sim_signing = signing_for_ticket(ticket)
    url = signing_complete(token=sim_signing.token, card_number=card, password=password,
                           single_limit=Decimal(single) if single else None,
                           daily_limit=Decimal(daily) if daily else None,
                           valid_until=valid_until)
    return parse_qs(urlparse(url).query)["result"][0]


def sign(world: World, *, kind=OtherBankKind.PAY, user=None, bank="102", card=ZHANG_CARD,
         **limits):
    """A signed agreement of ``kind`` for ``user`` (张伟), through both banks."""
    user = user or world.zhang
    if kind == OtherBankKind.QUERY:
        signing = ob.query_signing_start(user=user, bank_code=bank, return_url=CALLBACK)
    else:
        operation = ob.pay_signing_start(user=user, bank_code=bank,
                                         sub_account_id=World.main(world.zhang_card).pk,
                                         return_url=CALLBACK, back_url="/transfers/otherbank")
        confirm(operation, user=user)
        signing = OtherBankSigning.objects.get(operation=operation)
    result = complete_at_sim(signing, card=card, **limits)
    return ob.signing_finish(user=user, result_text=result)
