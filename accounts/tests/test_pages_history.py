"""ACC-HISTORY 交易明细查询: periods, date checks, keyset paging, the index it uses, Excel export."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import MediumKind, Receipt, ReceiptDirection
from accounts.pages import selectors
from accounts.pages.forms import Period, months_back
from ebank.core.clock import SHANGHAI
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import AccountOwner, LedgerAccount

from . import test_pages_support as support
from .test_pages_support import deposit, withdraw

pytestmark = pytest.mark.django_db

# Shared fixtures (pytest finds them by these module-level names).
alice_client = support.alice_client
bank = support.bank
URL = "/accounts/history"


def _ids(page) -> list[int]:
    return [row.posting_id for row in page.rows]


def test_url_names():
    assert reverse("accounts:history") == URL
    assert reverse("accounts:history_export") == "/accounts/history/export"


def test_preset_periods():
    today = date(2026, 3, 31)
    assert Period.bounds("today", today) == (today, today)
    assert Period.bounds("week", today) == (date(2026, 3, 25), today)
    assert Period.bounds("month", today) == (date(2026, 3, 1), today)
    assert Period.bounds("quarter", today) == (date(2026, 1, 1), today)
    assert months_back(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_back(date(2026, 1, 15), 3) == date(2025, 10, 15)


def test_the_page_without_a_query_shows_the_form_only(alice_client, bank):
    response = alice_client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "查询账户" in body and "近三月" in body and "交易时间" not in body


def test_the_history_of_an_account_shows_its_postings(alice_client, bank):
    main = bank.main(bank.alice)
    withdraw(main, "300.00", key="h:w1")
    deposit(main, "20.50", key="h:d1", memo="工资")
    body = alice_client.get(URL, {"account": main.pk, "period": "today"}).content.decode()
    assert "开户存入" in body and "现金存入（工资）" in body and "现金支取" in body
    assert "80,000.00" in body and "79,700.00" in body and "79,720.50" in body
    assert "300.00" in body and "20.50" in body
    assert bank.medium(bank.alice, MediumKind.DEBIT_CARD).number not in body


def _receipt(bank, main, entry_id: int, *, number: str, payee_name: str) -> Receipt:
    """A debit receipt of a 50.00 行内转账 from Alice's main account to 6226790101000000048."""
    return Receipt.objects.create(
        number=number, customer=bank.alice.customer, sub_account=main, entry_id=entry_id,
        direction=ReceiptDirection.DEBIT, amount=Decimal("50.00"), payer_name="张伟",
        payer_account=main.medium.number, payer_bank="本行", payee_name=payee_name,
        payee_account="6226790101000000048", payee_bank="本行", business="行内转账",
        channel="网银", posted_at=timezone.now(), verification_code="x")


def test_receipt_counterparty_is_shown_masked(alice_client, bank):
    main = bank.main(bank.alice)
    _receipt(bank, main, withdraw(main, "50.00", key="h:r1"), number="R-TEST-1",
             payee_name="李娜")
    body = alice_client.get(URL, {"account": main.pk, "period": "today"}).content.decode()
    assert "李娜" in body and "6226 **** **** 0048" in body
    assert "6226790101000000048" not in body


def test_postings_outside_the_period_are_left_out(bank):
    main = bank.main(bank.alice)
    account = selectors.history_account_get(customer=bank.alice.customer, sub_account_id=main.pk)
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        deposit(main, "1.00", key="h:old")
    today = timezone.localdate(timezone=SHANGHAI)
    week = selectors.history_page(account=account, start=today - timedelta(days=6), end=today)
    month = selectors.history_page(account=account, start=today - timedelta(days=29), end=today)
    assert len(week.rows) == 1 and len(month.rows) == 2


@pytest.mark.parametrize(("params", "message"), [
    ({"start_date": "2026-03-10", "end_date": "2026-03-01"}, "起始日期不能晚于终止日期"),
    ({"start_date": "2024-01-01", "end_date": "2025-03-01"}, "查询区间最长为一年，请缩小查询区间"),
    ({"start_date": "2026-03-01"}, "请同时输入起始日期和终止日期"),
    ({"start_date": "2026-13-01", "end_date": "2026-03-01"}, "请输入正确的日期"),
    ({"start_date": "2000-01-01", "end_date": "2999-01-01"}, "终止日期不能晚于今天"),
])
def test_bad_ranges_are_refused_in_chinese_with_the_dates_kept(alice_client, bank, params,
                                                               message):
    main = bank.main(bank.alice)
    with time_machine.travel(datetime(2026, 3, 20, 10, tzinfo=SHANGHAI)):
        response = alice_client.get(URL, {"account": main.pk, **params})
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    for value in params.values():
        assert f'value="{value}"' in body
    assert "交易时间" not in body


def test_one_year_is_allowed(alice_client, bank):
    main = bank.main(bank.alice)
    today = timezone.localdate(timezone=SHANGHAI)
    start = months_back(today, 12)
    response = alice_client.get(URL, {"account": main.pk, "start_date": start.isoformat(),
                                      "end_date": today.isoformat()})
    assert "开户存入" in response.content.decode()


