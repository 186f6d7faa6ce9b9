"""网上支付 › 协议管理 (快捷支付): the bank side of quick-pay agreements.

The merchant simulator (ebank.merchants, a lower app) reaches the three bank-facing functions —
:func:`quickpay_sign_code_send`, :func:`quickpay_sign` and :func:`quickpay_debit` — through
the registry ``ebank.merchants.bank`` (PaymentsConfig.ready() registers this module), so it
never imports payments. The customer's own writes (撤销协议 here, 限额修改 through X-CONFIRM in
payments/operations.py) are beside them. Every refusal is a BusinessError with a Chinese message.
docs/payments.md, section 网上支付 协议管理 (快捷支付).
"""

import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    LinkedMedium,
    Medium,
    MediumStatus,
    ReceiptDirection,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)
from accounts.pin import medium_pin_check
from accounts.receipts.services import receipt_issue
from accounts.services import funds_move
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.crypto import keyed_digest
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_account_number
from ebank.core.money import format_cny
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import AccountOwner, Side
from ebank.ledger.services import ledger_account_open
from ebank.limits.models import LimitChannel
from ebank.limits.services import limit_consume
from security.confirm.services import operation_start
from security.models import PendingOperation, User, UserStatus
from security.staff.scoping import customers_visible_to
from security.tools.sms import sms_code_issue, sms_code_verify
from security.tools.subject import limit_subject_for

from ..models import (
    PaymentBusinessType,
    QuickPayAgreement,
    QuickPayAgreementStatus,
    QuickPayDebit,
    QuickPayMerchant,
)

QUICKPAY_BOOK = "PAY:QUICKPAY"          # 快捷支付待清算 (credit-normal), PaymentsConfig.ready()
SIGN_PURPOSE = "quickpay_sign"          # the SMS code's purpose (sms_purposes in ready())
KIND_LIMIT_RAISE = "payments.quickpay_raise"
KIND_LIMIT_LOWER = "payments.quickpay_lower"
RECEIPT_BUSINESS = "快捷支付"
CENT = Decimal("0.01")
RECEIPT_CHANNEL = "快捷支付"

DETAILS_MISMATCH = "银行卡信息校验失败：卡号、户名、证件号码或银行预留手机号不符"
NOT_LINKED = "该卡不是已开通个人网上银行客户的网银关联账户，不能签约快捷支付"
UNKNOWN_MERCHANT = "该商户未在我行开通快捷支付，不能签约"
ALREADY_SIGNED = "该账户已与该商户签订快捷支付协议"
STAFF_REVOKE_ACTION = "quickpay.staff_revoke"
STAFF_REVOKE_PERMISSION = "payments.change_quickpayagreement"
EBANK_NOT_ACTIVE = "该客户的个人网上银行已暂停或注销，不能办理快捷支付"


# --- the merchants (the bank's registry) ------------------------------------------------------

@transaction.atomic
def quickpay_merchant_register(*, code: str, name: str) -> QuickPayMerchant:
    """Register a payment institution for quick pay (idempotent by code) with its 收款户
    ``MERCHANT:<code>:ACCT`` (customer-owned, credit-normal), which the nightly 快捷支付结算
    credits from the 快捷支付待清算 book. Only a registered, active merchant may sign."""
    account = ledger_account_open(code=f"MERCHANT:{code}:ACCT", name=f"{name}收款户",
                                  owner=AccountOwner.CUSTOMER, normal_side=Side.CREDIT)
    merchant, _ = QuickPayMerchant.objects.get_or_create(
        code=code, defaults={"name": name, "collection_account": account,
                             "registered_at": timezone.now()})
    return merchant


def _merchant(code: str) -> QuickPayMerchant:
    merchant = QuickPayMerchant.objects.filter(code=code, active=True).first()
    if merchant is None:
        raise BusinessError(UNKNOWN_MERCHANT)
    return merchant


# --- caps and checks --------------------------------------------------------------------------

def quickpay_caps() -> tuple[Decimal, Decimal]:
    """The bank's caps on what a customer may choose (settings)."""
    return (Decimal(str(settings.QUICKPAY_SINGLE_CAP)),
            Decimal(str(settings.QUICKPAY_DAILY_CAP)))


