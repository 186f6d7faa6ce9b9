"""定时转账 (TRF-SCHED): 定时转账设置, its runs, 撤销 and the run records (定时转账执行查询).

Flow (X-CONFIRM): the form's 提交 calls :func:`periodic_start`, which checks the payer, the payee
(行内: name match and status; 跨行: 联行号, ≤ 50,000 so that it goes by 网银互联), the amount
against the single-transaction limit and the schedule, and starts a confirmation whose summary
shows the first run dates. The executor :func:`periodic_execute` checks again, creates the
:class:`PeriodicTransfer` and the first DueWork row (kind ``transfers.periodic_run``, key
``<number>:<seq>``, due at the run date at ``PERIODIC_TRANSFER_HOUR`` Asia/Shanghai).

One active plan per card: a partial unique index on the paying medium. Two setups confirmed at
once both pass the early check; the second insert waits for the first to commit and then fails
on the index — it is refused with the manual's sentence, nothing written.

A run (:func:`periodic_run_due`, in the dispatcher's transaction with its DueWork row locked)
locks the plan, and — unless the plan was cancelled or the run is already recorded — creates
the run's Transfer (交易流水号 ``<plan number><seq:04d>``, so the ledger key
``transfer:<that number>`` is one per run) and executes it as a real-time transfer of its kind:
行内 through ``execution.between_our_accounts_execute`` (receivable check, ``transfer_post`` in a
savepoint, a readable failure), 跨行 through ``inter.inter_transfer_run`` (checks, then
``transfer_debit_and_send``). Balance and the daily limit are taken at each run. A failed run
(balance, limit, payee closed, payer lost or closed) is recorded with its reason, the 短信服务
subscriber is texted (``transfer_fail`` → ``notify``), and the next run is still scheduled in
the same transaction unless the end date or the count is reached (then 已结束).

撤销 locks the plan, then cancels its pending DueWork row without waiting (``due_work_cancel``).
A row a dispatcher holds but whose handler has not locked the plan yet finds the plan cancelled
and does nothing; a handler that holds the plan finishes its run first and 撤销 then cancels
the next run's row. Either way one outcome, no money lost.
"""

import calendar
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import LinkedMedium, SubAccount
from accounts.payers import account_label
from ebank.clearing.routing import IBPS_MAX_AMOUNT, ArrivalMode, Channel
from ebank.core.audit import audit_record
from ebank.core.clock import SHANGHAI
from ebank.core.errors import BusinessError, InsufficientFunds, LimitExceeded
from ebank.core.models import AuditOutcome
from ebank.core.money import as_money, format_cny
from ebank.duework.models import DueWork
from ebank.duework.registry import due_handler
from ebank.duework.services import PermanentFailure, due_work_cancel, due_work_schedule
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation, User
from security.tools.services import tools_live
from transfers.models import (
    PERIODIC_WEEKDAYS,
    PayeeKind,
    PeriodicFrequency,
    PeriodicRunStatus,
    PeriodicStatus,
    PeriodicTransfer,
    PeriodicTransferRun,
    Transfer,
    TransferKind,
    TransferStatus,
    periodic_schedule_describe,
)
from transfers.services.execution import between_our_accounts_execute, transfer_fail
from transfers.services.inter import inter_payee_check, inter_transfer_run
from transfers.services.own_intra import (
    OWN_NOTE_2,
    amount_check,
    intra_limit_check,
    intra_plan_check,
    payer_main_get,
    purpose_normalise,
)
from transfers.services.payees import account_number_normalise, payee_name_normalise

KIND_PERIODIC = "transfers.periodic"
DUE_RUN = "transfers.periodic_run"

