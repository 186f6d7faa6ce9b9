"""跨行转账 (TRF-INTER) and 预约交易管理 (TRF-RESERVED): from the form to the other bank.

The flow (X-CONFIRM):

* the form's 提交 → :func:`inter_quote` routes the amount (≤ 50,000.00 网银互联 IBPS 7×24, above
  大额支付 HVPS with its session), checks the channel, the available balance and the limit, and
  says when the money will go; :func:`inter_transfer_start` records it for the confirmation page;
* 确认 → :func:`inter_transfer_execute` (operation kind ``transfers.inter``) creates the
  :class:`Transfer`. Real time: debit, send and the answer in the same transaction
  (``clearing_answers``). Otherwise the transfer is 预约 (HVPS outside its session, listed in
  预约交易管理) or 待执行 (普通到账/次日到账) with a DueWork row at ``execute_at``; nothing is
  debited until then — balance and daily limit are taken at execution (manual 跨行转账 note 4);
* the due handler :func:`inter_transfer_run_due` runs it: checks again, records a readable
  failure reason, or debits and sends.

Tool-less customers may confirm by SMS code (X-TOOLS partial service): the limit engine caps
them at the tool-less daily limit, so the kind allows SMS and needs no tool.

Call :func:`register` from ``TransfersConfig.ready`` so every process knows the kinds.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Customer, Medium, MediumStatus, SubAccount, SubAccountStatus
from accounts.payers import payer_account_get
from accounts.pin import medium_online_check
from ebank.clearing.adapters import CHANNEL_CLOSED_MESSAGE, ChannelStatus, get_clearing_adapter
from ebank.clearing.models import BankCode
from ebank.clearing.routing import ArrivalMode, Channel, ExecutionPlan
from ebank.clearing.selectors import bank_code_get, execution_plan_for
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_account_number
from ebank.core.models import AuditOutcome
from ebank.core.money import format_cny
from ebank.duework.models import DueWork
from ebank.duework.registry import due_handler
from ebank.duework.services import due_work_cancel, due_work_schedule
from ebank.limits.engine import LimitDecision, refusal
from ebank.limits.selectors import limit_check
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation
from transfers.models import Payee, PayeeKind, Transfer, TransferKind, TransferStatus
from transfers.selectors import available_balance, transfer_receipt_url

from . import clearing_answers
from .common import limit_subject_for, transfer_number_new
from .execution import DUE_KIND as SCHEDULED_DUE_KIND
from .execution import execution_key, scheduled_executor, transfer_fail
from .payees import payee_save

OPERATION_KIND = "transfers.inter"
DUE_EXECUTE = "transfers.inter_execute"

CLOSED_HINT = f"{CHANNEL_CLOSED_MESSAGE}。您可勾选“填写收款网点”，填写收款行网点行号后继续完成交易。"
NOT_DELETABLE_MESSAGE = "该预约交易正在执行或已执行，不能删除"
INSUFFICIENT_MESSAGE = "账户可用余额不足"

# The manual's 跨行转账 notes 1–5, with this bank's name where the manual names another.
NOTES = (
    f"通过本功能，您可向{settings.BANK_NAME}以外的他行活期账户进行转账汇款。",
    "为保证资金汇划的准确性，请务必将收款人账号、收款人名称和收款人开户行名填写正确、完整。",
    "“实时到账”资金实时汇出，不可撤销；“普通到账”，资金将在4小时内汇出，您可在限定时间内通过"
    "“定时转账-定时转账维护”撤销已提交且未转出的转账申请。“次日到账”执行时间为次日上午9点。",
    "5万元（含）以下跨行汇款，资金一般通过网银互联系统汇出至收款行，7*24小时受理，网银互联系统"
    "维护时，将提示：“清算行已退出”，可勾选“填写收款网点”继续完成交易。5万元以上跨行大额汇款，"
    "通过大额系统汇出，工作日交易时间（前一日20:30-当日17:00）一般实时到达收款行，工作日非交易"
    "时间（17:00-20:30）提交，系统预约至次日9:00后汇出，非工作日（周六日及法定节假日）提交，"
    "系统预约至下一工作日9:00后汇出，具体时间以人民银行大额转账系统的工作时间为准。转为预约的"
    "交易，可在“定时转账-预约交易管理”中查看或删除，日累计限额和账户余额在该交易执行时扣减。",
    "在确认收款人收到汇款前，请勿将汇出汇款的活期账户销户。",
)


BANK_CODE_UNKNOWN = "联行号不存在，请通过“联行号查询”核对"
OWN_BANK_HINT = "请使用“行内转账”"


def inter_payee_check(*, account_number: str = "", bank_code: str = "",
                      bank: BankCode | None = None, hint: str = OWN_BANK_HINT) -> BankCode | None:
    """A 跨行 payee is another bank's (note 1); BusinessError with the reason otherwise.

    ``account_number``: refused when it is one of our accounts; ``bank_code``: 12 digits in the
    联行号 table (its bank is returned); that bank, or ``bank``: refused when it is this bank.
    ``hint`` says where our own accounts go (the 跨行转账 form: 行内转账; 定时转账: 行内收款人).
    Shared by the 跨行转账 form and 定时转账设置 (TRF-SCHED).
    """
    if account_number and Medium.objects.filter(number=account_number).exists():
        raise BusinessError(f"收款账户为{settings.BANK_NAME}账户，{hint}", code="own_bank_account")
    if bank_code:
        code = bank_code.strip()
        bank = (bank_code_get(code) if code.isascii() and code.isdigit() and len(code) == 12
                else None)
        if bank is None:
            raise BusinessError(BANK_CODE_UNKNOWN, code="bank_code_unknown")
    if bank is not None and bank.bank_name == settings.BANK_FULL_NAME:
        raise BusinessError(f"收款行为{settings.BANK_NAME}，{hint}", code="own_bank")
    return bank


@dataclass(frozen=True)
class InterRequest:
    """What the customer filled in on the 跨行转账 form (validated by the form)."""

    payer: SubAccount
    mode: ArrivalMode
    payee_account: str
    payee_name: str
    bank: BankCode
    branch: BankCode | None  # 填写收款网点
    amount: Decimal
    purpose: str = ""
    save_payee: bool = False


@dataclass(frozen=True)
class InterQuote:
    plan: ExecutionPlan
    when: str  # "实时汇出" / "预约至2026年11月30日09:00后汇出" / "将于…汇出"
    available: Decimal
    limit: LimitDecision
    warning: str = ""  # balance short now for a transfer that takes it later


# --- reads --------------------------------------------------------------------------------------


def channel_status(channel: Channel = Channel.IBPS) -> ChannelStatus:
    return get_clearing_adapter().status(channel)


def when_text(plan: ExecutionPlan, mode: str) -> str:
    """When and how the money goes, in the words of the confirmation page."""
    at = timezone.localtime(plan.execute_at)
    if plan.immediate:
        return "实时汇出，不可撤销"
    if plan.reserved:
        return f"预约至{at:%Y年%m月%d日%H:%M}后汇出"
    if mode == ArrivalMode.NORMAL:
        return f"将于{at:%Y年%m月%d日%H:%M}汇出，汇出前可在定时转账维护中撤销"
    return f"将于{at:%Y年%m月%d日%H:%M}汇出"


def arrival_text(mode: str, plan: ExecutionPlan) -> str:
    """到账方式 as the plan books it (the confirmation page and, from the transfer, the result)."""
    if plan.reserved:
        return f"预约汇出（{Channel(plan.channel).label}）"
    return f"{ArrivalMode(mode).label}（{Channel(plan.channel).label}）"


def inter_quote(*, customer: Customer, request: InterRequest,
                now: datetime | None = None) -> InterQuote:
    """Route and check a 跨行转账 before the confirmation page; raise BusinessError to refuse.

    Real-time money must be there now; a deferred transfer takes balance and limit when it
    runs (note 4), so a short balance is only a warning — but a limit that would refuse it on
    its execution day refuses it now.
    """
    now = now or timezone.now()
    medium_online_check(medium=request.payer.medium)
    plan = execution_plan_for(amount=request.amount, mode=request.mode, submitted_at=now)
    if (plan.channel == Channel.IBPS and plan.immediate and request.branch is None
            and not channel_status(Channel.IBPS).open):
        raise BusinessError(CLOSED_HINT, code="ibps_closed")
    available = available_balance(request.payer)
    subject = limit_subject_for(customer=customer)
    on = None if plan.immediate else timezone.localtime(plan.execute_at).date()
    decision = limit_check(subject=subject, amount=request.amount, on=on)
    if not decision.allowed:
        # The limit engine's refusal (LimitExceeded with its level): a customer-set limit gets
        # the 限额管理 link on the form, exactly as 行内转账 (manual 行内转账 notes 3–4).
        raise refusal(decision)
    warning = ""
    if request.amount > available:
        if plan.immediate:
            raise BusinessError(f"{INSUFFICIENT_MESSAGE}（可用余额{format_cny(available)}）",
                                code="insufficient_funds")
        warning = (f"转出账户当前可用余额{format_cny(available)}，不足本次转账金额。余额在交易执行时扣减，"
                   f"请在执行前存入足额资金，否则交易将失败。")
    return InterQuote(plan=plan, when=when_text(plan, request.mode), available=available,
                      limit=decision, warning=warning)


def payer_label(sub_account: SubAccount) -> str:
    medium = sub_account.medium
    link = getattr(medium, "link", None)
    name = (link.alias if link is not None and link.alias else medium.get_kind_display())
    return f"{name} {medium.masked_number}"


# --- 提交: start the confirmation ---------------------------------------------------------------


@transaction.atomic(durable=True)
def inter_transfer_start(*, user, request: InterRequest,
                         now: datetime | None = None) -> PendingOperation:
    """Check the transfer and record it for the confirmation page (nothing moves yet)."""
    now = now or timezone.now()
    customer = user.customer
    quote = inter_quote(customer=customer, request=request, now=now)
    plan = quote.plan
    payload = {
        "from_sub_account_id": request.payer.pk,
        "mode": str(request.mode),
        "channel": str(plan.channel),
        "payee_account": request.payee_account,
        "payee_name": request.payee_name,
        "bank_code": request.bank.code,
        "bank_name": request.bank.name,
        "branch_code": request.branch.code if request.branch else "",
        "amount": f"{request.amount:.2f}",
        "purpose": request.purpose,
        "save_payee": request.save_payee,
        "submitted_at": now.isoformat(),
        "execute_at": plan.execute_at.isoformat(),
        "immediate": plan.immediate,
        "reserved": plan.reserved,
    }
    summary = [
        ("转出账号", payer_label(request.payer)),
        # As it will be booked: an HVPS transfer outside its session is a 预约, not 实时到账.
        ("到账方式", arrival_text(request.mode, plan)),
        # In full, as typed: a mistyped digit is caught here (the payer's own stays masked).
        ("收款人账号", request.payee_account),
        ("收款人名称", request.payee_name),
        ("收款行", f"{request.bank.name}（{request.bank.code}）"),
    ]
    if request.branch is not None:
        summary.append(("收款网点", f"{request.branch.name}（{request.branch.code}）"))
    summary += [
        ("付款用途", request.purpose or "—"),
        ("汇款渠道", Channel(plan.channel).label),
        ("汇出时间", quote.when),
        ("说明", plan.reason),
    ]
    if quote.warning:
        summary.append(("余额提示", quote.warning))
    summary.append(("温馨提示", NOTES[4]))
    return operation_start(user=user, kind=OPERATION_KIND, payload=payload, summary=summary,
                           medium=request.payer.medium, back_url="/transfers/inter")


# --- 确认: the executor -------------------------------------------------------------------------


@operation_kind(OPERATION_KIND, title="跨行转账", requires_pin=True, requires_tool=False,
                allow_sms=True)
def inter_transfer_execute(*, operation: PendingOperation) -> dict:
    """Create the transfer; real time: debit, send, answer; otherwise schedule it."""
    p = operation.payload
    customer = operation.user.customer
    try:
        payer = payer_account_get(customer=customer, sub_account_id=p["from_sub_account_id"])
    except Http404 as exc:
        raise BusinessError("转出账户已不在您的网银账户中，请重新发起") from exc
    amount = Decimal(p["amount"])
    mode = ArrivalMode(p["mode"])
    now = timezone.now()
    execute_at = parse_datetime(p["execute_at"])
    if p["immediate"]:
        plan = execution_plan_for(amount=amount, mode=mode, submitted_at=now)
        if not plan.immediate:
            # What the customer signed said "now"; the session closed meanwhile.
            raise BusinessError(f"{plan.reason}。您确认的是实时汇出，请返回重新提交", code="plan_changed")
        if (plan.channel == Channel.IBPS and not p["branch_code"]
                and not channel_status(Channel.IBPS).open):
            raise BusinessError(CLOSED_HINT, code="ibps_closed")
        status, execute_at = TransferStatus.PROCESSING, now
    else:
        status = TransferStatus.RESERVED if p["reserved"] else TransferStatus.SCHEDULED
    transfer = Transfer.objects.create(
        number=transfer_number_new(), customer=customer, user=operation.user,
        kind=TransferKind.INTER, mode=mode, channel=p["channel"], status=status,
        from_sub_account=payer, payee_account=p["payee_account"], payee_name=p["payee_name"],
        payee_bank_code=p["bank_code"], payee_bank_name=p["bank_name"],
        payee_branch_code=p["branch_code"], amount=amount, purpose=p["purpose"],
        submitted_at=parse_datetime(p["submitted_at"]), execute_at=execute_at,
        operation=operation,
    )
    if p["immediate"]:
        clearing_answers.transfer_debit_and_send(transfer=transfer,
                                                 idempotency_key=operation.idempotency_key)
        if p["save_payee"] and transfer.status != TransferStatus.FAILED:
            inter_payee_save(customer=customer, transfer=transfer)
    else:
        # 预约 rows are ours (预约交易管理 deletes them); 普通/次日 go with the other scheduled
        # transfers so that 定时转账维护 can 撤销 them. Either way: key = the 交易流水号, and the
        # payee is saved when the transfer has gone ("转账成功后").
        due_work_schedule(kind=DUE_EXECUTE if p["reserved"] else SCHEDULED_DUE_KIND,
                          key=transfer.number, due_at=transfer.execute_at,
                          payload={"save_payee": bool(p["save_payee"])})
    audit_record(action="transfers.inter", actor=operation.user, customer_id=customer.pk,
                 object_ref=f"transfer:{transfer.number}",
                 outcome=(AuditOutcome.FAILURE if transfer.status == TransferStatus.FAILED
                          else AuditOutcome.SUCCESS),
                 detail={"amount": p["amount"], "channel": p["channel"], "mode": p["mode"],
                         "status": transfer.status, "execute_at": p["execute_at"]})
    return _result(transfer)


def _result(transfer: Transfer) -> dict:
    at = timezone.localtime(transfer.execute_at)
    messages = {
        TransferStatus.SUCCEEDED: "转账成功，款项已汇至收款行",
        TransferStatus.PROCESSING: "汇款已汇出，等待收款行入账",
        TransferStatus.FAILED: f"转账失败：{transfer.failure_reason}。资金及当日转账额度已退回",
        TransferStatus.RESERVED: (f"预约成功：预约至{at:%Y年%m月%d日%H:%M}后汇出，"
                                  "可在预约交易管理中查看或删除"),
        TransferStatus.SCHEDULED: f"提交成功：将于{at:%Y年%m月%d日%H:%M}汇出",
    }
    lines = [["交易流水号", transfer.number], ["交易状态", transfer.get_status_display()],
             ["收款人名称", transfer.payee_name], ["收款行", transfer.payee_bank_name]]
    if transfer.failure_reason:
        lines.append(["失败原因", transfer.failure_reason])
    result = {"message": messages.get(transfer.status, transfer.get_status_display()),
              "lines": lines}
    receipt_url = transfer_receipt_url(transfer=transfer)
    if receipt_url:
        result["receipt_url"] = receipt_url
    return result


def inter_payee_save(*, customer: Customer, transfer: Transfer) -> Payee:
    """加入收款人登记簿 (an INTER payee), in the transfer's transaction."""
    return payee_save(customer=customer, account_number=transfer.payee_account,
                      name=transfer.payee_name, kind=PayeeKind.INTER,
                      bank_code=transfer.payee_bank_code, bank_name=transfer.payee_bank_name)


