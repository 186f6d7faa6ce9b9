"""行内转账 实时到账 in Chromium: 李娜 logs in, pays 张伟 with her digital token, sees the result,
the balance change on 账户总览 and the movement in 交易明细, opens the PDF 电子回单 (rendered with
pdftoppm, read with pdftotext) and verifies it on 电子回单校验."""

import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PIN, seed_demo_bank
from accounts.models import LinkedMedium, MediumKind, Receipt, SubAccountKind
from security.models import User
from security.tools.services import token_answer_for, token_issue
from transfers.models import Transfer, TransferStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Feidong#Lake2026"  # noqa: S105 - browser-test user only


@pytest.fixture
def lina():
    customers = {c.cif_no: c for c in seed_demo_bank()}
    li, zhang = customers["3401010002"], customers["3401010001"]
    user = User.objects.create_user(username="lina_browser", password=PASSWORD, customer=li,
                                    first_name=li.name, reserved_message="淝河春晓")
    for position, medium in enumerate(li.media.order_by("id"), start=1):
        LinkedMedium.objects.create(customer=li, medium=medium, position=position)
    tool = token_issue(user=user, branch=li.branch)
    return {"user": user, "tool": tool, "card": li.media.get(kind=MediumKind.DEBIT_CARD),
            "zhang_card": zhang.media.get(kind=MediumKind.DEBIT_CARD)}


def token_answer(page: Page, tool) -> str:
    """The token's answer to the 挑战码 the page shows (the device, played from its secret)."""
    return token_answer_for(tool=tool, challenge=page.locator("#token-challenge").inner_text())


def test_real_time_intra_transfer_with_the_token(page: Page, live_server, lina, shot):
    base = live_server.url
    page.goto(base + reverse("security:login"))
    page.fill("#id_login_name", "lina_browser")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button[type=submit]:has-text('登录')")
    expect(page).to_have_url(f"{base}/")

    page.goto(base + reverse("accounts:overview"))
    expect(page.locator(".accounts-overview")).to_contain_text("20,000.00")

    page.click(".side-menu summary:has-text('转账汇款')")
    page.click(".side-menu a:text-is('行内转账')")
    expect(page.locator("h1")).to_have_text("行内转账")
    main = lina["card"].sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    page.select_option("#id_from_sub_account", str(main.pk))
    page.check("input[name=mode][value=REAL_TIME]")
    page.fill("#id_amount", "1,000.00")
    page.fill("#id_payee_account", lina["zhang_card"].number)
    page.fill("#id_payee_name", "张伟")
    page.fill("#id_purpose", "还款")
    shot("intra-form")
    page.click("button[type=submit]:has-text('提交')")

    expect(page.locator("h1")).to_have_text("行内转账确认")
    expect(page.locator(".confirm-summary")).to_contain_text("¥1,000.00")
    expect(page.locator(".confirm-summary")).to_contain_text("人民币壹仟元整")
    expect(page.locator(".confirm-summary")).to_contain_text("免收手续费")
    page.fill("#id_pin", DEMO_PIN)
    page.check("input[name=method][value=token]")
    page.fill("#id_credential", token_answer(page, lina["tool"]))
    shot("intra-confirm")
    page.click("button[type=submit]:has-text('确认')")

    expect(page.locator(".result-success .result-title")).to_have_text("转账成功")
    transfer = Transfer.objects.get(customer=lina["user"].customer)
    expect(page.locator(".result-detail")).to_contain_text(transfer.number)
    shot("intra-result")
    assert transfer.status == TransferStatus.SUCCEEDED and transfer.amount == Decimal("1000.00")
    assert main.ledger_account.__class__.objects.get(pk=main.ledger_account_id).balance == \
        Decimal("19000.00")

    page.click("text=查看电子回单")
    expect(page.locator("body")).to_contain_text("电子回单")
    expect(page.locator("body")).to_contain_text("1,000.00")
    shot("intra-receipt")

    page.goto(base + reverse("accounts:overview"))
    expect(page.locator(".accounts-overview")).to_contain_text("19,000.00")

    page.goto(base + reverse("transfers:history"))
    expect(page.locator("table.grid")).to_contain_text(transfer.number)
    expect(page.locator("table.grid")).to_contain_text("成功")

    # 交易明细: the movement with its running balance.
    page.goto(f"{base}{reverse('accounts:history')}?account={main.pk}&period=today")
    expect(page.locator("body")).to_contain_text("1,000.00")
    expect(page.locator("body")).to_contain_text("19,000.00")
    shot("intra-history")

    # The PDF receipt, as the customer downloads it, rendered and read back.
    receipt = Receipt.objects.get(entry_id=transfer.entry_id, sub_account=main)
    pdf = page.request.get(base + reverse("accounts:receipt_pdf", args=[receipt.number]))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "receipt.pdf"
        path.write_bytes(pdf.body())
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(Path(tmp) / "page")],
                       check=True)
        assert list(Path(tmp).glob("page*.png")), "pdftoppm rendered no page"
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout
    assert "电子回单" in text and receipt.number in text and "壹仟元整" in text

    # 电子回单校验: the genuine elements verify; one changed digit does not.
    elements = {
        "number": receipt.number,
        "posted_at": timezone.localtime(receipt.posted_at).strftime("%Y-%m-%d %H:%M:%S"),
        "payer_account": receipt.payer_account, "payer_name": receipt.payer_name,
        "payee_account": receipt.payee_account, "payee_name": receipt.payee_name,
        "amount": "1000.00", "purpose": receipt.purpose,
        "verification_code": receipt.verification_code,
    }
    for typed, verdict in ((elements, "验证通过"), ({**elements, "amount": "1000.01"}, "验证失败")):
        page.goto(base + reverse("accounts:receipt_verify"))
        for name, value in typed.items():
            page.fill(f"#id_{name}", value)
        page.click("button[type=submit]:has-text('校验')")
        expect(page.locator("body")).to_contain_text(verdict)
    shot("intra-receipt-verify")