ONE_PER_CARD = "目前，一张卡只能设置一笔有效的定时转账"
ONE_PER_CARD_INDEX = "transfers_one_active_periodic_per_card"
WEEKDAYS = PERIODIC_WEEKDAYS
MAX_RUNS = 120
MAX_YEARS = 5
INTER_MAX_MESSAGE = (f"跨行定时转账通过网银互联汇出，单笔金额不能超过{format_cny(IBPS_MAX_AMOUNT)}")
CANCEL_NOT_ACTIVE = "该定时转账已撤销或已结束，不能撤销"
PREVIEW_RUNS = 3
PAYER_UNLINKED = "转出账户已不在您的网银账户中"
INTRA_HINT = "请选择“行内收款人”"
# A run goes on its date or, late (a retry's backoff, a dispatcher that was down), on the next
# calendar day; later than that it is recorded as not executed, so that a late 立即重试 never
# posts two periods on one day.
RUN_GRACE_DAYS = 1
TOO_LATE = "已过执行日，未执行"
SYSTEM_ERROR = "系统处理异常，本期未执行"

logger = logging.getLogger(__name__)


# --- the schedule --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    frequency: str
    weekday: int | None  # 0 = 周一 … 6 = 周日
    day_of_month: int | None  # 1–31; 29/30/31 → the last day of a shorter month
    start_date: date
    end_date: date | None
    run_count: int | None

    def describe(self) -> str:
        return periodic_schedule_describe(self.frequency, self.weekday, self.day_of_month)

    def end_text(self) -> str:
        if self.end_date is not None:
            return f"至{self.end_date:%Y-%m-%d}"
        return f"共{self.run_count}次"


def schedule_of(plan: PeriodicTransfer) -> Schedule:
    return Schedule(plan.frequency, plan.weekday, plan.day_of_month, plan.start_date,
                    plan.end_date, plan.run_count)


def _month_day(year: int, month: int, day: int) -> date:
    """The day in that month; 29/30/31 in a shorter month is its last day (Feb 28/29)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _dates(schedule: Schedule):
    """Every run date from the start date on, without the end rule (an endless generator)."""
    start = schedule.start_date
    if schedule.frequency == PeriodicFrequency.WEEKLY:
        day = start + timedelta(days=(schedule.weekday - start.weekday()) % 7)
        while True:
            yield day
            day += timedelta(days=7)
    year, month = start.year, start.month
    while True:
        day = _month_day(year, month, schedule.day_of_month)
        if day >= start:
            yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def run_date(schedule: Schedule, sequence: int) -> date | None:
    """The date of run ``sequence`` (1-based), or None past the end date or the count.

    Computed from the rule each time, never from the previous run's date: a plan on the 31st
    runs on Feb 28 and again on Mar 31 (no drift to the 28th).
    """
    if sequence < 1 or (schedule.run_count is not None and sequence > schedule.run_count):
        return None
    for n, day in enumerate(_dates(schedule), start=1):
        if schedule.end_date is not None and day > schedule.end_date:
            return None
        if n == sequence:
            return day
    return None  # pragma: no cover - the generator is endless


def run_dates(schedule: Schedule, limit: int) -> list[date]:
    days = []
    for sequence in range(1, limit + 1):
        day = run_date(schedule, sequence)
        if day is None:
            break
        days.append(day)
    return days


def years_on(day: date, years: int) -> date:
    """The same calendar date ``years`` on; Feb 29 → Feb 28 in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def run_due_at(day: date) -> datetime:
    return datetime.combine(day, time(int(settings.PERIODIC_TRANSFER_HOUR)), SHANGHAI)


def schedule_check(*, frequency: str, weekday, day_of_month, start_date: date | None,
                   end_date: date | None, run_count, today: date | None = None) -> Schedule:
    """The schedule's rules (BusinessError with the reason, in Chinese)."""
    today = today or timezone.localdate()
    if frequency not in PeriodicFrequency.values:
        raise BusinessError("请选择定时周期")
    if frequency == PeriodicFrequency.WEEKLY:
        if weekday is None or not 0 <= int(weekday) <= 6:
            raise BusinessError("请选择每周的执行日（周一至周日）")
        weekday, day_of_month = int(weekday), None
    else:
        if day_of_month is None or not 1 <= int(day_of_month) <= 31:
            raise BusinessError("请选择每月的执行日（1日至31日）")
        weekday, day_of_month = None, int(day_of_month)
    if start_date is None:
        raise BusinessError("请输入起始日期")
    if start_date <= today:
        raise BusinessError("起始日期须晚于今天")
    if start_date > today + timedelta(days=366):
        raise BusinessError("起始日期不能晚于一年以后")
    if (end_date is None) == (run_count in (None, "")):
        raise BusinessError("请填写终止日期或执行次数（二者选一）")
    if end_date is not None:
        if end_date < start_date:
            raise BusinessError("终止日期不能早于起始日期")
        if end_date > years_on(start_date, MAX_YEARS):
            raise BusinessError(f"定时转账期限不能超过{MAX_YEARS}年")
        run_count = None
    else:
        run_count = int(run_count)
        if not 1 <= run_count <= MAX_RUNS:
            raise BusinessError(f"执行次数须为1至{MAX_RUNS}次")
    schedule = Schedule(frequency, weekday, day_of_month, start_date, end_date, run_count)
    if run_date(schedule, 1) is None:
        raise BusinessError("起始日期至终止日期之间没有执行日，请调整日期")
    return schedule


