"""资金归集 (TRF-PULL, ACC-COLLECT): 跨行资金归集 in real time and 自动归集 plans.

A pull takes money from the customer's account at another bank (through an 授权支付协议) into
one of the customer's 活期主账户 here. It is free and counts toward no transfer limit (the
money stays the customer's); what bounds it is the agreement's 单笔限额 and 日累计限额, checked
here before the other bank is asked — an amount above either fails whole.

One pull (:func:`pull_perform`), always inside a transaction that holds the agreement row:

1. ``adapter.debit`` with the run's 交易流水号 as the reference (idempotent at the other bank);
2. a timeout: ``adapter.debit_status(reference)`` decides — money is credited only when the
   other bank says it debited; no answer at all → 失败 (他行未扣款), nothing posted;
3. success: ``funds_move`` from the 网银互联清算往来 book to the customer's account, business
   type 跨行资金归集, idempotency key ``collect:<reference>`` — one entry, whatever retries —
   and a credit e-receipt; refusal: 失败 with the other bank's reason (余额不足 …), nothing
   posted; a revoked agreement ends ours and its plans.

Lock order: agreement → plan → (ledger accounts inside funds_move).
"""

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from accounts.models import ReceiptDirection
from accounts.pin import medium_online_check
from accounts.receipts.services import receipt_issue
from accounts.services import funds_move
from ebank.clearing.adapters import get_clearing_adapter
from ebank.clearing.routing import Channel
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.core.models import AuditOutcome
from ebank.core.money import format_cny
from ebank.duework.models import DueWork
from ebank.duework.registry import due_handler
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.otherbanks.adapters import (
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
from security.tools.services import sms_balance_alerts_send
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
from transfers.selectors import receipt_url

from ..otherbank.services import (
    agreement_get_for_customer,
    agreement_label,
    agreement_mark_revoked,
    log_write,
)
from ..services.common import payer_account_get
from .notify import collect_failure_sms_send
from .schedule import DUE_KIND, next_run_date, plan_end, plan_schedule

KIND_PULL = "transfers.collect_pull"
KIND_PLAN = "transfers.collect_plan"
RECEIPT_CHANNEL = "网上银行"
TIMEOUT_NO_DEBIT = "他行系统响应超时，他行未扣款"
NOTE = "从他行划转资金至我行账户的服务。实时、免费，满足您跨行资金管理、理财、还贷款、还信用卡等需求。"


def run_reference_new() -> str:
    return f"CP{timezone.localdate():%Y%m%d}{secrets.randbelow(10**10):010d}"


# --- reads --------------------------------------------------------------------------------------


def pay_agreement_get(*, customer, pk: int, lock: bool = False) -> OtherBankAgreement:
    agreement = agreement_get_for_customer(customer=customer, pk=pk, lock=lock)
    if agreement.kind != OtherBankKind.PAY:
        raise Http404("协议不存在")
    return agreement


def used_today(*, agreement: OtherBankAgreement, on: date) -> Decimal:
    return (CollectionRun.objects.filter(agreement=agreement, run_date=on,
                                         status=CollectionRunStatus.SUCCEEDED)
            .aggregate(s=Sum("amount"))["s"] or Decimal("0"))


def agreement_refusal(*, agreement: OtherBankAgreement, amount: Decimal | None,
                      on: date) -> str:
    """Why the agreement cannot pull ``amount`` today ("" when it can)."""
    if agreement.status != OtherBankAgreementStatus.ACTIVE:
        return f"付款协议{agreement.get_status_display()}"
    if agreement.valid_until < on:
        return "付款协议已过有效期"
    if amount is None:
        return ""
    if agreement.single_limit is not None and amount > agreement.single_limit:
        return f"归集金额超过协议单笔限额{format_cny(agreement.single_limit)}"
    if agreement.daily_limit is not None:
        used = used_today(agreement=agreement, on=on)
        if used + amount > agreement.daily_limit:
            return (f"归集金额超过协议日累计限额{format_cny(agreement.daily_limit)}"
                    f"（今日已归集{format_cny(used)}）")
    return ""


def channel_refusal() -> str:
    """A pull comes in through 网银互联 (IBPS): while it is in maintenance, none runs."""
    status = get_clearing_adapter().status(Channel.IBPS)
    return "" if status.open else f"{status.message}，暂不能办理跨行资金归集，请稍后再试"


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


# --- one pull -----------------------------------------------------------------------------------


def _credit(*, run: CollectionRun, agreement: OtherBankAgreement) -> None:
    account = run.to_sub_account
    posted = funds_move(
        debit_ledger_id=bank_book_id(BankBook.IBPS_CLEARING),
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
        transaction.on_commit(partial(sms_balance_alerts_send, entry_id=posted.entry_id))


def _ask(*, agreement: OtherBankAgreement, run: CollectionRun) -> DebitAnswer | None:
    """The other bank's answer to the debit; after a timeout, what it says it did (or None)."""
    adapter = get_otherbank_adapter()
    try:
        return adapter.debit(external_id=agreement.external_id, reference=run.reference,
                             amount=run.amount, memo=run.customer.name)
    except OtherBankTimeout:
        try:
            return adapter.debit_status(run.reference)
        except OtherBankTimeout:
            return None


@transaction.atomic
def pull_perform(*, run: CollectionRun, agreement: OtherBankAgreement) -> CollectionRun:
    """Ask the other bank for ``run.amount`` and credit it only if it gave it (see module doc).

    ``run`` is unsaved or 失败-in-waiting; ``agreement`` is locked by the caller and usable.
    """
    answer = _ask(agreement=agreement, run=run)
    if answer is None:
        run.status, run.reason = CollectionRunStatus.FAILED, TIMEOUT_NO_DEBIT
    elif not answer.succeeded:
        run.status, run.reason = CollectionRunStatus.FAILED, answer.reason or "他行拒绝扣款"
    else:
        run.status = CollectionRunStatus.SUCCEEDED
    run.save()
    if answer is not None and answer.succeeded:
        _credit(run=run, agreement=agreement)
        run.save(update_fields=["entry_id"])
    if answer is not None and answer.revoked:
        agreement_mark_revoked(agreement=agreement)
    log_write(customer=run.customer, kind=OtherBankLogKind.PAYMENT,
              what="自动归集" if run.plan_id else "跨行资金归集",
              succeeded=run.status == CollectionRunStatus.SUCCEEDED, agreement=agreement,
              amount=run.amount, detail=run.reason or f"交易流水号{run.reference}")
    return run


def _run_new(*, agreement, to_sub_account, amount, plan=None, operation=None,
             on: date) -> CollectionRun:
    return CollectionRun(reference=run_reference_new(), customer=agreement.customer,
                         agreement=agreement, plan=plan, run_date=on,
                         to_sub_account=to_sub_account, amount=amount, operation=operation,
                         status=CollectionRunStatus.FAILED, at=timezone.now())


# --- 跨行资金归集 (real time) ---------------------------------------------------------------------


@dataclass(frozen=True)
class PullRequest:
    agreement_id: int
    to_sub_account_id: int
    amount: Decimal


def pull_start(*, user: User, request: PullRequest, back_url: str) -> PendingOperation:
    customer = user.customer
    today = timezone.localdate()
    agreement = pay_agreement_get(customer=customer, pk=request.agreement_id)
    refusal = (agreement_refusal(agreement=agreement, amount=request.amount, on=today)
               or channel_refusal())
    if refusal:
        raise BusinessError(refusal)
    account = payer_account_get(customer=customer, sub_account_id=request.to_sub_account_id)
    medium_online_check(medium=account.medium)
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
    p = operation.payload
    customer = operation.user.customer
    today = timezone.localdate()
    try:
        agreement = pay_agreement_get(customer=customer, pk=p["agreement_id"], lock=True)
        account = payer_account_get(customer=customer, sub_account_id=p["to_sub_account_id"])
    except Http404 as exc:
        raise BusinessError("付款协议或收款账户已不可用，请重新发起") from exc
    amount = Decimal(p["amount"])
    refusal = agreement_refusal(agreement=agreement, amount=amount, on=today) or channel_refusal()
    if refusal:
        raise BusinessError(refusal)
    run = _run_new(agreement=agreement, to_sub_account=account, amount=amount,
                   operation=operation, on=today)
    run.customer = customer
    pull_perform(run=run, agreement=agreement)
    audit_record(action="collect.pull", actor=operation.user, customer_id=customer.pk,
                 object_ref=f"collect:{run.reference}",
                 outcome=(AuditOutcome.SUCCESS if run.status == CollectionRunStatus.SUCCEEDED
                          else AuditOutcome.FAILURE),
                 detail={"amount": p["amount"], "status": run.status, "reason": run.reason})
    return {"message": _pull_headline(run), "lines": [["交易流水号", run.reference]]}


def _pull_headline(run: CollectionRun) -> str:
    if run.status == CollectionRunStatus.SUCCEEDED:
        return f"跨行收款成功，{format_cny(run.amount)}已实时转入您的账户"
    return f"跨行收款失败：{run.reason}"


@operation_result(KIND_PULL)
def pull_outcome(*, operation: PendingOperation) -> OperationOutcome | None:
    run = (CollectionRun.objects.filter(operation=operation)
           .select_related("agreement", "to_sub_account__medium").first())
    if run is None:
        return None
    ok = run.status == CollectionRunStatus.SUCCEEDED
    lines = [("交易流水号", run.reference), ("付款账户", agreement_label(run.agreement)),
             ("收款账户", run.to_sub_account.medium.masked_number),
             ("金额", format_cny(run.amount)), ("手续费", "免费")]
    if run.reason:
        lines.append(("失败原因", run.reason))
    return OperationOutcome(headline=_pull_headline(run),
                            tone=OutcomeTone.SUCCESS if ok else OutcomeTone.FAILURE,
                            status_label=run.get_status_display(), lines=lines,
                            note="" if ok else "他行未扣款，您的账户未入账",
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
    today = timezone.localdate()
    agreement = pay_agreement_get(customer=customer, pk=request.agreement_id)
    refusal = agreement_refusal(agreement=agreement,
                                amount=request.amount if request.mode == CollectionMode.FIXED
                                else None, on=today)
    if refusal and "日累计" not in refusal:
        raise BusinessError(refusal)
    account = payer_account_get(customer=customer, sub_account_id=request.to_sub_account_id)
    medium_online_check(medium=account.medium)
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


def _money_or_none(text: str) -> Decimal | None:
    return Decimal(text) if text else None


@operation_kind(KIND_PLAN, title="自动归集设置", requires_pin=True, requires_tool=False,
                allow_sms=True)
def plan_execute(*, operation: PendingOperation) -> dict:
    p = operation.payload
    customer = operation.user.customer
    today = timezone.localdate()
    try:
        agreement = pay_agreement_get(customer=customer, pk=p["agreement_id"], lock=True)
        account = payer_account_get(customer=customer, sub_account_id=p["to_sub_account_id"])
    except Http404 as exc:
        raise BusinessError("付款协议或收款账户已不可用，请重新设置") from exc
    refusal = agreement_refusal(agreement=agreement, amount=None, on=today)
    if refusal:
        raise BusinessError(refusal)
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


@transaction.atomic
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


def _skip_or_amount(*, plan: CollectionPlan, agreement: OtherBankAgreement
                    ) -> tuple[Decimal | None, str, str]:
    """(amount, status, reason): the amount to pull, or a 未归集/失败 status with its reason.
    Raises AgreementRevoked when the other bank has ended the agreement."""
    if plan.mode == CollectionMode.FIXED:
        return plan.amount, "", ""
    try:
        available = get_otherbank_adapter().balance(agreement.external_id).available
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
    """One run of an 自动归集 plan (key ``<plan pk>:<date>``); a second run of the same row or
    date posts nothing (the run row is unique per plan and date)."""
    on = date.fromisoformat(work.payload["date"])
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
    run = _run_new(agreement=agreement, to_sub_account=plan.to_sub_account, amount=None,
                   plan=plan, on=on)
    refusal = agreement_refusal(agreement=agreement, amount=None, on=on) or channel_refusal()
    status = ""
    if refusal:
        status, reason = CollectionRunStatus.FAILED, refusal
    else:
        try:
            amount, status, reason = _skip_or_amount(plan=plan, agreement=agreement)
        except AgreementRevoked as exc:
            amount, status, reason = None, CollectionRunStatus.FAILED, exc.message
            agreement_mark_revoked(agreement=agreement)
        if not status:
            refusal = agreement_refusal(agreement=agreement, amount=amount, on=on)
            run.amount = amount
            if refusal:
                status, reason = CollectionRunStatus.FAILED, refusal
    if status:
        run.status, run.reason = status, reason
        run.save()
        log_write(customer=plan.customer, kind=OtherBankLogKind.PAYMENT, what="自动归集",
                  succeeded=False, agreement=agreement, amount=run.amount, detail=reason)
    else:
        pull_perform(run=run, agreement=agreement)
    if run.status == CollectionRunStatus.FAILED:
        transaction.on_commit(partial(collect_failure_sms_send, run_id=run.pk))
    audit_record(action="collect.run", channel="system", customer_id=plan.customer_id,
                 outcome=(AuditOutcome.SUCCESS if run.status == CollectionRunStatus.SUCCEEDED
                          else AuditOutcome.FAILURE),
                 object_ref=f"collect:{run.reference}",
                 detail={"plan": plan.number, "date": on.isoformat(), "status": run.status,
                         "amount": str(run.amount or ""), "reason": run.reason})
    # The next run, in this transaction — unless the plan ended (agreement gone or expired).
    plan.refresh_from_db(fields=["status"])
    if plan.status != CollectionPlanStatus.ACTIVE:
        return
    following = next_run_date(frequency=plan.frequency, day=plan.day, after=on)
    if agreement.status != OtherBankAgreementStatus.ACTIVE:
        plan_end(plan=plan, reason="付款协议已解约")
    elif agreement.valid_until < following:
        plan_end(plan=plan, reason="付款协议已过有效期")
    else:
        plan_schedule(plan=plan, on=following)

