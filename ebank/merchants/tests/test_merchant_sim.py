"""快付通 (the simulated payment institution): its pages bind a card with the bank's SMS code and
charge orders through the bank's quick-pay API (settings.QUICKPAY_BANK_API)."""

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from ebank.merchants.models import MerchantBinding, MerchantOrder, MerchantOrderStatus
from payments.models import QuickPayAgreement, QuickPayDebit
from payments.tests.quickpay_support import DETAILS, NOW, merchant_register
from security.tools.sms import sms_outbox_latest_code
from tests.customer_world import balance, world_build


@pytest.fixture
def world(db, settings, tmp_path):
    bank = world_build(settings, tmp_path)
    merchant_register()
    with time_machine.travel(NOW, tick=False):
        yield bank


def _bind(client, world, **overrides):
    data = {"card_number": world.zhang_card.number, **DETAILS["张伟"], **overrides}
    page = client.post(reverse("merchant_sim:bind"), {**data, "action": "send_code"})
    assert "验证码已由银行发送至尾号0001的手机" in page.content.decode()
    code = sms_outbox_latest_code(phone=world.zhang_customer.phone)
    return client.post(reverse("merchant_sim:bind"), {**data, "sms_code": code,
                                                      "action": "sign"})


def test_binding_signs_the_agreement_at_the_bank(client, world):
    page = _bind(client, world)
    assert page.status_code == 302
    binding = MerchantBinding.objects.get()
    agreement = QuickPayAgreement.objects.get(number=binding.agreement_no)
    assert agreement.medium == world.zhang_card and agreement.merchant_code == "KFT01"


def test_wrong_details_are_refused_and_kept_on_the_page(client, world):
    page = client.post(reverse("merchant_sim:bind"),
                       {"card_number": world.zhang_card.number, **DETAILS["张伟"],
                        "phone": "13800000000", "action": "send_code"})
    body = page.content.decode()
    assert "银行卡信息校验失败" in body and 'value="13800000000"' in body
    assert sms_outbox_latest_code(phone=world.zhang_customer.phone) is None


def test_a_wrong_code_binds_nothing(client, world):
    data = {"card_number": world.zhang_card.number, **DETAILS["张伟"]}
    client.post(reverse("merchant_sim:bind"), {**data, "action": "send_code"})
    code = sms_outbox_latest_code(phone=world.zhang_customer.phone)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    page = client.post(reverse("merchant_sim:bind"), {**data, "sms_code": wrong,
                                                      "action": "sign"})
    assert "短信验证码错误或已失效" in page.content.decode()
    assert not MerchantBinding.objects.exists() and not QuickPayAgreement.objects.exists()


def test_paying_debits_the_card_and_a_refusal_keeps_the_banks_reason(client, world):
    _bind(client, world)
    binding = MerchantBinding.objects.get()
    before = balance(world.zhang_card)
    client.post(reverse("merchant_sim:pay"), {"agreement_no": binding.agreement_no,
                                              "amount": "120.00", "order_no": "A1"})
    order = MerchantOrder.objects.get(order_no="A1")
    assert order.status == MerchantOrderStatus.PAID
    assert order.receipt_number == QuickPayDebit.objects.get(order_no="A1").receipt_number
    assert balance(world.zhang_card) == before - Decimal("120.00")
    client.post(reverse("merchant_sim:pay"), {"agreement_no": binding.agreement_no,
                                              "amount": "5000.01", "order_no": "A2"})
    refused = MerchantOrder.objects.get(order_no="A2")
    assert refused.status == MerchantOrderStatus.REFUSED and "单笔限额" in refused.reason
    page = client.get(reverse("merchant_sim:index"))
    assert "单笔限额" in page.content.decode()


def test_the_simulator_reaches_the_bank_through_what_the_bank_registered(world):
    from ebank.merchants.simulator import bank_api
    from payments.quickpay import services

    assert bank_api() is services


def test_another_browser_neither_sees_nor_charges_someone_elses_card(client, world):
    from django.test import Client

    _bind(client, world)
    binding = MerchantBinding.objects.get()
    client.post(reverse("merchant_sim:pay"), {"agreement_no": binding.agreement_no,
                                              "amount": "1.00", "order_no": "MINE-1"})
    stranger = Client()
    page = stranger.get(reverse("merchant_sim:index")).content.decode()
    assert binding.agreement_no not in page and "张伟" not in page and "MINE-1" not in page
    before = balance(world.zhang_card)
    stranger.post(reverse("merchant_sim:pay"), {"agreement_no": binding.agreement_no,
                                                "amount": "100.00", "order_no": "THEFT-1"})
    assert not QuickPayDebit.objects.filter(order_no="THEFT-1").exists()
    assert balance(world.zhang_card) == before
    # The browser that bound the card still sees and uses it.
    assert binding.agreement_no in client.get(reverse("merchant_sim:index")).content.decode()


def test_get_of_the_pay_url_writes_nothing(client, world):
    assert client.get(reverse("merchant_sim:pay")).status_code == 405
