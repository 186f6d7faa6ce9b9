"""账单分期管理 (CC-INSTAL; docs/creditcard.md "Instalments"): 试算, 账单分期 and 灵活分期 (apply,
提前终止, 查询).

An application is quoted first (the whole table and the APR, DOMAIN-RULES §3: the cost as an
annual rate before the customer agrees), then confirmed through X-CONFIRM; the executor checks
everything again under the card lock and writes the plan and the conversion that pays the
statement's purchases (账单分期, oldest first) or the one purchase (灵活分期). The conversion has no
ledger entry: the debt only changes its form (items owed → the plan's unbilled principal). The
statement run bills the periods; 提前终止 bills the unbilled principal at once (an item with no
entry) and no later fee.

Decisions where the rules leave room:
* the principal is any amount to the fen from 500.00 up to what is allowed;
* 账单分期 is open for the card's last statement from its 账单日 to the day before its 到期还款日,
  up to what that statement's purchases still owe; a statement is split once;
* 灵活分期 converts the whole of what one purchase still owes (at least 500.00), billed or not,
  once a purchase and never a purchase that was (partly) refunded.
"""

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse

from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import format_cny
from security.confirm.services import operation_start
from security.models import PendingOperation

from ..engine import CardUnavailable, card_lock, card_verify, conversion_add, item_add
from ..models import (
    Card,
    CardItem,
    CardStatus,
    CreditKind,
    InstalmentKind,
    InstalmentPlan,
    InstalmentStatus,
    ItemKind,
    Statement,
)
from ..settings import INSTALMENT_PERIODS, instalment_rate_on
from .schedule import PeriodRow, apr, schedule

MIN_PRINCIPAL = Decimal("500.00")
ZERO = Decimal("0.00")

KIND_BILL = "creditcard.bill_instal"
KIND_FLEX = "creditcard.flex_instal"
KIND_BILL_TERMINATE = "creditcard.bill_instal_terminate"
KIND_FLEX_TERMINATE = "creditcard.flex_instal_terminate"
APPLY_KINDS = {InstalmentKind.BILL: KIND_BILL, InstalmentKind.FLEX: KIND_FLEX}
TERMINATE_KINDS = {InstalmentKind.BILL: KIND_BILL_TERMINATE,
                   InstalmentKind.FLEX: KIND_FLEX_TERMINATE}

APPLY_ACTION = "creditcard.instal_apply"
TERMINATE_ACTION = "creditcard.instal_terminate"
AUDIT_LABELS = {APPLY_ACTION: "信用卡分期申请", TERMINATE_ACTION: "信用卡分期提前终止"}

NO_STATEMENT = "该信用卡尚无已出账单，不能办理账单分期"
PAST_DUE = "账单分期须在本期账单到期还款日之前申请"
ALREADY_SPLIT = "该期账单已办理账单分期，每期账单只能分期一次"
FLEX_TAKEN = "该笔消费已办理灵活分期"
ALREADY_CONVERTED = "该笔消费已办理账单分期，不能再办理灵活分期"
RATE_CHANGED = "分期手续费率已调整，请重新申请"
NOTHING_UNBILLED = "该分期本金已全部入账，无需提前终止"
NOT_ACTIVE = "该分期不在分期中，不能提前终止"
APPLIED_MESSAGE = "申请分期成功，各期本金和手续费将从下一账单日起逐期计入账单"
TERMINATED_MESSAGE = "提前终止成功，剩余本金将计入下期账单"
FEE_NOTE = "提前终止后，剩余未入账本金将一次性计入下期账单，以后各期手续费不再收取"


# --- amounts and the table ----------------------------------------------------------------------


