"""信用卡 账户管理 in Chromium on a 390 px phone: 张伟 looks at 信用额度查询, 未出账单查询,
已出账单查询 and one statement, then opens 信用卡信息维护; no page scrolls sideways."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from creditcard.tests.account_support import linked_card_for, statement_make
from creditcard.tests.conftest import charge, repay
from creditcard.tests.conftest import world as world  # noqa: F401 - fixture
from creditcard.tests.instal_support import APPLY_AT

from .support import login
from .test_mobile_a11y import PHONE, overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page: Page, name: str, shot) -> None:
    shot(f"card-account-{name}-390", page)
    measured = overflow(page)
    assert measured["scrollWidth"] <= measured["innerWidth"], (name, measured)


def test_zhang_reads_his_card_on_a_phone(page: Page, live_server, world, shot):
    with time_machine.travel(APPLY_AT, tick=True):
        card = linked_card_for(world.zhang_customer)
        charge(card, "1280.50", date(2026, 1, 6), merchant="合肥百货大楼集团股份有限公司淮河路店")
        charge(card, "66.00", date(2026, 1, 20), merchant="徽州书店")
        statement = statement_make(card, on=date(2026, 2, 5))
        repay(card, "100.00", date(2026, 2, 8))
        charge(card, "35.00", date(2026, 2, 9), merchant="合肥市轨道交通")
        base = live_server.url
        page.set_viewport_size(PHONE)
        login(page, base, world.zhang.username)

        page.goto(base + reverse("creditcard:limit"))
        expect(page.locator("#card-limits")).to_contain_text("¥50,000.00")
        fits(page, "limit", shot)
        page.goto(base + reverse("creditcard:unbilled"))
        expect(page.locator("#unbilled-lines")).to_contain_text("合肥市轨道交通")
        fits(page, "unbilled", shot)
        page.goto(base + reverse("creditcard:statements"))
        expect(page.locator("#statement-list")).to_contain_text("2026-02-05")
        fits(page, "statements", shot)
        page.goto(base + reverse("creditcard:statement", args=[statement.pk]))
        expect(page.locator("#statement-lines")).to_contain_text("徽州书店")
        fits(page, "statement", shot)
        page.goto(base + reverse("creditcard:info"))
        expect(page.locator("#card-info-form")).to_be_visible()
        fits(page, "info", shot)
