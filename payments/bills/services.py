"""自助缴费: 水费, 电费, 煤气, 供暖 (PAY-UTIL), 申报扣税 (PAY-TAX), 话费 (PAY-TEL) — one flow for
every :class:`~payments.models.BillKind`.

1. **Query** (:func:`bill_query`): the 缴费号码 is asked of the biller serving the region of the
   customer's branch (``Customer.branch``, the branch that opened the customer — the same for
   every account they pay from, so the biller does not change when another 缴费账户 is chosen);
   the answer (a :class:`Quote`) is kept server side in the session, never in hidden fields.
2. **Start** (:func:`bill_pay_start`): the 缴费账户 (a 活期主账户, as transfers offer them), the
   amount — typed for 水/电/煤气/话费, exactly the quoted 应缴金额 for 供暖 and 申报扣税 — and an
   X-CONFIRM operation whose payload is what the page shows.
3. **Execute** (the confirmation's transaction, :func:`bill_execute`): the account again, the
   :class:`BillPayment` 处理中 (a fixed bill already paid or being paid is refused here, before
   any debit — the ``payments_fixed_bill_once`` unique index decides a race), the tool-less cap
   for a customer without a live tool (``limit_consume(levels=(TOOLLESS,))``: bills count toward
   no transfer limit, but everything confirmed by SMS shares one cap), the debit to the biller's
   代收款项 book, and the write-off's DueWork row — all commit together (outbox).
4. **Write-off** (:func:`bill_writeoff`, after commit for a fast answer, and by the DueWork rows):
   ``adapter.pay`` (attempt 0) or ``adapter.status`` (re-queries). PAID → 缴费成功 and its 电子回单;
   FAILED / refused / NOT_FOUND → 冲正 at once (the money and the tool-less cap back, an SMS to a
   短信服务 subscriber); no answer → 处理中, asked again with back-off, and after
   :data:`REQUERY_TRIES` re-queries left 处理中 for staff (人工核查) — never reversed on a guess.
"""

import logging
import secrets
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from functools import partial

from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import Receipt, ReceiptDirection, SubAccount
from accounts.payers import payer_account_get, payer_refusal
from accounts.pin import medium_online_check
from accounts.receipts.services import ReceiptChannel, receipt_issue
from accounts.services import funds_move
from ebank.billers.adapter import (
    BillerRefused,
    BillerTimeout,
    BillerUnavailable,
    PayAnswer,
    PayStatus,
    biller_adapter,
)
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError, InsufficientFunds
from ebank.core.models import AuditOutcome
from ebank.core.money import as_money, format_cny
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import due_work_cancel, due_work_schedule, retry_delay
from ebank.limits.engine import refusal
from ebank.limits.models import LimitLevel
from ebank.limits.selectors import limit_check
from ebank.limits.services import limit_consume, limit_release
from payments.numbers import customer_no_label, customer_no_normalise
from security.confirm.services import operation_start
from security.models import PendingOperation, User
from security.tools.services import limit_subject_for, tools_live

from ..models import (
    FIXED_AMOUNT_KINDS,
    PHONE_KINDS,
    Biller,
    BillKind,
    BillPayment,
    BillPaymentStatus,
    PaymentBusinessType,
)
from ..selectors import biller_for

logger = logging.getLogger(__name__)

DUE_WRITEOFF = "payments.bill_writeoff"
REQUERY_TRIES = 6  # re-queries after the first ask (1, 2, 4, 8, 16, 32 minutes apart)
FIRST_REQUERY_DELAY = timedelta(minutes=1)
TOOLLESS_ONLY = (LimitLevel.TOOLLESS,)
# No household bill or top-up is larger; a bigger figure is a typing slip, said at the field.
AMOUNT_MAX = Decimal("50000.00")

# The confirmation page's title of each kind (the manual's words for its 确认页面).
OPERATION_TITLES = {
    BillKind.WATER: "代缴水费",
    BillKind.POWER: "电费缴费",
    BillKind.GAS: "代缴煤气费",
    BillKind.HEATING: "代缴供暖费",
    BillKind.TAX: "申报扣税",
    BillKind.MOBILE: "代缴移动话费",
    BillKind.TIETONG: "铁通缴费",
    BillKind.UNICOM: "联通缴费",
    BillKind.TELECOM: "电信缴费",
}

