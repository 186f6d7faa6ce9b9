"""Helpers of the quick-pay tests: a fixed business day, and signing as the merchant does."""

from datetime import UTC, datetime

from accounts.demo import resident_id_number
from accounts.models import Medium
from payments.models import QuickPayAgreement
from payments.quickpay import services
from security.tools.sms import sms_outbox_latest_code

# 10:00 in Asia/Shanghai on 2026-06-10 (inside the test certificate's validity).
NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
MERCHANT = "KFT01"
MERCHANT_NAME = "快付通（模拟支付机构）"
# The demo customers' details as the bank holds them (accounts.demo).
DETAILS = {
    "张伟": {"name": "张伟", "id_number": resident_id_number("34010419850312351"), "phone": "13805510001"},
    "李娜": {"name": "李娜", "id_number": resident_id_number("34010219900721462"), "phone": "13905510002"},
}


def merchant_register(code: str = MERCHANT):
    """The merchant in the bank's registry (head office's step before any customer may sign)."""
    return services.quickpay_merchant_register(code=code, name=MERCHANT_NAME)


def sign(medium: Medium, *, merchant: str = MERCHANT) -> QuickPayAgreement:
    """签约 as the merchant simulator does: the bank's code, read from the SMS outbox (the
    merchant registered at the bank first, as head office does)."""
    merchant_register(merchant)
    details = {"card_number": medium.number, **DETAILS[medium.customer.name]}
    services.quickpay_sign_code_send(merchant_code=merchant, **details)
    code = sms_outbox_latest_code(phone=medium.customer.phone)
    return services.quickpay_sign(merchant_code=merchant, sms_code=code, **details)