def quickpay_limits_validate(*, single_limit: Decimal, daily_limit: Decimal) -> None:
    single_cap, daily_cap = quickpay_caps()
    if single_limit <= 0 or daily_limit <= 0:
        raise BusinessError("限额必须大于0")
    if single_limit > single_cap:
        raise BusinessError(f"单笔限额不得超过我行设定的快捷支付单笔最高限额{format_cny(single_cap)}")
    if daily_limit > daily_cap:
        raise BusinessError(f"日累计限额不得超过我行设定的快捷支付日累计最高限额{format_cny(daily_cap)}")
    if single_limit > daily_limit:
        raise BusinessError("单笔限额不得大于日累计限额")


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise BusinessError("支付金额无效") from None
    # Whole cents, however written ("10.000", "1E+1" are ¥10.00; "10.001" is not).
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1E16"):
        raise BusinessError("支付金额无效")
    cents = amount.quantize(CENT)
    if amount != cents:
        raise BusinessError("支付金额无效")
    return cents


def _number(prefix: str) -> str:
    return f"{prefix}{business_day():%Y%m%d}{secrets.randbelow(10**10):010d}"


# --- 签约 (the merchant's page, the bank's check and SMS code) --------------------------------

@dataclass(frozen=True)
class CardHolder:
    medium: Medium
    link: LinkedMedium
    user: User


def _card_holder(*, card_number: str, name: str, id_number: str, phone: str) -> CardHolder:
    """The linked e-banking account these details name, or a BusinessError.

    The details are checked before the link, so a stranger typing card numbers learns nothing
    about whose card it is."""
    card_number = "".join((card_number or "").split())
    medium = (Medium.objects.select_related("customer").filter(number=card_number).first()
              if card_number else None)
    customer = medium.customer if medium is not None else None
    if (customer is None or customer.name != (name or "").strip()
            or keyed_digest(customer.id_type, (id_number or "").strip().upper())
            != customer.id_number_digest
            or customer.phone != (phone or "").strip()):
        raise BusinessError(DETAILS_MISMATCH)
    link = LinkedMedium.objects.filter(medium=medium, customer=customer).first()
    user = User.objects.filter(customer=customer).first()
    if link is None or user is None:
        raise BusinessError(NOT_LINKED)
    if user.status != UserStatus.ACTIVE:
        raise BusinessError(EBANK_NOT_ACTIVE)
    if medium.status != MediumStatus.NORMAL:
        raise BusinessError(f"该账户状态为{medium.get_status_display()}，不能签约快捷支付")
    if not SubAccount.objects.filter(medium=medium, kind=SubAccountKind.CURRENT_MAIN,
                                     status=SubAccountStatus.OPEN).exists():
        raise BusinessError("该账户没有可用于支付的活期账户，不能签约快捷支付")
    return CardHolder(medium=medium, link=link, user=user)


def _sign_digest(*, merchant_code: str, card_number: str) -> str:
    card_number = "".join((card_number or "").split())
    return hashlib.sha256(f"quickpay-sign:{merchant_code}:{card_number}".encode()).hexdigest()


def quickpay_sign_code_send(*, merchant_code: str, card_number: str,
                            name: str, id_number: str, phone: str) -> str:
    """Check the card details and text the bank's code to the phone reserved at the bank.

    Returns the masked phone ("尾号0001") for the merchant's page. Raises BusinessError."""
    merchant_name = _merchant(merchant_code).name
    holder = _card_holder(card_number=card_number, name=name, id_number=id_number, phone=phone)
    customer = holder.medium.customer
    # Checked again under the medium's lock at signing; here so no code is texted in vain.
    if QuickPayAgreement.objects.filter(medium=holder.medium, merchant_code=merchant_code,
                                        status=QuickPayAgreementStatus.ACTIVE).exists():
        raise BusinessError(ALREADY_SIGNED)
    doing = f"在{merchant_name}签约快捷支付（尾号{holder.medium.number[-4:]}的账户）"
    sms_code_issue(phone=customer.phone, purpose=SIGN_PURPOSE,
                   operation_digest=_sign_digest(merchant_code=merchant_code,
                                                 card_number=holder.medium.number),
                   customer=customer, action=doing)
    return f"尾号{customer.phone[-4:]}"