# --- the plan's parties ----------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodicPlan:
    payer: SubAccount
    payee_kind: str
    payee: SubAccount | None  # 行内
    payee_account: str
    payee_name: str
    bank_code: str
    bank_name: str
    amount: Decimal
    purpose: str


def plan_check(*, customer, from_sub_account_id, payee_kind: str, amount: Decimal,
               payee_account: str, payee_name: str, bank_code: str = "",
               purpose: str = "") -> PeriodicPlan:
    """The payer, the payee and the amount (BusinessError with the reason)."""
    if payee_kind == PayeeKind.INTRA:
        checked = intra_plan_check(customer=customer, from_sub_account_id=from_sub_account_id,
                                   mode=ArrivalMode.REAL_TIME, amount=amount,
                                   payee_account=payee_account, payee_name=payee_name,
                                   purpose=purpose)
        return PeriodicPlan(checked.payer, PayeeKind.INTRA, checked.payee,
                            checked.payee_account, checked.payee_name, "", "", checked.amount,
                            checked.purpose)
    if payee_kind != PayeeKind.INTER:
        raise BusinessError("请选择收款人类型")
    amount = amount_check(amount)
    payer = payer_main_get(customer=customer, from_sub_account_id=from_sub_account_id)
    number = account_number_normalise(payee_account)
    if len(number) < 6:
        raise BusinessError("收款人账号格式不正确，请输入数字账号")
    name = payee_name_normalise(payee_name)
    if number == payer.medium.number:
        raise BusinessError(OWN_NOTE_2, code="same_account")
    # 跨行 goes to other banks; our own accounts and 联行号 go by 行内 (the 跨行转账 form's check).
    inter_payee_check(account_number=number, hint=INTRA_HINT)
    code = (bank_code or "").strip()
    if not code:
        raise BusinessError("请输入收款行联行号")
    bank = inter_payee_check(bank_code=code, hint=INTRA_HINT)
    if amount > IBPS_MAX_AMOUNT:
        raise BusinessError(INTER_MAX_MESSAGE, code="inter_max")
    return PeriodicPlan(payer, PayeeKind.INTER, None, number, name, bank.code, bank.name, amount,
                        purpose_normalise(purpose))


def _active_plan_on_card(medium_id: int) -> PeriodicTransfer | None:
    return PeriodicTransfer.objects.filter(payer_medium_id=medium_id,
                                           status=PeriodicStatus.ACTIVE).first()