def amount_parse(text) -> Decimal:
    """The principal typed: a number to the fen, at least 500.00."""
    try:
        value = Decimal(str(text).strip().replace(",", ""))
        # 1e30 and the like: quantize itself raises (more digits than the context holds).
        exact = value.is_finite() and value == value.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise BusinessError("请输入正确的分期金额", code="amount") from None
    if not exact or value <= 0:
        raise BusinessError("分期金额须为大于零、最多两位小数的数字", code="amount")
    if value < MIN_PRINCIPAL:
        raise BusinessError(f"分期金额不能低于{format_cny(MIN_PRINCIPAL)}", code="amount")
    return value


def periods_parse(value) -> int:
    try:
        periods = int(value)
    except (TypeError, ValueError):
        raise BusinessError("请选择分期期数", code="periods") from None
    if periods not in INSTALMENT_PERIODS:
        raise BusinessError("分期期数只能为3、6、12或24期", code="periods")
    return periods


@dataclass(frozen=True)
class Trial:
    """分期付款试算's answer (and every application's table)."""

    principal: Decimal
    periods: int
    fee_rate: Decimal
    rows: list[PeriodRow]
    apr: Decimal

    @property
    def period_principal(self) -> Decimal:
        return self.rows[0].principal

    @property
    def period_fee(self) -> Decimal:
        return self.rows[0].fee

    @property
    def total_fee(self) -> Decimal:
        return sum((row.fee for row in self.rows), ZERO)

    @property
    def total_payment(self) -> Decimal:
        return self.principal + self.total_fee

    @property
    def rate_percent(self) -> str:
        return f"{self.fee_rate * 100:.2f}%"


def instal_trial(*, principal: Decimal, periods: int, on: date | None = None) -> Trial:
    """The table and the APR at the rate in force on ``on`` (refused when none is)."""
    rate = instalment_rate_on(periods_parse(periods), business_day(on))
    rows = schedule(principal, periods, rate)
    return Trial(principal, periods, rate, rows, apr(rows, principal))


def _trial_at(principal: Decimal, periods: int, rate: Decimal) -> Trial:
    rows = schedule(principal, periods, rate)
    return Trial(principal, periods, rate, rows, apr(rows, principal))


def plan_trial(plan: InstalmentPlan) -> Trial:
    """A plan's own table (the rate it was agreed at)."""
    return _trial_at(plan.principal, plan.periods, plan.fee_rate)


def trial_summary(trial: Trial) -> list[tuple[str, str]]:
    return [("分期期数", f"{trial.periods}期"), ("每期手续费率", trial.rate_percent),
            ("每期应还本金", format_cny(trial.period_principal)),
            ("每期手续费", format_cny(trial.period_fee)),
            ("首期应还金额", format_cny(trial.rows[0].payment)),
            ("手续费总额", format_cny(trial.total_fee)),
            ("年化利率", f"{trial.apr:.2f}%")]


# --- what may be converted ----------------------------------------------------------------------


def statement_purchases_owed(statement: Statement) -> Decimal:
    """可分期金额 of 账单分期: what the statement's purchases still owe."""
    return (CardItem.objects.filter(statement=statement, kind=ItemKind.PURCHASE)
            .aggregate(s=Sum("outstanding"))["s"] or ZERO)


def bill_instal_check(*, card: Card, statement: Statement | None, today: date) -> Decimal:
    """The statement may be split today: returns what may be converted, or refuses."""
    if card.status != CardStatus.ACTIVE:
        raise CardUnavailable()
    if statement is None:
        raise BusinessError(NO_STATEMENT)
    last = card.statements.order_by("-statement_date").values_list("pk", flat=True).first()
    if statement.pk != last:
        raise BusinessError("只能对最近一期账单办理账单分期")
    if not statement.statement_date <= today < statement.due_date:
        raise BusinessError(PAST_DUE)
    if InstalmentPlan.objects.filter(statement=statement, kind=InstalmentKind.BILL).exists():
        raise BusinessError(ALREADY_SPLIT, code="already_split")
    owed = statement_purchases_owed(statement)
    if owed < MIN_PRINCIPAL:
        raise BusinessError(f"本期账单可分期金额不足{format_cny(MIN_PRINCIPAL)}，不能办理账单分期")
    return owed