def quickpay_sign(*, merchant_code: str, card_number: str, name: str,
                  id_number: str, phone: str, sms_code: str) -> QuickPayAgreement:
    """签约: the bank creates the agreement for the linked account, with the bank's caps as its
    limits (the customer lowers them in 协议管理). Raises BusinessError.

    The merchant must be in the bank's registry (QuickPayMerchant); the agreement carries the
    name registered there (the merchant sends only its code)."""
    _merchant(merchant_code)
    holder = _card_holder(card_number=card_number, name=name, id_number=id_number, phone=phone)
    # The use or the wrong try is committed by the check itself, before we answer.
    if not sms_code_verify(phone=holder.medium.customer.phone, purpose=SIGN_PURPOSE,
                           operation_digest=_sign_digest(merchant_code=merchant_code,
                                                         card_number=holder.medium.number),
                           code=sms_code):
        raise BusinessError("短信验证码错误或已失效，请重新获取")
    return quickpay_agreement_open(merchant_code=merchant_code, card_number=card_number,
                                   name=name, id_number=id_number, phone=phone)


def quickpay_agreement_open(*, merchant_code: str, card_number: str, name: str, id_number: str,
                            phone: str) -> QuickPayAgreement:
    """The agreement itself, once the customer is known to have signed: ``quickpay_sign`` after
    the bank's SMS code, and the demo seed (which stands in for the customer; a real gateway's
    outbox holds no code to read). The card details are checked again; raises BusinessError."""
    merchant_name = _merchant(merchant_code).name
    holder = _card_holder(card_number=card_number, name=name, id_number=id_number, phone=phone)
    customer = holder.medium.customer
    single, daily = quickpay_caps()
    with transaction.atomic():
        Medium.objects.select_for_update().filter(pk=holder.medium.pk).first()
        if QuickPayAgreement.objects.filter(medium=holder.medium, merchant_code=merchant_code,
                                            status=QuickPayAgreementStatus.ACTIVE).exists():
            raise BusinessError(ALREADY_SIGNED)
        agreement = QuickPayAgreement.objects.create(
            number=_number("QP"), customer=customer, medium=holder.medium,
            merchant_code=merchant_code, merchant_name=merchant_name, single_limit=single,
            daily_limit=daily, signed_at=timezone.now())
        audit_record(action="quickpay.sign", actor=holder.user, customer_id=customer.pk,
                     object_ref=agreement.number, channel="quickpay",
                     detail={"merchant": merchant_code, "medium": holder.medium.masked_number,
                             "single_limit": str(single), "daily_limit": str(daily)})
    return agreement


# --- 支付 (the merchant debits through the agreement) -----------------------------------------

@dataclass(frozen=True)
class DebitResult:
    number: str
    order_no: str
    amount: Decimal
    receipt_number: str
    replayed: bool


def _debit_result(debit: QuickPayDebit, *, replayed: bool) -> DebitResult:
    return DebitResult(number=debit.number, order_no=debit.order_no, amount=debit.amount,
                       receipt_number=debit.receipt_number, replayed=replayed)


def quickpay_used_today(*, agreement: QuickPayAgreement, day=None) -> Decimal:
    return (QuickPayDebit.objects.filter(agreement=agreement, business_date=day or business_day())
            .aggregate(total=Sum("amount"))["total"] or Decimal("0.00"))


