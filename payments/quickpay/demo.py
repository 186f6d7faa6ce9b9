"""seed_demo's part 42 (registered in PaymentsConfig.ready()): 张伟's debit card bound at 快付通
(the merchant simulator; the agreement opened as ``quickpay_sign`` opens it after the SMS code,
which the seed cannot read under a real gateway) and three orders paid through the agreement. Idempotent: an existing
agreement is kept, the merchant is registered once (with its 收款户), and the orders have fixed numbers (the bank answers a known order again)."""

from decimal import Decimal

from accounts.models import Customer, MediumKind
from ebank.core.crypto import decrypt_text
from ebank.merchants.models import MerchantBinding
from ebank.merchants.simulator import (
    MERCHANT_CODE,
    MERCHANT_NAME,
    sim_pay,
)

from ..models import QuickPayAgreement, QuickPayAgreementStatus
from .services import quickpay_agreement_open, quickpay_merchant_register

ORDERS = (("KFTDEMO0001", Decimal("36.80")), ("KFTDEMO0002", Decimal("128.00")),
          ("KFTDEMO0003", Decimal("9.90")))


def demo_seed(out) -> None:
    # The bank's registry first: only a registered merchant may sign (idempotent).
    quickpay_merchant_register(code=MERCHANT_CODE, name=MERCHANT_NAME)
    customer = Customer.objects.filter(cif_no="3401010001").first()
    medium = customer and customer.media.filter(kind=MediumKind.DEBIT_CARD).first()
    if medium is None or not hasattr(medium, "link"):
        out.line("  快捷支付: 张伟's debit card is not linked to e-banking; skipped")
        return
    agreement = QuickPayAgreement.objects.filter(
        medium=medium, merchant_code=MERCHANT_CODE,
        status=QuickPayAgreementStatus.ACTIVE).first()
    binding = agreement and MerchantBinding.objects.filter(agreement_no=agreement.number).first()
    if binding is None:
        details = {"card_number": medium.number, "name": customer.name,
                   "id_number": decrypt_text(customer.id_number_encrypted),
                   "phone": customer.phone}
        if agreement is None:
            # Signed as at the merchant, but without reading an SMS code: under a real gateway
            # (the benches seed with production settings) the outbox holds none.
            agreement = quickpay_agreement_open(merchant_code=MERCHANT_CODE, **details)
        binding = MerchantBinding.objects.create(
            merchant_code=MERCHANT_CODE, agreement_no=agreement.number,
            card_masked=medium.masked_number, holder_name=customer.name)
    for order_no, amount in ORDERS:
        sim_pay(binding=binding, amount=amount, order_no=order_no)
    out.success(f"快捷支付: 张伟 {medium.masked_number} 快付通 协议号{binding.agreement_no}, "
                f"{len(ORDERS)} orders paid (see 协议管理 › 支付记录)")