def flex_items(card: Card) -> list[CardItem]:
    """The purchases 灵活分期 may convert: not refunded, not yet converted, owing 500.00 or more."""
    return list(CardItem.objects.filter(card=card, kind=ItemKind.PURCHASE, refunded=0,
                                        outstanding__gte=MIN_PRINCIPAL)
                .exclude(instalment_plans__kind=InstalmentKind.FLEX)
                .exclude(allocations__credit__kind=CreditKind.CONVERSION)
                .order_by("-posted_on", "-pk"))


def flex_instal_check(*, card: Card, item: CardItem) -> Decimal:
    if card.status != CardStatus.ACTIVE:
        raise CardUnavailable()
    if item.card_id != card.pk or item.kind != ItemKind.PURCHASE:
        raise BusinessError("请选择一笔消费交易")
    if InstalmentPlan.objects.filter(item=item, kind=InstalmentKind.FLEX).exists():
        raise BusinessError(FLEX_TAKEN, code="already_split")
    if item.allocations.filter(credit__kind=CreditKind.CONVERSION).exists():
        # Part of it went into a 账单分期 (its statement's purchases, oldest first).
        raise BusinessError(ALREADY_CONVERTED, code="already_split")
    if item.refunded > 0:
        raise BusinessError("已退货的消费不能办理灵活分期")
    if item.outstanding < MIN_PRINCIPAL:
        raise BusinessError(f"该笔消费未还金额不足{format_cny(MIN_PRINCIPAL)}，不能办理灵活分期")
    return item.outstanding


# --- apply: start (the page) and execute (the confirmation) -------------------------------------


def _card_line(card: Card) -> tuple[str, str]:
    return ("信用卡", card.medium.masked_number)


@transaction.atomic(durable=True)
def bill_instal_start(*, user, card: Card, statement: Statement, principal: Decimal,
                      periods: int) -> PendingOperation:
    """申请分期 of 账单分期, after the table was shown: check, then X-CONFIRM."""
    today = business_day()
    principal = amount_parse(principal)
    owed = bill_instal_check(card=card, statement=statement, today=today)
    if principal > owed:
        raise BusinessError(f"分期金额不能超过本期账单可分期金额{format_cny(owed)}", code="amount")
    trial = instal_trial(principal=principal, periods=periods, on=today)
    summary = [_card_line(card), ("分期类型", InstalmentKind.BILL.label),
               ("分期账单", f"{statement.statement_date:%Y年%m月%d日}账单"),
               ("到期还款日", f"{statement.due_date:%Y-%m-%d}"), *trial_summary(trial)]
    payload = {"card": card.pk, "statement": statement.pk, "amount": f"{principal:.2f}",
               "periods": periods, "fee_rate": str(trial.fee_rate), "apr": str(trial.apr)}
    return operation_start(user=user, kind=KIND_BILL, payload=payload, summary=summary,
                           back_url=reverse("creditcard:bill_instal") + f"?card={card.pk}")


@transaction.atomic(durable=True)
def flex_instal_start(*, user, card: Card, item: CardItem, periods: int) -> PendingOperation:
    principal = flex_instal_check(card=card, item=item)
    trial = instal_trial(principal=principal, periods=periods)
    summary = [_card_line(card), ("分期类型", InstalmentKind.FLEX.label),
               ("分期消费", f"{item.txn_date:%Y-%m-%d} {item.merchant or item.description}"),
               *trial_summary(trial)]
    payload = {"card": card.pk, "item": item.pk, "amount": f"{principal:.2f}",
               "periods": periods, "fee_rate": str(trial.fee_rate), "apr": str(trial.apr)}
    return operation_start(user=user, kind=KIND_FLEX, payload=payload, summary=summary,
                           back_url=reverse("creditcard:flex_instal") + f"?card={card.pk}")


def plan_reference_new(today: date) -> str:
    """分期编号: FQ + the business day + 10 random digits."""
    return f"FQ{today:%Y%m%d}{secrets.randbelow(10**10):010d}"


