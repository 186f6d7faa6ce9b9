"""账单分期管理 in Chromium on a 390 px phone: 张伟 tries 分期付款试算, applies for 账单分期 (the
table and the APR before he agrees), confirms with his USBKey and finds the plan in 账单分期查询;
no page scrolls sideways."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from creditcard.instal.demo import instal_rates_seed
from creditcard.models import InstalmentPlan
from creditcard.tests.conftest import charge
from creditcard.tests.conftest import world as world  # noqa: F401 - fixture
from creditcard.tests.instal_support import APPLY_AT, card_linked, statement_make
from tests.customer_world import CERT_PASSWORD

from .support import login
from .test_mobile_a11y import PHONE, overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page: Page, name: str, shot) -> None:
    shot(f"instal-{name}-390", page)
    measured = overflow(page)
    assert measured["scrollWidth"] <= measured["innerWidth"], (name, measured)


@pytest.fixture
def on_apply_day():
    with time_machine.travel(APPLY_AT, tick=True):
        yield


def test_zhang_applies_for_a_bill_instalment_on_a_phone(page: Page, live_server, world,
                                                       on_apply_day, shot):
    instal_rates_seed()
    card = card_linked(world.zhang_customer)
    charge(card, "8000.00", date(2026, 1, 6))
    charge(card, "4000.00", date(2026, 1, 20))
    statement_make(card)
    base = live_server.url
    page.set_viewport_size(PHONE)
    login(page, base, world.zhang.username)

    page.goto(base + reverse("creditcard:instal_trial"))
    page.fill("#id_amount", "12000")
    page.select_option("#id_periods", "12")
    page.click("button[type=submit]:has-text('试算')")
    expect(page.locator(".instal-apr")).to_contain_text("13.03%")
    fits(page, "trial", shot)

    page.goto(base + reverse("creditcard:bill_instal"))
    expect(page.locator("body")).to_contain_text("2026-02-25")
    page.fill("#id_amount", "12000")
    page.select_option("#id_periods", "12")
    page.click("button[type=submit]:has-text('申请分期')")
    expect(page.locator(".instal-schedule")).to_contain_text("¥1,072.00")
    expect(page.locator(".instal-apr")).to_contain_text("13.03%")
    fits(page, "bill-table", shot)
    page.click("button[type=submit]:has-text('确认')")
    expect(page.locator("body")).to_contain_text("13.03%")
    fits(page, "bill-confirm", shot)
    page.check("input[name=method][value=usbkey]")
    page.fill("#id_credential", CERT_PASSWORD)
    page.click("button[type=submit]:has-text('确认')")
    expect(page.locator(".result-title")).to_have_text("账单分期申请成功")
    expect(page.locator("body")).to_contain_text("各期本金和手续费")
    fits(page, "bill-result", shot)
    plan = InstalmentPlan.objects.get()

    page.goto(base + reverse("creditcard:bill_instal_list"))
    expect(page.locator(".instal-plans")).to_contain_text(plan.reference)
    fits(page, "bill-list", shot)
    page.click(f"text={plan.reference}")
    expect(page.locator(".instal-schedule")).to_contain_text("第12期")
    fits(page, "plan", shot)
