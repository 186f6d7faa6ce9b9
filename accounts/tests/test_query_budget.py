"""Statement budgets of 账户总览 (ACC-OVERVIEW) and 交易明细 (ACC-HISTORY), the busiest customer
pages, and what their one-statement reads must still show.

Every logged-in page pays a floor the middleware owns: the session (from Redis where there is
one, else from the database) and the user with their customer. On top of it each page's own
reads are pinned exactly: 账户总览 one statement (links, media, sub-accounts and balances),
账户详情 and 账户挂失 the same one, 交易明细 two (the accounts to choose from, then one page of
postings with their entries and receipts), however long the account's history.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import LinkedMedium, MediumKind, SubAccount, SubAccountKind
from accounts.pages import selectors
from accounts.services import medium_open, sub_account_open
from ebank.core.money import format_amount
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import BusinessType, Entry, LedgerAccount, Posting, Side

from . import test_pages_support as support
from .test_pages_support import PIN

pytestmark = pytest.mark.django_db

# Shared fixtures (pytest finds them by these module-level names).
alice_client = support.alice_client
bank = support.bank

# The middleware's floor: the session row with the user and the customer, one statement.
FLOOR_MAX = 1
OVERVIEW_OWN = 1
# 账户总览 and 账户详情 also ask each registered sub-account facts provider (accounts.pages.facts)
# once for all the page's non-活期 sub-accounts: deposits' one statement — and nothing when the
# page shows only 活期 ones.
FACTS_OWN = 1
HISTORY_OWN = 2
# A page's own statements: everything but the session and the user of the floor.
FLOOR_TABLES = ('"security_usersession"', '"security_user"')


def _own(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries
            if not any(table in query["sql"] for table in FLOOR_TABLES)]


def _budget(client, url, own, django_assert_max_num_queries):
    client.get(url)  # the session and caches warm, as on every request but a customer's first
    with django_assert_max_num_queries(FLOOR_MAX + own) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(_own(captured)) == own, _own(captured)
    return response


def test_overview_statements(alice_client, bank, django_assert_max_num_queries):
    # 王芳 (bob) holds only 活期 sub-accounts: no provider is asked.
    bob = bank.bob.customer
    assert not SubAccount.objects.filter(medium__customer=bob).exclude(
        kind__in=[SubAccountKind.CURRENT_MAIN, SubAccountKind.CURRENT]).exists()
    alice_client.force_login(bank.bob)
    _budget(alice_client, reverse("accounts:overview"), OVERVIEW_OWN,
            django_assert_max_num_queries)
    # A 定期 sub-account on the page: one statement for all of them.
    sub_account_open(medium=bank.medium(bank.bob, MediumKind.DEBIT_CARD),
                     kind=SubAccountKind.FIXED_LUMP_SUM, opened_on=timezone.localdate())
    _budget(alice_client, reverse("accounts:overview"), OVERVIEW_OWN + FACTS_OWN,
            django_assert_max_num_queries)
    alice_client.force_login(bank.alice)
    _budget(alice_client, reverse("accounts:overview"), OVERVIEW_OWN + FACTS_OWN,
            django_assert_max_num_queries)


def test_detail_and_loss_read_the_same_one_statement(alice_client, bank,
                                                     django_assert_max_num_queries):
    # The rows carry only the columns read; a template reaching for another would cost a
    # query per row here.
    link = bank.link(bank.alice, MediumKind.FIXED_ONEBOOK)
    sub_account_open(medium=link.medium, kind=SubAccountKind.FIXED_LUMP_SUM,
                     opened_on=timezone.localdate())
    _budget(alice_client, reverse("accounts:detail", args=[link.pk]), OVERVIEW_OWN + FACTS_OWN,
            django_assert_max_num_queries)
    _budget(alice_client, reverse("accounts:loss"), OVERVIEW_OWN, django_assert_max_num_queries)


def test_history_statements(alice_client, bank, django_assert_max_num_queries):
    main = bank.main(bank.alice)
    url = f"{reverse('accounts:history')}?account={main.pk}"
    _budget(alice_client, url, HISTORY_OWN, django_assert_max_num_queries)
    # The form alone (no account chosen yet) reads the accounts only.
    _budget(alice_client, reverse("accounts:history"), HISTORY_OWN - 1,
            django_assert_max_num_queries)


# --- a long history -----------------------------------------------------------------------------

FIRST_PAGE_LINK = re.compile(r'href="\?[^"]*">首页')
ROW = re.compile(r'<tr>\s*<td class="mono">([^<]*)</td>\s*<td>([^<]*)</td>\s*'
                 r'<td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>\s*'
                 r'<td class="num">([^<]*)</td>')


def _postings_bulk(sub_account, count: int) -> list[tuple]:
    """``count`` cash deposits and withdrawals on the sub-account, one a minute up to a minute
    ago, written set-wise (both legs, running balances, cached balances); returns what each
    row of 交易明细 must show, newest first: (posting id, time, summary, 收入, 支出, 余额)."""
    cash = bank_book_id(BankBook.CASH)
    account = LedgerAccount.objects.get(pk=sub_account.ledger_account_id)
    cash_account = LedgerAccount.objects.get(pk=cash)
    balance, cash_balance = account.balance, cash_account.balance
    now = timezone.now()
    legs = []
    for index in range(count):
        amount = Decimal(index + 1) / 100 + 1
        deposit = index % 3 != 2
        legs.append((amount, deposit, now - timedelta(minutes=count - index)))
    entries = Entry.objects.bulk_create(
        Entry(idempotency_key=f"budget:{index}", fingerprint="", reference=f"budget:{index}",
              business_type=BusinessType.CASH_DEPOSIT if deposit else BusinessType.CASH_WITHDRAWAL)
        for index, (_amount, deposit, _at) in enumerate(legs))
    postings, expected = [], []
    for entry, (amount, deposit, posted_at) in zip(entries, legs, strict=True):
        balance += amount if deposit else -amount
        # The cash book is debit-normal: a deposit debits it.
        cash_balance += amount if deposit else -amount
        postings.append(Posting(entry=entry, account_id=account.pk, amount=amount,
                                side=Side.CREDIT if deposit else Side.DEBIT,
                                balance_after=balance, posted_at=posted_at))
        postings.append(Posting(entry=entry, account_id=cash, amount=amount,
                                side=Side.DEBIT if deposit else Side.CREDIT,
                                balance_after=cash_balance, posted_at=posted_at))
        expected.append((posted_at, "现金存入" if deposit else "现金支取",
                         format_amount(amount) if deposit else "",
                         "" if deposit else format_amount(amount), format_amount(balance)))
    created = Posting.objects.bulk_create(postings)
    LedgerAccount.objects.filter(pk=account.pk).update(balance=balance)
    LedgerAccount.objects.filter(pk=cash).update(balance=cash_balance)
    ids = [posting.pk for posting in created[::2]]
    assert ids == sorted(ids)  # posting order = id order = time order, as the ledger's
    return [(pk, timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S"), *shown)
            for pk, (at, *shown) in reversed(list(zip(ids, expected, strict=True)))]


def test_the_first_pages_of_a_long_history_show_the_newest_rows(
        alice_client, bank, django_assert_max_num_queries):
    main = bank.main(bank.alice)
    assert LedgerAccount.objects.get(pk=bank_book_id(BankBook.CASH)).normal_side == Side.DEBIT
    expected = _postings_bulk(main, 3000)
    url = f"{reverse('accounts:history')}?account={main.pk}"  # as 明细 of 账户总览 links it

    body = _budget(alice_client, url, HISTORY_OWN, django_assert_max_num_queries).content.decode()
    first = ROW.findall(body)
    assert first == [row[1:] for row in expected[:selectors.PAGE_SIZE]]
    assert 'value="week" id="id_period_1" checked' in body  # the default period, shown chosen
    assert not FIRST_PAGE_LINK.search(body)
    next_before = re.search(r'href="\?([^"]*)&amp;before=(\d+)">下一页', body)
    assert next_before is not None and int(next_before[2]) == expected[selectors.PAGE_SIZE - 1][0]

    second = alice_client.get(f"{reverse('accounts:history')}?{next_before[1]}"
                              f"&before={next_before[2]}").content.decode()
    assert ROW.findall(second) == [row[1:] for row in expected[selectors.PAGE_SIZE:
                                                                 2 * selectors.PAGE_SIZE]]
    assert FIRST_PAGE_LINK.search(second) and "下一页" in second


# --- what the one-statement reads must still do -------------------------------------------------


def test_a_linked_medium_without_a_current_account_keeps_its_overview_row(alice_client, bank):
    """A credit card's account has its own statements: the overview lists the card with
    nothing in it, and 交易明细 does not offer it."""
    customer = bank.alice.customer
    card = medium_open(customer=customer, number="6226790101999999991",
                       kind=MediumKind.CREDIT_CARD, pin=PIN, opened_on=timezone.localdate())
    assert card.sub_accounts.get().kind == SubAccountKind.CREDIT
    link = LinkedMedium.objects.create(customer=customer, medium=card, position=99)
    rows = selectors.linked_accounts(customer=customer)
    row = next(row for row in rows if row.pk == link.pk)
    assert row.sub_accounts == () and row.balance == Decimal("0.00")
    assert row.masked_number == card.masked_number and row.name == "张伟 信用卡"
    body = alice_client.get(reverse("accounts:overview")).content.decode()
    assert "张伟 信用卡" in body and card.masked_number in body and card.number not in body
    # No 余额 of 0.00 that would read as "owes nothing": its row links 信用卡业务's pages.
    card_row = body[body.index("张伟 信用卡"):].split("</tr>")[0]
    assert "0.00" not in card_row and "—" in card_row
    assert f'href="{reverse("creditcard:limit")}">额度' in card_row
    assert f'href="{reverse("creditcard:repay")}">还款' in card_row
    assert "转账" not in card_row and "缴费" not in card_row
    history = selectors.history_accounts(customer=customer)
    assert card.number[-4:] not in "".join(account.label for account in history)


def test_another_customers_medium_behind_a_link_row_is_not_shown(bank):
    """A link row pointing at someone else's medium (a data error) shows nothing of it."""
    bob_card = bank.medium(bank.bob, MediumKind.DEBIT_CARD)
    LinkedMedium.objects.filter(medium=bob_card).delete()
    stray = LinkedMedium.objects.create(customer=bank.alice.customer, medium=bob_card,
                                        position=99)
    assert stray.pk not in {row.pk for row in selectors.linked_accounts(
        customer=bank.alice.customer)}
    assert bob_card.number[-4:] not in "".join(
        account.label for account in selectors.history_accounts(customer=bank.alice.customer))


