"""The staff admin at 1366x768 as head office with the demo bank: the index is a workstation
(柜面业务 first, the sections in the work's order, 审计日志 last) and every list page its index
links to fits the screen's width and names its model in Chinese."""

import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.models import Customer, SubAccount
from ebank.core.audit import audit_record
from ebank.duework.models import DueWork, DueWorkStatus
from security.models import (
    CustomerMessage,
    OperationStatus,
    PendingOperation,
    SmsMessage,
    User,
)
from transfers.models import Transfer, TransferKind, TransferStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1366, 768
# Latin words a page may show: names of things, not untranslated Django defaults.
ALLOWED_LATIN = {"USBKey", "PDF", "IP", "OTP", "TOTP", "CIF", "SMS", "CNAPS", "LPR"}
# Nothing skipped: django-otp's English device admin is replaced by 员工动态口令.
ENGLISH_CHECK_SKIPPED: tuple[str, ...] = ()
DETAIL_SHOTS = ("/admin/accounts/subaccount/", "/admin/ledger/entry/", "/admin/core/auditevent/")


def _demo_with_work() -> None:
    """The demo bank plus a little of each kind of row the lists show."""
    call_command("seed_demo", stdout=StringIO())
    li_na = Customer.objects.get(name="李娜")
    li_user = User.objects.get(customer=li_na)
    now = timezone.now()
    CustomerMessage.objects.create(user=li_user, subject="网银转账限额咨询",
                                   content="请问行内转账日累计限额是多少？",
                                   due_date=timezone.localdate() - timedelta(days=1))
    SmsMessage.objects.create(phone=li_na.phone, purpose="transfers.intra", backend="outbox",
                              text="【安徽农金】您正在向尾号0060的账户转账¥88.00，验证码******")
    accounts = list(SubAccount.objects.filter(medium__customer=li_na).order_by("pk")[:1])
    for n in range(3):
        Transfer.objects.create(
            number=f"TR20261123{n:08d}", customer=li_na, user=li_user, kind=TransferKind.INTRA,
            status=TransferStatus.SUCCEEDED, from_sub_account=accounts[0],
            payee_account="6226790201000000060", payee_name="王芳",
            amount=Decimal("123456.78"), purpose="货款", submitted_at=now, execute_at=now,
            executed_at=now)
    audit_record(action="login", customer_id=li_na.pk, ip_address="10.1.2.3")
    PendingOperation.objects.create(
        public_id="OP20261123000001", user=li_user, kind="transfers.intra",
        payload={"amount": "88.00"}, payload_digest="0" * 64, nonce="1" * 32,
        status=OperationStatus.EXECUTED, expires_at=now, executed_at=now, auth_method="sms")
    DueWork.objects.create(kind="transfers.execute", key="TR2026112300000000",
                           payload={"transfer_id": 1}, due_at=now, status=DueWorkStatus.FAILED,
                           attempts=3, last_error="转出账户可用余额不足")


def _login(page: Page, base: str, username: str = "admin_hq") -> None:
    device = TOTPDevice.objects.get(user__username=username)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Staff@2026")
    page.fill("input[name=otp_token]", f"{totp(device.bin_key):06d}")
    page.click("input[type=submit]")
    expect(page.locator("#workstation-title")).to_have_text("柜面业务")


def _latin_words(text: str) -> list[str]:
    return [word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in ALLOWED_LATIN]