def _operation_card(operation: PendingOperation) -> Card:
    """The payload's card, the customer's own, locked first (the card lock order)."""
    card_id = operation.payload["card"]
    if not Card.objects.filter(pk=card_id, customer_id=operation.user.customer_id).exists():
        raise BusinessError("没有这张信用卡")
    return card_lock(card_id)


def _agreed_trial(operation: PendingOperation, principal: Decimal, today: date) -> Trial:
    """The table the customer saw, provided the rate is still the one in force."""
    p = operation.payload
    trial = instal_trial(principal=principal, periods=p["periods"], on=today)
    if trial.fee_rate != Decimal(p["fee_rate"]) or trial.apr != Decimal(p["apr"]):
        raise BusinessError(RATE_CHANGED)
    return trial


def _sound(card: Card) -> None:
    balance, items = card_verify(card)
    if balance != items:  # a bug: roll the whole confirmation back
        raise RuntimeError(f"信用卡 {card.pk} 账务不平: 分户余额 {balance} ≠ 明细 {items}")


def _plan_create(*, operation: PendingOperation, card: Card, kind: str, trial: Trial,
                 pay: list[CardItem], today: date, statement: Statement | None = None,
                 item: CardItem | None = None) -> InstalmentPlan:
    reference = plan_reference_new(today)
    plan = InstalmentPlan.objects.create(
        card=card, kind=kind, statement=statement, item=item, principal=trial.principal,
        periods=trial.periods, fee_rate=trial.fee_rate,
        period_principal=trial.period_principal, period_fee=trial.period_fee, apr=trial.apr,
        applied_on=today, unbilled_principal=trial.principal, reference=reference)
    conversion_add(card=card, amount=trial.principal, items=pay, posted_on=today,
                   reference=reference,
                   description=f"{InstalmentKind(kind).label}转分期 {trial.periods}期")
    _sound(card)
    audit_record(action=APPLY_ACTION, actor=operation.user, customer_id=card.customer_id,
                 object_ref=f"instalment:{reference}",
                 detail={"kind": kind, "card": card.medium.masked_number,
                         "principal": str(trial.principal), "periods": trial.periods,
                         "fee_rate": str(trial.fee_rate), "apr": str(trial.apr)})
    return plan


def _apply_result(plan: InstalmentPlan, trial: Trial) -> dict:
    return {"message": APPLIED_MESSAGE,
            "plan": plan.pk,
            "lines": [["分期编号", plan.reference], ["分期本金", format_cny(plan.principal)],
                      ["分期期数", f"{plan.periods}期"],
                      ["每期应还金额", format_cny(trial.rows[0].payment)],
                      ["年化利率", f"{plan.apr:.2f}%"]]}


def bill_instal_execute(*, operation: PendingOperation) -> dict:
    """Under the card lock: the statement may still be split, the amount is still owed by its
    purchases, the rate is unchanged; then the plan and the conversion (oldest purchase first)."""
    p = operation.payload
    card = _operation_card(operation)
    today = business_day()
    statement = Statement.objects.filter(pk=p["statement"], card=card).first()
    owed = bill_instal_check(card=card, statement=statement, today=today)
    principal = Decimal(p["amount"])
    if principal > owed:
        raise BusinessError(f"分期金额超过本期账单可分期金额{format_cny(owed)}")
    trial = _agreed_trial(operation, principal, today)
    purchases = list(CardItem.objects.filter(statement=statement, kind=ItemKind.PURCHASE,
                                             outstanding__gt=0).order_by("posted_on", "pk"))
    plan = _plan_create(operation=operation, card=card, kind=InstalmentKind.BILL, trial=trial,
                        pay=purchases, today=today, statement=statement)
    return _apply_result(plan, trial)


