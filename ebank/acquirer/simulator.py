"""银联收单（模拟）, the simulated acquirer: sends purchases and refunds to the bank as issuer
through the API the bank registers with ``ebank.acquirer.issuer`` (the bank side lives in a menu
app this lower app may not import), and keeps each transaction with the issuer's answer."""

import secrets
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_account_number

from .adapter import AcquirerAdapter, AcquirerOutcome
from .issuer import IssuerAnswer, issuer_api
from .models import AcquirerTxn, AcquirerTxnKind, AcquirerTxnStatus

ACQUIRER_NAME = "银联收单（模拟）"
CENT = Decimal("0.01")
REFERENCE_MAX = AcquirerTxn._meta.get_field("reference").max_length


def _reference(value: str) -> str:
    """The caller's 收单流水号 (or a new one); refused before the issuer is called when longer
    than the acquirer keeps — else the bank would post what the acquirer cannot record."""
    reference = (value or "").strip() or reference_new()
    if len(reference) > REFERENCE_MAX:
        raise BusinessError(f"收单流水号最多{REFERENCE_MAX}位")
    return reference


def reference_new() -> str:
    return f"ACQ{timezone.now():%Y%m%d%H%M%S}{secrets.randbelow(10**6):06d}"


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise BusinessError("交易金额须为大于零、最多两位小数的数字") from exc
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise BusinessError("交易金额须为大于零、最多两位小数的数字")
    return amount


def _outcome(txn: AcquirerTxn, *, replayed: bool) -> AcquirerOutcome:
    return AcquirerOutcome(reference=txn.reference, kind=txn.kind,
                           approved=txn.status == AcquirerTxnStatus.APPROVED, amount=txn.amount,
                           merchant=txn.merchant_name, reason=txn.reason, replayed=replayed)


def _record(answer: IssuerAnswer, **fields) -> AcquirerOutcome:
    """Keep the transaction with the issuer's answer (once per reference: a second sender of
    the same reference gets the first row)."""
    try:
        with transaction.atomic():
            txn = AcquirerTxn.objects.create(
                status=AcquirerTxnStatus.APPROVED if answer.approved else AcquirerTxnStatus.DECLINED,
                reason=answer.reason[:200], issuer_reference=answer.issuer_reference[:32],
                **fields)
    except IntegrityError:
        return _outcome(AcquirerTxn.objects.get(reference=fields["reference"]), replayed=True)
    return _outcome(txn, replayed=answer.replayed)


class SimulatedAcquirer(AcquirerAdapter):
    simulated = True

    def purchase(self, *, card_number: str, amount, merchant: str, mcc: str = "5411",
                 txn_date: date | None = None, reference: str = "") -> AcquirerOutcome:
        card_number = "".join((card_number or "").split())
        merchant = (merchant or "").strip()
        mcc = (mcc or "").strip()
        if not merchant:
            raise BusinessError("请输入商户名称")
        if len(merchant) > 60:
            raise BusinessError("商户名称最多60个字")
        if mcc and not (mcc.isdigit() and len(mcc) == 4):
            raise BusinessError("商户类别码（MCC）须为4位数字")
        amount = _amount(amount)
        txn_date = txn_date or business_day()
        reference = _reference(reference)
        existing = AcquirerTxn.objects.filter(reference=reference).first()
        if existing is not None:
            return _outcome(existing, replayed=True)
        answer = issuer_api().card_authorise(card_number=card_number, amount=amount,
                                             merchant=merchant, mcc=mcc, txn_date=txn_date,
                                             reference=reference)
        return _record(answer, reference=reference, kind=AcquirerTxnKind.PURCHASE,
                       card_masked=mask_account_number(card_number), merchant_name=merchant,
                       mcc=mcc, amount=amount, txn_date=txn_date)

    def refund(self, *, card_number: str, amount, original_reference: str,
               reference: str = "") -> AcquirerOutcome:
        card_number = "".join((card_number or "").split())
        original_reference = (original_reference or "").strip()
        amount = _amount(amount)
        reference = _reference(reference)
        existing = AcquirerTxn.objects.filter(reference=reference).first()
        if existing is not None:
            return _outcome(existing, replayed=True)
        original = AcquirerTxn.objects.filter(
            reference=original_reference, kind=AcquirerTxnKind.PURCHASE,
            status=AcquirerTxnStatus.APPROVED,
            card_masked=mask_account_number(card_number)).first()
        if original is None:
            raise BusinessError("原交易不存在或未成功，不能退货")
        answer = issuer_api().card_refund(card_number=card_number, amount=amount,
                                          original_reference=original_reference,
                                          reference=reference)
        return _record(answer, reference=reference, kind=AcquirerTxnKind.REFUND,
                       card_masked=original.card_masked, merchant_name=original.merchant_name,
                       mcc=original.mcc, amount=amount, txn_date=business_day(),
                       original_reference=original_reference)
