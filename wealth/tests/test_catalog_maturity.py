"""到期兑付 (nightly step wealth_maturity, 410): a closed product pays its holders at its 到期日's
净值 once, to the card of their confirmed 认购, with an 电子回单; it waits for the 净值."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from accounts.models import Receipt, ReceiptDirection
from ebank.core.models import AuditEvent
from ebank.duework.nightly import registered_steps
from ebank.duework.services import batch_step_run
from ebank.ledger.models import Entry, LedgerAccount
from tests.customer_world import balance
from wealth.book import issuance_account, share_account_for, share_book_check, share_post
from wealth.catalog.maturity import maturities_pay
from wealth.catalog.nightly import wealth_maturity_step
from wealth.catalog.verify import wealth_problems
from wealth.models import Order, OrderKind, OrderStatus, ShareEntry, WealthBusinessType

from .conftest import nav_publish, shanghai

pytestmark = pytest.mark.django_db

END = date(2026, 12, 15)


def subscribed(product, customer, medium, shares: str, *, number: str,
               placed=date(2026, 6, 2)) -> Order:
    """A confirmed 认购 and its shares (the confirmation itself is another area's)."""
    order = Order.objects.create(
        number=number, customer=customer, medium=medium, product=product,
        kind=OrderKind.SUBSCRIBE, status=OrderStatus.CONFIRMED, amount=Decimal(shares),
        placed_at=shanghai(placed, 10), trade_date=product.raise_end, nav=Decimal("1.0000"),
        confirmed_shares=Decimal(shares), confirmed_amount=Decimal(shares), fee=Decimal("0"),
        confirmed_on=product.start_date)
    share_post(idempotency_key=f"wealth:confirm:{number}", business_type=WealthBusinessType.SUBSCRIBE,
               reference=number,
               moves=[(issuance_account(product), -Decimal(shares)),
                      (share_account_for(product=product, customer=customer), Decimal(shares))])
    return order


def test_the_step_is_registered_at_410():
    step = next(step for step in registered_steps() if step.name == "wealth_maturity")
    assert (step.order, step.label, step.fn) == (410, "理财产品到期兑付", wealth_maturity_step)


def test_maturity_waits_for_the_nav_then_pays_each_holder_once_with_a_receipt(world, shelf):
    closed = shelf.closed
    zhang, li = world.zhang_customer, world.li_customer
    # 张伟 subscribed twice, the later time from his passbook: the money goes there.
    subscribed(closed, zhang, world.zhang_card, "10000", number="LC1")
    subscribed(closed, zhang, world.zhang_passbook, "5000", number="LC2", placed=date(2026, 6, 5))
    subscribed(closed, li, world.li_card, "20000", number="LC3")
    passbook, card = world.main(world.zhang_passbook), world.main(world.zhang_card)
    li_main = world.main(world.li_card)
    before = {"passbook": balance(passbook), "card": balance(card), "li": balance(li_main)}

    with time_machine.travel(shanghai(date(2026, 12, 16), 0, 20), tick=False):
        assert maturities_pay(date(2026, 12, 14)) == 0      # not matured yet
        assert maturities_pay(END) == 0                     # matured, no 净值 yet: waits
        assert balance(passbook) == before["passbook"]
        nav_publish(closed, END, "1.0153")
        assert maturities_pay(date(2026, 12, 16)) == 2      # a later night pays it
        assert maturities_pay(date(2026, 12, 16)) == 0      # and never twice

    assert balance(passbook) - before["passbook"] == Decimal("15229.50")   # 15,000 × 1.0153
    assert balance(card) == before["card"]
    assert balance(li_main) - before["li"] == Decimal("20306.00")
    cash_book = LedgerAccount.objects.get(pk=closed.ledger_account_id)
    assert cash_book.code == "WLT:LC2101" and cash_book.balance == Decimal("-35535.50")
    entries = Entry.objects.filter(business_type=WealthBusinessType.MATURITY)
    assert sorted(entries.values_list("idempotency_key", flat=True)) == sorted([
        f"wealth:maturity:LC2101:{zhang.pk}", f"wealth:maturity:LC2101:{li.pk}"])
    receipt = Receipt.objects.get(sub_account=passbook, entry_id__in=entries.values("id"))
    assert (receipt.direction, receipt.amount, receipt.business) == (
        ReceiptDirection.CREDIT, Decimal("15229.50"), "理财到期兑付")
    # The shares went back to the issuance account, in an entry tied to the money's.
    assert share_account_for(product=closed, customer=zhang).shares == 0
    assert issuance_account(closed).shares == 0
    share_entry = ShareEntry.objects.get(idempotency_key=f"wealth:maturity:LC2101:{zhang.pk}")
    assert share_entry.ledger_entry_id == receipt.entry_id
    assert share_book_check() == []
    assert AuditEvent.objects.filter(action="wealth.maturity_pay").count() == 2


def test_the_batch_runs_the_step_once_a_date(world, shelf):
    subscribed(shelf.closed, world.zhang_customer, world.zhang_card, "10000", number="LC1")
    nav_publish(shelf.closed, END, "1.0000")
    card = world.main(world.zhang_card)
    before = balance(card)
    with time_machine.travel(shanghai(date(2026, 12, 16), 0, 20), tick=False):
        step = next(step for step in registered_steps() if step.name == "wealth_maturity")
        assert batch_step_run(step=step.name, business_date=END, fn=step.fn)
        assert not batch_step_run(step=step.name, business_date=END, fn=step.fn)
    assert balance(card) - before == Decimal("10000.00")
    assert Entry.objects.filter(business_type=WealthBusinessType.MATURITY).count() == 1


def test_a_holder_without_a_confirmed_subscription_waits_and_verify_reports_it(world, shelf):
    closed = shelf.closed
    share_post(idempotency_key="odd", business_type="test", reference="odd",
               moves=[(issuance_account(closed), Decimal("-100")),
                      (share_account_for(product=closed, customer=world.li_customer),
                       Decimal("100"))])
    nav_publish(closed, END, "1.0100")
    with time_machine.travel(shanghai(date(2026, 12, 16), 0, 20), tick=False):
        assert maturities_pay(END) == 0
        assert wealth_problems() == []          # the night after the 到期日 has not run yet
    assert share_account_for(product=closed, customer=world.li_customer).shares == Decimal("100")
    with time_machine.travel(shanghai(date(2026, 12, 18), 10), tick=False):
        assert maturities_pay(date(2026, 12, 17)) == 0
        problems = wealth_problems()
    assert len(problems) == 1 and "产品已到期，100.0000 份未兑付" in problems[0]


def test_a_holder_whose_shares_came_otherwise_is_paid_to_the_card_of_their_latest_order(
        world, shelf):
    """No confirmed 认购 (the shares came by another confirmed order of the product): the card of
    the latest confirmed order of the product is paid, not a log line."""
    closed = shelf.closed
    order = subscribed(closed, world.li_customer, world.li_card, "100", number="LC9")
    Order.objects.filter(pk=order.pk).update(kind=OrderKind.PURCHASE)
    nav_publish(closed, END, "1.0100")
    li_main = world.main(world.li_card)
    before = balance(li_main)
    with time_machine.travel(shanghai(date(2026, 12, 16), 0, 20), tick=False):
        assert maturities_pay(END) == 1
        assert wealth_problems() == []
    assert balance(li_main) - before == Decimal("101.00")
    assert share_account_for(product=closed, customer=world.li_customer).shares == 0


def test_the_nav_a_maturity_paid_with_is_history(world, shelf):
    from wealth.catalog.services import NavRefused, nav_save

    closed = shelf.closed
    subscribed(closed, world.zhang_customer, world.zhang_card, "1000", number="LC1")
    nav_publish(closed, END, "1.0100")
    with time_machine.travel(shanghai(date(2026, 12, 16), 0, 20), tick=False):
        assert maturities_pay(END) == 1
        with pytest.raises(NavRefused):
            nav_save(staff=None, product=closed, day=END, nav=Decimal("1.0500"))
    assert closed.navs.get(date=END).nav == Decimal("1.0100")
