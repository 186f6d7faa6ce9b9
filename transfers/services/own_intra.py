"""关联账户互转 (TRF-OWN) and 行内转账 (TRF-INTRA): from the form to the posted transfer.

Flow (X-CONFIRM): the form's 提交 calls ``*_transfer_start``, which checks the manual's notes
and the limits, and starts a confirmation whose payload is exactly what the page shows. The
executor registered below runs once inside the confirmation's transaction: it checks the
accounts again (anything may have changed on another tab), builds the :class:`Transfer` and,
for 实时到账, posts it at once (the row is written once, SUCCEEDED, after the posting); 普通到账
and 次日到账 are saved SCHEDULED with a DueWork row that ``execution.transfer_execute_due`` runs
at the execution time.

The manual's notes, each enforced here with its wording (tests name them):

关联账户互转 1. 转账账户可以为借记卡、活期存折或活期一本通。 2. 转入账户与转出账户不能相同。
3. 多个活期子账号时只允许活期主账号转入转出，其他活期子账户只允许作为转出账号，转入账号只能
是该账户下的活期主账号。 4. 转出账户允许零余额。 Own-account moves do not count toward the
daily limits (X-LIMIT).

行内转账 1. 多个活期子账户时系统自动选择活期主账号为转出账号 (the form offers 活期主账户s only).
2. 转入账户可为我行借记卡、活期存折或活期一本通，存折/一本通必须为结算户. 3–4. the customer-set
and the bank limit messages (the limit engine's wording), warned on 提交 and taken at execution.
5. 免收手续费 (no fee leg). 6. 普通到账 within 4 hours (``NORMAL_ARRIVAL_DELAY_MINUTES``), 次日到账
at 09:00 the next day.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import MediumStatus, SubAccount, SubAccountKind, SubAccountStatus
from accounts.payers import MEDIUM_STATUS_WORDS, account_label, receipt_url
from ebank.clearing.routing import ArrivalMode
from ebank.core.audit import audit_record
from ebank.core.clock import SHANGHAI, business_day
from ebank.core.errors import BusinessError, InsufficientFunds
from ebank.core.models import AuditOutcome
from ebank.core.money import as_money, format_cny
from ebank.duework.models import DueWork
from ebank.duework.services import due_work_cancel, due_work_schedule
from ebank.limits.engine import refusal
from ebank.limits.selectors import limit_check
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation, User
from security.tools.services import tools_live
from transfers.models import Transfer, TransferKind, TransferStatus
from transfers.selectors import (
    CURRENT_MEDIUM_KINDS,
    CURRENT_SUB_ACCOUNT_KINDS,
    SCHEDULED_KINDS,
    linked_sub_account_get,
    transfer_get_for_customer,
)

from .common import limit_subject_for, transfer_number_new
from .execution import DUE_KIND, INSUFFICIENT_FUNDS_REASON, transfer_post
from .payees import (
    account_number_normalise,
    intra_payee_account,
    payee_name_normalise,
    payee_save,
)

KIND_OWN = "transfers.own"
KIND_INTRA = "transfers.intra"
PURPOSE_MAX = 60
FEE_LINE = "¥0.00（行内转账暂时免收手续费）"

# 关联账户互转 notes, in the manual's words.
OWN_NOTE_1 = "转账账户只能为借记卡、活期存折或活期一本通"
OWN_NOTE_2 = "转入账户与转出账户不能相同"
OWN_NOTE_3_PAYEE_MAIN = ("同一账户下有多个活期子账号时，只允许活期主账号进行转入转出业务，"
                         "转入账号只能是活期主账号")
OWN_NOTE_3_SAME_MEDIUM = "其他活期子账户只允许作为转出账号，转入账号只能是该账户下的活期主账号"
ACCOUNT_UNKNOWN = "账户不存在，请重新选择"
PAYER_STATUS = {
    status: f"转出账户{words}{'，只可查询余额' if status == MediumStatus.ORAL_LOSS else ''}，不能转账"
    for status, words in MEDIUM_STATUS_WORDS.items()
}
PAYEE_STATUS = {
    status: f"转入账户{words}{'，只可查询余额' if status == MediumStatus.ORAL_LOSS else ''}，不能转入"
    for status, words in MEDIUM_STATUS_WORDS.items()
}


# --- shared checks -----------------------------------------------------------------------------


def purpose_normalise(text: str) -> str:
    purpose = (text or "").strip()
    if len(purpose) > PURPOSE_MAX:
        raise BusinessError(f"付款用途不能超过{PURPOSE_MAX}个字符")
    return purpose


def amount_check(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise BusinessError("转账金额必须大于零")
    if amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e16"):
        raise BusinessError("请输入正确的转账金额")
    return amount


def _current_account(*, customer, sub_account_id, statuses: dict) -> SubAccount:
    """A current sub-account on one of the customer's linked media (关联账户互转 note 1)."""
    try:
        pk = int(sub_account_id)
    except (TypeError, ValueError):
        raise BusinessError(ACCOUNT_UNKNOWN) from None
    sub_account = linked_sub_account_get(customer=customer, sub_account_id=pk)
    if sub_account is None:
        raise BusinessError(ACCOUNT_UNKNOWN)
    if (sub_account.medium.kind not in CURRENT_MEDIUM_KINDS
            or sub_account.kind not in CURRENT_SUB_ACCOUNT_KINDS):
        raise BusinessError(OWN_NOTE_1, code="own_note_1")
    if sub_account.medium.status != MediumStatus.NORMAL:
        raise BusinessError(statuses.get(sub_account.medium.status, "账户状态异常"))
    if sub_account.status != SubAccountStatus.OPEN:
        raise BusinessError(statuses[MediumStatus.CLOSED])
    return sub_account


