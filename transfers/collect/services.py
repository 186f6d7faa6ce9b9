"""资金归集 (TRF-PULL, ACC-COLLECT): 跨行资金归集 in real time and 自动归集 plans.

A pull takes money from the customer's account at another bank (through an 授权支付协议) into
one of the customer's 活期主账户 here. It is free and counts toward no transfer limit (the
money stays the customer's); what bounds it is the agreement's 单笔限额 and 日累计限额, checked
here before the other bank is asked — an amount above either fails whole.

One pull is an outbox in two transactions (docs/otherbanks.md):

1. **open** (:func:`run_open`, in the caller's transaction — the confirmation's or the run's
   due-work row — that COMMITS before anybody asks the other bank): the checks under the
   agreement lock, then the :class:`CollectionRun` row 处理中 with its 交易流水号 (a scheduled
   run's is derived: ``CP<plan pk>-<yyyymmdd>``) and a re-query due-work row
   (``transfers.collect_requery``) as the safety net;
2. **settle** (:func:`run_settle`, a transaction of its own: after commit for a pull, the
   due-work row for a scheduled run): ``adapter.debit`` with that reference (idempotent at the
   other bank: asked again, it answers its first answer), after a timeout
   ``adapter.debit_status``; success → ``funds_move`` from the 网银互联清算往来 book, business type
   跨行资金归集, idempotency key ``collect:<reference>``; a refusal or "never taken" → 失败;
   no answer at all → the run stays 处理中 and is asked again later (backoff), and after
   :data:`REQUERY_TRIES` tries it is left 处理中 for staff.

A crash between the other bank's debit and our credit therefore resumes with the same
reference, and the ledger key makes the credit happen once.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from accounts.models import MediumStatus, ReceiptDirection, SubAccount, SubAccountStatus
from accounts.payers import payer_account_get, receipt_url
from accounts.pin import medium_online_check
from accounts.receipts.services import receipt_issue
from accounts.services import funds_move
from ebank.clearing.routing import Channel
from ebank.core.audit import audit_record
from ebank.core.clock import SHANGHAI, business_day
from ebank.core.errors import BusinessError
from ebank.core.models import AuditOutcome
from ebank.core.money import format_cny
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.registry import due_handler
from ebank.duework.services import due_work_cancel, due_work_schedule, retry_delay
from ebank.otherbanks.adapters import (
    REVOKED_MESSAGE,
    AgreementRevoked,
    DebitAnswer,
    OtherBankRefused,
    OtherBankTimeout,
    get_otherbank_adapter,
)
from security.confirm.registry import (
    OperationOutcome,
    OutcomeTone,
    operation_kind,
    operation_result,
)
from security.confirm.services import operation_start
from security.models import PendingOperation, User
from transfers.models import (
    CollectionFrequency,
    CollectionMode,
    CollectionPlan,
    CollectionPlanStatus,
    CollectionRun,
    CollectionRunStatus,
    OtherBankAgreement,
    OtherBankAgreementStatus,
    OtherBankBusinessType,
    OtherBankKind,
    OtherBankLogKind,
)
from transfers.services.clearing_answers import balance_alerts_on_commit, clearing_book_id
from transfers.services.inter import channel_status
from transfers.services.own_intra import PAYEE_STATUS

from ..otherbank.services import (
    agreement_get_for_customer,
    agreement_label,
    agreement_mark_revoked,
    log_write,
)
from .notify import collect_run_sms_send
from .schedule import DUE_KIND, next_run_date, plan_end, plan_schedule

logger = logging.getLogger(__name__)

KIND_PULL = "transfers.collect_pull"
KIND_PLAN = "transfers.collect_plan"
DUE_REQUERY = "transfers.collect_requery"
REQUERY_TRIES = 6  # asks of the other bank after the first (1, 2, 4, 8, 16, 32 minutes apart)
FIRST_REQUERY_DELAY = timedelta(minutes=1)
RECEIPT_CHANNEL = "网上银行"
TIMEOUT_NO_DEBIT = "他行系统响应超时，他行未扣款"
PENDING_REASON = "他行系统响应超时，扣款结果待确认，我行将自动查询"
STAFF_REASON = "他行扣款结果多次查询未果，已转人工核查，结果待确认"
PAYEE_CLOSED = "收款账户已销户"
NO_QUERY_AGREEMENT = ("全额归集和留存余额归集须通过该他行账户的账户信息查询协议查询余额，"
                      "请先在他行账户查询签约中签订该账户的查询协议")
NOTE = "从他行划转资金至我行账户的服务。实时、免费，满足您跨行资金管理、理财、还贷款、还信用卡等需求。"


def pull_reference_new() -> str:
    """A 跨行资金归集's 交易流水号 (random: the run row holding it commits before the debit)."""
    return f"CP{business_day():%Y%m%d}{secrets.randbelow(10**10):010d}"


