"""卡内预约转存 (DEP-PLAN): setting up and cancelling a plan, and the nightly run that carries
it out (整存整取 only).

* ``plan_check`` — the rules of a new plan, refused in Chinese (BusinessError): a linked, usable
  debit card of the customer's; amount ≥ 50 (整存整取's 起存金额); a term of 整存整取's; monthly
  on day 1–31 or weekly on weekday 1–7; starts tomorrow at the earliest; an end, when given, not
  before the start and with at least one scheduled day in between.
* ``plan_create_post`` inside the caller's transaction (the X-CONFIRM executor,
  deposits.operations); ``plan_create`` the durable public service (demo data, tests).
* ``plan_cancel`` (撤销): the customer's own active plan; no money moves, a plain CSRF POST.
* ``plans_run(business_date)`` (the nightly step ``deposit_plans_run``): each active plan due on
  or before the date runs once for every scheduled day, in order, each on its own date: the
  整存整取 opens from the card's 活期主账户 (自动转存（本息）) through ``fixed.fixed_open_post``
  under the key ``plan:<id>:<date>``; a short balance, or any other refusal, records the run as
  failed with its Chinese reason. Either way the plan moves on to its next day; past its end it
  is 已结束. ``PlanRun`` is unique per (plan, day), so a rerun finds the day done and posts
  nothing twice.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from accounts.models import Medium, MediumKind, MediumStatus, SubAccountKind
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import as_money

from . import fixed
from .models import DepositPlan, MaturityOption, PlanFrequency, PlanRun, PlanStatus, Product
from .plans import plan_next_run

CARD_UNKNOWN = "请选择已关联的借记卡"
AMOUNT_MINIMUM = "每次转存金额不能低于50元（整存整取起存金额50元）"
FREQUENCY_UNKNOWN = "请选择转存频率"
MONTH_DAY_UNKNOWN = "每月转存日应为1日至31日"
WEEKDAY_UNKNOWN = "每周转存日应为周一至周日"
START_TOO_EARLY = "开始日期最早为明天"
END_BEFORE_START = "结束日期不能早于开始日期"
NO_RUN_DAY = "开始日期至结束日期之间没有转存日，请调整日期"
PLAN_UNKNOWN = "预约转存不存在或已撤销"
WEEKDAYS = "一二三四五六日"


def frequency_text(frequency: str, run_day: int) -> str:
    """每月15日, 每月31日（小月为月末）, 每周五."""
    if frequency == PlanFrequency.WEEKLY:
        return f"每周{WEEKDAYS[run_day - 1]}" if 1 <= run_day <= 7 else "每周"
    return f"每月{run_day}日" + ("（小月为月末）" if run_day >= 29 else "")


def card_for_customer(*, customer, medium_id) -> Medium:
    """A linked, usable debit card of the customer's, else BusinessError."""
    pk = fixed.int_or_none(medium_id)
    card = (Medium.objects.select_related("customer", "branch")
            .filter(pk=pk, customer=customer, kind=MediumKind.DEBIT_CARD).first() if pk else None)
    if card is None or not fixed.medium_linked(customer, card):
        raise BusinessError(CARD_UNKNOWN, code="card_unknown")
    if card.status != MediumStatus.NORMAL:
        raise BusinessError(f"借记卡{card.get_status_display()}，不能办理", code="status")
    return card


@dataclass(frozen=True)
class PlanTerms:
    card: Medium
    amount: Decimal
    term_months: int
    frequency: str
    run_day: int
    starts_on: date
    ends_on: date | None
    first_run_on: date


