"""The pages of 定期存款: 我的定期存款, 详情, 整存整取开户 and 定期支取 — Chinese refusals with what
was typed kept, the confirmation reached, another customer's deposit a 404, 账户总览 showing
each deposit's facts."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from deposits.fixed import OPEN_NOTE_4, WITHDRAW_NOTE_4, fixed_open
from deposits.models import Deposit, MaturityOption
from security.models import PendingOperation

from .conftest import LOGIN_PASSWORD
from .test_fixed import OPENED, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_zhang(client, world):
    client.login(username=world.zhang.username, password=LOGIN_PASSWORD)
    return client


def _deposit(world, amount="10000.00", user=None, card=None):
    user = user or world.zhang
    card = card or world.zhang_card
    return fixed_open(user=user, from_sub_account_id=world.main(card).pk, term_months=12,
                      amount=Decimal(amount), maturity_option=MaturityOption.ROLL_ALL,
                      idempotency_key=f"v:{user.pk}:{amount}").deposit


def test_index_lists_each_deposit_with_its_facts(client_zhang, world):
    with at(OPENED):
        _deposit(world)
    with at(date(2026, 6, 10)):
        body = client_zhang.get(reverse("deposits:index")).content.decode()
    for text in ("整存整取 一年", "1.20%", "2026-03-02", "2027-03-02", "10,000.00",
                 "自动转存（本息）", "33.33"):  # 10,000 × 1.20% / 360 × 100
        assert text in body


def test_open_form_refuses_below_50_keeping_what_was_typed(client_zhang, world):
    card = world.main(world.zhang_card)
    with at(OPENED):
        response = client_zhang.post(reverse("deposits:fixed_open"), {
            "from_sub_account": card.pk, "fixed_book": "", "term_months": "12",
            "amount": "49", "maturity_option": MaturityOption.HOLD})
    body = response.content.decode()
    assert response.status_code == 200 and OPEN_NOTE_4 in body
    assert 'value="49"' in body and not PendingOperation.objects.exists()


def test_open_form_with_nothing_typed_says_what_is_missing(client_zhang, world):
    with at(OPENED):
        body = client_zhang.post(reverse("deposits:fixed_open"), {}).content.decode()
    assert "请选择转出账户" in body and "请选择存期" in body and "请输入存入金额" in body


def test_open_form_goes_to_the_confirmation(client_zhang, world):
    card = world.main(world.zhang_card)
    with at(OPENED):
        response = client_zhang.post(reverse("deposits:fixed_open"), {
            "from_sub_account": card.pk, "fixed_book": "", "term_months": "12",
            "amount": "10,000", "maturity_option": MaturityOption.ROLL_ALL})
        operation = PendingOperation.objects.get()
        assert response.status_code == 302 and operation.public_id in response["Location"]
        page = client_zhang.get(response["Location"]).content.decode()
    assert "整存整取开户" in page and "壹万元整" in page and "1.20%" in page


def test_withdraw_form_refuses_leaving_40_with_the_manuals_words(client_zhang, world):
    with at(OPENED):
        deposit = _deposit(world, amount="100.00")
    with at(date(2026, 4, 1)):
        response = client_zhang.post(reverse("deposits:fixed_withdraw"), {
            "deposit": deposit.pk, "mode": "partial", "amount": "60"})
    body = response.content.decode()
    assert WITHDRAW_NOTE_4 in body and 'value="60"' in body
    assert not PendingOperation.objects.exists()


def test_withdraw_of_another_customers_deposit_is_refused_or_404(client_zhang, world):
    with at(OPENED):
        theirs = _deposit(world, user=world.li, card=world.li_card, amount="1000.00")
        assert client_zhang.get(reverse("deposits:detail", args=[theirs.pk])).status_code == 404
        assert client_zhang.get(reverse("deposits:fixed_withdraw"),
                                {"deposit": theirs.pk}).status_code == 404
        response = client_zhang.post(reverse("deposits:fixed_withdraw"), {
            "deposit": theirs.pk, "mode": "full"})
    assert "定期存款不存在或已销户" in response.content.decode()
    assert not PendingOperation.objects.exists()


def test_account_overview_and_detail_show_the_deposit(client_zhang, world):
    with at(OPENED):
        deposit = _deposit(world)
    with at(date(2026, 6, 10)):
        overview = client_zhang.get(reverse("accounts:overview")).content.decode()
        link = world.zhang_card.link
        detail = client_zhang.get(reverse("accounts:detail", args=[link.pk])).content.decode()
    for body in (overview, detail):
        for text in ("整存整取", "一年", "1.20%", "2026-03-02", "2027-03-02", "¥33.33"):
            assert text in body, text
    assert f"-{deposit.sub_account.seq:04d}" in overview


def test_facts_sql_reads_what_its_queryset_reads(world):
    # 账户总览's explicit statement (ebank.core.sql) on PostgreSQL, the queryset elsewhere: the
    # same deposits, every field and the balance alike.
    from django.db import connection

    from deposits.selectors import _FACTS_SQL, _facts_queryset, _with_balances
    from ebank.core.sql import fetch_all, loaded

    with at(OPENED):
        first = _deposit(world)
        second = _deposit(world, amount="2500.00")
    ids = [first.sub_account_id, second.sub_account_id, world.main(world.zhang_card).pk]
    expected = sorted((d.pk, d.product, d.term_months, d.annual_rate, d.opened_on,
                        d.matures_on, d.maturity_option, d.status,
                        d.sub_account.ledger_account.balance) for d in _facts_queryset(ids))
    got = sorted(((d.pk, d.product, d.term_months, d.annual_rate, d.opened_on, d.matures_on,
                   d.maturity_option, d.status, balance) for d, balance in _with_balances(ids)))
    assert got == expected
    assert sorted(row[-1] for row in got) == [Decimal("2500.00"), Decimal("10000.00")]
    if connection.vendor == "postgresql":
        rows = fetch_all(_FACTS_SQL, [ids], using="default")
        assert sorted(loaded(Deposit, row[:-1], using="default").pk for row in rows) == \
            sorted([first.pk, second.pk])


def test_index_lists_every_product_with_its_own_withdrawal_page(client_zhang, world):
    # 我的定期存款 lists each time deposit of 定期存款 and 智能存款, its product's lines, and a
    # 支取 button to that product's own page (deposits.product_facts).
    from deposits.demo import (
        demo_instalment_seed,
        demo_lixiande_seed,
        demo_payout_seed,
        demo_rates_seed,
    )

    with at(OPENED):
        demo_rates_seed()
        fixed = _deposit(world)
        instalment = demo_instalment_seed()
        lixiande = demo_lixiande_seed().deposit
        payout = demo_payout_seed()
    with at(date(2026, 6, 10)):
        body = client_zhang.get(reverse("deposits:index")).content.decode()
    for href in (f"{reverse('deposits:fixed_withdraw')}?deposit={fixed.pk}",
                 f"{reverse('deposits:instalment_withdraw')}?deposit={instalment.pk}",
                 f"{reverse('deposits:lixiande_withdraw')}?deposit={lixiande.pk}",
                 reverse("deposits:payout_withdraw", args=[payout.pk])):
        assert f'href="{href}"' in body, href
    for text in ("零存整取", "每月存额", "利先得", "存本取息", "整存整取"):
        assert text in body, text