def quickpay_debit(agreement_no: str, merchant_code: str, order_no: str, amount) -> DebitResult:
    """Debit ``amount`` for the merchant's order through the agreement, all or nothing.

    Idempotent per (merchant, order_no): the same order again returns the first debit. A refusal
    (revoked, a limit, the account, funds) is a BusinessError and writes nothing at the bank."""
    amount = _amount(amount)
    order_no = (order_no or "").strip()
    if not order_no or len(order_no) > 32:
        raise BusinessError("商户订单号无效")
    # A merchant the bank deactivated (or never registered) debits no more.
    if not QuickPayMerchant.objects.filter(code=merchant_code, active=True).exists():
        raise BusinessError("该商户未在我行开通快捷支付，不能扣款")
    with transaction.atomic():
        # 1. The agreement row: every debit, 限额修改 and 撤销协议 of it queue here.
        agreement = (QuickPayAgreement.objects.select_for_update()
                     .filter(number=agreement_no, merchant_code=merchant_code).first())
        if agreement is None:
            raise BusinessError("快捷支付协议不存在")
        existing = QuickPayDebit.objects.filter(merchant_code=merchant_code,
                                                order_no=order_no).first()
        if existing is not None:
            if existing.agreement_id != agreement.pk or existing.amount != amount:
                raise BusinessError("商户订单号重复")
            return _debit_result(existing, replayed=True)
        if agreement.status != QuickPayAgreementStatus.ACTIVE:
            raise BusinessError("协议已撤销")
        if amount > agreement.single_limit:
            raise BusinessError(f"支付金额超过协议单笔限额{format_cny(agreement.single_limit)}")
        # The bank's caps bind every debit, also an agreement signed before they were lowered.
        single_cap, daily_cap = quickpay_caps()
        if amount > single_cap:
            raise BusinessError(f"支付金额超过我行设定的快捷支付单笔最高限额{format_cny(single_cap)}")
        today = business_day()
        used = quickpay_used_today(agreement=agreement, day=today)
        if used + amount > daily_cap:
            raise BusinessError(f"支付金额超过我行设定的快捷支付日累计最高限额{format_cny(daily_cap)}"
                                f"（今日已用{format_cny(used)}）")
        if used + amount > agreement.daily_limit:
            left = max(agreement.daily_limit - used, Decimal("0.00"))
            raise BusinessError(f"支付金额超过协议日累计限额{format_cny(agreement.daily_limit)}"
                                f"（今日已用{format_cny(used)}，剩余可用{format_cny(left)}）")
        medium = agreement.medium
        customer = agreement.customer
        sub_account = SubAccount.objects.filter(medium=medium, kind=SubAccountKind.CURRENT_MAIN
                                                ).select_related("medium__branch").first()
        if (medium.status != MediumStatus.NORMAL or sub_account is None
                or sub_account.status != SubAccountStatus.OPEN
                or not LinkedMedium.objects.filter(medium=medium, customer=customer).exists()):
            raise BusinessError("扣款账户状态异常，不能支付")
        user = User.objects.filter(customer=customer).first()
        if user is None:
            raise BusinessError("扣款账户状态异常，不能支付")
        if user.status != UserStatus.ACTIVE:
            raise BusinessError(EBANK_NOT_ACTIVE)
        # 2. The limit engine's quickpay channel (bank-side channel policies), 3. the ledger.
        limit_consume(subject=limit_subject_for(user=user), amount=amount,
                      channel=LimitChannel.QUICKPAY)
        number = _number("QD")
        posted = funds_move(debit_ledger_id=sub_account.ledger_account_id,
                            credit_ledger_id=bank_book_id(QUICKPAY_BOOK), amount=amount,
                            idempotency_key=f"quickpay:{merchant_code}:{order_no}",
                            business_type=PaymentBusinessType.QUICKPAY_DEBIT, reference=number,
                            memo=f"快捷支付 {agreement.merchant_name} {order_no}")
        now = timezone.now()
        receipt = receipt_issue(
            entry_id=posted.entry_id, sub_account=sub_account,
            direction=ReceiptDirection.DEBIT, amount=amount, payer_name=customer.name,
            payer_account=medium.number, payer_bank=medium.branch.name,
            payee_name=agreement.merchant_name, payee_account="", payee_bank="",
            purpose=f"快捷支付 订单号{order_no}", business=RECEIPT_BUSINESS,
            channel=RECEIPT_CHANNEL, posted_at=now)
        debit = QuickPayDebit.objects.create(
            number=number, agreement=agreement, merchant_code=merchant_code, order_no=order_no,
            amount=amount, sub_account=sub_account, entry_id=posted.entry_id,
            receipt_number=receipt.number, business_date=today, created_at=now)
    return _debit_result(debit, replayed=False)


# --- 撤销协议 and 限额修改 (the customer, in 协议管理) --------------------------------------------

def _revoke_locked(*, agreement_pk: int, customer_id: int) -> QuickPayAgreement:
    """Mark the agreement 已撤销 under its lock (every debit of it queues on the same row)."""
    locked = (QuickPayAgreement.objects.select_for_update()
              .filter(pk=agreement_pk, customer_id=customer_id).first())
    if locked is None or locked.status != QuickPayAgreementStatus.ACTIVE:
        raise BusinessError("协议已撤销")
    locked.status = QuickPayAgreementStatus.REVOKED
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["status", "revoked_at"])
    return locked


def quickpay_revoke(*, user: User, agreement: QuickPayAgreement, pin: str,
                    ip: str | None = None) -> QuickPayAgreement:
    """撤销协议 with the account's 交易密码; from its commit on every debit is refused."""
    # The PIN attempt is written (and committed) by the check itself, before anything else.
    medium_pin_check(medium=agreement.medium, pin=pin)
    with transaction.atomic():
        locked = _revoke_locked(agreement_pk=agreement.pk, customer_id=user.customer_id)
        audit_record(action="quickpay.revoke", actor=user, customer_id=user.customer_id,
                     object_ref=locked.number, ip_address=ip,
                     detail={"merchant": locked.merchant_code,
                             "medium": locked.medium.masked_number})
    return locked