def _funds_available_or_refuse(payer: SubAccount, amount: Decimal) -> None:
    # An early warning on 提交; the posting checks again under the account lock. The payer was
    # read with its ledger account moments ago in this request (``linked_sub_account_get``), so
    # that balance is as current as a second read would be.
    ledger = payer.ledger_account
    if ledger.balance - ledger.held < amount:
        raise insufficient_funds(ledger.balance - ledger.held)


def insufficient_funds(available: Decimal) -> BusinessError:
    """余额不足 with what is available, so the customer knows how much can go."""
    return BusinessError(f"{INSUFFICIENT_FUNDS_REASON}（可用余额{format_cny(available)}）",
                         code="insufficient_funds")


# --- 关联账户互转 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnPair:
    payer: SubAccount
    payee: SubAccount


def own_pair_check(*, customer, from_sub_account_id, to_sub_account_id) -> OwnPair:
    """The four notes of 关联账户互转 (BusinessError with the note's wording)."""
    payer = _current_account(customer=customer, sub_account_id=from_sub_account_id,
                             statuses=PAYER_STATUS)
    payee = _current_account(customer=customer, sub_account_id=to_sub_account_id,
                             statuses=PAYEE_STATUS)
    if payer.pk == payee.pk:
        raise BusinessError(OWN_NOTE_2, code="own_note_2")
    if payee.kind != SubAccountKind.CURRENT_MAIN:
        raise BusinessError(OWN_NOTE_3_PAYEE_MAIN, code="own_note_3")
    if payer.kind != SubAccountKind.CURRENT_MAIN and payee.medium_id != payer.medium_id:
        raise BusinessError(OWN_NOTE_3_SAME_MEDIUM, code="own_note_3")
    # Note 4 (转出账户允许零余额): no minimum is kept back; the whole balance may move.
    return OwnPair(payer, payee)


@transaction.atomic(durable=True)
def own_transfer_start(*, user: User, from_sub_account_id, to_sub_account_id, amount: Decimal,
                       purpose: str = "") -> PendingOperation:
    """关联账户互转 提交: check the notes and the balance, then start the confirmation."""
    customer = user.customer
    amount = amount_check(amount)
    purpose = purpose_normalise(purpose)
    pair = own_pair_check(customer=customer, from_sub_account_id=from_sub_account_id,
                          to_sub_account_id=to_sub_account_id)
    _funds_available_or_refuse(pair.payer, amount)
    summary = [("转出账户", account_label(pair.payer)), ("转入账户", account_label(pair.payee))]
    if purpose:
        summary.append(("付款用途", purpose))
    return operation_start(
        user=user, kind=KIND_OWN,
        payload={"from_sub_account": pair.payer.pk, "to_sub_account": pair.payee.pk,
                 "amount": f"{amount:.2f}", "purpose": purpose},
        summary=summary, medium=pair.payer.medium, back_url=reverse("transfers:own"),
    )


