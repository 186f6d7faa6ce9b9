"""账户管理 pages in Chromium (Playwright): overview, detail, history, linked accounts with the JS
delete dialog, loss report. Screenshots land in the run's shots folder as acc-*.png (tests/browser/shots.py) for a
person to look at; they hold demo data only."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in the test thread

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

from accounts.models import LinkedMedium, MediumKind, MediumStatus  # noqa: E402
from security.center.testing import PASSWORD, personas  # noqa: E402
from tests.browser import shots  # noqa: E402

from .test_pages_support import PIN, deposit, withdraw  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# Screenshots into the run's folder (pytest finds fixtures by these module-level names).
shot = shots.shot
shots_dir = shots.shots_dir

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium at /usr/bin/chromium"),
    # pytest-playwright 0.10's own base_url fixture; nothing of ours.
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1280, "height": 860}}


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#id_login_name", username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button[type=submit]:has-text('登录')")
    expect(page).to_have_url(f"{base}/")


def test_account_pages_in_the_browser(page: Page, live_server, shot):
    people = personas()
    alice = people["alice"]
    card = LinkedMedium.objects.get(customer=alice.customer, medium__kind=MediumKind.DEBIT_CARD)
    card.alias = "工资卡"
    card.save(update_fields=["alias"])
    main = card.medium.sub_accounts.get(kind="current_main")
    for index in range(23):
        deposit(main, f"{100 + index}.50", key=f"shot:d{index}", memo="工资" if index % 5 else "")
        if index % 4 == 0:
            withdraw(main, "58.00", key=f"shot:w{index}")
    base = live_server.url
    _login(page, base, alice.username)

    page.goto(f"{base}/accounts/overview")
    expect(page.locator("h1")).to_have_text("账户总览")
    expect(page.locator("table.accounts-overview")).to_contain_text("工资卡")
    shot("acc-overview")

    page.click("text=工资卡")
    expect(page.locator("h1")).to_have_text("工资卡")
    shot("acc-detail")

    page.click("td a:has-text('明细')")
    expect(page.locator("table.history")).to_contain_text("现金存入（工资）")
    expect(page.locator("table.history tbody tr")).to_have_count(20)
    shot("acc-history")
    page.click("text=下一页")
    expect(page.locator("table.history tbody tr")).to_have_count(10)  # 30 postings in all
    page.fill("#id_start_date", "2026-03-10")
    page.fill("#id_end_date", "2026-03-01")
    page.click("button:has-text('查询')")
    expect(page.locator(".alert-error")).to_contain_text("起始日期不能晚于终止日期")
    shot("acc-history-error")

    page.goto(f"{base}/accounts/linked")
    expect(page.locator("h1")).to_have_text("关联账户管理")
    shot("acc-linked")
    passbook = LinkedMedium.objects.get(customer=alice.customer,
                                        medium__kind=MediumKind.CURRENT_PASSBOOK)
    page.check(f"#link-{passbook.pk}")
    page.click("button:has-text('上移')")
    expect(page).to_have_url(f"{base}/accounts/linked?moved={passbook.pk}")
    order = list(LinkedMedium.objects.filter(customer=alice.customer).order_by("position")
                 .values_list("pk", flat=True))
    assert order[0] == passbook.pk
    # The JS dialog: 取消 keeps the link, 确定 removes it.
    fixed = LinkedMedium.objects.get(customer=alice.customer,
                                     medium__kind=MediumKind.FIXED_ONEBOOK)
    row = page.locator("tr", has=page.locator(f"#link-{fixed.pk}"))
    page.once("dialog", lambda dialog: dialog.dismiss())
    row.locator("button:has-text('删除')").click()
    assert LinkedMedium.objects.filter(pk=fixed.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button:has-text('删除')").click()
    expect(page.locator(".messages")).to_contain_text("已解除关联")
    assert not LinkedMedium.objects.filter(pk=fixed.pk).exists()
    shot("acc-linked-after-delete")

    page.goto(f"{base}/accounts/linked/add")
    page.fill("#id_number", "6226790101999999990")
    page.fill("#id_pin", PIN)
    page.click("button:has-text('确定')")
    expect(page.locator(".alert-error")).to_contain_text("只能添加同一客户号下凭支付密码支取的银行账户")
    shot("acc-link-add-error")

    page.goto(f"{base}/accounts/loss")
    shot("acc-loss")
    page.check(f"#loss-{passbook.pk}")
    page.click("button:has-text('挂失')")
    expect(page.locator("h1")).to_have_text("账户挂失确认")
    shot("acc-loss-confirm")
    page.fill("#id_pin", PIN)
    page.click("button:has-text('确认挂失')")
    expect(page.locator(".messages")).to_contain_text("口头挂失成功")
    passbook.medium.refresh_from_db()
    assert passbook.medium.status == MediumStatus.ORAL_LOSS
    page.goto(f"{base}/accounts/overview")
    expect(page.locator("table.accounts-overview")).to_contain_text("口头挂失")
    shot("acc-overview-after-loss")
