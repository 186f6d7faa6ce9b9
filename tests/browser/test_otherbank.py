"""他行账户管理 and 资金归集 in Chromium: sign a payment agreement on the simulated other bank,
pull ¥1,000.00 in real time, set a 留存余额 collection and run it.

The clock is Wednesday 2026-06-10 10:00 (tick=True: the live server's thread sees it too); the
collection's first run is the next morning, 09:00, run here by the dispatcher.
"""

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import Page, expect

from ebank.core.clock import SHANGHAI
from ebank.duework.services import dispatch_due
from ebank.otherbanks.demo import DEMO_CARD_PASSWORD
from ebank.otherbanks.models import SimAccount
from security.tools import services as tool_services
from tests.browser.support import login
from tests.customer_world import CERT_PASSWORD, DEMO_PIN, World, balance
from transfers.models import CollectionPlan, CollectionRunStatus, OtherBankAgreement
from transfers.otherbank.demo import demo_seed as sim_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEDNESDAY = datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI)
THURSDAY_0900 = datetime(2026, 6, 11, 9, 0, tzinfo=SHANGHAI)
ZHANG_CARD = "6222020200112233445"


class _Out:
    def line(self, text):
        pass

    def success(self, text):
        pass


@pytest.fixture
def bank(settings, tmp_path):
    with time_machine.travel(WEDNESDAY, tick=True):
        settings.BANK_CA_DIR = tmp_path / "bank-ca"
        settings.BANK_CA_PASSPHRASE = "test-only-ca-passphrase"
        tool_services.bank_ca_ensure()
        world = World()
        world.usbkey_give(world.zhang)
        sim_seed(_Out())
        yield world


def _confirm_with_usbkey(page: Page):
    page.fill("#id_pin", DEMO_PIN)
    page.check("input[name=method][value=usbkey]")
    page.fill("#id_credential", CERT_PASSWORD)
    page.click("button[type=submit]:has-text('确认')")