# --- 定时转账设置 -------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def periodic_start(*, user: User, from_sub_account_id, payee_kind: str, amount: Decimal,
                   payee_account: str, payee_name: str, bank_code: str = "", purpose: str = "",
                   frequency: str, weekday=None, day_of_month=None, start_date=None,
                   end_date=None, run_count=None) -> PendingOperation:
    """定时转账设置 提交: every check, then the confirmation (showing the first run dates)."""
    customer = user.customer
    plan = plan_check(customer=customer, from_sub_account_id=from_sub_account_id,
                      payee_kind=payee_kind, amount=amount, payee_account=payee_account,
                      payee_name=payee_name, bank_code=bank_code, purpose=purpose)
    schedule = schedule_check(frequency=frequency, weekday=weekday, day_of_month=day_of_month,
                              start_date=start_date, end_date=end_date, run_count=run_count)
    if _active_plan_on_card(plan.payer.medium_id) is not None:
        raise BusinessError(ONE_PER_CARD, code="one_per_card")
    first = run_dates(schedule, PREVIEW_RUNS)
    tools = tools_live(user=user)
    # The single-transaction limit (and a daily limit below the amount) refuse it now; the
    # daily limit is taken at each run.
    intra_limit_check(customer=customer, amount=plan.amount, on=first[0], tools=tools)
    summary = [("转出账号", account_label(plan.payer)),
               ("收款人类型", PayeeKind(plan.payee_kind).label),
               ("收款人账号", plan.payee_account),
               ("收款人名称", plan.payee_name)]
    if plan.payee_kind == PayeeKind.INTER:
        summary += [("收款行", f"{plan.bank_name}（{plan.bank_code}）"),
                    ("汇款渠道", Channel.IBPS.label)]
    elif plan.payee is not None:
        summary.append(("收款人开户行", plan.payee.medium.branch.name))
    if plan.purpose:
        summary.append(("付款用途", plan.purpose))
    summary += [("定时周期", schedule.describe()),
                ("起始日期", f"{schedule.start_date:%Y-%m-%d}"),
                ("终止条件", schedule.end_text()),
                ("最近执行日期", "、".join(f"{d:%Y-%m-%d}" for d in first)),
                ("执行时间", f"执行日{int(settings.PERIODIC_TRANSFER_HOUR):02d}:00"),
                ("说明", "每次执行时扣减账户余额和当日转账限额；余额不足等原因执行失败的，"
                        "下一次仍按期执行")]
    return operation_start(
        user=user, kind=KIND_PERIODIC,
        payload={"from_sub_account": plan.payer.pk, "payee_kind": plan.payee_kind,
                 "payee_account": plan.payee_account, "payee_name": plan.payee_name,
                 "bank_code": plan.bank_code, "amount": f"{plan.amount:.2f}",
                 "purpose": plan.purpose, "frequency": schedule.frequency,
                 "weekday": schedule.weekday, "day_of_month": schedule.day_of_month,
                 "start_date": schedule.start_date.isoformat(),
                 "end_date": schedule.end_date.isoformat() if schedule.end_date else None,
                 "run_count": schedule.run_count},
        summary=summary, medium=plan.payer.medium, back_url=reverse("transfers:periodic_new"),
        tools=tools,
    )


def periodic_number_new() -> str:
    """交易流水号 of a plan: DS + the Asia/Shanghai date + 10 random digits (unique index)."""
    return f"DS{timezone.localdate():%Y%m%d}{secrets.randbelow(10**10):010d}"


@operation_kind(KIND_PERIODIC, title="定时转账设置", requires_pin=True, requires_tool=False,
                allow_sms=True)
def periodic_execute(*, operation: PendingOperation) -> dict:
    """Create the plan and its first run's DueWork row (in the confirmation's transaction)."""
    p = operation.payload
    user = operation.user
    customer = user.customer
    plan = plan_check(customer=customer, from_sub_account_id=p["from_sub_account"],
                      payee_kind=p["payee_kind"], amount=as_money(p["amount"]),
                      payee_account=p["payee_account"], payee_name=p["payee_name"],
                      bank_code=p.get("bank_code", ""), purpose=p.get("purpose", ""))
    schedule = schedule_check(
        frequency=p["frequency"], weekday=p["weekday"], day_of_month=p["day_of_month"],
        start_date=date.fromisoformat(p["start_date"]),
        end_date=date.fromisoformat(p["end_date"]) if p["end_date"] else None,
        run_count=p["run_count"])
    first = run_date(schedule, 1)
    try:
        # A savepoint: the partial unique index refuses a second active plan on the card (two
        # setups confirmed at once) and the confirmation still records the refusal.
        with transaction.atomic():
            periodic = PeriodicTransfer.objects.create(
                number=periodic_number_new(), customer=customer, user=user, payer=plan.payer,
                payer_medium_id=plan.payer.medium_id, payee_kind=plan.payee_kind,
                payee_sub_account=plan.payee, payee_account=plan.payee_account,
                payee_name=plan.payee_name, payee_bank_code=plan.bank_code,
                payee_bank_name=plan.bank_name, amount=plan.amount, purpose=plan.purpose,
                frequency=schedule.frequency, weekday=schedule.weekday,
                day_of_month=schedule.day_of_month, start_date=schedule.start_date,
                end_date=schedule.end_date, run_count=schedule.run_count,
                next_run_date=first, created_at=timezone.now(), operation=operation)
    except IntegrityError as exc:
        if ONE_PER_CARD_INDEX not in str(exc):
            raise
        raise BusinessError(ONE_PER_CARD, code="one_per_card") from None
    due_work_schedule(kind=DUE_RUN, key=f"{periodic.number}:1", due_at=run_due_at(first))
    audit_record(action="transfers.periodic_set", actor=user, customer_id=customer.pk,
                 object_ref=f"periodic:{periodic.number}",
                 detail={"amount": str(periodic.amount), "payee_kind": periodic.payee_kind,
                         "schedule": schedule.describe(), "end": schedule.end_text(),
                         "first_run": first.isoformat()})
    return {
        "message": f"定时转账设置成功，首次执行日期{first:%Y-%m-%d}",
        "lines": [["交易流水号", periodic.number], ["定时周期", schedule.describe()],
                  ["首次执行日期", f"{first:%Y-%m-%d}"], ["终止条件", schedule.end_text()]],
        "periodic_number": periodic.number,
    }


