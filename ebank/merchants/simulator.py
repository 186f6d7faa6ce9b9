"""快付通, the simulated payment institution: binds cards (签约) and charges orders (支付)
through the bank's quick-pay API, which the bank registers with ``ebank.merchants.bank`` (the
bank side lives in a menu app this lower app may not import)."""

import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ebank.core.errors import BusinessError
from ebank.core.masking import mask_account_number

from .bank import quickpay_bank
from .models import MerchantBinding, MerchantOrder, MerchantOrderStatus

MERCHANT_CODE = "KFT01"
MERCHANT_NAME = "快付通（模拟支付机构）"


def bank_api():
    """The bank's quick-pay functions (quickpay_sign_code_send, quickpay_sign, quickpay_debit)."""
    return quickpay_bank()


def sim_sign_code_send(*, card_number: str, name: str, id_number: str, phone: str) -> str:
    """Ask the bank to text its code to the phone reserved at the bank; returns the masked
    phone ("尾号" and its last four digits) for the page."""
    return bank_api().quickpay_sign_code_send(
        merchant_code=MERCHANT_CODE, card_number=card_number,
        name=name, id_number=id_number, phone=phone)


def sim_sign(*, card_number: str, name: str, id_number: str, phone: str,
             sms_code: str) -> MerchantBinding:
    agreement = bank_api().quickpay_sign(
        merchant_code=MERCHANT_CODE, card_number=card_number,
        name=name, id_number=id_number, phone=phone, sms_code=sms_code)
    return MerchantBinding.objects.create(
        merchant_code=MERCHANT_CODE, agreement_no=agreement.number,
        card_masked=mask_account_number("".join(card_number.split())), holder_name=name.strip())


def order_no_new() -> str:
    return f"KFT{timezone.now():%Y%m%d%H%M%S}{secrets.randbelow(10**6):06d}"


def sim_pay(*, binding: MerchantBinding, amount: Decimal, order_no: str = "") -> MerchantOrder:
    """Charge an order through the agreement; the merchant keeps the order paid or refused
    (with the bank's reason). The same order number again is the bank's same answer."""
    order_no = order_no.strip() or order_no_new()
    try:
        result = bank_api().quickpay_debit(binding.agreement_no, binding.merchant_code,
                                           order_no, amount)
    except BusinessError as exc:
        with transaction.atomic():
            return MerchantOrder.objects.create(
                merchant_code=binding.merchant_code, order_no=order_no, binding=binding,
                amount=amount, status=MerchantOrderStatus.REFUSED, reason=exc.message[:200])
    existing = MerchantOrder.objects.filter(merchant_code=binding.merchant_code,
                                            order_no=order_no,
                                            status=MerchantOrderStatus.PAID).first()
    if existing is not None:
        return existing
    return MerchantOrder.objects.create(
        merchant_code=binding.merchant_code, order_no=order_no, binding=binding, amount=amount,
        status=MerchantOrderStatus.PAID, bank_serial=result.number,
        receipt_number=result.receipt_number)