NO_BILLER = "您所在地区暂未开通该项缴费业务"
NOTHING_OWED = "当前无应缴费用"
NOTHING_OWED_TAX = "该缴税凭证当前无应缴税款（已缴纳或无需缴纳），请核对缴税凭证号"
ALREADY_PAID = "该笔费用已缴纳或正在处理中，请勿重复缴费"
REQUERY = "缴费信息已失效，请重新查询"
ACCOUNT_UNKNOWN = "账户不存在，请重新选择"
INSUFFICIENT = "账户余额不足"
BILLER_TIMEOUT = "缴费单位系统响应超时，请稍后再试"
NOT_TAKEN = "缴费单位未收到该笔缴费"
PENDING_REASON = "缴费单位尚未返回销账结果，我行将自动查询"
STAFF_REASON = "缴费单位销账结果多次查询未果，已转人工核查"
TAX_NOTICE = "缴税成功次日可至我行任意网点申请打印缴税凭证"
RECEIPT_BUSINESS = PaymentBusinessType.BILL_PAYMENT.label


def operation_kind_for(kind: str) -> str:
    """The X-CONFIRM kind of one bill kind (``payments.bill_water`` …; ≤ 32 characters)."""
    return f"payments.bill_{kind}"


def amount_fixed(kind: str) -> bool:
    return kind in FIXED_AMOUNT_KINDS


