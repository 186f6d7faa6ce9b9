"""The statement run against a purchase at the same moment (PostgreSQL, real threads): the card
row is locked first by both, so the purchase lands wholly before the statement (billed) or
wholly after it (unbilled, on the next one); the ledger invariant holds."""

import threading
import time
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection, transaction

from creditcard.engine import card_verify
from creditcard.models import Card, CardItem, Statement
from creditcard.statements import run as run_module
from creditcard.statements.nightly import card_statements_step

from .conftest import charge

DAY = date(2026, 2, 5)


def _sound(card):
    card = Card.objects.select_related("sub_account").get(pk=card.pk)
    balance, items = card_verify(card)
    assert balance == items


def _each_item_once(card):
    """Every item posted by the day is on exactly one statement (its FK) or still unbilled, and
    each statement's 本期新增 is the sum of its lines."""
    for s in Statement.objects.filter(card=card):
        lines = sum(CardItem.objects.filter(statement=s).values_list("amount", flat=True), D(0))
        assert s.new_debits == lines


def _threads(*targets):
    def wrap(fn):
        def body():
            try:
                fn()
            finally:
                connection.close()
        return body
    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(thread.is_alive() for thread in threads)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_purchase_committing_while_the_run_waits_is_on_the_statement(card):
    charge(card, "100.00", date(2026, 1, 10))
    holding, outcome = threading.Event(), {}

    def purchase():
        with transaction.atomic():
            outcome["item"] = charge(card, "250.00", DAY, reference="RACE-1")
            holding.set()
            time.sleep(0.6)                      # the run starts and waits for the card row

    def statements():
        holding.wait(5)
        outcome["made"] = run_module.statement_run(DAY)

    _threads(purchase, statements)
    assert outcome["made"] == 1
    s = Statement.objects.get(card=card)
    assert s.new_debits == D("350.00")
    assert CardItem.objects.get(pk=outcome["item"].pk).statement_id == s.pk
    _each_item_once(card)
    _sound(card)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_purchase_during_the_run_waits_and_goes_to_the_next_statement(card, monkeypatch):
    charge(card, "100.00", date(2026, 1, 10))
    locked, outcome = threading.Event(), {}
    real = run_module._card_statement

    def slow_card_statement(*args, **kwargs):
        locked.set()
        time.sleep(0.6)                          # the purchase arrives while the card is locked
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "_card_statement", slow_card_statement)

    def statements():
        outcome["made"] = run_module.statement_run(DAY)

    def purchase():
        locked.wait(5)
        outcome["item"] = charge(card, "250.00", DAY, reference="RACE-2")

    _threads(statements, purchase)
    assert outcome["made"] == 1
    s = Statement.objects.get(card=card)
    assert s.new_debits == D("100.00")
    item = CardItem.objects.get(pk=outcome["item"].pk)
    assert item.statement_id is None
    monkeypatch.setattr(run_module, "_card_statement", real)
    assert run_module.statement_run(date(2026, 3, 5)) == 1
    item.refresh_from_db()
    assert item.statement.statement_date == date(2026, 3, 5)
    _each_item_once(card)
    _sound(card)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_purchases_racing_two_runs_every_item_on_one_statement(world, card):
    from .conftest import card_for
    cards = [card, card_for(world.li_customer), card_for(world.wang_customer)]
    for each in cards:
        charge(each, "10.00", date(2026, 1, 10))
    outcome = {"made": []}

    def purchases():
        for n in range(30):
            charge(cards[n % 3], "1.00", DAY, reference=f"LOOP-{n}")

    def statements():
        outcome["made"].append(run_module.statement_run(DAY, chunk_size=1))

    _threads(purchases, statements, statements)
    assert sum(outcome["made"]) == 3 and Statement.objects.count() == 3
    assert CardItem.objects.count() == 33
    # Whatever the interleaving: billed (on one statement) + unbilled = everything posted.
    billed = sum(Statement.objects.values_list("new_debits", flat=True), D(0))
    unbilled = sum(CardItem.objects.filter(statement__isnull=True)
                   .values_list("amount", flat=True), D(0))
    assert billed + unbilled == D("60.00")
    for each in cards:
        _each_item_once(each)
        _sound(each)


@pytest.mark.django_db
def test_the_nightly_step_card_statements_runs_after_maturities(card):
    from ebank.duework.nightly import registered_steps
    steps = {step.name: step for step in registered_steps()}
    step = steps["card_statements"]
    assert (step.order, step.label, step.fn) == (300, "信用卡账单生成", card_statements_step)
    assert all(other.order < 300 for other in registered_steps()
               if other.name in {"current_settlement", "fixed_maturity", "lixiande_maturity"})
    charge(card, "10.00", date(2026, 1, 10))
    assert card_statements_step(DAY) == 1 and card_statements_step(DAY) == 0
