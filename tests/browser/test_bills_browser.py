"""自助缴费 in Chromium (pages reached by URL): 张伟 pays 电费 with his USBKey and opens the
电子回单; a biller failing after the debit — the 冲正, the money back and the reason in
缴费记录查询; 申报扣税 shows the voucher with no amount field and the 缴税凭证 notice."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import SubAccountKind
from ebank.billers.models import SimBehaviour
from ebank.billers.simulator import sim_mode_set
from payments.models import BillPayment, BillPaymentStatus
from payments.tests.conftest import POWER_NO, TAX_NO
from payments.tests.conftest import world as world  # noqa: F401 - fixture
from tests.customer_world import CERT_PASSWORD, DEMO_PIN, balance

from .support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def confirm_with_usbkey(page: Page):
    page.fill("#id_pin", DEMO_PIN)
    page.check("input[name=method][value=usbkey]")
    page.fill("#id_credential", CERT_PASSWORD)
    page.click("button[type=submit]:has-text('确认')")


def query(page: Page, base: str, kind: str, number: str):
    page.goto(base + reverse("payments:pay", args=[kind]))
    page.fill("#id_customer_no", number)
    page.click("#bill-query-form button[type=submit]")


def test_zhang_pays_electricity_with_the_usbkey_and_opens_the_receipt(
        page: Page, live_server, world, shot):
    base = live_server.url
    login(page, base, world.zhang.username)
    query(page, base, "power", POWER_NO)
    expect(page.locator("h1")).to_have_text("电费缴费")
    expect(page.locator(".bill-quote")).to_contain_text("¥218.65")
    expect(page.locator(".bill-quote")).to_contain_text("2026年11月")
    card = world.zhang_card.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    page.select_option("#id_account", str(card.pk))
    page.fill("#id_amount", "218.65")
    shot("bill-power-form")
    page.click("#bill-pay-form button[type=submit]")
    expect(page.locator(".confirm-summary")).to_contain_text("¥218.65")
    expect(page.locator(".confirm-summary")).to_contain_text("国网安徽省电力有限公司")
    shot("bill-power-confirm")
    confirm_with_usbkey(page)
    expect(page.locator(".result-title")).to_have_text("缴费成功")
    payment = BillPayment.objects.get()
    assert payment.status == BillPaymentStatus.PAID
    expect(page.locator("body")).to_contain_text(payment.number)
    shot("bill-power-result")
    page.click("text=查看电子回单")
    expect(page.locator("body")).to_contain_text("电子回单")
    expect(page.locator("body")).to_contain_text("218.65")
    assert balance(world.zhang_card) == Decimal("79781.35")


def test_a_biller_failing_after_the_debit_is_reversed_and_the_reason_shown(
        page: Page, live_server, world, shot):
    base = live_server.url
    sim_mode_set("POWER01", SimBehaviour.FAIL_AFTER_DEBIT, "用电户号已销户，不能缴费")
    login(page, base, world.zhang.username)
    query(page, base, "power", POWER_NO)
    card = world.zhang_card.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    page.select_option("#id_account", str(card.pk))
    page.fill("#id_amount", "100")
    page.click("#bill-pay-form button[type=submit]")
    confirm_with_usbkey(page)
    expect(page.locator(".result-title")).to_have_text(
        "缴费失败，款项已退回：用电户号已销户，不能缴费")
    shot("bill-reversed-result")
    assert balance(world.zhang_card) == Decimal("80000.00")
    page.goto(base + reverse("payments:records"))
    row = page.locator("table.bill-records tbody tr").first
    expect(row).to_contain_text("已冲正")
    expect(row).to_contain_text("用电户号已销户，不能缴费")
    expect(row).to_contain_text("¥100.00")
    shot("bill-records")
    row.locator("a:has-text('详情')").click()
    expect(page.locator(".alert-error")).to_contain_text("款项已退回")


def test_tax_has_no_amount_field_and_shows_the_voucher_notice(
        page: Page, live_server, world, shot):
    base = live_server.url
    login(page, base, world.zhang.username)
    query(page, base, "tax", TAX_NO)
    expect(page.locator("h1")).to_have_text("申报扣税")
    quote = page.locator(".bill-quote")
    expect(quote).to_contain_text("税种明细笔数")
    expect(quote).to_contain_text("国库申报序号")
    expect(quote).to_contain_text("¥1,320.00")
    expect(page.locator("#id_amount")).to_have_count(0)
    expect(page.locator("body")).to_contain_text("缴税成功次日可至我行任意网点申请打印缴税凭证")
    shot("bill-tax-form")
    card = world.zhang_card.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    page.select_option("#id_account", str(card.pk))
    page.click("#bill-pay-form button[type=submit]:has-text('确定')")
    expect(page.locator("h1")).to_contain_text("申报扣税")
    expect(page.locator(".confirm-summary")).to_contain_text("¥1,320.00")
    confirm_with_usbkey(page)
    expect(page.locator(".result-title")).to_have_text("缴税成功")
    expect(page.locator("body")).to_contain_text("缴税成功次日可至我行任意网点申请打印缴税凭证")
    shot("bill-tax-result")
    assert balance(world.zhang_card) == Decimal("78680.00")


def test_li_pays_electricity_with_her_digital_token(page: Page, live_server, world, shot):
    """The issue's "pay 电费 with the token": 李娜 holds a 数字令牌 and answers the 挑战码 the
    confirmation page shows; the bill is written off and its 回单 is there."""
    from security.tools.services import token_answer_for, token_issue

    tool = token_issue(user=world.li, branch=world.li_customer.branch)
    base = live_server.url
    login(page, base, world.li.username)
    query(page, base, "power", POWER_NO)
    card = world.li_card.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    before = balance(world.li_card)
    page.select_option("#id_account", str(card.pk))
    page.fill("#id_amount", "50.00")
    page.click("#bill-pay-form button[type=submit]")
    page.fill("#id_pin", DEMO_PIN)
    page.check("input[name=method][value=token]")
    challenge = page.locator("#token-challenge").inner_text()
    page.fill("#id_credential", token_answer_for(tool=tool, challenge=challenge))
    shot("bill-power-token-confirm")
    page.click("button[type=submit]:has-text('确认')")
    expect(page.locator(".result-title")).to_have_text("缴费成功")
    payment = BillPayment.objects.get()
    assert payment.status == BillPaymentStatus.PAID and payment.customer == world.li_customer
    expect(page.locator("text=查看电子回单")).to_be_visible()
    assert balance(world.li_card) == before - Decimal("50.00")