def amount_check(text) -> Decimal:
    """A typed 缴费金额: > 0, at most two places, at most :data:`AMOUNT_MAX`."""
    if isinstance(text, Decimal):
        amount = text
    else:
        typed = (text or "").strip().replace(",", "").removeprefix("¥").removesuffix("元")
        if not typed:
            raise BusinessError("请输入缴费金额", code="amount")
        try:
            amount = Decimal(typed)
        except InvalidOperation:
            raise BusinessError("请输入正确的缴费金额", code="amount") from None
    if not amount.is_finite() or amount <= 0:
        raise BusinessError("缴费金额必须大于零", code="amount")
    # The maximum before the places: quantize() of a figure past the context's 28 digits
    # ("1e30") raises InvalidOperation — a 500 instead of the field's message.
    if amount > AMOUNT_MAX:
        raise BusinessError(f"缴费金额不能超过{format_cny(AMOUNT_MAX)}", code="amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise BusinessError("缴费金额最多两位小数", code="amount")
    return amount.quantize(Decimal("0.01"))


# --- 1. query ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """The biller's answer to a 缴费号码 as the page shows it (kept in the session)."""

    kind: str
    biller_id: int
    biller_name: str
    customer_no: str
    name_masked: str
    owed: str
    fixed: bool
    period: str = ""
    address: str = ""
    balance: str = ""
    tax_detail_count: int | None = None
    treasury_serial: str = ""
    tax_lines: list = field(default_factory=list)

    def as_session(self) -> dict:
        return asdict(self)

    @classmethod
    def from_session(cls, data) -> "Quote | None":
        try:
            return cls(**data)
        except TypeError:
            return None

    @property
    def owed_amount(self) -> Decimal:
        return Decimal(self.owed)


def biller_of(*, customer, kind: str) -> Biller:
    biller = biller_for(kind=kind, branch_code=customer.branch.code)
    if biller is None:
        raise BusinessError(NO_BILLER, code="no_biller")
    return biller


def bill_query(*, customer, kind: str, customer_no: str) -> Quote:
    """Ask the region's biller about ``customer_no`` (no writes). BusinessError with the
    biller's words (unknown number, refusal), a time-out, a closed biller, no biller here."""
    number = customer_no_normalise(kind, customer_no)
    biller = biller_of(customer=customer, kind=kind)
    try:
        info = biller_adapter().query(biller.code, number)
    except BillerRefused as exc:
        raise BusinessError(exc.message, code="biller_refused") from None
    except BillerTimeout:
        raise BusinessError(BILLER_TIMEOUT, code="biller_timeout") from None
    except BillerUnavailable as exc:
        raise BusinessError(exc.message, code="biller_unavailable") from None
    fixed = amount_fixed(kind) or info.amount_fixed
    if fixed and info.amount_owed <= 0:
        raise BusinessError(NOTHING_OWED_TAX if kind == BillKind.TAX else NOTHING_OWED,
                            code="nothing_owed")
    return Quote(
        kind=kind, biller_id=biller.pk, biller_name=biller.name, customer_no=number,
        name_masked=info.name_masked, owed=f"{info.amount_owed:.2f}", fixed=fixed,
        period=info.period or "", address=info.address or "",
        balance="" if info.balance is None else f"{info.balance:.2f}",
        tax_detail_count=info.tax_detail_count, treasury_serial=info.treasury_serial or "",
        tax_lines=[[str(name), f"{Decimal(amount):.2f}"] for name, amount in info.tax_lines],
    )


def quote_lines(quote: Quote) -> list[tuple[str, str]]:
    """反显: what the biller answered, in the page's order."""
    lines = [("缴费单位", quote.biller_name), (customer_no_label(quote.kind), quote.customer_no)]
    if quote.name_masked:
        lines.append(("户名" if quote.kind not in PHONE_KINDS else "客户信息", quote.name_masked))
    if quote.kind == BillKind.TAX:
        if quote.tax_detail_count is not None:
            lines.append(("税种明细笔数", str(quote.tax_detail_count)))
        lines.append(("应缴金额", format_cny(quote.owed_amount)))
        if quote.treasury_serial:
            lines.append(("国库申报序号", quote.treasury_serial))
        return lines
    if quote.period:
        lines.append(("账期", quote.period))
    if quote.address:
        lines.append(("地址", quote.address))
    if quote.balance:
        lines.append(("账户余额", format_cny(Decimal(quote.balance))))
    lines.append(("应缴金额", format_cny(quote.owed_amount)))
    return lines


# --- 2. start ------------------------------------------------------------------------------------


def _payer(*, customer, sub_account_id) -> SubAccount:
    try:
        account = payer_account_get(customer=customer, sub_account_id=int(sub_account_id))
    except (Http404, TypeError, ValueError):
        raise BusinessError(ACCOUNT_UNKNOWN, code="account_unknown") from None
    words = payer_refusal(account)
    if words:
        raise BusinessError(words.replace("转出账户", "缴费账户"), code="account_status")
    return account


def _fixed_bill_taken(*, biller_id: int, customer_no: str, period: str) -> bool:
    return (BillPayment.objects.filter(biller_id=biller_id, customer_no=customer_no,
                                       period=period, kind__in=FIXED_AMOUNT_KINDS)
            .exclude(status=BillPaymentStatus.REVERSED).exists())


def _amount_for(quote: Quote, typed) -> Decimal:
    if quote.fixed:
        # Exactly what the biller asked: nothing the customer sends changes it.
        return quote.owed_amount
    return amount_check(typed)


@transaction.atomic(durable=True)
def bill_pay_start(*, user: User, quote: Quote, sub_account_id, amount=None
                   ) -> PendingOperation:
    """提交 of step 2: check the account, the amount, the balance and (without a tool) the
    tool-less cap, then start the confirmation."""
    customer = user.customer
    account = _payer(customer=customer, sub_account_id=sub_account_id)
    medium_online_check(medium=account.medium)
    value = _amount_for(quote, amount)
    if quote.fixed and quote.kind in FIXED_AMOUNT_KINDS and _fixed_bill_taken(
            biller_id=quote.biller_id, customer_no=quote.customer_no, period=quote.period):
        raise BusinessError(ALREADY_PAID, code="already_paid")
    ledger = account.ledger_account
    if ledger.balance - ledger.held < value:
        raise BusinessError(f"{INSUFFICIENT}（可用余额{format_cny(ledger.balance - ledger.held)}）",
                            code="insufficient_funds")
    tools = tools_live(user=user)
    subject = limit_subject_for(user=user, tools=tools)
    if not subject.has_security_tool:
        decision = limit_check(subject=subject, amount=value, levels=TOOLLESS_ONLY)
        if not decision.allowed:
            raise refusal(decision)
    # The page prints the amount paid itself (¥ and capitals); 应缴金额 only where it may differ.
    # (交易类型, the kind's title, heads the page already.)
    summary = [*[line for line in quote_lines(quote) if line[0] != "应缴金额" or not quote.fixed],
               ("缴费账户", f"{account.medium.get_kind_display()} {account.medium.masked_number}")]
    payload = {"bill_kind": quote.kind, "biller_id": quote.biller_id,
               "customer_no": quote.customer_no, "name_masked": quote.name_masked,
               "period": quote.period, "owed": quote.owed,
               "tax_detail_count": quote.tax_detail_count,
               "treasury_serial": quote.treasury_serial, "sub_account": account.pk,
               "amount": f"{value:.2f}"}
    return operation_start(user=user, kind=operation_kind_for(quote.kind), payload=payload,
                           summary=summary, medium=account.medium,
                           back_url=reverse("payments:pay", args=[quote.kind]), tools=tools)


# --- 3. execute (inside the confirmation's transaction) --------------------------------------------


def bill_number_new() -> str:
    """缴费流水号 (the adapter reference): JF + the business day + 10 random digits."""
    return f"JF{business_day():%Y%m%d}{secrets.randbelow(10**10):010d}"


def bill_execute(*, operation: PendingOperation) -> dict:
    """The debit and the 处理中 payment, and the write-off's outbox row — or a refusal (nothing
    written). The biller is asked only after this commits."""
    p = operation.payload
    user = operation.user
    customer = user.customer
    account = _payer(customer=customer, sub_account_id=p["sub_account"])
    biller = Biller.objects.filter(pk=p["biller_id"], active=True).first()
    if biller is None:
        raise BusinessError("缴费单位已暂停服务，请稍后再试", code="biller_inactive")
    amount = as_money(p["amount"])
    kind = p["bill_kind"]
    fixed_kind = kind in FIXED_AMOUNT_KINDS
    if fixed_kind and _fixed_bill_taken(biller_id=biller.pk, customer_no=p["customer_no"],
                                        period=p["period"]):
        raise BusinessError(ALREADY_PAID, code="already_paid")
    now = timezone.now()
    payment = BillPayment(
        number=bill_number_new(), customer=customer, user=user, kind=kind, biller=biller,
        customer_no=p["customer_no"], payer_name_masked=p.get("name_masked", ""),
        sub_account=account, amount=amount, status=BillPaymentStatus.PROCESSING,
        period=p.get("period", ""), tax_detail_count=p.get("tax_detail_count"),
        treasury_serial=p.get("treasury_serial", ""), submitted_at=now,
        business_date=business_day(), operation=operation)
    _payment_insert(payment, fixed_kind=fixed_kind)
    subject = limit_subject_for(user=user)
    if not subject.has_security_tool:
        # Confirmed by SMS: the one tool-less cap, shared with transfers (procedures §13).
        limit_consume(subject=subject, amount=amount, levels=TOOLLESS_ONLY)
        payment.limit_day = business_day()
    try:
        posted = funds_move(
            debit_ledger_id=account.ledger_account_id,
            credit_ledger_id=biller.settlement_account_id,
            amount=amount, idempotency_key=operation.idempotency_key,
            business_type=PaymentBusinessType.BILL_PAYMENT, reference=payment.number,
            memo=f"{OPERATION_TITLES[kind]} {payment.customer_no}"[:60])
    except InsufficientFunds:
        raise BusinessError(INSUFFICIENT, code="insufficient_funds") from None
    payment.entry_id = posted.entry_id
    payment.save(update_fields=["entry_id", "limit_day"])
    requery_schedule(payment=payment, attempt=1, due_at=now + FIRST_REQUERY_DELAY)
    transaction.on_commit(partial(writeoff_after_commit, payment.number))
    audit_record(action="payments.bill_submit", actor=user, customer_id=customer.pk,
                 object_ref=f"bill:{payment.number}",
                 detail={"kind": kind, "biller": biller.code, "amount": str(amount)})
    return {"message": "缴费已提交", "bill_number": payment.number,
            "lines": [["缴费流水号", payment.number]]}


def _payment_insert(payment: BillPayment, *, fixed_kind: bool) -> None:
    """Insert the 处理中 payment. A concurrent payment of the same fixed bill waits here on the
    unique index and is refused once the first commits — before any debit. A 缴费流水号 drawn
    twice (10 random digits a day) is drawn again, never taken for "already paid"."""
    for draws_left in (2, 1, 0):
        try:
            with transaction.atomic():
                payment.save(force_insert=True)
            return
        except IntegrityError:
            if fixed_kind and _fixed_bill_taken(biller_id=payment.biller_id,
                                                customer_no=payment.customer_no,
                                                period=payment.period):
                raise BusinessError(ALREADY_PAID, code="already_paid") from None
            if not draws_left or not BillPayment.objects.filter(number=payment.number).exists():
                raise
            payment.number = bill_number_new()


def requery_schedule(*, payment: BillPayment, attempt: int, due_at) -> DueWork:
    return due_work_schedule(kind=DUE_WRITEOFF, key=f"{payment.number}:{attempt}", due_at=due_at,
                             payload={"number": payment.number, "attempt": attempt})


# --- 4. write-off ----------------------------------------------------------------------------------


def writeoff_after_commit(number: str) -> None:
    """The first ask, right after the debit committed (the result page's fast answer). A crash
    or an error here leaves the payment 处理中: its DueWork row asks again."""
    try:
        with transaction.atomic(durable=True):
            bill_writeoff(number=number, attempt=0)
    except Exception:
        logger.exception("bill payment %s: the write-off failed, its due row resumes it", number)


def biller_answer(payment: BillPayment, attempt: int) -> PayAnswer | None:
    """The biller's answer (``pay`` at attempt 0, ``status`` after), or None when it gave none
    (time-out, not known yet, a refusal to answer ``status``). Also staff's 重新查询缴费单位."""
    adapter = biller_adapter()
    code = payment.biller.code
    try:
        if attempt == 0:
            answer = adapter.pay(code, payment.customer_no, payment.amount, payment.number)
        else:
            answer = adapter.status(code, payment.number)
    except BillerRefused as exc:
        if attempt == 0:
            # pay() refused: nothing was written off (the adapter's contract).
            return PayAnswer(status=PayStatus.FAILED, reference=payment.number,
                             message=exc.message)
        # status() refused to answer: that says nothing of this reference — never a 冲正 on it.
        return None
    except BillerUnavailable as exc:
        if attempt == 0:
            # Closed before anything was sent: certainly not written off.
            return PayAnswer(status=PayStatus.FAILED, reference=payment.number,
                             message=exc.message)
        return None
    except BillerTimeout:
        return None
    return None if answer.status == PayStatus.UNKNOWN else answer


@transaction.atomic
def bill_writeoff(*, number: str, attempt: int = 0) -> BillPayment | None:
    """Ask the biller about a 处理中 payment and apply its answer, once (the payment row lock
    and its status make a second run a no-op; the reversal's ledger key posts it once)."""
    payment = (BillPayment.objects.select_for_update(of=("self",))
               .select_related("biller", "customer", "user", "sub_account__medium__branch")
               .filter(number=number).first())
    if payment is None or payment.status != BillPaymentStatus.PROCESSING:
        return payment
    answer = biller_answer(payment, attempt)
    if answer is None:
        _still_unknown(payment=payment, attempt=attempt)
        return payment
    bill_answer_apply(payment=payment, answer=answer)
    if attempt == 0:
        # Settled at once: the safety-net row has nothing left to do.
        for work in DueWork.objects.filter(kind=DUE_WRITEOFF, key=f"{payment.number}:1",
                                           status=DueWorkStatus.PENDING):
            due_work_cancel(work=work)
    return payment


def bill_answer_apply(*, payment: BillPayment, answer: PayAnswer) -> None:
    """The rule for a biller's answer (not UNKNOWN) about a locked 处理中 payment: PAID → 缴费成功
    with its 回单; NOT_FOUND or FAILED → 冲正. Shared by the write-off and staff's re-query."""
    if answer.status == PayStatus.PAID:
        bill_paid(payment=payment, answer=answer)
    elif answer.status == PayStatus.NOT_FOUND:
        bill_reverse(payment=payment, reason=NOT_TAKEN)
    else:
        bill_reverse(payment=payment, reason=answer.message or "缴费单位销账失败")


def bill_paid(*, payment: BillPayment, answer: PayAnswer) -> None:
    """缴费成功: the 回单 and the audit row. ``payment`` is locked and 处理中."""
    now = timezone.now()
    payment.status = BillPaymentStatus.PAID
    payment.biller_reference = answer.biller_reference[:40]
    payment.finished_at = answer.paid_at or now
    payment.failure_reason = ""
    payment.needs_review = False
    payment.save(update_fields=["status", "biller_reference", "finished_at", "failure_reason",
                                "needs_review"])
    _receipt(payment=payment, entry_id=payment.entry_id, direction=ReceiptDirection.DEBIT,
             business=RECEIPT_BUSINESS, posted_at=now)
    audit_record(action="payments.bill_paid", channel="system", customer_id=payment.customer_id,
                 object_ref=f"bill:{payment.number}",
                 detail={"amount": str(payment.amount), "biller": payment.biller.code,
                         "biller_reference": payment.biller_reference})


def _receipt(*, payment: BillPayment, entry_id: int, direction: str, business: str,
             posted_at) -> Receipt:
    medium = payment.sub_account.medium
    ours = {"name": payment.customer.name, "account": medium.number, "bank": medium.branch.name}
    theirs = {"name": payment.biller.name, "account": "", "bank": ""}
    payer, payee = (ours, theirs) if direction == ReceiptDirection.DEBIT else (theirs, ours)
    return receipt_issue(
        entry_id=entry_id, sub_account=payment.sub_account, direction=direction,
        amount=payment.amount, payer_name=payer["name"], payer_account=payer["account"],
        payer_bank=payer["bank"], payee_name=payee["name"], payee_account=payee["account"],
        payee_bank=payee["bank"],
        purpose=f"{BillKind(payment.kind).label} {payment.customer_no}",
        business=business, channel=ReceiptChannel.WEB, posted_at=posted_at)


def bill_reverse(*, payment: BillPayment, reason: str) -> None:
    """冲正: the money back from the biller's book, the tool-less cap back, REVERSED with the
    biller's words; the customer texted after commit. ``payment`` is locked and 处理中 (so
    this runs once per payment; the ledger key fences a replay all the same).

    Lock order as docs/limits.md: the usage row before the ledger accounts — the limit is given
    back first, then the reversal is posted."""
    if payment.limit_day is not None:
        limit_release(subject=limit_subject_for(user=payment.user), amount=payment.amount,
                      day=payment.limit_day)
    posted = funds_move(
        debit_ledger_id=payment.biller.settlement_account_id,
        credit_ledger_id=payment.sub_account.ledger_account_id,
        amount=payment.amount, idempotency_key=f"bill_reversal:{payment.number}",
        business_type=PaymentBusinessType.BILL_REVERSAL, reference=payment.number,
        memo=f"缴费冲正 {payment.number}"[:60])
    now = timezone.now()
    payment.status = BillPaymentStatus.REVERSED
    payment.reversal_entry_id = posted.entry_id
    payment.failure_reason = (reason or "缴费失败")[:200]
    payment.finished_at = now
    payment.needs_review = False
    payment.save(update_fields=["status", "reversal_entry_id", "failure_reason", "finished_at",
                                "needs_review"])
    _receipt(payment=payment, entry_id=posted.entry_id, direction=ReceiptDirection.CREDIT,
             business=PaymentBusinessType.BILL_REVERSAL.label, posted_at=now)
    audit_record(action="payments.bill_reversed", channel="system",
                 outcome=AuditOutcome.FAILURE, customer_id=payment.customer_id,
                 object_ref=f"bill:{payment.number}",
                 detail={"amount": str(payment.amount), "reason": payment.failure_reason})
    from ..notify import bill_reversal_sms_send

    transaction.on_commit(partial(bill_reversal_sms_send, number=payment.number))


def _still_unknown(*, payment: BillPayment, attempt: int) -> None:
    """No answer: 处理中 stays; asked again later, and after the last re-query left to staff."""
    if attempt == 0:
        payment.failure_reason = PENDING_REASON  # its re-query row (attempt 1) is scheduled
    elif attempt < REQUERY_TRIES:
        payment.failure_reason = PENDING_REASON
        requery_schedule(payment=payment, attempt=attempt + 1,
                         due_at=timezone.now() + retry_delay(attempt))
    else:
        payment.failure_reason = STAFF_REASON
        payment.needs_review = True
        audit_record(action="payments.bill_unknown", channel="system",
                     outcome=AuditOutcome.FAILURE, customer_id=payment.customer_id,
                     object_ref=f"bill:{payment.number}",
                     detail={"amount": str(payment.amount), "attempts": attempt})
    payment.save(update_fields=["failure_reason", "needs_review"])