def plan_check(*, customer, medium_id, amount, term_months, frequency, run_day, starts_on,
               ends_on, on: date) -> PlanTerms:
    """The rules of a new plan (BusinessError in Chinese)."""
    card = card_for_customer(customer=customer, medium_id=medium_id)
    amount = as_money(amount if amount is not None else "0")
    if amount < fixed.MINIMUM:
        raise BusinessError(AMOUNT_MINIMUM, code="amount")
    term = fixed.int_or_none(term_months)
    if term not in fixed.TERMS:
        raise BusinessError(fixed.TERM_UNKNOWN, code="term")
    if frequency not in PlanFrequency.values:
        raise BusinessError(FREQUENCY_UNKNOWN, code="frequency")
    day = fixed.int_or_none(run_day)
    if frequency == PlanFrequency.MONTHLY and (day is None or not 1 <= day <= 31):
        raise BusinessError(MONTH_DAY_UNKNOWN, code="run_day")
    if frequency == PlanFrequency.WEEKLY and (day is None or not 1 <= day <= 7):
        raise BusinessError(WEEKDAY_UNKNOWN, code="run_day")
    if not isinstance(starts_on, date) or starts_on <= on:
        raise BusinessError(START_TOO_EARLY, code="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise BusinessError(END_BEFORE_START, code="ends_on")
    first = plan_next_run(frequency=frequency, run_day=day, on_or_after=starts_on,
                          ends_on=ends_on)
    if first is None:
        raise BusinessError(NO_RUN_DAY, code="no_run_day")
    return PlanTerms(card, amount, term, frequency, day, starts_on, ends_on, first)


def plan_create_post(*, user, terms: PlanTerms) -> DepositPlan:
    """Record the plan inside the caller's transaction, audited."""
    plan = DepositPlan.objects.create(
        medium=terms.card, product=Product.FIXED, term_months=terms.term_months,
        amount=terms.amount, frequency=terms.frequency, run_day=terms.run_day,
        starts_on=terms.starts_on, ends_on=terms.ends_on, next_run_on=terms.first_run_on)
    audit_record(action="deposits.plan_create", actor=user, customer_id=user.customer.pk,
                 object_ref=f"deposit_plan:{plan.pk}",
                 detail={"amount": str(terms.amount), "term_months": terms.term_months,
                         "frequency": terms.frequency, "run_day": terms.run_day,
                         "starts_on": terms.starts_on.isoformat(),
                         "ends_on": terms.ends_on.isoformat() if terms.ends_on else None})
    return plan


@transaction.atomic(durable=True)
def plan_create(*, user, medium_id, amount, term_months, frequency, run_day, starts_on,
                ends_on=None) -> DepositPlan:
    """新增卡内预约转存 without the confirmation page (demo data, tests of the rules); the site
    goes through X-CONFIRM (deposits.operations)."""
    terms = plan_check(customer=user.customer, medium_id=medium_id, amount=amount,
                       term_months=term_months, frequency=frequency, run_day=run_day,
                       starts_on=starts_on, ends_on=ends_on, on=business_day())
    return plan_create_post(user=user, terms=terms)


def plans_for_customer(*, customer):
    return (DepositPlan.objects.select_related("medium")
            .filter(medium__customer=customer, product=Product.FIXED))


def plan_get(*, customer, pk) -> DepositPlan | None:
    pk = fixed.int_or_none(pk)
    return plans_for_customer(customer=customer).filter(pk=pk).first() if pk else None


@transaction.atomic(durable=True)
def plan_cancel(*, user, plan_id) -> DepositPlan:
    """撤销: the customer's own active plan stops; its runs stay on record."""
    pk = fixed.int_or_none(plan_id)
    plan = (DepositPlan.objects.select_for_update().select_related("medium")
            .filter(pk=pk, medium__customer=user.customer, status=PlanStatus.ACTIVE).first()
            if pk else None)
    if plan is None:
        raise BusinessError(PLAN_UNKNOWN, code="plan_unknown")
    plan.status, plan.next_run_on = PlanStatus.CANCELLED, None
    plan.save(update_fields=["status", "next_run_on"])
    audit_record(action="deposits.plan_cancel", actor=user, customer_id=user.customer.pk,
                 object_ref=f"deposit_plan:{plan.pk}", detail={"amount": str(plan.amount)})
    return plan


# --- the nightly run -----------------------------------------------------------------------------


def _run_once(plan: DepositPlan, day: date) -> bool:
    """Carry out ``plan`` for its scheduled ``day`` (once: a PlanRun of the day means done)."""
    if PlanRun.objects.filter(plan=plan, run_on=day).exists():
        return False
    customer = plan.medium.customer
    try:
        with transaction.atomic():  # a refusal half-way rolls back its part only
            source = plan.medium.sub_accounts.filter(kind=SubAccountKind.CURRENT_MAIN).first()
            if source is None:
                raise BusinessError(fixed.ACCOUNT_UNKNOWN)
            check = fixed.open_plan_check(
                customer=customer, from_sub_account_id=source.pk, fixed_book_id=None,
                term_months=plan.term_months, amount=plan.amount,
                maturity_option=MaturityOption.ROLL_ALL, on=day)
            opened = fixed.fixed_open_post(user=None, plan=check,
                                           idempotency_key=f"plan:{plan.pk}:{day.isoformat()}",
                                           on=day, batch=True)
            PlanRun.objects.create(plan=plan, run_on=day, succeeded=True, deposit=opened.deposit)
    except BusinessError as exc:
        PlanRun.objects.create(plan=plan, run_on=day, succeeded=False,
                               reason=exc.message[:200])
        audit_record(action="deposits.plan_run_failed", channel="batch",
                     customer_id=customer.pk, object_ref=f"deposit_plan:{plan.pk}",
                     detail={"run_on": day.isoformat(), "reason": exc.message,
                             "amount": str(plan.amount)})
    return True


def plans_run(business_date: date) -> int:
    """Every active plan due on or before ``business_date``, each missed day on its own date in
    order. Inside the nightly step's transaction; returns how many runs were recorded."""
    count = 0
    plans = (DepositPlan.objects.select_for_update(of=("self",))
             .select_related("medium__customer", "medium__branch")
             .filter(status=PlanStatus.ACTIVE, product=Product.FIXED,
                     next_run_on__lte=business_date)
             .order_by("pk"))
    for plan in plans:
        while plan.next_run_on is not None and plan.next_run_on <= business_date:
            day = plan.next_run_on
            count += _run_once(plan, day)
            plan.next_run_on = plan_next_run(frequency=plan.frequency, run_day=plan.run_day,
                                             on_or_after=day + timedelta(days=1),
                                             ends_on=plan.ends_on)
            if plan.next_run_on is None:
                plan.status = PlanStatus.FINISHED
        plan.save(update_fields=["next_run_on", "status"])
    return count