# --- execution of reserved and scheduled transfers ---------------------------------------------


@due_handler(DUE_EXECUTE, label="预约跨行转账执行")
def inter_transfer_run_due(work: DueWork) -> None:
    """Run a 预约 transfer (HVPS, next session) at its time; key = its 交易流水号."""
    transfer = (Transfer.objects.select_for_update(of=("self",))
                .select_related("customer", "from_sub_account__medium__branch",
                                "from_sub_account__ledger_account")
                .filter(number=work.key, kind=TransferKind.INTER).first())
    if transfer is None or transfer.status != TransferStatus.RESERVED:
        return  # deleted, or already run: running the row again does nothing
    inter_transfer_run(transfer=transfer, work=work)


@scheduled_executor(TransferKind.INTER)
def inter_transfer_run_scheduled(transfer: Transfer, work: DueWork) -> None:
    """普通到账/次日到账 rows (``transfers.execute``, shared with 定时转账维护's 撤销)."""
    inter_transfer_run(transfer=transfer, work=work)


def inter_transfer_run(*, transfer: Transfer, work: DueWork) -> None:
    """Check again, then debit and send — once (manual note 4: balance and limit taken now).

    The caller holds the transfer (预约/待执行) locked inside the dispatcher's transaction; the
    ledger key ``transfer:<number>`` is the second fence against a double run.
    """
    reason = _refusal_at_execution(transfer, last_attempt=work.attempts >= work.max_attempts)
    if reason:
        transfer_fail(transfer=transfer, reason=reason)
        return
    clearing_answers.transfer_debit_and_send(transfer=transfer,
                                             idempotency_key=execution_key(transfer))
    if work.payload.get("save_payee") and transfer.status != TransferStatus.FAILED:
        inter_payee_save(customer=transfer.customer, transfer=transfer)


