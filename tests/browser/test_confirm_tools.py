"""The confirmation page's security tools in Chromium: the 数字令牌 answers the 挑战码 shown on
the page (dynamic linking), and the SMS code is sent without leaving the page — the 交易密码
stays typed and the button counts down the 60 seconds."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PIN, seed_demo_bank
from accounts.models import LinkedMedium, MediumKind, SubAccountKind
from security.confirm.services import operation_token_challenge
from security.models import PendingOperation, SmsCode, User
from security.tools.services import sms_outbox_latest_code, token_answer_for, token_issue
from transfers.models import Transfer, TransferStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Feidong#Lake2026"  # noqa: S105 - browser-test user only


def customer_login(*, cif_no: str, username: str, with_token: bool) -> dict:
    customers = {c.cif_no: c for c in seed_demo_bank()}
    customer = customers[cif_no]
    payee = customers["3401010001" if cif_no != "3401010001" else "3401010002"]
    user = User.objects.create_user(username=username, password=PASSWORD, customer=customer,
                                    first_name=customer.name, reserved_message="淝河春晓")
    for position, medium in enumerate(customer.media.order_by("id"), start=1):
        LinkedMedium.objects.create(customer=customer, medium=medium, position=position)
    tool = token_issue(user=user, branch=customer.branch) if with_token else None
    card = customer.media.get(kind=MediumKind.DEBIT_CARD)
    return {"user": user, "tool": tool, "card": card, "customer": customer,
            "payee": payee, "payee_card": payee.media.get(kind=MediumKind.DEBIT_CARD)}


def log_in_and_fill_intra(page: Page, base: str, who: dict, amount: str) -> None:
    page.goto(base + reverse("security:login"))
    page.fill("#id_login_name", who["user"].username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button[type=submit]:has-text('登录')")
    expect(page).to_have_url(f"{base}/")
    page.goto(base + reverse("transfers:intra"))
    main = who["card"].sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    page.select_option("#id_from_sub_account", str(main.pk))
    page.check("input[name=mode][value=REAL_TIME]")
    page.fill("#id_amount", amount)
    page.fill("#id_payee_account", who["payee_card"].number)
    page.fill("#id_payee_name", who["payee"].name)
    page.fill("#id_purpose", "还款")
    page.click("button[type=submit]:has-text('提交')")
    expect(page.locator("h1")).to_have_text("行内转账确认")


def test_the_token_answers_the_challenge_shown_on_the_page(page: Page, live_server, shot):
    lina = customer_login(cif_no="3401010002", username="lina_token", with_token=True)
    base = live_server.url
    log_in_and_fill_intra(page, base, lina, "3.00")

    page.check("input[name=method][value=token]")
    challenge_box = page.locator("#token-challenge")
    expect(challenge_box).to_be_visible()
    expect(page.locator("#credential-label")).to_have_text("令牌动态码")
    challenge = challenge_box.inner_text().strip()
    assert re.fullmatch(r"[0-9]{8}", challenge)
    operation = PendingOperation.objects.get(user=lina["user"])
    assert challenge == operation_token_challenge(operation)
    shot("confirm-token-challenge")

    # What the customer's token shows for this challenge (the device, played from its secret).
    answer = token_answer_for(tool=lina["tool"], challenge=challenge)
    page.fill("#id_pin", DEMO_PIN)
    # A code for another challenge (another operation) is refused on the page.
    other = f"{(int(challenge) + 1) % 10**8:08d}"
    page.fill("#id_credential", token_answer_for(tool=lina["tool"], challenge=other))
    page.click("button[type=submit]:has-text('确认')")
    expect(page.locator(".alert-error")).to_contain_text("令牌动态码错误")
    assert Transfer.objects.filter(customer=lina["customer"]).count() == 0

    page.fill("#id_pin", DEMO_PIN)
    page.check("input[name=method][value=token]")
    page.fill("#id_credential", answer)
    page.click("button[type=submit]:has-text('确认')")
    expect(page).to_have_url(re.compile(r"/confirm/[^/]+/result$"))
    transfer = Transfer.objects.get(customer=lina["customer"])
    assert transfer.status == TransferStatus.SUCCEEDED and transfer.amount == Decimal("3.00")

    # The demo page (dev and test settings only) plays the token for a customer.
    page.goto(f"{base}{reverse('security:demo_devices')}")
    page.fill("#id_challenge", challenge)
    page.click("button[type=submit]:has-text('计算动态码')")
    expect(page.locator("#token-answer")).to_have_text(answer)
    shot("demo-devices")


def test_sending_the_sms_code_keeps_the_pin_and_counts_down(page: Page, live_server, shot):
    zhang = customer_login(cif_no="3401010001", username="zhang_sms", with_token=False)
    base = live_server.url
    page.clock.install()  # the page's timers run on a clock the test moves
    log_in_and_fill_intra(page, base, zhang, "88.00")

    expect(page.locator("input[name=method][value=sms]")).to_be_checked()
    expect(page.locator("#token-challenge")).to_have_count(0)
    page.fill("#id_pin", DEMO_PIN)
    button = page.locator("#sms-send-button")
    expect(button).to_have_text("获取短信验证码")
    url_before = page.url
    button.click()

    expect(page.locator("#sms-status")).to_have_text(
        f"验证码已发送至尾号{zhang['customer'].phone[-4:]}的手机")
    expect(button).to_be_disabled()
    expect(button).to_have_text(re.compile(r"重新获取（(60|59)秒）"))
    assert page.url == url_before
    expect(page.locator("#id_pin")).to_have_value(DEMO_PIN)  # nothing typed was lost
    expect(page.locator("#id_credential")).to_be_focused()
    shot("confirm-sms-countdown")

    page.clock.fast_forward("00:30")
    expect(button).to_have_text(re.compile(r"重新获取（(30|29)秒）"))
    expect(button).to_be_disabled()
    page.clock.fast_forward("00:31")
    expect(button).to_have_text("获取短信验证码")
    expect(button).to_be_enabled()
    assert SmsCode.objects.filter(phone=zhang["customer"].phone).count() == 1

    code = sms_outbox_latest_code(phone=zhang["customer"].phone)
    text = zhang["customer"].phone and sms_text_latest(zhang["customer"].phone)
    assert f"您正在向尾号{zhang['payee_card'].number[-4:]}的账户转账¥88.00，验证码{code}" in text
    page.fill("#id_credential", code)
    page.click("button[type=submit]:has-text('确认')")
    expect(page).to_have_url(re.compile(r"/confirm/[^/]+/result$"))
    transfer = Transfer.objects.get(customer=zhang["customer"])
    assert transfer.status == TransferStatus.SUCCEEDED and transfer.amount == Decimal("88.00")


def test_the_confirmation_page_at_phone_width(page: Page, live_server, shot):
    zhang = customer_login(cif_no="3401010001", username="zhang_narrow", with_token=False)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in_and_fill_intra(page, live_server.url, zhang, "88.00")
    page.fill("#id_pin", DEMO_PIN)
    page.click("#sms-send-button")
    expect(page.locator("#sms-status")).to_contain_text("验证码已发送")
    shot("confirm-sms-390")


def sms_text_latest(phone: str) -> str:
    from security.models import SmsMessage

    return SmsMessage.objects.filter(phone=phone).latest("pk").text