def test_another_customers_sub_account_is_404(alice_client, bank):
    other = bank.main(bank.bob)
    for url in (URL, reverse("accounts:history_export")):
        assert alice_client.get(url, {"account": other.pk}).status_code == 404
        assert alice_client.get(url, {"account": "junk"}).status_code == 404


def _many_postings(main, count: int) -> None:
    for index in range(count):
        deposit(main, f"{index + 1}.00", key=f"h:many:{index}")


def test_keyset_pages_have_no_duplicates_or_gaps(alice_client, bank):
    main = bank.main(bank.alice)
    _many_postings(main, 44)  # + the opening deposit = 45 postings
    account = selectors.history_account_get(customer=bank.alice.customer, sub_account_id=main.pk)
    today = timezone.localdate(timezone=SHANGHAI)
    seen, before, sizes = [], None, []
    while True:
        page = selectors.history_page(account=account, start=today, end=today, before=before)
        sizes.append(len(page.rows))
        seen += _ids(page)
        if page.next_before is None:
            break
        before = page.next_before
    assert sizes == [20, 20, 5] and selectors.PAGE_SIZE == 20
    assert len(seen) == len(set(seen)) == 45
    assert seen == sorted(seen, reverse=True)
    # Through the page: the 下一页 link carries ?before= and the query.
    body = alice_client.get(URL, {"account": main.pk, "period": "today"}).content.decode()
    assert f"before={seen[19]}" in body and "下一页" in body


def test_keyset_pages_are_stable_under_new_postings(bank):
    main = bank.main(bank.alice)
    _many_postings(main, 30)
    account = selectors.history_account_get(customer=bank.alice.customer, sub_account_id=main.pk)
    today = timezone.localdate(timezone=SHANGHAI)
    first = selectors.history_page(account=account, start=today, end=today)
    second_before = selectors.history_page(account=account, start=today, end=today,
                                           before=first.next_before)
    for index in range(5):
        deposit(main, "9.99", key=f"h:new:{index}")
    second_after = selectors.history_page(account=account, start=today, end=today,
                                          before=first.next_before)
    assert _ids(second_after) == _ids(second_before)
    assert not set(_ids(first)) & set(_ids(second_after))
    fresh = selectors.history_page(account=account, start=today, end=today)
    assert len({row.posting_id for row in fresh.rows} - set(_ids(first))) == 5


def test_history_page_reads_postings_and_receipts_in_one_statement(bank):
    from .test_pages_support import count_queries

    main = bank.main(bank.alice)
    _many_postings(main, 25)
    account = selectors.history_account_get(customer=bank.alice.customer, sub_account_id=main.pk)
    today = timezone.localdate(timezone=SHANGHAI)
    assert count_queries(lambda: selectors.history_page(account=account, start=today,
                                                        end=today)) == 1


@pytest.mark.postgres
def test_the_history_query_walks_the_account_id_desc_index(bank):
    """Accounts among many (as in a bank: any one account holds a small share of all postings):
    the plan is the (account, -id) index under a LIMIT, first page and later ones, so a page
    costs the same on an account with a million postings as on a new one."""
    busy, quiet = bank.main(bank.alice), bank.main(bank.bob)
    others = LedgerAccount.objects.bulk_create(
        LedgerAccount(code=f"T:BULK:{i}", name="bulk", owner=AccountOwner.CUSTOMER,
                      normal_side="C") for i in range(998))
    account_ids = [busy.ledger_account_id] * 2 + [a.pk for a in others] + [quiet.ledger_account_id]
    cash = bank_book_id(BankBook.CASH)
    with connection.cursor() as cursor:
        # Bulk rows straight in SQL: 50,000 balanced entries, 1 in 500 on the busy account,
        # dated by the test's clock (the server's now() is not moved by a shifted test clock).
        posted_at = timezone.now()
        cursor.execute(
            "INSERT INTO ledger_entry (idempotency_key, fingerprint, business_type, reference, memo,"
            " posted_at) SELECT 'bulk:' || g, '', 'cash_deposit', 'bulk', '', %s"
            " FROM generate_series(1, 50000) g", [posted_at])
        cursor.execute(
            "INSERT INTO ledger_posting (entry_id, account_id, side, amount, balance_after,"
            " posted_at) SELECT e.id, (%s::bigint[])[1 + e.id %% %s], 'C', 1, 1, %s"
            " FROM ledger_entry e WHERE e.reference = 'bulk'"
            " UNION ALL SELECT e.id, %s, 'D', 1, 1, %s FROM ledger_entry e"
            " WHERE e.reference = 'bulk'",
            [account_ids, len(account_ids), posted_at, cash, posted_at])
        cursor.execute("ANALYZE ledger_posting")
    today = timezone.localdate(timezone=SHANGHAI)

    def plan(account, before):
        # The one statement history_page runs (postings, entries and receipts).
        sql, params = selectors.history_page_statement(account=account, start=today, end=today,
                                                       before=before, limit=21)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())

    for owner, sub in ((bank.alice, busy), (bank.bob, quiet)):
        account = selectors.history_account_get(customer=owner.customer, sub_account_id=sub.pk)
        first = plan(account, None)
        assert "ledger_post_acct_id_desc" in first and "Limit" in first, first
        before = selectors.history_page(account=account, start=today, end=today,
                                        size=30).next_before
        later = plan(account, before)
        assert "ledger_post_acct_id_desc" in later, later
    account = selectors.history_account_get(customer=bank.alice.customer, sub_account_id=busy.pk)
    page = selectors.history_page(account=account, start=today, end=today)
    assert len(page.rows) == 20 and page.next_before is not None