def _refusal_at_execution(transfer: Transfer, *, last_attempt: bool) -> str:
    """Why the transfer cannot go now, in words for the customer; "" when it can."""
    sub_account = transfer.from_sub_account
    medium = sub_account.medium
    if sub_account.status == SubAccountStatus.CLOSED or medium.status == MediumStatus.CLOSED:
        return "转出账户已销户"
    if medium.status != MediumStatus.NORMAL:
        return f"转出账户状态为“{medium.get_status_display()}”，不能转账"
    if (transfer.channel == Channel.IBPS and not transfer.payee_branch_code
            and not channel_status(Channel.IBPS).open):
        if last_attempt:
            return CHANNEL_CLOSED_MESSAGE
        # Maintenance is temporary: the dispatcher retries with backoff.
        raise BusinessError(CHANNEL_CLOSED_MESSAGE, code="ibps_closed")
    if available_balance(sub_account) < transfer.amount:
        return INSUFFICIENT_MESSAGE
    decision = limit_check(subject=limit_subject_for(customer=transfer.customer),
                           amount=transfer.amount)
    if not decision.allowed:
        return decision.message
    return ""


due_handler(clearing_answers.DUE_POLL_RETURNS, label="跨行退汇查询")(clearing_answers.returns_poll)
due_handler(clearing_answers.DUE_RESEND, label="跨行转账重发")(
    clearing_answers.transfer_resend)