# --- a run ---------------------------------------------------------------------------------------


def run_transfer_number(plan: PeriodicTransfer, sequence: int) -> str:
    return f"{plan.number}{sequence:04d}"


@due_handler(DUE_RUN, label="定时转账执行")
def periodic_run_due(work: DueWork) -> None:
    """Run ``<number>:<seq>`` once: record the run, schedule the next (same transaction)."""
    number, _, seq_text = work.key.rpartition(":")
    try:
        sequence = int(seq_text)
    except ValueError:
        raise PermanentFailure("定时转账任务编号无效") from None
    plan = (PeriodicTransfer.objects.select_for_update(of=("self",))
            .select_related("customer", "payer__medium__branch", "payer__ledger_account",
                            "payee_sub_account__medium__branch")
            .filter(number=number).first())
    if plan is None:
        raise PermanentFailure("定时转账不存在")
    if plan.status != PeriodicStatus.ACTIVE or plan.runs_done >= sequence:
        return  # cancelled, finished, or this run is already recorded: nothing to do
    day = run_date(schedule_of(plan), sequence)
    if day is None:  # pragma: no cover - the row was only scheduled for a date of the plan
        raise PermanentFailure("定时转账已到期")
    run = _run_recorded(plan=plan, sequence=sequence, day=day, work=work)
    plan.runs_done = sequence
    following = run_date(schedule_of(plan), sequence + 1)
    plan.next_run_date = following
    if following is None:
        plan.status = PeriodicStatus.FINISHED
    else:
        due_work_schedule(kind=DUE_RUN, key=f"{plan.number}:{sequence + 1}",
                          due_at=run_due_at(following))
    plan.save(update_fields=["runs_done", "next_run_date", "status"])
    audit_record(action="transfers.periodic_run", customer_id=plan.customer_id,
                 object_ref=f"periodic:{plan.number}", channel="system",
                 outcome=(AuditOutcome.FAILURE if run.status == PeriodicRunStatus.FAILED
                          else AuditOutcome.SUCCESS),
                 detail={"sequence": sequence, "status": run.status,
                         "reason": run.failure_reason,
                         "next_run": following.isoformat() if following else None})


def _run_recorded(*, plan: PeriodicTransfer, sequence: int, day: date,
                  work: DueWork) -> PeriodicTransferRun:
    """The run, or — so that the plan never stalls — a 失败 record of why it was not executed:
    past its date's grace, or an unexpected error on the DueWork row's last attempt (earlier
    attempts raise: the dispatcher rolls the run back and retries it)."""
    if timezone.localdate(timezone=SHANGHAI) > day + timedelta(days=RUN_GRACE_DAYS):
        return _run_not_executed(plan=plan, sequence=sequence, day=day, reason=TOO_LATE)
    try:
        with transaction.atomic():
            run = _run_once(plan=plan, sequence=sequence, day=day, work=work)
            if connection.vendor == "postgresql":
                # Deferred constraints fail here, inside the savepoint, not at COMMIT.
                connection.check_constraints()
            return run
    except Exception as exc:
        if work.attempts < work.max_attempts:
            raise
        logger.error("periodic run %s:%s failed on its last attempt", plan.number, sequence,
                     exc_info=exc)
        return _run_not_executed(plan=plan, sequence=sequence, day=day, reason=SYSTEM_ERROR)