@pytest.mark.postgres
def test_the_page_finds_each_rows_receipt_by_its_entry(bank):
    """On an account with many receipts the page looks each row's receipt up by (entry,
    sub-account), not every receipt of the account."""
    main = bank.main(bank.alice)
    _postings_bulk(main, 3000)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_receipt (number, customer_id, sub_account_id, entry_id,"
            " direction, amount, payer_name, payer_account, payer_bank, payee_name,"
            " payee_account, payee_bank, purpose, business, channel, posted_at,"
            " verification_code) SELECT 'BUDGET' || p.entry_id, %s, %s, p.entry_id, 'credit',"
            " p.amount, '李娜', '6226790101000000047', '本行', '张伟', '6226790101000000013',"
            " '本行', '', '行内转账', '网银', p.posted_at, 'x' FROM ledger_posting p"
            " WHERE p.account_id = %s", [bank.alice.customer.pk, main.pk, main.ledger_account_id])
        cursor.execute("ANALYZE accounts_receipt")
        account = selectors.history_account_get(customer=bank.alice.customer,
                                                sub_account_id=main.pk)
        today = timezone.localdate()
        sql, params = selectors.history_page_statement(
            account=account, start=today - timedelta(days=6), end=today, before=None,
            limit=selectors.PAGE_SIZE + 1)
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "accounts_one_receipt_per_entry_account" in plan, plan
    page = selectors.history_page(account=account, start=today - timedelta(days=6), end=today)
    assert {row.counterparty_name for row in page.rows} == {"李娜"}
    assert {row.counterparty_account for row in page.rows} == {"6226 **** **** 0047"}