@operation_kind(KIND_OWN, title="关联账户互转", requires_pin=True, requires_tool=False,
                allow_sms=True)
def own_transfer_execute(*, operation: PendingOperation) -> dict:
    """Post the own-account move at once; not counted toward the daily limits."""
    payload = operation.payload
    customer = operation.user.customer
    pair = own_pair_check(customer=customer, from_sub_account_id=payload["from_sub_account"],
                          to_sub_account_id=payload["to_sub_account"])
    now = timezone.now()
    transfer = Transfer(
        number=transfer_number_new(), customer=customer, user=operation.user,
        kind=TransferKind.OWN, mode=ArrivalMode.REAL_TIME, status=TransferStatus.PROCESSING,
        from_sub_account=pair.payer, to_sub_account=pair.payee,
        payee_account=pair.payee.medium.number, payee_name=customer.name,
        amount=as_money(payload["amount"]), purpose=payload.get("purpose", ""),
        submitted_at=now, execute_at=now, operation=operation,
    )
    return _post_now(transfer=transfer, operation=operation)


def _post_now(*, transfer: Transfer, operation: PendingOperation) -> dict:
    """Post a real-time transfer not saved yet: ``transfer_post`` inserts it SUCCEEDED in one
    statement after the posting (a refusal leaves no row, as the confirmation's savepoint did)."""
    try:
        payer_receipt = transfer_post(transfer=transfer, idempotency_key=operation.idempotency_key)
    except InsufficientFunds:
        # The failed statement spoiled the transaction: nothing more is read here; the result
        # page reads the available balance when it shows the reason.
        raise BusinessError(INSUFFICIENT_FUNDS_REASON, code="insufficient_funds") from None
    audit_record(action="transfer.executed", actor=operation.user,
                 customer_id=transfer.customer_id, object_ref=f"transfer:{transfer.number}",
                 detail={"kind": transfer.kind, "amount": str(transfer.amount),
                         "mode": transfer.mode})
    return {
        "message": f"{format_cny(transfer.amount)}已实时转入收款账户",
        "receipt_url": receipt_url(payer_receipt),
        "transfer_number": transfer.number,
        "lines": [["交易流水号", transfer.number]],
    }


# --- 行内转账 ------------------------------------------------------------------------------------


def intra_execute_at(*, mode: str, submitted_at: datetime) -> datetime:
    """Note 6: 实时 now; 普通到账 after the configured delay (under 4 hours); 次日到账 at 09:00
    of the next calendar day, Asia/Shanghai. Intra-bank has no clearing window."""
    local = timezone.localtime(submitted_at, SHANGHAI)
    if mode == ArrivalMode.NORMAL:
        return local + timedelta(minutes=int(settings.NORMAL_ARRIVAL_DELAY_MINUTES))
    if mode == ArrivalMode.NEXT_DAY:
        return datetime.combine(local.date() + timedelta(days=1),
                                time(int(settings.NEXT_DAY_EXECUTION_HOUR)), SHANGHAI)
    return local


@dataclass(frozen=True)
class IntraPlan:
    payer: SubAccount
    payee: SubAccount
    payee_account: str
    payee_name: str
    amount: Decimal
    mode: str
    purpose: str


def payer_main_get(*, customer, from_sub_account_id) -> SubAccount:
    """Note 1: the 转出账号 is the 活期主账号 of the chosen medium, whatever sub-account was sent."""
    sub_account = _current_account(customer=customer, sub_account_id=from_sub_account_id,
                                   statuses=PAYER_STATUS)
    if sub_account.kind != SubAccountKind.CURRENT_MAIN:
        sub_account = (SubAccount.objects.select_related("medium", "medium__branch",
                                                         "ledger_account")
                       .get(medium=sub_account.medium, kind=SubAccountKind.CURRENT_MAIN))
    return sub_account