def _run_not_executed(*, plan: PeriodicTransfer, sequence: int, day: date,
                      reason: str) -> PeriodicTransferRun:
    """A 失败 run without a transfer: no money moved."""
    return PeriodicTransferRun.objects.create(
        plan=plan, sequence=sequence, scheduled_date=day, status=PeriodicRunStatus.FAILED,
        failure_reason=reason, executed_at=timezone.now())


def _run_once(*, plan: PeriodicTransfer, sequence: int, day: date,
              work: DueWork) -> PeriodicTransferRun:
    now = timezone.now()
    inter = plan.payee_kind == PayeeKind.INTER
    transfer = Transfer(
        number=run_transfer_number(plan, sequence), customer=plan.customer, user=plan.user,
        kind=TransferKind.INTER if inter else TransferKind.INTRA, mode=ArrivalMode.REAL_TIME,
        channel=Channel.IBPS if inter else "", status=TransferStatus.SCHEDULED,
        from_sub_account=plan.payer, to_sub_account=plan.payee_sub_account,
        payee_account=plan.payee_account, payee_name=plan.payee_name,
        payee_bank_code=plan.payee_bank_code, payee_bank_name=plan.payee_bank_name,
        amount=plan.amount, purpose=plan.purpose or "定时转账", submitted_at=now, execute_at=now)
    transfer.save(force_insert=True)
    if not LinkedMedium.objects.filter(medium_id=plan.payer_medium_id,
                                       customer_id=plan.customer_id).exists():
        # The card was taken off e-banking (关联账户管理) after the setup: it no longer pays.
        transfer_fail(transfer=transfer, reason=PAYER_UNLINKED)
    elif inter:
        # Checks (payer status, 网银互联 open — retried while in maintenance —, balance, limit),
        # then the debit and the instruction; a refusal is recorded as the transfer's failure.
        # The ledger may still refuse (a debit or a transfer of the customer's since the
        # check): in a savepoint, as a business failure of this run.
        try:
            with transaction.atomic():
                inter_transfer_run(transfer=transfer, work=work)
        except (InsufficientFunds, LimitExceeded) as exc:
            transfer.refresh_from_db()
            transfer_fail(transfer=transfer, reason=exc.message)
    else:
        # The payee's status, then ``transfer_post`` in a savepoint; a refusal → FAILED.
        between_our_accounts_execute(transfer, work)
    status = {TransferStatus.SUCCEEDED: PeriodicRunStatus.SUCCEEDED,
              TransferStatus.FAILED: PeriodicRunStatus.FAILED,
              }.get(transfer.status, PeriodicRunStatus.PROCESSING)
    return PeriodicTransferRun.objects.create(
        plan=plan, sequence=sequence, scheduled_date=day, status=status, transfer=transfer,
        failure_reason=transfer.failure_reason if status == PeriodicRunStatus.FAILED else "",
        executed_at=transfer.executed_at or now)


def run_outcome(run: PeriodicTransferRun) -> tuple[str, str]:
    """(执行结果, 失败原因) now: a 跨行 run follows its transfer (处理中 → 成功, 失败 or 退汇)."""
    transfer = run.transfer
    if transfer is None:
        return run.get_status_display(), run.failure_reason
    if transfer.status == TransferStatus.SUCCEEDED:
        return PeriodicRunStatus.SUCCEEDED.label, ""
    if transfer.status in (TransferStatus.FAILED, TransferStatus.RETURNED):
        return PeriodicRunStatus.FAILED.label, transfer.failure_reason or run.failure_reason
    return PeriodicRunStatus.PROCESSING.label, ""


# --- 撤销 -----------------------------------------------------------------------------------------