def test_sign_pull_and_collect(page: Page, live_server, bank, shot):
    base = live_server.url
    main = World.main(bank.zhang_card)
    login(page, base, bank.zhang.username)

    # 他行账户支付签约: our 交易密码 and USBKey first, then the other bank's page.
    page.goto(f"{base}/transfers/otherbank")
    page.click("main a:has-text('他行账户支付签约')")
    page.check("input[name=bank][value='102']")
    page.select_option("#id_account", str(main.pk))
    page.click("#sign-pay-form button:has-text('提交')")
    expect(page.locator("body")).to_contain_text("他行账户支付签约")
    _confirm_with_usbkey(page)
    expect(page.locator("body")).to_contain_text("我行验证已通过，请前往他行完成签约")
    expect(page.locator("body")).not_to_contain_text("签约成功")
    page.click("a:has-text('返回')")
    page.click("#pending-signings a:has-text('中国工商银行')")

    # The simulated 中国工商银行: its card, its password, the limits and the validity.
    expect(page.locator("h1")).to_contain_text("中国工商银行 授权支付协议签约")
    page.fill("#id_card_number", ZHANG_CARD)
    page.fill("#id_password", DEMO_CARD_PASSWORD)
    page.fill("#id_single_limit", "50000")
    page.fill("#id_daily_limit", "100000")
    page.fill("#id_valid_until", "2027-06-10")
    page.check("#id_accept")
    shot("otherbank-sim-sign")
    page.click("button:has-text('确认签约')")
    expect(page.locator("#signing-outcome")).to_have_text("已在他行签约")
    page.click("button:has-text('完成签约')")
    expect(page.locator(".messages")).to_contain_text("中国工商银行授权支付协议签约成功")
    expect(page.locator("#agreement-list")).to_contain_text("6222 **** **** 3445")
    shot("otherbank-agreements")
    agreement = OtherBankAgreement.objects.get()

    # 他行账户查询签约 of the same card: 留存余额 reads the balance through it.
    page.goto(f"{base}/transfers/otherbank")
    page.click("main a:has-text('他行账户查询签约')")
    page.click("#bank-list button:has-text('中国工商银行')")
    expect(page.locator("h1")).to_contain_text("中国工商银行 账户信息查询协议签约")
    page.fill("#id_card_number", ZHANG_CARD)
    page.fill("#id_password", DEMO_CARD_PASSWORD)
    page.fill("#id_valid_until", "2027-06-10")
    page.check("#id_accept")
    page.click("button:has-text('确认签约')")
    page.click("button:has-text('完成签约')")
    expect(page.locator(".messages")).to_contain_text("账户信息查询协议签约成功")

    # 跨行资金归集: ¥1,000.00 in real time.
    before = balance(bank.zhang_card)
    page.goto(f"{base}/transfers/collect/pull")
    page.select_option("#id_agreement", str(agreement.pk))
    page.select_option("#id_account", str(main.pk))
    page.fill("#id_amount", "1000")
    page.click("#pull-form button:has-text('提交')")
    expect(page.locator("body")).to_contain_text("人民币壹仟元整")
    _confirm_with_usbkey(page)
    expect(page.locator("body")).to_contain_text("跨行收款成功")
    shot("collect-pull-result")
    assert balance(bank.zhang_card) == before + Decimal("1000.00")
    assert SimAccount.objects.get(number=ZHANG_CARD).balance == Decimal("29000.00")

    # 自动归集设置: daily, keep ¥5,000.00 at the other bank.
    page.goto(f"{base}/transfers/collect/new")
    page.select_option("#id_agreement", str(agreement.pk))
    page.select_option("#id_account", str(main.pk))
    # static/js/collect-plan.js: only the fields of the chosen 频率 and 模式 are shown.
    expect(page.locator("#id_reserve")).to_be_hidden()
    page.check("input[name=frequency][value=weekly]")
    expect(page.locator("#id_weekday")).to_be_visible()
    expect(page.locator("#id_month_day")).to_be_hidden()
    page.check("input[name=frequency][value=daily]")
    expect(page.locator("#id_weekday")).to_be_hidden()
    page.check("input[name=mode][value=reserve]")
    expect(page.locator("#id_fixed_amount")).to_be_hidden()
    expect(page.locator("#id_minimum")).to_be_visible()
    page.fill("#id_reserve", "5000")
    page.fill("#id_minimum", "100")
    page.click("#collect-plan-form button:has-text('提交')")
    expect(page.locator("body")).to_contain_text("2026-06-11")
    _confirm_with_usbkey(page)
    expect(page.locator("body")).to_contain_text("自动归集设置成功")
    plan = CollectionPlan.objects.get()
    agreement = OtherBankAgreement.objects.get(kind="pay")

    # Thursday 09:00: the run pulls 29,000 − 5,000 (the dispatcher at Thursday's clock; the
    # pages are read back at the session's own time, so its idle timeout does not log it out).
    with time_machine.travel(THURSDAY_0900, tick=False):
        # The run (its row 处理中 committed first), then its settle row asks the other bank.
        assert dispatch_due(now=THURSDAY_0900) == 2
    page.goto(f"{base}/transfers/collect/plans")
    row = page.locator("#collect-list tbody tr", has_text=plan.number)
    expect(row).to_contain_text("留存余额")
    expect(row).to_contain_text("2026-06-12")
    row.locator("a:has-text('明细查询')").click()
    runs = page.locator("#collect-runs tbody tr")
    expect(runs.first).to_contain_text("24,000.00")
    expect(runs.first).to_contain_text("成功")
    shot("collect-runs")
    run = plan.runs.get()
    assert run.status == CollectionRunStatus.SUCCEEDED and run.amount == Decimal("24000.00")
    assert balance(bank.zhang_card) == before + Decimal("25000.00")
    assert SimAccount.objects.get(number=ZHANG_CARD).balance == Decimal("5000.00")


def test_the_pages_fit_a_phone(page: Page, live_server, bank):
    """Every page of 他行账户管理 and 资金归集, and the simulated bank's page, at 390 px: no
    horizontal scrolling, no serious axe-core violation."""
    from tests.browser.test_mobile_a11y import PHONE, axe_violations, overflow
    from transfers.otherbank import services as ob

    base = live_server.url
    signing = ob.query_signing_start(user=bank.zhang, bank_code="102",
                                     return_url=f"{base}/transfers/otherbank/callback")
    login(page, base, bank.zhang.username)
    page.set_viewport_size(PHONE)
    wide = []
    for path in ("/transfers/otherbank", "/transfers/otherbank/sign-query",
                 "/transfers/otherbank/sign-pay", "/transfers/otherbank/agreements",
                 "/transfers/otherbank/balance", "/transfers/otherbank/log",
                 "/transfers/collect/pull", "/transfers/collect/new",
                 "/transfers/collect/plans", signing.sign_url):
        page.goto(base + path)
        sizes = overflow(page)
        if sizes["scrollWidth"] > sizes["innerWidth"]:
            wide.append((path, sizes))
        wide += [(path, violation) for violation in axe_violations(page)]
    assert wide == []