def intra_plan_check(*, customer, from_sub_account_id, mode: str, amount: Decimal,
                     payee_account: str, payee_name: str, purpose: str = "") -> IntraPlan:
    if mode not in ArrivalMode.values:
        raise BusinessError("请选择到账方式")
    amount = amount_check(amount)
    payer = payer_main_get(customer=customer, from_sub_account_id=from_sub_account_id)
    number = account_number_normalise(payee_account)
    name = payee_name_normalise(payee_name)
    if number == payer.medium.number:
        raise BusinessError(OWN_NOTE_2, code="same_account")
    payee = intra_payee_account(account_number=number, name=name)
    return IntraPlan(payer, payee, number, name, amount, mode, purpose_normalise(purpose))


def intra_limit_check(*, customer, amount: Decimal, on, tools=None) -> None:
    """Notes 3–4 before confirming: the limit engine's decision, raised as its refusal.

    ``tools``: the customer's live tools when already read in this request."""
    decision = limit_check(subject=limit_subject_for(customer=customer, tools=tools),
                           amount=amount, on=on)
    if not decision.allowed:
        raise refusal(decision)


@transaction.atomic(durable=True)
def intra_transfer_start(*, user: User, from_sub_account_id, mode: str, amount: Decimal,
                         payee_account: str, payee_name: str, purpose: str = "",
                         save_payee: bool = False) -> PendingOperation:
    """行内转账 提交: the notes, the limits (LimitExceeded with ``level``), then confirmation."""
    customer = user.customer
    plan = intra_plan_check(customer=customer, from_sub_account_id=from_sub_account_id,
                            mode=mode, amount=amount, payee_account=payee_account,
                            payee_name=payee_name, purpose=purpose)
    execute_at = intra_execute_at(mode=plan.mode, submitted_at=timezone.now())
    # Read once: the limit subject (tool holders get the higher limits) and the confirmation's
    # 安全认证方式 are the same fact about the customer.
    tools = tools_live(user=user)
    intra_limit_check(customer=customer, amount=plan.amount,
                      on=business_day(execute_at.date()), tools=tools)
    if plan.mode == ArrivalMode.REAL_TIME:
        # A deferred transfer may be funded before it runs; a real-time one must be now.
        _funds_available_or_refuse(plan.payer, plan.amount)
    summary = [
        ("转出账号", account_label(plan.payer)),
        ("到账方式", ArrivalMode(plan.mode).label),
        # In full, as typed: a mistyped digit is caught here (the payer's own stays masked).
        ("收款人账号", plan.payee_account),
        ("收款人名称", plan.payee_name),
        ("收款人开户行", plan.payee.medium.branch.name),
    ]
    if plan.mode != ArrivalMode.REAL_TIME:
        summary.append(("预计执行时间", f"{execute_at:%Y-%m-%d %H:%M}"))
    if plan.purpose:
        summary.append(("付款用途", plan.purpose))
    summary.append(("手续费", FEE_LINE))
    if save_payee:
        summary.append(("加入收款人登记簿", "是"))
    return operation_start(
        user=user, kind=KIND_INTRA,
        payload={"from_sub_account": plan.payer.pk, "mode": plan.mode,
                 "amount": f"{plan.amount:.2f}", "payee_account": plan.payee_account,
                 "payee_name": plan.payee_name, "purpose": plan.purpose,
                 "save_payee": bool(save_payee)},
        summary=summary, medium=plan.payer.medium, back_url=reverse("transfers:intra"),
        tools=tools,
    )


@operation_kind(KIND_INTRA, title="行内转账", requires_pin=True, requires_tool=False,
                allow_sms=True)
