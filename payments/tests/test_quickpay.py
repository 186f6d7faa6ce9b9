"""PAY-QUICKPAY: signing, debits under the agreement's and the bank's limits, 限额修改, 撤销协议."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Receipt
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import LedgerAccount
from ebank.limits.models import LimitChannel, LimitLevel
from ebank.limits.services import limit_policy_set
from payments.models import QuickPayAgreement, QuickPayAgreementStatus, QuickPayDebit
from payments.quickpay import services
from security.models import PendingOperation
from tests.customer_world import (
    DEMO_PIN,
    LOGIN_PASSWORD,
    World,
    balance,
    confirm,
    entries,
    world_build,
)

from .quickpay_support import DETAILS, MERCHANT, NOW, merchant_register, sign


@pytest.fixture
def world(db, settings, tmp_path):
    bank = world_build(settings, tmp_path)
    merchant_register()
    return bank


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def zhang_agreement(world, clock):
    return sign(world.zhang_card)


def debit(agreement, order_no, amount):
    return services.quickpay_debit(agreement.number, agreement.merchant_code, order_no,
                                   Decimal(amount))


def book_balance() -> Decimal:
    return LedgerAccount.objects.get(pk=bank_book_id(services.QUICKPAY_BOOK)).balance


# --- 签约 ---------------------------------------------------------------------------------------

def test_signing_creates_the_agreement_with_the_banks_caps_and_audits(world, clock):
    agreement = sign(world.zhang_card)
    assert agreement.customer == world.zhang_customer and agreement.medium == world.zhang_card
    assert (agreement.single_limit, agreement.daily_limit) == (Decimal("5000.00"),
                                                               Decimal("50000.00"))
    assert agreement.status == QuickPayAgreementStatus.ACTIVE
    assert AuditEvent.objects.filter(action="quickpay.sign", object_ref=agreement.number).exists()


@pytest.mark.parametrize("field, value", [("name", "张三"), ("id_number", "11010119900101123X"),
                                          ("phone", "13800000000")])
def test_signing_refuses_details_that_do_not_match(world, clock, field, value):
    details = {"card_number": world.zhang_card.number, **DETAILS["张伟"], field: value}
    with pytest.raises(BusinessError, match="银行卡信息校验失败"):
        services.quickpay_sign_code_send(merchant_code=MERCHANT, **details)
    assert not QuickPayAgreement.objects.exists()


def test_signing_refuses_a_card_not_linked_to_e_banking(world, clock):
    world.zhang_passbook.link.delete()
    details = {"card_number": world.zhang_passbook.number, **DETAILS["张伟"]}
    with pytest.raises(BusinessError, match="网银关联账户"):
        services.quickpay_sign_code_send(merchant_code=MERCHANT, **details)


def test_signing_refuses_a_wrong_or_expired_code(world, clock):
    details = {"card_number": world.zhang_card.number, **DETAILS["张伟"]}
    services.quickpay_sign_code_send(merchant_code=MERCHANT, **details)
    from security.tools.sms import sms_outbox_latest_code
    code = sms_outbox_latest_code(phone=world.zhang_customer.phone)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(BusinessError, match="短信验证码错误或已失效"):
        services.quickpay_sign(merchant_code=MERCHANT, sms_code=wrong, **details)
    clock.shift(timedelta(minutes=10))  # past SMS_CODE_TTL_SECONDS
    with pytest.raises(BusinessError, match="短信验证码错误或已失效"):
        services.quickpay_sign(merchant_code=MERCHANT, sms_code=code, **details)
    assert not QuickPayAgreement.objects.exists()


def test_a_code_for_one_card_does_not_sign_another(world, clock):
    details = {"card_number": world.zhang_card.number, **DETAILS["张伟"]}
    services.quickpay_sign_code_send(merchant_code=MERCHANT, **details)
    from security.tools.sms import sms_outbox_latest_code
    code = sms_outbox_latest_code(phone=world.zhang_customer.phone)
    with pytest.raises(BusinessError, match="短信验证码"):
        services.quickpay_sign(merchant_code=MERCHANT, sms_code=code, **{**details,
                                                 "card_number": world.zhang_passbook.number})


# --- 支付 ---------------------------------------------------------------------------------------

def test_a_debit_posts_once_with_its_receipt(world, zhang_agreement):
    before, book_before = balance(world.zhang_card), book_balance()
    result = debit(zhang_agreement, "ORDER-1", "88.50")
    assert balance(world.zhang_card) == before - Decimal("88.50")
    assert book_balance() == book_before + Decimal("88.50")
    row = QuickPayDebit.objects.get(order_no="ORDER-1")
    assert row.amount == Decimal("88.50") and row.receipt_number == result.receipt_number
    receipt = Receipt.objects.get(number=result.receipt_number)
    assert receipt.customer == world.zhang_customer and receipt.amount == Decimal("88.50")
    assert receipt.entry_id == row.entry_id and "快付通" in receipt.payee_name


def test_the_same_order_debits_once(world, zhang_agreement):
    first = debit(zhang_agreement, "ORDER-1", "10.00")
    count, before = entries(), balance(world.zhang_card)
    again = debit(zhang_agreement, "ORDER-1", "10.00")
    assert again.replayed and again.number == first.number
    assert entries() == count and balance(world.zhang_card) == before
    with pytest.raises(BusinessError, match="商户订单号重复"):
        debit(zhang_agreement, "ORDER-1", "11.00")


def test_single_limit_refused(world, zhang_agreement):
    with pytest.raises(BusinessError, match="超过协议单笔限额¥5,000.00"):
        debit(zhang_agreement, "ORDER-1", "5000.01")
    assert not QuickPayDebit.objects.exists()


def test_daily_limit_refused_and_a_new_day_starts_afresh(world, zhang_agreement, clock):
    QuickPayAgreement.objects.filter(pk=zhang_agreement.pk).update(
        single_limit=Decimal("3000.00"), daily_limit=Decimal("5000.00"))
    debit(zhang_agreement, "O1", "3000.00")
    with pytest.raises(BusinessError, match=r"日累计限额¥5,000.00（今日已用¥3,000.00，剩余可用¥2,000.00）"):
        debit(zhang_agreement, "O2", "2000.01")
    debit(zhang_agreement, "O3", "2000.00")
    clock.shift(timedelta(days=1))
    debit(zhang_agreement, "O4", "3000.00")
    assert QuickPayDebit.objects.count() == 3


def test_the_limit_engine_quickpay_channel_applies(world, zhang_agreement):
    limit_policy_set(level=LimitLevel.CHANNEL, scope=LimitChannel.QUICKPAY,
                     channel=LimitChannel.QUICKPAY, single_limit=Decimal("100.00"),
                     daily_limit=Decimal("150.00"))
    debit(zhang_agreement, "O1", "100.00")
    with pytest.raises(BusinessError, match="快捷支付"):
        debit(zhang_agreement, "O2", "100.00")
    assert QuickPayDebit.objects.count() == 1


def test_insufficient_funds_writes_nothing(world, zhang_agreement, settings):
    settings.QUICKPAY_DAILY_CAP = Decimal("200000.00")  # the bank's cap binds every debit too
    QuickPayAgreement.objects.filter(pk=zhang_agreement.pk).update(
        single_limit=Decimal("5000.00"), daily_limit=Decimal("200000.00"))
    from payments.quickpay.services import quickpay_debit
    # Drain the card to ¥10.00 with debits the limits allow, then ask for more.
    for i in range(15):
        quickpay_debit(zhang_agreement.number, MERCHANT, f"D{i}", Decimal("5000.00"))
    quickpay_debit(zhang_agreement.number, MERCHANT, "D-last", Decimal("4990.00"))
    assert balance(world.zhang_card) == Decimal("10.00")
    count, debits, receipts = entries(), QuickPayDebit.objects.count(), Receipt.objects.count()
    with pytest.raises(BusinessError, match="余额不足"):
        debit(zhang_agreement, "POOR", "10.01")
    assert (entries(), QuickPayDebit.objects.count(), Receipt.objects.count()) == (
        count, debits, receipts)
    assert balance(world.zhang_card) == Decimal("10.00")


def test_a_frozen_or_unlinked_account_is_refused(world, zhang_agreement):
    world.zhang_card.link.delete()
    with pytest.raises(BusinessError, match="扣款账户状态异常"):
        debit(zhang_agreement, "O1", "1.00")


# --- 撤销协议 -----------------------------------------------------------------------------------

def test_revoke_then_an_immediate_debit_is_refused(world, zhang_agreement):
    services.quickpay_revoke(user=world.zhang, agreement=zhang_agreement, pin=DEMO_PIN)
    with pytest.raises(BusinessError, match="协议已撤销"):
        debit(zhang_agreement, "O1", "1.00")
    assert AuditEvent.objects.filter(action="quickpay.revoke").exists()


def test_revoke_needs_the_right_pin(world, zhang_agreement):
    with pytest.raises(BusinessError, match="交易密码错误"):
        services.quickpay_revoke(user=world.zhang, agreement=zhang_agreement, pin="000000")
    zhang_agreement.refresh_from_db()
    assert zhang_agreement.status == QuickPayAgreementStatus.ACTIVE


def test_a_revoked_agreement_can_be_signed_again(world, zhang_agreement, clock):
    services.quickpay_revoke(user=world.zhang, agreement=zhang_agreement, pin=DEMO_PIN)
    clock.shift(timedelta(minutes=2))
    again = sign(world.zhang_card)
    assert again.pk != zhang_agreement.pk and again.status == QuickPayAgreementStatus.ACTIVE


# --- 限额修改 -----------------------------------------------------------------------------------

def _start(world, user, agreement, single, daily):
    return services.quickpay_limit_change_start(user=user, agreement=agreement,
                                                single_limit=Decimal(single),
                                                daily_limit=Decimal(daily))


@pytest.mark.parametrize("single, daily, message", [
    ("5000.01", "50000.00", "单笔限额不得超过"),
    ("100.00", "50000.01", "日累计限额不得超过"),
    ("3000.00", "2000.00", "单笔限额不得大于日累计限额"),
])
def test_limits_must_lie_within_the_caps(world, zhang_agreement, single, daily, message):
    with pytest.raises(BusinessError, match=message):
        _start(world, world.zhang, zhang_agreement, single, daily)


def test_lowering_then_raising_with_the_usbkey(world, zhang_agreement):
    operation = _start(world, world.zhang, zhang_agreement, "1000.00", "2000.00")
    assert operation.kind == services.KIND_LIMIT_LOWER
    assert confirm(operation, user=world.zhang).status == "executed"
    zhang_agreement.refresh_from_db()
    assert (zhang_agreement.single_limit, zhang_agreement.daily_limit) == (
        Decimal("1000.00"), Decimal("2000.00"))
    with pytest.raises(BusinessError, match="单笔限额¥1,000.00"):
        debit(zhang_agreement, "O1", "1000.01")
    operation = _start(world, world.zhang, zhang_agreement, "1000.00", "3000.00")
    assert operation.kind == services.KIND_LIMIT_RAISE
    assert confirm(operation, user=world.zhang).status == "executed"
    zhang_agreement.refresh_from_db()
    assert zhang_agreement.daily_limit == Decimal("3000.00")
    assert AuditEvent.objects.filter(action="quickpay.limit_change").count() == 2


def test_raising_is_refused_to_a_customer_without_a_tool(world, clock):
    agreement = sign(world.li_card)
    with pytest.raises(BusinessError, match="请到我行网点申领安全认证工具"):
        _start(world, world.li, _lowered(agreement), "2000.00", "20000.00")
    assert not PendingOperation.objects.exists()


def _lowered(agreement):
    QuickPayAgreement.objects.filter(pk=agreement.pk).update(single_limit=Decimal("1000.00"),
                                                             daily_limit=Decimal("10000.00"))
    agreement.refresh_from_db()
    return agreement


def test_lowering_works_for_a_customer_without_a_tool_by_sms(world, clock):
    agreement = sign(world.li_card)
    clock.shift(timedelta(minutes=2))
    operation = _start(world, world.li, agreement, "500.00", "1000.00")
    assert confirm(operation, user=world.li).status == "executed"
    agreement.refresh_from_db()
    assert agreement.single_limit == Decimal("500.00")


def test_a_change_confirmed_after_another_change_is_refused(world, zhang_agreement):
    first = _start(world, world.zhang, zhang_agreement, "1000.00", "2000.00")
    second = _start(world, world.zhang, zhang_agreement, "800.00", "2000.00")
    confirm(first, user=world.zhang)
    with pytest.raises(BusinessError, match="协议限额已变更，请重新发起限额修改"):
        confirm(second, user=world.zhang)
    zhang_agreement.refresh_from_db()
    assert zhang_agreement.single_limit == Decimal("1000.00")


# --- pages --------------------------------------------------------------------------------------

@pytest.fixture
def zhang_client(client, world):
    client.login(username=world.zhang.username, password=LOGIN_PASSWORD)
    return client


def test_the_list_filters_by_account_and_status(world, zhang_agreement, zhang_client):
    page = zhang_client.get(reverse("payments:quickpay"))
    assert page.status_code == 200 and zhang_agreement.number in page.content.decode()
    page = zhang_client.get(reverse("payments:quickpay"),
                            {"account": world.zhang_passbook.pk, "status": ""})
    assert zhang_agreement.number not in page.content.decode()
    page = zhang_client.get(reverse("payments:quickpay"), {"status": "revoked"})
    assert zhang_agreement.number not in page.content.decode()


def test_the_limit_page_keeps_what_was_typed_and_starts_the_confirmation(world, zhang_agreement,
                                                                         zhang_client):
    url = reverse("payments:quickpay_limit", args=[zhang_agreement.pk])
    page = zhang_client.post(url, {"single_limit": "6000", "daily_limit": "7000"})
    body = page.content.decode()
    assert page.status_code == 200 and "单笔限额不得超过我行设定的最高限额5,000.00元" in body
    assert 'value="7000"' in body
    page = zhang_client.post(url, {"single_limit": "100", "daily_limit": "200"})
    operation = PendingOperation.objects.get(kind=services.KIND_LIMIT_LOWER)
    assert page.status_code == 302 and operation.public_id in page.url
    # 返回 from the confirmation page: what was typed comes back.
    page = zhang_client.get(url, {"from": operation.public_id})
    assert 'value="100.00"' in page.content.decode()


def test_the_limit_page_tells_a_toolless_customer_how_to_get_a_tool(world, client, clock):
    agreement = _lowered(sign(world.li_card))
    client.login(username=world.li.username, password=LOGIN_PASSWORD)
    page = client.post(reverse("payments:quickpay_limit", args=[agreement.pk]),
                       {"single_limit": "2000", "daily_limit": "20000"})
    assert page.status_code == 200
    assert "请到我行网点申领安全认证工具" in page.content.decode()


def test_revoke_page_get_shows_and_post_revokes(world, zhang_agreement, zhang_client):
    url = reverse("payments:quickpay_revoke", args=[zhang_agreement.pk])
    assert zhang_client.get(url).status_code == 200
    zhang_agreement.refresh_from_db()
    assert zhang_agreement.status == QuickPayAgreementStatus.ACTIVE
    page = zhang_client.post(url, {"pin": "123"})
    assert "交易密码应为6位数字" in page.content.decode()
    page = zhang_client.post(url, {"pin": DEMO_PIN})
    assert page.status_code == 302
    zhang_agreement.refresh_from_db()
    assert zhang_agreement.status == QuickPayAgreementStatus.REVOKED


def test_the_debits_page_lists_each_debit_with_its_receipt(world, zhang_agreement, zhang_client):
    result = debit(zhang_agreement, "ORDER-9", "66.00")
    page = zhang_client.get(reverse("payments:quickpay_debits", args=[zhang_agreement.pk]))
    body = page.content.decode()
    assert "ORDER-9" in body and "66.00" in body
    assert reverse("accounts:receipt_detail", args=[result.receipt_number]) in body
    assert zhang_client.get(reverse("accounts:receipt_detail",
                                    args=[result.receipt_number])).status_code == 200


@pytest.mark.parametrize("name", ["payments:quickpay_limit", "payments:quickpay_revoke",
                                  "payments:quickpay_debits"])
def test_another_customers_agreement_is_a_404(world, zhang_agreement, client, name):
    client.login(username=world.li.username, password=LOGIN_PASSWORD)
    assert client.get(reverse(name, args=[zhang_agreement.pk])).status_code == 404
    assert client.post(reverse(name, args=[zhang_agreement.pk]),
                       {"pin": DEMO_PIN}).status_code in (404, 405)
    zhang_agreement.refresh_from_db()
    assert zhang_agreement.status == QuickPayAgreementStatus.ACTIVE


def test_world_main_is_the_debited_account(world, zhang_agreement):
    result = debit(zhang_agreement, "O1", "1.00")
    assert QuickPayDebit.objects.get(number=result.number).sub_account == World.main(
        world.zhang_card)


# --- review: the bank's caps and the e-banking status re-checked at debit time -----------------

def test_caps_lowered_after_signing_bind_every_debit(world, zhang_agreement, settings):
    # Signed at the caps ¥5,000 / ¥50,000; head office lowers the caps afterwards.
    settings.QUICKPAY_SINGLE_CAP = Decimal("1000.00")
    settings.QUICKPAY_DAILY_CAP = Decimal("1500.00")
    with pytest.raises(BusinessError, match="单笔最高限额¥1,000.00"):
        debit(zhang_agreement, "CAP-1", "1000.01")
    debit(zhang_agreement, "CAP-2", "1000.00")
    with pytest.raises(BusinessError, match="日累计最高限额¥1,500.00"):
        debit(zhang_agreement, "CAP-3", "500.01")
    assert QuickPayDebit.objects.count() == 1


@pytest.mark.parametrize("status", ["suspended", "cancelled"])
def test_a_suspended_or_cancelled_e_banking_refuses_debits_and_signing(world, zhang_agreement,
                                                                      status):
    world.zhang.status = status
    world.zhang.save(update_fields=["status"])
    count = entries()
    with pytest.raises(BusinessError, match="网上银行"):
        debit(zhang_agreement, "SUSP-1", "1.00")
    assert entries() == count and not QuickPayDebit.objects.exists()
    details = {"card_number": world.zhang_passbook.number, **DETAILS["张伟"]}
    with pytest.raises(BusinessError, match="网上银行"):
        services.quickpay_sign_code_send(merchant_code=MERCHANT, **details)


def test_the_daily_limit_follows_the_shanghai_business_day(world, zhang_agreement):
    QuickPayAgreement.objects.filter(pk=zhang_agreement.pk).update(
        single_limit=Decimal("3000.00"), daily_limit=Decimal("3000.00"))
    from datetime import UTC, datetime
    # 23:59:59 and 00:00:01 in Asia/Shanghai (15:59:59 / 16:00:01 UTC): two business days.
    with time_machine.travel(datetime(2026, 6, 10, 15, 59, 59, tzinfo=UTC), tick=False):
        debit(zhang_agreement, "EOD-1", "3000.00")
    with time_machine.travel(datetime(2026, 6, 10, 16, 0, 1, tzinfo=UTC), tick=False):
        debit(zhang_agreement, "SOD-1", "3000.00")
        with pytest.raises(BusinessError, match="日累计限额"):
            debit(zhang_agreement, "SOD-2", "0.01")
    assert sorted(QuickPayDebit.objects.values_list("business_date", flat=True)) == [
        datetime(2026, 6, 10).date(), datetime(2026, 6, 11).date()]


def test_the_same_order_with_another_amount_is_refused_not_replayed(world, zhang_agreement):
    debit(zhang_agreement, "DUP-1", "10.00")
    with pytest.raises(BusinessError, match="商户订单号重复"):
        debit(zhang_agreement, "DUP-1", "10.01")
    assert debit(zhang_agreement, "DUP-1", "10.00").replayed
    assert QuickPayDebit.objects.count() == 1


def test_a_merchant_the_bank_deactivated_can_no_longer_debit(world, zhang_agreement):
    from payments.models import QuickPayMerchant
    QuickPayMerchant.objects.filter(code=MERCHANT).update(active=False)
    with pytest.raises(BusinessError, match="未在我行开通快捷支付"):
        debit(zhang_agreement, "OFF-1", "1.00")
    assert not QuickPayDebit.objects.exists()


@pytest.mark.parametrize("amount, ok", [("10.000", True), ("1E+1", True), ("10.001", False),
                                        ("0.001", False), ("0", False), ("-1.00", False),
                                        ("NaN", False), ("Infinity", False), ("abc", False),
                                        ("1E+100", False)])
def test_the_amount_is_a_positive_sum_in_cents(world, zhang_agreement, amount, ok):
    if ok:
        result = services.quickpay_debit(zhang_agreement.number, MERCHANT, "AMT-1", amount)
        assert result.amount == Decimal("10.00") and str(result.amount) == "10.00"
        assert QuickPayDebit.objects.get().amount == Decimal("10.00")
    else:
        with pytest.raises(BusinessError, match="支付金额无效"):
            services.quickpay_debit(zhang_agreement.number, MERCHANT, "AMT-1", amount)
        assert not QuickPayDebit.objects.exists()


def test_no_code_is_texted_for_a_card_already_signed_with_the_merchant(world, zhang_agreement,
                                                                       clock):
    clock.shift(timedelta(minutes=2))  # past the SMS resend interval
    from security.models import SmsCode, SmsMessage

    sent = (SmsMessage.objects.count(), SmsCode.objects.count())
    details = {"card_number": world.zhang_card.number, **DETAILS["张伟"]}
    with pytest.raises(BusinessError, match="已与该商户签订快捷支付协议"):
        services.quickpay_sign_code_send(merchant_code=MERCHANT, **details)
    assert (SmsMessage.objects.count(), SmsCode.objects.count()) == sent


def test_a_limit_change_confirmed_after_a_revoke_is_refused(world, zhang_agreement):
    operation = _start(world, world.zhang, zhang_agreement, "1000.00", "2000.00")
    services.quickpay_revoke(user=world.zhang, agreement=zhang_agreement, pin=DEMO_PIN)
    with pytest.raises(BusinessError, match="协议已撤销"):
        confirm(operation, user=world.zhang)
    zhang_agreement.refresh_from_db()
    assert zhang_agreement.single_limit == Decimal("5000.00")


def test_caps_lowered_before_confirmation_are_checked_by_the_executor(world, zhang_agreement,
                                                                      settings):
    operation = _start(world, world.zhang, zhang_agreement, "4000.00", "40000.00")
    settings.QUICKPAY_SINGLE_CAP = Decimal("3000.00")
    with pytest.raises(BusinessError, match="单笔最高限额"):
        confirm(operation, user=world.zhang)
    zhang_agreement.refresh_from_db()
    assert zhang_agreement.single_limit == Decimal("5000.00")