def test_head_office_index_is_a_workstation_and_every_list_fits_1366(page: Page, live_server,
                                                                     shot):
    _demo_with_work()
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    _login(page, live_server.url)

    # 柜面业务 first: the panel comes before any model list, 客户查询 leads to the counter.
    main = page.locator("#content-main")
    expect(main.locator("> *").first).to_have_class(re.compile("workstation-panel"))
    expect(page.get_by_role("link", name="客户查询")).to_have_attribute("href", "/admin/counter/")
    messages = page.locator(".workstation-links li", has_text="客户留言")
    expect(messages).to_contain_text("逾期未回复 1 条")
    expect(page.locator(".workstation-links")).to_contain_text("日终批处理")
    captions = page.locator(".workstation-sections caption").all_inner_texts()
    assert captions[:5] == ["客户与账户", "网银用户与安全工具", "业务受理与留言", "限额", "交易"]
    assert captions[-1] == "审计日志"
    assert captions.index("账务") < captions.index("审计日志")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert not _latin_words(page.locator(".workstation-sections").inner_text())
    shot("admin-index-1366", page)

    lists = page.locator(".workstation-sections th a").evaluate_all(
        "links => links.map(a => [a.textContent.trim(), a.getAttribute('href')])")
    assert len(lists) >= 25, lists
    overflowing, english, amounts = [], [], []
    for name, href in lists:
        page.goto(f"{live_server.url}{href}")
        expect(page.locator("#changelist")).to_be_visible()
        # The page, and the table inside its box (which scrolls rather than widen the page).
        width = page.evaluate("document.documentElement.scrollWidth")
        hidden = page.evaluate("[...document.querySelectorAll('#changelist .results')]"
                               ".map(box => box.scrollWidth - box.clientWidth)[0] || 0")
        if hidden > 1:
            overflowing.append(f"{name} {href}: {hidden}px of the table scrolled away")
        print(f"{href}: {width} {hidden}")
        if width > WIDTH:
            overflowing.append(f"{name} {href}: {width}px")
        if not href.startswith(ENGLISH_CHECK_SKIPPED):
            visible = " ".join(" ".join(page.locator(selector).all_inner_texts()) for selector in (
                "#content h1", ".breadcrumbs", "#result_list thead", "#changelist-filter h2",
                "#changelist-filter h3", "select[name=action] option", "#toolbar"))
            words = _latin_words(visible)
            if words:
                english.append(f"{name} {href}: {words}")
        # The first row's page: its labels in Chinese too, its amounts as ¥1,234.56.
        first = page.locator("#result_list tbody tr:first-child a[href*='/change/']").first
        if first.count() and not href.startswith(ENGLISH_CHECK_SKIPPED):
            first.click()
            labels = " ".join(" ".join(page.locator(selector).all_inner_texts()) for selector in (
                "#content h1", "fieldset label",
                ".inline-group th", ".submit-row", ".object-tools"))
            words = _latin_words(labels)
            if words:
                english.append(f"{name} {page.url}: {words}")
            for amount in page.locator(".readonly .cny, td .cny").all_inner_texts():
                if not re.fullmatch(r"-?¥\d{1,3}(,\d{3})*\.\d\d", amount):
                    amounts.append(f"{name} {page.url}: {amount}")
            if href in DETAIL_SHOTS:
                shot(f"{href.strip('/').replace('/', '-')}-detail-1366", page)
            page.goto(f"{live_server.url}{href}")
        slug = href.strip("/").replace("/", "-")
        if slug in ("admin-transfers-transfer", "admin-security-smsmessage",
                    "admin-ledger-posting", "admin-security-user", "admin-limits-limitpolicy",
                    "admin-security-toolregisterentry", "admin-security-pendingoperation",
                    "admin-duework-duework", "admin-core-auditevent",
                    "admin-security-customermessage"):
            shot(f"{slug}-1366", page)
    assert not overflowing, overflowing
    assert not english, english
    assert not amounts, amounts


def test_a_teller_starts_from_the_counter_panel(page: Page, live_server, shot):
    _demo_with_work()
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    _login(page, live_server.url, "teller_hf")
    panel = page.locator(".workstation-panel")
    expect(panel).to_contain_text("合肥科技农村商业银行")
    expect(panel.locator("li", has_text="客户留言")).to_contain_text("逾期未回复 1 条")
    expect(panel).not_to_contain_text("日终批处理")
    expect(page.locator(".workstation-sections")).not_to_contain_text("记账明细")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    shot("admin-index-teller-1366", page)
    page.get_by_role("link", name="客户查询").click()
    expect(page).to_have_url(f"{live_server.url}/admin/counter/")