def intra_transfer_execute(*, operation: PendingOperation) -> dict:
    """Create the transfer; 实时到账 posts now (limit taken now), the others are scheduled."""
    payload = operation.payload
    user = operation.user
    customer = user.customer
    plan = intra_plan_check(customer=customer, from_sub_account_id=payload["from_sub_account"],
                            mode=payload["mode"], amount=as_money(payload["amount"]),
                            payee_account=payload["payee_account"],
                            payee_name=payload["payee_name"], purpose=payload.get("purpose", ""))
    now = timezone.now()
    execute_at = intra_execute_at(mode=plan.mode, submitted_at=now)
    immediate = plan.mode == ArrivalMode.REAL_TIME
    transfer = Transfer(
        number=transfer_number_new(), customer=customer, user=user, kind=TransferKind.INTRA,
        mode=plan.mode,
        status=TransferStatus.PROCESSING if immediate else TransferStatus.SCHEDULED,
        from_sub_account=plan.payer, to_sub_account=plan.payee,
        payee_account=plan.payee_account, payee_name=plan.payee_name, amount=plan.amount,
        purpose=plan.purpose, submitted_at=now, execute_at=execute_at, operation=operation,
    )
    save_payee = bool(payload.get("save_payee"))
    if immediate:
        # A LimitExceeded here carries the engine's message (notes 3–4) to the result page.
        result = _post_now(transfer=transfer, operation=operation)
        if save_payee:
            payee_save(customer=customer, account_number=plan.payee_account,
                       name=plan.payee_name)
        return result
    transfer.save(force_insert=True)
    due_work_schedule(kind=DUE_KIND, key=transfer.number, due_at=execute_at,
                      payload={"save_payee": save_payee})
    audit_record(action="transfer.scheduled", actor=user, customer_id=customer.pk,
                 object_ref=f"transfer:{transfer.number}",
                 detail={"kind": transfer.kind, "amount": str(transfer.amount),
                         "mode": transfer.mode, "execute_at": execute_at.isoformat()})
    local = timezone.localtime(execute_at, SHANGHAI)
    return {
        "message": (f"转账已受理（{ArrivalMode(plan.mode).label}），将于{local:%Y-%m-%d %H:%M}执行；"
                    "执行前可在“定时转账维护”中撤销"),
        "transfer_number": transfer.number,
        "lines": [["交易流水号", transfer.number], ["转账状态", transfer.get_status_display()],
                  ["预计执行时间", f"{local:%Y-%m-%d %H:%M}"]],
    }


# --- 定时转账维护 ----------------------------------------------------------------------------------

CANCEL_TOO_LATE = "该笔转账已开始执行或已执行，不能撤销"


def scheduled_transfer_cancel(*, user: User, number: str, ip: str | None = None) -> Transfer:
    """撤销 a 普通到账/次日到账 transfer that has not run yet; audited, the refusal too.

    Lock order: the transfer, then its DueWork row *without waiting* (``due_work_cancel`` skips
    a row a dispatcher holds): a transfer being executed right now cannot be cancelled.
    Another customer's number is a 404 and writes nothing.
    """
    try:
        return _scheduled_transfer_cancel(user=user, number=number, ip=ip)
    except BusinessError as exc:
        # In a transaction of its own: the refusal rolled the attempt back, the record stays.
        with transaction.atomic(durable=True):
            audit_record(action="transfer.cancel", outcome=AuditOutcome.FAILURE, actor=user,
                         customer_id=user.customer_id, object_ref=f"transfer:{number}"[:128],
                         ip_address=ip, detail={"reason": exc.message})
        raise


@transaction.atomic(durable=True)
def _scheduled_transfer_cancel(*, user: User, number: str, ip: str | None) -> Transfer:
    customer = user.customer
    transfer = transfer_get_for_customer(customer=customer, number=number)
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    work = (DueWork.objects.filter(kind=DUE_KIND, key=transfer.number).first()
            if transfer.kind in SCHEDULED_KINDS else None)
    if (transfer.status != TransferStatus.SCHEDULED or work is None
            or not due_work_cancel(work=work)):
        raise BusinessError(CANCEL_TOO_LATE, code="cancel_too_late")
    transfer.status = TransferStatus.CANCELLED
    transfer.save(update_fields=["status"])
    audit_record(action="transfer.cancel", actor=user, customer_id=customer.pk,
                 object_ref=f"transfer:{transfer.number}", ip_address=ip,
                 detail={"kind": transfer.kind, "amount": str(transfer.amount),
                         "mode": transfer.mode})
    return transfer


__all__ = [
    "KIND_INTRA", "KIND_OWN", "intra_execute_at", "intra_plan_check", "intra_transfer_execute",
    "intra_transfer_start", "own_pair_check", "own_transfer_execute", "own_transfer_start",
    "scheduled_transfer_cancel",
]