def run_reference(*, plan: CollectionPlan, on: date) -> str:
    """A scheduled run's 交易流水号: the same for every attempt of the plan's date."""
    return f"CP{plan.pk}-{on:%Y%m%d}"


# --- reads --------------------------------------------------------------------------------------


def pay_agreement_get(*, customer, pk: int, lock: bool = False) -> OtherBankAgreement:
    agreement = agreement_get_for_customer(customer=customer, pk=pk, lock=lock)
    if agreement.kind != OtherBankKind.PAY:
        raise Http404("协议不存在")
    return agreement


def _day_bounds(on: date) -> tuple[datetime, datetime]:
    start = datetime.combine(on, time.min, tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


def used_today(*, agreement: OtherBankAgreement, on: date) -> Decimal:
    """What the agreement pulled on business day ``on`` (the day the runs executed): the
    successful runs and those still 处理中 (their money may be gone)."""
    start, end = _day_bounds(on)
    return (CollectionRun.objects.filter(
        agreement=agreement, at__gte=start, at__lt=end,
        status__in=[CollectionRunStatus.SUCCEEDED, CollectionRunStatus.PROCESSING])
        .aggregate(s=Sum("amount"))["s"] or Decimal("0"))


@dataclass(frozen=True)
class Refusal:
    code: str  # agreement_inactive / agreement_expired / single_limit / daily_limit
    message: str


def agreement_refusal(*, agreement: OtherBankAgreement, amount: Decimal | None,
                      on: date) -> Refusal | None:
    """Why the agreement cannot pull ``amount`` on business day ``on`` (None when it can)."""
    if agreement.status != OtherBankAgreementStatus.ACTIVE:
        return Refusal("agreement_inactive", f"付款协议{agreement.get_status_display()}")
    if agreement.valid_until < on:
        return Refusal("agreement_expired", "付款协议已过有效期")
    if amount is None:
        return None
    if agreement.single_limit is not None and amount > agreement.single_limit:
        return Refusal("single_limit",
                       f"归集金额超过协议单笔限额{format_cny(agreement.single_limit)}")
    if agreement.daily_limit is not None:
        used = used_today(agreement=agreement, on=on)
        if used + amount > agreement.daily_limit:
            return Refusal("daily_limit",
                           f"归集金额超过协议日累计限额{format_cny(agreement.daily_limit)}"
                           f"（今日已归集{format_cny(used)}）")
    return None


def refusal_text(refusal: Refusal | None) -> str:
    return refusal.message if refusal is not None else ""


def channel_refusal() -> str:
    """A pull comes in through 网银互联 (IBPS): while it is in maintenance, none runs."""
    status = channel_status(Channel.IBPS)
    return "" if status.open else f"{status.message}，暂不能办理跨行资金归集，请稍后再试"


def receiving_refusal(sub_account: SubAccount) -> tuple[str, bool]:
    """(why the 收款账户 cannot receive now, whether it is gone for good) — ("", False) when
    it can. Loss and freeze in 关联账户互转's words (PAYEE_STATUS)."""
    medium = sub_account.medium
    if medium.status == MediumStatus.CLOSED or sub_account.status != SubAccountStatus.OPEN:
        return PAYEE_CLOSED, True
    if medium.status != MediumStatus.NORMAL:
        return PAYEE_STATUS.get(medium.status, "收款账户状态异常，不能转入"), False
    return "", False


def query_agreement_for(*, agreement: OtherBankAgreement, on: date
                        ) -> OtherBankAgreement | None:
    """The active 账户信息查询协议 of the same other-bank account (全额 / 留存余额 read the
    balance through it)."""
    return (OtherBankAgreement.objects.filter(
        customer_id=agreement.customer_id, kind=OtherBankKind.QUERY,
        bank_code=agreement.bank_code, account_number=agreement.account_number,
        status=OtherBankAgreementStatus.ACTIVE, valid_until__gte=on)
        .order_by("-signed_at", "-id").first())


def plans_for_customer(*, customer) -> list[CollectionPlan]:
    return list(CollectionPlan.objects.filter(customer=customer)
                .select_related("agreement", "to_sub_account__medium")
                .order_by("-created_at", "-id"))


def plan_get_for_customer(*, customer, pk: int, lock: bool = False) -> CollectionPlan:
    qs = CollectionPlan.objects.filter(customer=customer, pk=pk)
    if lock:
        qs = qs.select_for_update()
    plan = qs.select_related("agreement", "to_sub_account__medium").first() if not lock \
        else qs.first()
    if plan is None:
        raise Http404("归集设置不存在")
    return plan


def plan_runs(*, plan: CollectionPlan) -> list[CollectionRun]:
    """The plan's runs, newest first, each with ``receipt_link`` (the receipts in one query)."""
    from accounts.models import Receipt

    runs = list(plan.runs.order_by("-run_date", "-id")[:366])
    receipts = {r.entry_id: r for r in Receipt.objects.filter(
        entry_id__in=[run.entry_id for run in runs if run.entry_id is not None],
        sub_account_id=plan.to_sub_account_id).only("pk", "number", "entry_id")}
    for run in runs:
        run.receipt_link = receipt_url(receipts.get(run.entry_id))
    return runs


def run_receipt_url(run: CollectionRun) -> str:
    from accounts.models import Receipt

    if run.entry_id is None:
        return ""
    return receipt_url(Receipt.objects.filter(entry_id=run.entry_id,
                                              sub_account_id=run.to_sub_account_id)
                       .only("pk", "number").first())


def plan_describe(plan: CollectionPlan) -> str:
    if plan.frequency == CollectionFrequency.DAILY:
        when = "每日"
    elif plan.frequency == CollectionFrequency.WEEKLY:
        when = f"每周{'一二三四五六日'[plan.day - 1]}"
    else:
        when = f"每月{plan.day}日"
    if plan.mode == CollectionMode.FIXED:
        how = f"定额归集 {format_cny(plan.amount)}"
    elif plan.mode == CollectionMode.RESERVE:
        how = f"留存余额 {format_cny(plan.reserve)}，起归金额 {format_cny(plan.minimum)}"
    else:
        how = f"全额归集，起归金额 {format_cny(plan.minimum)}"
    return f"{when} {how}"


# --- one pull: open (commits first), then settle ------------------------------------------------


def _credit(*, run: CollectionRun, agreement: OtherBankAgreement) -> None:
    account = run.to_sub_account
    posted = funds_move(
        debit_ledger_id=clearing_book_id(Channel.IBPS),
        credit_ledger_id=account.ledger_account_id,
        amount=run.amount,
        idempotency_key=f"collect:{run.reference}",
        business_type=OtherBankBusinessType.INTER_PULL,
        reference=run.reference,
        memo=f"跨行资金归集 {agreement.bank_name}"[:128],
    )
    run.entry_id = posted.entry_id
    if not posted.replayed:
        medium = account.medium
        receipt_issue(entry_id=posted.entry_id, sub_account=account,
                      direction=ReceiptDirection.CREDIT, amount=run.amount,
                      payer_name=agreement.holder_name, payer_account=agreement.account_number,
                      payer_bank=agreement.bank_name, payee_name=run.customer.name,
                      payee_account=medium.number, payee_bank=medium.branch.name,
                      purpose="跨行资金归集", business=OtherBankBusinessType.INTER_PULL.label,
                      channel=RECEIPT_CHANNEL, posted_at=timezone.now())
        balance_alerts_on_commit(posted.entry_id)


@dataclass(frozen=True)
class Asked:
    known: bool  # False: neither the debit nor debit_status answered
    answer: DebitAnswer | None = None  # known and None: the other bank never took it


def _ask(*, agreement: OtherBankAgreement, run: CollectionRun) -> Asked:
    """The other bank's answer to the debit of ``run.reference`` (idempotent there)."""
    adapter = get_otherbank_adapter()
    try:
        return Asked(True, adapter.debit(external_id=agreement.external_id,
                                         reference=run.reference, amount=run.amount,
                                         memo=run.customer.name))
    except OtherBankTimeout:
        try:
            return Asked(True, adapter.debit_status(run.reference))
        except OtherBankTimeout:
            return Asked(False)


def run_open(*, run: CollectionRun, requery_delay: timedelta) -> CollectionRun:
    """Step 1 (the caller's transaction, which must commit before step 2): the run 处理中 with
    its reference, and its first re-query row — what resumes it if nothing else does."""
    run.status, run.reason, run.at = CollectionRunStatus.PROCESSING, "", timezone.now()
    run.save()
    requery_schedule(run=run, attempt=1, due_at=timezone.now() + requery_delay)
    return run


def requery_schedule(*, run: CollectionRun, attempt: int, due_at: datetime) -> None:
    due_work_schedule(kind=DUE_REQUERY, key=f"{run.reference}:{attempt}", due_at=due_at,
                      payload={"run_id": run.pk, "attempt": attempt})


def _settle_locked(run_id: int) -> tuple[CollectionRun | None, OtherBankAgreement | None]:
    run = (CollectionRun.objects.select_for_update(of=("self",))
           .select_related("customer", "agreement", "plan", "to_sub_account__medium__branch")
           .filter(pk=run_id).first())
    if run is None or run.status != CollectionRunStatus.PROCESSING:
        return run, None
    return run, run.agreement


@transaction.atomic
def run_settle(*, run_id: int, attempt: int = 0) -> CollectionRun | None:
    """Step 2: ask the other bank about a 处理中 run and apply what it says (once).

    ``attempt`` 0 is the ask right after step 1 committed; 1, 2 … are the re-query rows.
    Only the run row is locked while the other bank is asked (the agreement's limits were
    taken at step 1: a 处理中 run counts in the day's total).
    """
    run, agreement = _settle_locked(run_id)
    if agreement is None:
        return run
    asked = _ask(agreement=agreement, run=run)
    if not asked.known:
        _still_unknown(run=run, attempt=attempt)
        return run
    answer = asked.answer
    if answer is None:
        run.status, run.reason = CollectionRunStatus.FAILED, TIMEOUT_NO_DEBIT
    elif not answer.succeeded:
        run.status, run.reason = CollectionRunStatus.FAILED, answer.reason or "他行拒绝扣款"
    else:
        run.status, run.reason = CollectionRunStatus.SUCCEEDED, ""
        _credit(run=run, agreement=agreement)
    run.save(update_fields=["status", "reason", "entry_id"])
    if answer is not None and answer.revoked:
        agreement = OtherBankAgreement.objects.select_for_update().get(pk=agreement.pk)
        agreement_mark_revoked(agreement=agreement)
    _run_finished(run=run, agreement=agreement)
    if attempt == 0:
        # Settled at once: its safety-net row has nothing left to do.
        for work in DueWork.objects.filter(kind=DUE_REQUERY, key=f"{run.reference}:1",
                                           status=DueWorkStatus.PENDING):
            due_work_cancel(work=work)
    return run


def _still_unknown(*, run: CollectionRun, attempt: int) -> None:
    """Neither the debit nor its status answered: nobody knows, so the run stays 处理中."""
    if attempt == 0:
        # Right after step 1: its re-query row (attempt 1) is already scheduled.
        run.reason = PENDING_REASON
    elif attempt < REQUERY_TRIES:
        run.reason = PENDING_REASON
        requery_schedule(run=run, attempt=attempt + 1,
                         due_at=timezone.now() + retry_delay(attempt))
    else:
        run.reason = STAFF_REASON
        audit_record(action="collect.run_unknown", channel="system",
                     customer_id=run.customer_id, outcome=AuditOutcome.FAILURE,
                     object_ref=f"collect:{run.reference}",
                     detail={"amount": str(run.amount), "attempts": attempt})
    # A scheduled run's 结果待确认 is texted once, at its first unanswered re-query.
    notify = run.plan_id is not None and attempt == 1
    run.save(update_fields=["reason"])
    if notify:
        transaction.on_commit(partial(collect_run_sms_send, run_id=run.pk))


def _run_finished(*, run: CollectionRun, agreement: OtherBankAgreement) -> None:
    ok = run.status == CollectionRunStatus.SUCCEEDED
    log_write(customer=run.customer, kind=OtherBankLogKind.PAYMENT,
              what="自动归集" if run.plan_id else "跨行资金归集", succeeded=ok,
              agreement=agreement, amount=run.amount,
              detail=run.reason or f"交易流水号{run.reference}")
    audit_record(action="collect.run" if run.plan_id else "collect.pull", channel="system",
                 customer_id=run.customer_id,
                 outcome=AuditOutcome.SUCCESS if ok else AuditOutcome.FAILURE,
                 object_ref=f"collect:{run.reference}",
                 detail={"amount": str(run.amount or ""), "status": run.status,
                         "reason": run.reason,
                         "date": run.run_date.isoformat()})
    if run.plan_id and run.status == CollectionRunStatus.FAILED:
        transaction.on_commit(partial(collect_run_sms_send, run_id=run.pk))


def settle_after_commit(run_id: int) -> None:
    """Step 2 of a pull, once step 1 has committed. A failure here (our side, after the other
    bank may have debited) leaves the run 处理中: its re-query row resumes it with the same
    reference."""
    try:
        with transaction.atomic(durable=True):
            run_settle(run_id=run_id, attempt=0)
    except Exception:
        logger.exception("collection run %s: settling failed, its re-query row resumes it",
                         run_id)


@due_handler(DUE_REQUERY, label="跨行资金归集结果查询")
def collect_requery_due(work: DueWork) -> None:
    """Step 2 again (a crashed settle, a silent other bank): same reference, same answer."""
    run_settle(run_id=work.payload["run_id"], attempt=work.payload["attempt"])


# --- 跨行资金归集 (real time) ---------------------------------------------------------------------


@dataclass(frozen=True)
class PullRequest:
    agreement_id: int
    to_sub_account_id: int
    amount: Decimal


def pull_start(*, user: User, request: PullRequest, back_url: str) -> PendingOperation:
    customer = user.customer
    today = business_day()
    agreement = pay_agreement_get(customer=customer, pk=request.agreement_id)
    refusal = (refusal_text(agreement_refusal(agreement=agreement, amount=request.amount,
                                              on=today))
               or channel_refusal())
    if refusal:
        raise BusinessError(refusal)
    account = payer_account_get(customer=customer, sub_account_id=request.to_sub_account_id)
    medium_online_check(medium=account.medium)
    refusal, _ = receiving_refusal(account)
    if refusal:
        raise BusinessError(refusal)
    payload = {"agreement_id": agreement.pk, "to_sub_account_id": account.pk,
               "amount": f"{request.amount:.2f}"}
    summary = [("付款账户", agreement_label(agreement)),
               ("付款账户户名", agreement.holder_name),
               ("收款账户", account.medium.masked_number),
               ("手续费", "免费"), ("到账方式", "实时")]
    return operation_start(user=user, kind=KIND_PULL, payload=payload, summary=summary,
                           medium=account.medium, back_url=back_url)


@operation_kind(KIND_PULL, title="跨行资金归集", requires_pin=True, requires_tool=True,
                allow_sms=False)
def pull_execute(*, operation: PendingOperation) -> dict:
    """Step 1 of the pull in the confirmation's transaction; step 2 runs once it commits."""
    p = operation.payload
    customer = operation.user.customer
    today = business_day()
    try:
        agreement = pay_agreement_get(customer=customer, pk=p["agreement_id"], lock=True)
        account = payer_account_get(customer=customer, sub_account_id=p["to_sub_account_id"])
    except Http404 as exc:
        raise BusinessError("付款协议或收款账户已不可用，请重新发起") from exc
    amount = Decimal(p["amount"])
    refusal = (refusal_text(agreement_refusal(agreement=agreement, amount=amount, on=today))
               or channel_refusal() or receiving_refusal(account)[0])
    if refusal:
        raise BusinessError(refusal)
    run = CollectionRun(reference=pull_reference_new(), customer=customer, agreement=agreement,
                        run_date=today, to_sub_account=account, amount=amount,
                        operation=operation)
    run_open(run=run, requery_delay=FIRST_REQUERY_DELAY)
    transaction.on_commit(partial(settle_after_commit, run.pk))
    audit_record(action="collect.pull", actor=operation.user, customer_id=customer.pk,
                 object_ref=f"collect:{run.reference}",
                 detail={"amount": p["amount"], "status": run.status})
    return {"message": "跨行资金归集已提交", "lines": [["交易流水号", run.reference]]}


def _pull_headline(run: CollectionRun) -> str:
    if run.status == CollectionRunStatus.SUCCEEDED:
        return f"跨行收款成功，{format_cny(run.amount)}已实时转入您的账户"
    if run.status == CollectionRunStatus.PROCESSING:
        return "跨行收款处理中，结果待确认"
    return f"跨行收款失败：{run.reason}"


@operation_result(KIND_PULL)
def pull_outcome(*, operation: PendingOperation) -> OperationOutcome | None:
    run = (CollectionRun.objects.filter(operation=operation)
           .select_related("agreement", "to_sub_account__medium").first())
    if run is None:
        return None
    ok = run.status == CollectionRunStatus.SUCCEEDED
    pending = run.status == CollectionRunStatus.PROCESSING
    lines = [("交易流水号", run.reference), ("付款账户", agreement_label(run.agreement)),
             ("收款账户", run.to_sub_account.medium.masked_number),
             ("金额", format_cny(run.amount)), ("手续费", "免费")]
    if run.reason:
        lines.append(("说明" if pending else "失败原因", run.reason))
    if pending:
        tone = OutcomeTone.PENDING
        note = ("他行尚未返回扣款结果，我行将自动查询；他行已扣款的，款项将转入您的账户。"
                "请在归集管理查询或操作记录中查看结果，请勿重复发起")
    else:
        tone = OutcomeTone.SUCCESS if ok else OutcomeTone.FAILURE
        note = "" if ok else "他行未扣款，您的账户未入账"
    return OperationOutcome(headline=_pull_headline(run), tone=tone,
                            status_label=run.get_status_display(), lines=lines, note=note,
                            receipt_url=run_receipt_url(run) if ok else "")


# --- 自动归集设置 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRequest:
    agreement_id: int
    to_sub_account_id: int
    frequency: str
    day: int
    mode: str
    amount: Decimal | None
    reserve: Decimal | None
    minimum: Decimal


def plan_start(*, user: User, request: PlanRequest, back_url: str) -> PendingOperation:
    customer = user.customer
    today = business_day()
    agreement = pay_agreement_get(customer=customer, pk=request.agreement_id)
    refusal = agreement_refusal(agreement=agreement,
                                amount=request.amount if request.mode == CollectionMode.FIXED
                                else None, on=today)
    # Today's total says nothing about the run dates to come.
    if refusal is not None and refusal.code != "daily_limit":
        raise BusinessError(refusal.message, code=refusal.code)
    _query_agreement_or_refuse(agreement=agreement, mode=request.mode, on=today)
    account = payer_account_get(customer=customer, sub_account_id=request.to_sub_account_id)
    medium_online_check(medium=account.medium)
    refusal_message, _ = receiving_refusal(account)
    if refusal_message:
        raise BusinessError(refusal_message)
    first = next_run_date(frequency=request.frequency, day=request.day, after=today)
    payload = {"agreement_id": agreement.pk, "to_sub_account_id": account.pk,
               "frequency": request.frequency, "day": request.day, "mode": request.mode,
               "fixed_amount": f"{request.amount:.2f}" if request.amount is not None else "",
               "reserve": f"{request.reserve:.2f}" if request.reserve is not None else "",
               "minimum": f"{request.minimum:.2f}"}
    preview = CollectionPlan(frequency=request.frequency, day=request.day, mode=request.mode,
                             amount=request.amount, reserve=request.reserve,
                             minimum=request.minimum)
    summary = [("付款账户", agreement_label(agreement)),
               ("收款账户", account.medium.masked_number),
               ("归集规则", plan_describe(preview)),
               ("首次归集日", f"{first:%Y-%m-%d}"),
               ("说明", "全额或留存余额归集时，可归集金额低于起归金额则当期不归集；"
                      "超过协议单笔或日累计限额的归集整笔失败")]
    return operation_start(user=user, kind=KIND_PLAN, payload=payload, summary=summary,
                           medium=account.medium, back_url=back_url)


def _query_agreement_or_refuse(*, agreement: OtherBankAgreement, mode: str, on: date) -> None:
    if (mode in (CollectionMode.FULL, CollectionMode.RESERVE)
            and query_agreement_for(agreement=agreement, on=on) is None):
        raise BusinessError(NO_QUERY_AGREEMENT, code="query_agreement_required")


def _money_or_none(text: str) -> Decimal | None:
    return Decimal(text) if text else None


@operation_kind(KIND_PLAN, title="自动归集设置", requires_pin=True, requires_tool=False,
                allow_sms=True)
def plan_execute(*, operation: PendingOperation) -> dict:
    p = operation.payload
    customer = operation.user.customer
    today = business_day()
    try:
        agreement = pay_agreement_get(customer=customer, pk=p["agreement_id"], lock=True)
        account = payer_account_get(customer=customer, sub_account_id=p["to_sub_account_id"])
    except Http404 as exc:
        raise BusinessError("付款协议或收款账户已不可用，请重新设置") from exc
    refusal = (refusal_text(agreement_refusal(agreement=agreement, amount=None, on=today))
               or receiving_refusal(account)[0])
    if refusal:
        raise BusinessError(refusal)
    _query_agreement_or_refuse(agreement=agreement, mode=p["mode"], on=today)
    plan = CollectionPlan.objects.create(
        number=f"AC{today:%Y%m%d}{secrets.randbelow(10**8):08d}", customer=customer,
        agreement=agreement, to_sub_account=account, frequency=p["frequency"], day=p["day"],
        mode=p["mode"], amount=_money_or_none(p["fixed_amount"]),
        reserve=_money_or_none(p["reserve"]), minimum=Decimal(p["minimum"]),
        created_at=timezone.now(), operation=operation)
    first = next_run_date(frequency=plan.frequency, day=plan.day, after=today)
    plan_schedule(plan=plan, on=first)
    log_write(customer=customer, kind=OtherBankLogKind.PAYMENT, what="自动归集设置",
              succeeded=True, agreement=agreement, detail=plan_describe(plan))
    audit_record(action="collect.plan", actor=operation.user, customer_id=customer.pk,
                 object_ref=f"collect_plan:{plan.number}",
                 detail={"rule": plan_describe(plan), "first": first.isoformat()})
    return {"message": f"自动归集设置成功，首次归集日{first:%Y-%m-%d}",
            "lines": [["归集编号", plan.number], ["归集规则", plan_describe(plan)],
                      ["首次归集日", f"{first:%Y-%m-%d}"]]}


@transaction.atomic(durable=True)
def plan_cancel(*, user: User, pk: int, ip_address: str | None = None) -> CollectionPlan:
    customer = user.customer
    plan = plan_get_for_customer(customer=customer, pk=pk)
    # Lock order: agreement → plan (as the run does).
    OtherBankAgreement.objects.select_for_update().filter(pk=plan.agreement_id).first()
    plan = plan_get_for_customer(customer=customer, pk=pk, lock=True)
    if plan.status != CollectionPlanStatus.ACTIVE:
        raise BusinessError("该自动归集已撤销")
    plan_end(plan=plan, reason="客户撤销")
    log_write(customer=customer, kind=OtherBankLogKind.PAYMENT, what="自动归集撤销",
              succeeded=True, agreement=plan.agreement, detail=plan.number)
    audit_record(action="collect.plan_cancel", actor=user, customer_id=customer.pk,
                 ip_address=ip_address, object_ref=f"collect_plan:{plan.number}")
    return plan


# --- 自动归集: one due run ------------------------------------------------------------------------


def _skip_or_amount(*, plan: CollectionPlan, agreement: OtherBankAgreement, on: date
                    ) -> tuple[Decimal | None, str, str]:
    """(amount, status, reason): the amount to pull, or a 未归集/失败 status with its reason.

    全额 and 留存余额 read the balance through the 账户信息查询协议 of the same account (the
    other bank answers no balance through a 授权支付协议)."""
    if plan.mode == CollectionMode.FIXED:
        return plan.amount, "", ""
    query = query_agreement_for(agreement=agreement, on=on)
    if query is None:
        return None, CollectionRunStatus.FAILED, "该他行账户无有效的账户信息查询协议，不能查询余额"
    try:
        available = get_otherbank_adapter().balance(query.external_id).available
    except AgreementRevoked:
        agreement_mark_revoked(agreement=OtherBankAgreement.objects.select_for_update()
                               .get(pk=query.pk))
        return None, CollectionRunStatus.FAILED, f"账户信息查询协议{REVOKED_MESSAGE}"
    except (OtherBankTimeout, OtherBankRefused) as exc:
        return None, CollectionRunStatus.FAILED, f"他行余额查询失败：{exc.message}"
    amount = available - (plan.reserve or Decimal("0")) if plan.mode == CollectionMode.RESERVE \
        else available
    if amount <= 0 or amount < plan.minimum:
        return (None, CollectionRunStatus.SKIPPED,
                f"可归集金额{format_cny(max(amount, Decimal('0')))}低于起归金额"
                f"{format_cny(plan.minimum)}，本期不归集")
    return amount, "", ""


@due_handler(DUE_KIND, label="自动归集执行")
def collect_run_due(work: DueWork) -> None:
    """Step 1 of one run of an 自动归集 plan (key ``<plan pk>:<date>``): the checks, then the
    run 处理中 with its derived reference and its settle row (due now), and the next date —
    all committed with this row before the other bank is asked to debit. A second run of the
    same row or date does nothing (the run row is unique per plan and date).

    Validity and the day's total are those of the business day the run executes (a row run
    late counts on the day it ran), not the scheduled date.
    """
    on = date.fromisoformat(work.payload["date"])
    today = business_day()
    plan_id = work.payload["plan_id"]
    agreement_id = (CollectionPlan.objects.filter(pk=plan_id)
                    .values_list("agreement_id", flat=True).first())
    if agreement_id is None:
        return
    agreement = OtherBankAgreement.objects.select_for_update().get(pk=agreement_id)
    plan = (CollectionPlan.objects.select_for_update(of=("self",))
            .select_related("customer", "to_sub_account__medium__branch").get(pk=plan_id))
    if plan.status != CollectionPlanStatus.ACTIVE or plan.runs.filter(run_date=on).exists():
        return
    agreement.customer = plan.customer
    run = CollectionRun(reference=run_reference(plan=plan, on=on), customer=plan.customer,
                        agreement=agreement, plan=plan, run_date=on,
                        to_sub_account=plan.to_sub_account, at=timezone.now())
    payee_refusal, payee_gone = receiving_refusal(plan.to_sub_account)
    refusal = (refusal_text(agreement_refusal(agreement=agreement, amount=None, on=today))
               or payee_refusal or channel_refusal())
    status = reason = ""
    if refusal:
        status, reason = CollectionRunStatus.FAILED, refusal
    else:
        try:
            amount, status, reason = _skip_or_amount(plan=plan, agreement=agreement, on=today)
        except AgreementRevoked as exc:
            amount, status, reason = None, CollectionRunStatus.FAILED, exc.message
            agreement_mark_revoked(agreement=agreement)
        if not status:
            run.amount = amount
            refusal = refusal_text(agreement_refusal(agreement=agreement, amount=amount,
                                                     on=today))
            if refusal:
                status, reason = CollectionRunStatus.FAILED, refusal
    if status:
        run.status, run.reason = status, reason
        run.save()
        _run_finished(run=run, agreement=agreement)
    else:
        run_open(run=run, requery_delay=timedelta(0))
    # The next run, in this transaction — unless the plan ended (agreement gone or expired,
    # the receiving account closed).
    plan.refresh_from_db(fields=["status"])
    agreement.refresh_from_db(fields=["status"])
    if plan.status != CollectionPlanStatus.ACTIVE:
        return
    following = next_run_date(frequency=plan.frequency, day=plan.day, after=on)
    if payee_gone:
        plan_end(plan=plan, reason=PAYEE_CLOSED)
    elif agreement.status != OtherBankAgreementStatus.ACTIVE:
        plan_end(plan=plan, reason=f"付款协议{agreement.get_status_display()}")
    elif agreement.valid_until < following:
        plan_end(plan=plan, reason="付款协议已过有效期")
    else:
        plan_schedule(plan=plan, on=following)