def quickpay_staff_revoke(*, staff: User, agreement: QuickPayAgreement, reason: str,
                          ip: str | None = None) -> QuickPayAgreement:
    """撤销协议 by staff in the admin (the customer's request at the counter, a suspected
    fraud): the staff member must see the customer's branch (security.staff.scoping) and give
    the reason; the audit row names both. The same lock and end as the customer's revoke."""
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError("请输入撤销原因")
    if (not getattr(staff, "is_staff", False)
            or not staff.has_perm(STAFF_REVOKE_PERMISSION)
            or not customers_visible_to(staff).filter(pk=agreement.customer_id).exists()):
        raise BusinessError("无权撤销该客户的协议")
    with transaction.atomic():
        locked = _revoke_locked(agreement_pk=agreement.pk, customer_id=agreement.customer_id)
        audit_record(action=STAFF_REVOKE_ACTION, actor=staff, customer_id=locked.customer_id,
                     object_ref=locked.number, ip_address=ip, channel="admin",
                     detail={"merchant": locked.merchant_code,
                             "medium": locked.medium.masked_number, "reason": reason[:200],
                             "staff": staff.get_username()})
    return locked


def quickpay_limit_change_start(*, user: User, agreement: QuickPayAgreement,
                                single_limit: Decimal, daily_limit: Decimal) -> PendingOperation:
    """限额修改 → X-CONFIRM. Raising either limit is the tool-only kind; lowering both (or one,
    the other unchanged) is the kind that a tool-less customer may confirm by SMS."""
    if agreement.status != QuickPayAgreementStatus.ACTIVE:
        raise BusinessError("协议已撤销")
    single_limit, daily_limit = single_limit.quantize(CENT), daily_limit.quantize(CENT)
    quickpay_limits_validate(single_limit=single_limit, daily_limit=daily_limit)
    if single_limit == agreement.single_limit and daily_limit == agreement.daily_limit:
        raise BusinessError("新限额与原限额相同")
    raising = single_limit > agreement.single_limit or daily_limit > agreement.daily_limit
    medium = agreement.medium
    return operation_start(
        user=user, kind=KIND_LIMIT_RAISE if raising else KIND_LIMIT_LOWER,
        payload={"agreement_id": agreement.pk, "single_limit": str(single_limit),
                 "daily_limit": str(daily_limit), "was_single": str(agreement.single_limit),
                 "was_daily": str(agreement.daily_limit)},
        summary=[("协议号", agreement.number), ("商户/支付机构", agreement.merchant_name),
                 ("账户", mask_account_number(medium.number)),
                 ("原单笔限额", format_cny(agreement.single_limit)),
                 ("新单笔限额", format_cny(single_limit)),
                 ("原日累计限额", format_cny(agreement.daily_limit)),
                 ("新日累计限额", format_cny(daily_limit))],
        medium=medium, back_url=reverse("payments:quickpay_limit", args=[agreement.pk]))


def quickpay_limit_apply(*, operation: PendingOperation) -> QuickPayAgreement:
    """The executors' work (payments/operations.py): re-checked under the agreement's lock."""
    payload = operation.payload
    agreement = (QuickPayAgreement.objects.select_for_update()
                 .filter(pk=payload["agreement_id"], customer_id=operation.user.customer_id)
                 .first())
    if agreement is None or agreement.status != QuickPayAgreementStatus.ACTIVE:
        raise BusinessError("协议已撤销")
    if (agreement.single_limit != Decimal(payload["was_single"])
            or agreement.daily_limit != Decimal(payload["was_daily"])):
        raise BusinessError("协议限额已变更，请重新发起限额修改")
    single, daily = Decimal(payload["single_limit"]), Decimal(payload["daily_limit"])
    quickpay_limits_validate(single_limit=single, daily_limit=daily)
    agreement.single_limit, agreement.daily_limit = single, daily
    agreement.save(update_fields=["single_limit", "daily_limit"])
    audit_record(action="quickpay.limit_change", actor=operation.user,
                 customer_id=operation.user.customer_id, object_ref=agreement.number,
                 detail={"was_single": payload["was_single"], "was_daily": payload["was_daily"],
                         "single_limit": str(single), "daily_limit": str(daily),
                         "operation": operation.public_id, "kind": operation.kind})
    return agreement