def register() -> list[str]:
    """Called from ``TransfersConfig.ready``: importing this module registered the operation
    kind and the due-work handlers; returns their names (for a check in tests)."""
    return [OPERATION_KIND, DUE_EXECUTE, SCHEDULED_DUE_KIND, clearing_answers.DUE_POLL_RETURNS,
            clearing_answers.DUE_RESEND]


# --- 预约交易管理 (TRF-RESERVED) ----------------------------------------------------------------


def reserved_transfers(*, customer: Customer, date_from: date | None = None,
                       date_to: date | None = None) -> QuerySet[Transfer]:
    """The customer's 预约 transfers (HVPS pushed to a later session) by execution date.

    A transfer is a 预约交易 when its confirmed plan said so (the operation's payload): that
    stays true after it ran or was deleted, so the list shows the outcome too.
    """
    rows = (Transfer.objects.select_related("from_sub_account__medium__link")
            .filter(customer=customer, kind=TransferKind.INTER,
                    operation__payload__reserved=True)
            .order_by("execute_at", "id"))
    if date_from is not None:
        rows = rows.filter(execute_at__date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(execute_at__date__lte=date_to)
    return rows


def reserved_transfer_get(*, customer: Customer, pk: int) -> Transfer:
    transfer = reserved_transfers(customer=customer).filter(pk=pk).first()
    if transfer is None:
        raise Http404("预约交易不存在")
    return transfer


def reserved_transfer_delete(*, user, pk: int, ip_address: str | None = None) -> Transfer:
    """删除 a 预约 transfer before it runs; BusinessError when it is running or has run."""
    try:
        with transaction.atomic(durable=True):
            transfer = (Transfer.objects.select_for_update()
                        .filter(pk=pk, customer_id=user.customer_id, kind=TransferKind.INTER,
                                operation__payload__reserved=True).first())
            if transfer is None:
                raise Http404("预约交易不存在")
            work = DueWork.objects.filter(kind=DUE_EXECUTE, key=transfer.number).first()
            # The transfer row first, then the DueWork row without waiting (see duework docs):
            # a row the dispatcher holds right now is being executed and cannot be deleted.
            if (transfer.status != TransferStatus.RESERVED or work is None
                    or not due_work_cancel(work=work)):
                raise BusinessError(NOT_DELETABLE_MESSAGE, code="reserved_not_deletable")
            transfer.status = TransferStatus.DELETED
            transfer.save(update_fields=["status"])
            audit_record(action="transfers.reserved_delete", actor=user,
                         customer_id=user.customer_id, object_ref=f"transfer:{transfer.number}",
                         ip_address=ip_address,
                         detail={"amount": str(transfer.amount),
                                 "payee_account": mask_account_number(transfer.payee_account)})
    except BusinessError as exc:
        with transaction.atomic(durable=True):
            audit_record(action="transfers.reserved_delete", outcome=AuditOutcome.FAILURE,
                         actor=user, customer_id=user.customer_id, object_ref=f"transfer:{pk}",
                         ip_address=ip_address, detail={"reason": exc.message})
        raise
    return transfer


def payer_has_transfers_in_flight(*, sub_account: SubAccount) -> bool:
    """Note 5: an account with 跨行 transfers not yet final should not be closed."""
    return Transfer.objects.filter(
        from_sub_account=sub_account, kind=TransferKind.INTER,
        status__in=[TransferStatus.RESERVED, TransferStatus.SCHEDULED, TransferStatus.PROCESSING],
    ).exists()