def _export(client, **params):
    response = client.get(reverse("accounts:history_export"), params)
    assert response.status_code == 200, response.content[:500]
    content = b"".join(response.streaming_content)
    return response, load_workbook(io.BytesIO(content))


def test_export_is_an_xlsx_with_a_header_block_and_numeric_amounts(alice_client, bank):
    main = bank.main(bank.alice)
    withdraw(main, "300.00", key="x:w1")
    deposit(main, "20.50", key="x:d1")
    response, workbook = _export(alice_client, account=main.pk, period="today")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    disposition = response["Content-Disposition"]
    number = main.medium.number
    assert "attachment" in disposition and number not in disposition
    assert number[-4:] in disposition
    sheet = workbook["交易明细"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "交易明细"
    assert rows[1][:2] == ("户名", "张伟")
    assert rows[2][:2] == ("账户名称", "张伟 借记卡")
    assert rows[3][:2] == ("卡号/账号", main.medium.masked_number)
    assert rows[4][:2] == ("子账户", "0001 活期主账户")
    header_index = next(i for i, row in enumerate(rows) if row and row[0] == "交易时间")
    assert rows[header_index][:5] == ("交易时间", "摘要", "收入（元）", "支出（元）", "余额（元）")
    data = rows[header_index + 1:]
    assert len(data) == 3
    newest, middle, opening = data
    assert newest[1] == "现金存入" and newest[2] == 20.5 and newest[3] is None
    assert middle[3] == 300 and middle[4] == 79700
    assert opening[2] == 80000 and opening[4] == 80000
    assert isinstance(newest[0], datetime)
    amount_cell = sheet.cell(row=header_index + 2, column=3)
    assert amount_cell.number_format == "#,##0.00"
    for row in rows:
        assert all(number not in str(value) for value in row if value is not None)


def test_export_pages_through_everything_in_chunks(bank):
    from accounts.pages.exports import history_workbook_write

    main = bank.main(bank.alice)
    _many_postings(main, 12)
    account = selectors.history_account_get(customer=bank.alice.customer, sub_account_id=main.pk)
    today = timezone.localdate(timezone=SHANGHAI)
    target = io.BytesIO()
    assert history_workbook_write(target=target, account=account, start=today, end=today) == 13
    rows = list(selectors.history_rows_iter(account=account, start=today, end=today, chunk=5))
    assert len(rows) == 13 and len({r.posting_id for r in rows}) == 13
    capped = io.BytesIO()
    assert history_workbook_write(target=capped, account=account, start=today, end=today,
                                  max_rows=10) == 10
    last = list(load_workbook(capped)["交易明细"].iter_rows(values_only=True))[-1]
    assert "请缩小查询区间" in last[0]


def test_export_with_bad_dates_shows_the_page_with_the_error(alice_client, bank):
    main = bank.main(bank.alice)
    response = alice_client.get(reverse("accounts:history_export"),
                                {"account": main.pk, "start_date": "2026-03-10",
                                 "end_date": "2026-03-01"})
    assert response.status_code == 200
    assert "起始日期不能晚于终止日期" in response.content.decode()


def test_the_alias_is_shown_in_the_account_choice(alice_client, bank):
    link = bank.link(bank.alice, MediumKind.DEBIT_CARD)
    link.alias = "日常开销"
    link.save(update_fields=["alias"])
    body = alice_client.get(URL).content.decode()
    assert "日常开销" in body and "张伟 借记卡" not in body


def test_every_cell_of_a_row_is_escaped(alice_client, bank):
    # The rows are joined by the view (format_html_join); a memo or a name typed by anyone
    # must reach the page as text.
    main = bank.main(bank.alice)
    deposit(main, "1.00", key="h:x0", memo='<script>alert("x")</script>')
    _receipt(bank, main, withdraw(main, "50.00", key="h:x1"), number="R-TEST-X",
             payee_name="<b>李娜</b>")
    body = alice_client.get(URL, {"account": main.pk, "period": "today"}).content.decode()
    assert "<script>alert" not in body and "<b>李娜" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "&lt;b&gt;李娜&lt;/b&gt;" in body


def test_an_empty_period_says_so(alice_client, bank):
    main = bank.main(bank.alice)
    yesterday = timezone.localdate(timezone=SHANGHAI) - timedelta(days=1)
    body = alice_client.get(URL, {"account": main.pk, "start_date": yesterday.isoformat(),
                                  "end_date": yesterday.isoformat()}).content.decode()
    assert "交易时间" in body and "该期间没有交易明细" in body and "开户存入" not in body
