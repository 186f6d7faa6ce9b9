"""信用卡业务 in Chromium, as 张伟 (USBKey) uses it after his 2月 statement: 已出账单查询 with the
statement's figures, its 账单明细 and the PDF read back; 信用卡还款 of the 最低还款额 from his 借记卡
confirmed with the USBKey, the 电子回单 and the figures afterwards; 账单分期申请 of 12 periods with
the APR and the whole schedule shown before he confirms, then the plan in 账单分期查询.

The card is issued through card_issue, the purchases posted through the engine on January days and
the statement made by the statement run of 2026-02-05 — every date fixed, never today's."""

import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import SubAccountKind
from creditcard.engine import card_balance
from creditcard.instal.demo import instal_rates_seed
from creditcard.instal.services import instal_trial
from creditcard.models import InstalmentPlan, Statement
from creditcard.repay.repayment import repay_figures
from creditcard.statements.run import statement_run
from creditcard.tests.conftest import charge
from creditcard.tests.conftest import world as world  # noqa: F401 - fixture
from creditcard.tests.instal_support import APPLY_AT, card_linked
from ebank.core.money import format_cny
from tests.customer_world import CERT_PASSWORD, DEMO_PIN, balance

from .support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT_DATE = date(2026, 2, 5)


def amount(value: Decimal) -> str:
    """12000.00 as the pages and the PDF write it: 12,000.00."""
    return f"{value:,.2f}"


@pytest.fixture
def billed(world):
    """张伟's card with two January purchases billed by the statement run of 5 Feb 2026."""
    instal_rates_seed()
    card = card_linked(world.zhang_customer)
    charge(card, "8000.00", date(2026, 1, 6), merchant="合肥百货大楼")
    charge(card, "4000.00", date(2026, 1, 20), merchant="安徽家电城")
    with time_machine.travel(datetime(2026, 2, 6, 0, 30, tzinfo=UTC), tick=False):
        assert statement_run(STATEMENT_DATE) == 1
    return card


@pytest.fixture
def after_the_statement():
    with time_machine.travel(APPLY_AT, tick=True):
        yield


def test_zhang_reads_his_statement_repays_the_minimum_and_instals_the_rest(
        page: Page, live_server, world, billed, after_the_statement, shot, tmp_path):
    card = billed
    statement = Statement.objects.get(card=card)
    assert statement.statement_date == STATEMENT_DATE
    assert statement.balance == Decimal("12000.00")
    minimum = statement.minimum_payment
    assert Decimal("0") < minimum < statement.balance
    base = live_server.url
    login(page, base, world.zhang.username)

    # 1. 已出账单查询: the statement in the list with its figures, its 账单明细, the PDF.
    page.goto(base + reverse("creditcard:statements"))
    page.click("button[type=submit]:has-text('提交')")
    row = page.locator("#statement-list tbody tr").filter(has_text="2026-02-05")
    expect(row).to_contain_text("2026-02-25")
    expect(row).to_contain_text(amount(statement.balance))
    expect(row).to_contain_text(amount(minimum))
    shot("cc-statements")
    row.locator("text=账单明细").click()
    expect(page.locator("h1")).to_have_text("2026年02月账单")
    lines = page.locator("#statement-lines")
    expect(lines).to_contain_text("合肥百货大楼")
    expect(lines).to_contain_text("8,000.00")
    expect(lines).to_contain_text("安徽家电城")
    expect(lines).to_contain_text("4,000.00")
    expect(page.locator("body")).to_contain_text(amount(minimum))
    shot("cc-statement")
    with page.expect_download() as download_info:
        page.click("text=下载PDF")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = tmp_path / "statement.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    for expected in ("2026-02-05", "2026-02-25", "12,000.00", amount(minimum), "8,000.00",
                     "4,000.00", "合肥百货大楼", card.medium.masked_number[-4:]):
        assert expected in text, (expected, text)

    # 2. 信用卡还款 of the 最低还款额 from his 借记卡, confirmed with the USBKey.
    debit = world.zhang_card.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    before = balance(world.zhang_card)
    page.goto(base + reverse("creditcard:repay"))
    figures = page.locator(".card-repay-figures")
    expect(figures).to_contain_text(format_cny(minimum))
    expect(figures).to_contain_text(format_cny(statement.balance))
    page.select_option("#id_account", str(debit.pk))
    page.check("input[name=choice][value=minimum]")
    shot("cc-repay-form")
    page.click("#card-repay-form button[type=submit]")
    expect(page.locator(".confirm-summary")).to_contain_text(format_cny(minimum))
    shot("cc-repay-confirm")
    page.fill("#id_pin", DEMO_PIN)
    page.check("input[name=method][value=usbkey]")
    page.fill("#id_credential", CERT_PASSWORD)
    page.click("button[type=submit]:has-text('确认')")
    expect(page.locator(".result-title")).to_have_text("信用卡还款成功")
    expect(page.locator("body")).to_contain_text(f"还款成功：{format_cny(minimum)}已存入信用卡")
    rest = statement.balance - minimum
    expect(page.locator("body")).to_contain_text(format_cny(rest))
    shot("cc-repay-result")
    assert balance(world.zhang_card) == before - minimum
    card.refresh_from_db()
    assert card_balance(card) == rest
    after = repay_figures(card)
    assert after.minimum == Decimal("0.00") and after.full == rest
    page.click("text=查看电子回单")
    expect(page.locator("body")).to_contain_text("电子回单")
    expect(page.locator("body")).to_contain_text(amount(minimum))
    page.goto(base + reverse("creditcard:statements"))
    row = page.locator("#statement-list tbody tr").filter(has_text="2026-02-05")
    expect(row.locator("td").nth(4)).to_have_text(amount(rest))

    # 3. 账单分期申请 of 12 periods: the APR and all 12 periods before he confirms.
    page.goto(base + reverse("creditcard:bill_instal"))
    expect(page.locator("body")).to_contain_text(format_cny(rest))
    page.fill("#id_amount", str(rest))
    page.select_option("#id_periods", "12")
    page.click("button[type=submit]:has-text('申请分期')")
    trial = instal_trial(principal=rest, periods=12)
    schedule = page.locator(".instal-schedule")
    expect(page.locator(".instal-apr")).to_contain_text(f"{trial.apr}%")
    expect(schedule.locator("tbody tr")).to_have_count(12)
    for row in trial.rows:
        expect(schedule.locator("tbody tr").nth(row.period - 1)).to_contain_text(
            format_cny(row.payment))
    expect(schedule.locator("tfoot")).to_contain_text(format_cny(rest))
    expect(schedule.locator("tfoot")).to_contain_text(format_cny(trial.total_fee))
    assert not InstalmentPlan.objects.exists()
    shot("cc-instal-quote")
    page.click("button[type=submit]:has-text('确认')")
    page.check("input[name=method][value=usbkey]")
    page.fill("#id_credential", CERT_PASSWORD)
    page.click("button[type=submit]:has-text('确认')")
    expect(page.locator(".result-title")).to_have_text("账单分期申请成功")
    plan = InstalmentPlan.objects.get()
    assert plan.principal == rest and plan.periods == 12
    page.goto(base + reverse("creditcard:bill_instal_list"))
    plans = page.locator(".instal-plans")
    expect(plans).to_contain_text(plan.reference)
    expect(plans).to_contain_text(amount(rest))
    shot("cc-instal-list")