def periodic_cancel(*, user: User, number: str, ip: str | None = None) -> PeriodicTransfer:
    """撤销 an active plan (audited; a refusal too). Another customer's number is a 404."""
    try:
        return _periodic_cancel(user=user, number=number, ip=ip)
    except BusinessError as exc:
        with transaction.atomic(durable=True):
            audit_record(action="transfers.periodic_cancel", outcome=AuditOutcome.FAILURE,
                         actor=user, customer_id=user.customer_id,
                         object_ref=f"periodic:{number}"[:128], ip_address=ip,
                         detail={"reason": exc.message})
        raise


@transaction.atomic(durable=True)
def _periodic_cancel(*, user: User, number: str, ip: str | None) -> PeriodicTransfer:
    customer = user.customer
    plan = periodic_get_for_customer(customer=customer, number=number)
    # Lock order: the plan (waits for a run that holds it), then its DueWork row without
    # waiting. A row a dispatcher claimed but whose handler has not locked the plan yet will
    # find the plan cancelled and run nothing.
    plan = PeriodicTransfer.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PeriodicStatus.ACTIVE:
        raise BusinessError(CANCEL_NOT_ACTIVE, code="periodic_not_active")
    pending = DueWork.objects.filter(kind=DUE_RUN, key=f"{plan.number}:{plan.runs_done + 1}"
                                     ).first()
    if pending is not None:
        due_work_cancel(work=pending)
    plan.status = PeriodicStatus.CANCELLED
    plan.cancelled_at = timezone.now()
    plan.next_run_date = None
    plan.save(update_fields=["status", "cancelled_at", "next_run_date"])
    audit_record(action="transfers.periodic_cancel", actor=user, customer_id=customer.pk,
                 object_ref=f"periodic:{plan.number}", ip_address=ip,
                 detail={"amount": str(plan.amount), "runs_done": plan.runs_done})
    return plan


# --- reads ----------------------------------------------------------------------------------------


def periodic_get_for_customer(*, customer, number: str) -> PeriodicTransfer:
    plan = (PeriodicTransfer.objects
            .select_related("payer__medium__link", "payee_sub_account__medium__branch")
            .filter(customer=customer, number=number).first())
    if plan is None:
        raise Http404("定时转账不存在")
    return plan


def periodic_plans_for_customer(*, customer, active_only: bool = False
                                ) -> QuerySet[PeriodicTransfer]:
    rows = (PeriodicTransfer.objects.filter(customer=customer)
            .select_related("payer__medium__link"))
    if active_only:
        rows = rows.filter(status=PeriodicStatus.ACTIVE)
    active_first = Case(When(status=PeriodicStatus.ACTIVE, then=Value(0)), default=Value(1),
                        output_field=IntegerField())
    return rows.order_by(active_first, "-created_at", "-id")


def periodic_plans_for_maintenance(*, customer, ended: int) -> list[PeriodicTransfer]:
    """定时转账维护: every active plan (one per card, so never many) first, then the ``ended``
    latest 已撤销/已结束 ones — an active plan is never cut off by newer ended ones."""
    rows = periodic_plans_for_customer(customer=customer)
    return (list(rows.filter(status=PeriodicStatus.ACTIVE))
            + list(rows.exclude(status=PeriodicStatus.ACTIVE)[:ended]))


def periodic_runs_for_customer(*, customer, date_from: date | None = None,
                               date_to: date | None = None, number: str = ""
                               ) -> QuerySet[PeriodicTransferRun]:
    """定时转账执行查询: the customer's runs, newest first, by their run date."""
    rows = (PeriodicTransferRun.objects.filter(plan__customer=customer)
            .select_related("plan", "transfer"))
    if date_from is not None:
        rows = rows.filter(scheduled_date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(scheduled_date__lte=date_to)
    if number:
        rows = rows.filter(plan__number=number)
    return rows.order_by("-scheduled_date", "-sequence", "-id")


def periodic_run_get_for_customer(*, customer, number: str, sequence: int) -> PeriodicTransferRun:
    run = (PeriodicTransferRun.objects
           .select_related("plan__payer__medium__link", "transfer")
           .filter(plan__customer=customer, plan__number=number, sequence=sequence).first())
    if run is None:
        raise Http404("执行记录不存在")
    return run
