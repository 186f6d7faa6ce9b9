"""ACC-OVERVIEW 账户总览 and the account detail page."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import LinkedMedium, MediumKind, MediumStatus, SubAccount, SubAccountKind
from accounts.pages import selectors
from accounts.services import sub_account_open
from ebank.ledger.models import LedgerAccount

from . import test_pages_support as support
from .test_pages_support import count_queries

pytestmark = pytest.mark.django_db

# Shared fixtures (pytest finds them by these module-level names).
alice_client = support.alice_client
bank = support.bank


def test_overview_lists_the_linked_accounts_in_the_customers_order(alice_client, bank):
    body = alice_client.get(reverse("accounts:overview")).content.decode()
    # links_make linked the media newest first: 定期一本通, 活期存折, 借记卡.
    names = ["张伟 定期一本通", "张伟 活期存折", "张伟 借记卡"]
    positions = [body.index(name) for name in names]
    assert positions == sorted(positions)
    for medium in bank.alice.customer.media.all():
        assert medium.masked_number in body
        assert medium.number not in body  # never the full number
    assert "80,000.00" in body and "12,345.67" in body and "50,000.00" in body
    assert "李娜" not in body


def test_balance_and_available_come_from_the_ledger(bank):
    main = bank.main(bank.alice)
    LedgerAccount.objects.filter(pk=main.ledger_account_id).update(held=Decimal("300.00"))
    rows = {row.medium.kind: row for row in selectors.linked_accounts(customer=bank.alice.customer)}
    card = rows[MediumKind.DEBIT_CARD]
    assert card.balance == Decimal("80000.00")
    assert card.available == Decimal("79700.00")
    fixed = rows[MediumKind.FIXED_ONEBOOK]
    # 定期 money counts in the balance, not in what can be paid out now.
    assert fixed.balance == Decimal("50000.00") and fixed.available == Decimal("0.00")


def test_the_alias_once_set_replaces_the_account_name(alice_client, bank):
    link = bank.link(bank.alice, MediumKind.DEBIT_CARD)
    link.alias = "工资卡"
    link.save(update_fields=["alias"])
    body = alice_client.get(reverse("accounts:overview")).content.decode()
    assert "工资卡" in body and "张伟 借记卡" not in body


def test_overview_reads_each_table_once_whatever_the_number_of_accounts(bank):
    one = bank.bob.customer
    LinkedMedium.objects.filter(customer=one).exclude(
        pk=LinkedMedium.objects.filter(customer=one).order_by("position").first().pk).delete()
    assert LinkedMedium.objects.filter(customer=one).count() == 1
    # One query: links, their media, sub-accounts and ledger balances joined (the customer is
    # the logged-in one, not read again).
    assert count_queries(lambda: selectors.linked_accounts(customer=bank.alice.customer)) == 1
    assert count_queries(lambda: selectors.linked_accounts(customer=one)) == 1


def test_overview_page_query_count_does_not_grow_with_accounts(client, bank):
    # Both hold a 定期 sub-account, so both pages ask the facts providers once (a page with
    # only 活期 ones asks none: test_query_budget).
    if not SubAccount.objects.filter(medium__customer=bank.bob.customer).exclude(
            kind__in=[SubAccountKind.CURRENT_MAIN, SubAccountKind.CURRENT]).exists():
        sub_account_open(medium=bank.medium(bank.bob, MediumKind.DEBIT_CARD),
                         kind=SubAccountKind.FIXED_LUMP_SUM, opened_on=date(2026, 1, 5))
    client.force_login(bank.bob)
    url = reverse("accounts:overview")
    client.get(url)  # warm the session
    bob_queries = count_queries(lambda: client.get(url))
    client.force_login(bank.alice)
    client.get(url)
    alice_queries = count_queries(lambda: client.get(url))
    assert bank.alice.customer.linked_media.count() > bank.bob.customer.linked_media.count()
    assert alice_queries == bob_queries


def test_actions_link_to_history_and_hide_transfer_on_a_lost_medium(alice_client, bank):
    card = bank.link(bank.alice, MediumKind.DEBIT_CARD)
    main = bank.main(bank.alice)
    body = alice_client.get(reverse("accounts:overview")).content.decode()
    assert f'{reverse("accounts:history")}?account={main.pk}' in body
    rows = {row.pk: row for row in selectors.linked_accounts(customer=bank.alice.customer)}
    assert selectors.account_actions(rows[card.pk])["history"].endswith(f"?account={main.pk}")
    card.medium.status = MediumStatus.ORAL_LOSS
    card.medium.save(update_fields=["status"])
    rows = {row.pk: row for row in selectors.linked_accounts(customer=bank.alice.customer)}
    actions = selectors.account_actions(rows[card.pk])
    assert actions["transfer"] is None and actions["payment"] is None
    body = alice_client.get(reverse("accounts:overview")).content.decode()
    assert "口头挂失" in body and "仅可查询余额" in body
    assert "80,000.00" in body  # the balance query still works


def test_payment_action_opens_the_payments_hub_with_the_account(alice_client, bank):
    # 缴费 names the account as 转账 does: the 缴费中转页 with its 活期主账户 as the 缴费账户.
    card = bank.link(bank.alice, MediumKind.DEBIT_CARD)
    main = bank.main(bank.alice)
    rows = {row.pk: row for row in selectors.linked_accounts(customer=bank.alice.customer)}
    assert selectors.account_actions(rows[card.pk])["payment"] == (
        f'{reverse("payments:index")}?account={main.pk}')
    body = alice_client.get(reverse("accounts:overview")).content.decode()
    assert f'{reverse("payments:index")}?account={main.pk}' in body
    fixed = bank.link(bank.alice, MediumKind.FIXED_ONEBOOK)
    assert selectors.account_actions(rows[fixed.pk])["payment"] is None  # no 活期 to pay from


def test_detail_lists_the_sub_accounts_with_balances(alice_client, bank):
    link = bank.link(bank.alice, MediumKind.FIXED_ONEBOOK)
    response = alice_client.get(reverse("accounts:detail", args=[link.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "整存整取" in body and "50,000.00" in body
    fixed = link.medium.sub_accounts.get()
    assert f"?account={fixed.pk}" in body


def test_detail_of_another_customers_account_is_404(alice_client, bank):
    other = bank.link(bank.bob, MediumKind.DEBIT_CARD)
    assert alice_client.get(reverse("accounts:detail", args=[other.pk])).status_code == 404
    assert alice_client.get("/accounts/overview/999999").status_code == 404


def test_pages_need_a_logged_in_customer(client, bank):
    response = client.get(reverse("accounts:overview"))
    assert response.status_code == 302 and "login" in response["Location"]