def flex_instal_execute(*, operation: PendingOperation) -> dict:
    p = operation.payload
    card = _operation_card(operation)
    today = business_day()
    item = CardItem.objects.filter(pk=p["item"], card=card).first()
    if item is None:
        raise BusinessError("没有这笔消费")
    principal = flex_instal_check(card=card, item=item)
    if principal != Decimal(p["amount"]):
        raise BusinessError("该笔消费的未还金额已变化，请重新申请")
    trial = _agreed_trial(operation, principal, today)
    plan = _plan_create(operation=operation, card=card, kind=InstalmentKind.FLEX, trial=trial,
                        pay=[item], today=today, item=item)
    return _apply_result(plan, trial)


# --- 提前终止 ------------------------------------------------------------------------------------


def terminate_check(plan: InstalmentPlan) -> None:
    if plan.status != InstalmentStatus.ACTIVE:
        raise BusinessError(NOT_ACTIVE)
    if plan.unbilled_principal <= 0:
        raise BusinessError(NOTHING_UNBILLED)


def future_fees(plan: InstalmentPlan) -> Decimal:
    """The fees of the periods not yet billed (not charged after 提前终止)."""
    return plan.period_fee * (plan.periods - plan.periods_billed)


def terminate_summary(plan: InstalmentPlan) -> list[tuple[str, str]]:
    return [_card_line(plan.card), ("分期类型", plan.get_kind_display()),
            ("分期编号", plan.reference), ("分期本金", format_cny(plan.principal)),
            ("分期期数", f"{plan.periods}期"), ("已入账期数", f"{plan.periods_billed}期"),
            ("剩余未入账本金", format_cny(plan.unbilled_principal)),
            ("不再收取的手续费", format_cny(future_fees(plan)))]


@transaction.atomic(durable=True)
def instal_terminate_start(*, user, plan: InstalmentPlan) -> PendingOperation:
    """提前终止 after its confirmation page: X-CONFIRM with a security tool (证书密码)."""
    terminate_check(plan)
    payload = {"card": plan.card_id, "plan": plan.pk,
               "amount": f"{plan.unbilled_principal:.2f}"}
    list_name = ("creditcard:bill_instal_terminate" if plan.kind == InstalmentKind.BILL
                 else "creditcard:flex_instal_terminate")
    return operation_start(user=user, kind=TERMINATE_KINDS[plan.kind], payload=payload,
                           summary=[*terminate_summary(plan), ("说明", FEE_NOTE)],
                           back_url=reverse(list_name))


def instal_terminate_execute(*, operation: PendingOperation) -> dict:
    """Under the card lock: the unbilled principal as one 分期本金 item posted today (billed on
    the next statement), the plan 已提前终止 with nothing left unbilled."""
    p = operation.payload
    card = _operation_card(operation)
    plan = InstalmentPlan.objects.select_for_update().filter(pk=p["plan"], card=card).first()
    if plan is None:
        raise BusinessError("没有这笔分期")
    terminate_check(plan)
    remaining = plan.unbilled_principal
    if remaining != Decimal(p["amount"]):
        raise BusinessError("该分期的剩余本金已变化，请重新办理")
    today = business_day()
    item_add(card=card, kind=ItemKind.INSTALMENT, amount=remaining, txn_date=today,
             posted_on=today, reference=f"{plan.reference}-END",
             description=f"{plan.get_kind_display()}提前终止 剩余本金", instalment=plan)
    plan.status = InstalmentStatus.TERMINATED
    plan.unbilled_principal = ZERO
    plan.terminated_on = today
    plan.save(update_fields=["status", "unbilled_principal", "terminated_on"])
    _sound(card)
    audit_record(action=TERMINATE_ACTION, actor=operation.user, customer_id=card.customer_id,
                 object_ref=f"instalment:{plan.reference}",
                 detail={"kind": plan.kind, "remaining": str(remaining),
                         "periods_billed": plan.periods_billed})
    return {"message": TERMINATED_MESSAGE,
            "lines": [["分期编号", plan.reference], ["一次性入账本金", format_cny(remaining)],
                      ["说明", "剩余本金计入下期账单，以后各期手续费不再收取"]]}
