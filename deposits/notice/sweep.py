"""活期宝 (DEP-HQB): a sweep agreement on a debit card — the 活期主账户 balance above the 留存金额
goes into 七天通知存款 and comes back when the 活期 account is below it.

Decisions where the manual and the rules are silent (docs/deposits.md):

* 签约 is at the counter (the manual offers only 解约 and 查询 online): the counter action
  活期宝签约 (deposits/notice/counter.py), one active agreement per card, 留存金额 ≥ 0.
* Each night (step 活期宝归集, order 120, after 活期积数累计 and 活期结息) the available balance
  above the 留存金额 is swept **in whole thousands of yuan, and only when that is ≥ 50,000**
  (七天通知存款's minimum). Each sweep is a ``Deposit`` of its own (七天通知存款, ``sweep`` set),
  so each keeps its own days. The sweep is made at the end of day D, whose 活期 积数 already
  holds the money, so it earns from D+1 (起息日).
* When the available balance is below the 留存金额, enough is brought back that night, oldest
  sweep first, each part with its interest (a part of a sweep may come back; the rest keeps its
  起息日). The money comes back **nightly, not at the moment of a payment**: a payment during the
  day can use only what is in the 活期 account.
* Interest of swept money (利随本清, the rates of the day it comes back): the agreement stands
  for the notice, so a part held ≥ 7 days earns the 七天通知存款 rate, a part held < 7 days
  earns 活期 (``interest.notice_interest`` with the notice deemed given on the 起息日). Money
  brought back at night on D counts days through D (it is back in 活期 from D+1).
* 解约 online (X-CONFIRM): every sweep comes back at once with its interest, days to the 解约
  day, and the agreement ends.
* Rerun-safe: postings are keyed by agreement and date (and sweep), and ``swept_through``
  marks the date done, so a rerun of a date does nothing.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction

from accounts.models import (
    Medium,
    MediumKind,
    MediumStatus,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)
from accounts.receipts.services import ReceiptChannel
from accounts.services import sub_account_close
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.ledger.models import LedgerAccount

from .. import fixed
from ..business_types import DepositBusinessType
from ..interest import days_between, notice_interest
from ..models import Deposit, DepositStatus, Product, SweepAgreement, SweepStatus
from ..rates import rate_on
from . import services
from .services import MINIMUM, notice_deposit_open

SWEEP_UNIT = Decimal("1000")
SWEEP_MINIMUM = MINIMUM  # 七天通知存款起存金额 50,000
NOTICE_DAYS = services.NOTICE_DAYS[Product.NOTICE_7D]
BATCH = ReceiptChannel.BATCH
ZERO = services.ZERO

AGREEMENT_UNKNOWN = "活期宝协议不存在或已解约"
CARD_UNKNOWN = "请选择客户本人正常状态的借记卡"
ALREADY_SIGNED = "该借记卡已签订活期宝协议"


def card_main(medium: Medium) -> SubAccount:
    return (SubAccount.objects.select_related("medium__customer", "medium__branch")
            .get(medium=medium, kind=SubAccountKind.CURRENT_MAIN))


def _available(sub: SubAccount) -> Decimal:
    balance, held = LedgerAccount.objects.values_list("balance", "held").get(
        pk=sub.ledger_account_id)
    return balance - held


def sweep_amount(available: Decimal, threshold: Decimal) -> Decimal:
    """What goes in: the excess in whole thousands, when that is at least 50,000; else 0."""
    excess = ((available - threshold) / SWEEP_UNIT).to_integral_value(ROUND_FLOOR) * SWEEP_UNIT
    return excess.quantize(Decimal("0.01")) if excess >= SWEEP_MINIMUM else ZERO


def tranche_interest(deposit: Deposit, amount: Decimal, *, until: date, rates_on: date) -> Decimal:
    """Interest of ``amount`` of a sweep for its days from the 起息日 to ``until`` (not
    counted), at the rates of ``rates_on``: held ≥ 7 days → 七天通知存款, else 活期."""
    if days_between(deposit.value_date, until) == 0:
        return ZERO
    return notice_interest(
        principal=amount, notice_days=NOTICE_DAYS, opened_on=deposit.value_date,
        withdrawn_on=until, notice_given_on=deposit.value_date,
        notice_rate=rate_on(product=Product.NOTICE_7D, term_months=0, day=rates_on).annual_rate,
        current_rate=fixed.current_rate(rates_on))


# --- 签约 (at the counter) --------------------------------------------------------------------------


def sign_check(*, customer, medium: Medium, threshold: Decimal) -> Medium:
    if (medium is None or medium.customer_id != customer.pk
            or medium.kind != MediumKind.DEBIT_CARD or medium.status != MediumStatus.NORMAL):
        raise BusinessError(CARD_UNKNOWN, code="card")
    if threshold is None or threshold < 0:
        raise BusinessError("请输入留存金额（不小于0元）", code="threshold")
    if SweepAgreement.objects.filter(medium=medium, status=SweepStatus.ACTIVE).exists():
        raise BusinessError(ALREADY_SIGNED, code="already_signed")
    return medium


def agreement_sign_post(*, staff, customer, medium: Medium, threshold: Decimal,
                        on: date) -> SweepAgreement:
    """活期宝签约 inside the counter action's transaction (customer row locked by it)."""
    medium = Medium.objects.select_for_update().get(pk=medium.pk)
    sign_check(customer=customer, medium=medium, threshold=threshold)
    agreement = SweepAgreement.objects.create(medium=medium, threshold=threshold, signed_on=on,
                                              signed_by_id=getattr(staff, "pk", None))
    audit_record(action="deposits.hqb_sign", actor=staff, customer_id=customer.pk,
                 channel="counter", object_ref=f"sweep:{agreement.pk}",
                 detail={"medium": medium.masked_number, "threshold": str(threshold)})
    return agreement


# --- movements ------------------------------------------------------------------------------------


def tranches_of(agreement: SweepAgreement, *, lock: bool = False) -> list[Deposit]:
    query = (Deposit.objects.select_related("sub_account__medium__customer",
                                            "sub_account__medium__branch",
                                            "interest_account__medium__customer",
                                            "interest_account__medium__branch")
             .filter(sweep=agreement, status=DepositStatus.OPEN).order_by("value_date", "pk"))
    if lock:
        query = query.select_for_update(of=("self",))
    return list(query)


def _sweep_in(agreement: SweepAgreement, main: SubAccount, amount: Decimal, day: date) -> Deposit:
    rate = rate_on(product=Product.NOTICE_7D, term_months=0, day=day)
    opened = notice_deposit_open(
        source=main, product=Product.NOTICE_7D, amount=amount, rate=rate,
        key=f"deposits:sweep:{agreement.pk}:{day.isoformat()}:in", on=day,
        business=DepositBusinessType.SWEEP, memo="活期宝归集（转入七天通知存款）",
        value_date=day + timedelta(days=1), channel=BATCH, sweep=agreement)
    return opened.deposit


@dataclass(frozen=True)
class Returned:
    principal: Decimal
    interest: Decimal
    receipt: object


def _tranche_back(deposit: Deposit, amount: Decimal, *, key: str, on: date, until: date,
                  channel: str) -> Returned:
    """``amount`` of one sweep back to the 活期主账户 with its interest (its own entry)."""
    sub, to = deposit.sub_account, deposit.interest_account
    balance = fixed.balance_of(sub)
    interest = tranche_interest(deposit, amount, until=until, rates_on=on)
    memo = "活期宝转回活期"
    _, receipt = fixed.transfer_with_receipts(
        payer=sub, payee=to, amount=amount, key=f"{key}:principal",
        business_type=DepositBusinessType.SWEEP, reference=f"deposit:{deposit.pk}", memo=memo,
        channel=channel)
    fixed.interest_post(deposit=deposit, to=to, interest=interest, key=key,
                        memo="活期宝利息（七天通知存款）", channel=channel)
    deposit.interest_paid += interest
    update = ["interest_paid"]
    if amount == balance:
        deposit.status, deposit.closed_on = DepositStatus.CLOSED, on
        update += ["status", "closed_on"]
        sub_account_close(sub_account=sub, closed_on=on)
    deposit.save(update_fields=update)
    return Returned(amount, interest, receipt)


def _agreement_night(agreement: SweepAgreement, day: date) -> int:
    """One agreement's sweep of ``day`` (locked by the caller); the number of movements."""
    main = card_main(agreement.medium)
    moves = 0
    usable = (agreement.medium.status == MediumStatus.NORMAL
              and main.status == SubAccountStatus.OPEN)
    if usable:
        available = _available(main)
        amount = sweep_amount(available, agreement.threshold)
        if amount:
            _sweep_in(agreement, main, amount, day)
            moves += 1
        elif available < agreement.threshold:
            need = agreement.threshold - available
            for deposit in tranches_of(agreement, lock=True):
                if need <= 0:
                    break
                take = min(need, fixed.balance_of(deposit.sub_account))
                _tranche_back(deposit, take,
                              key=f"deposits:sweep:{agreement.pk}:{day.isoformat()}:out:"
                                  f"{deposit.pk}",
                              on=day, until=day + timedelta(days=1), channel=BATCH)
                need -= take
                moves += 1
    agreement.swept_through = day
    agreement.save(update_fields=["swept_through"])
    return moves


def sweep_run(business_date: date) -> int:
    """The nightly 活期宝归集 of ``business_date`` (inside the step's transaction): every active
    agreement not yet swept for that date; returns the number of movements."""
    agreements = (SweepAgreement.objects.select_for_update(of=("self",))
                  .select_related("medium")
                  .filter(status=SweepStatus.ACTIVE, signed_on__lte=business_date)
                  .exclude(swept_through__gte=business_date).order_by("pk"))
    moves = 0
    for agreement in agreements:
        # A savepoint each: a refusal (a payment that took the money between the read and the
        # move) leaves that agreement for the next night instead of failing the whole step.
        try:
            with transaction.atomic():
                moves += _agreement_night(agreement, business_date)
        except BusinessError:
            continue
    return moves


# --- 查询 and 解约 (online) --------------------------------------------------------------------------


def agreement_for_customer(*, customer, pk, lock: bool = False) -> SweepAgreement:
    """The customer's active agreement on a linked card; else BusinessError."""
    pk = fixed.int_or_none(pk)
    query = SweepAgreement.objects.select_related("medium__customer", "medium__branch")
    if lock:
        query = query.select_for_update(of=("self",))
    agreement = query.filter(pk=pk, status=SweepStatus.ACTIVE,
                             medium__customer=customer).first() if pk else None
    if agreement is None or not fixed.medium_linked(customer, agreement.medium):
        raise BusinessError(AGREEMENT_UNKNOWN, code="agreement_unknown")
    return agreement


@dataclass(frozen=True)
class SweepView:
    agreement: SweepAgreement
    swept: Decimal
    interest: Decimal
    tranches: list


def agreement_view(agreement: SweepAgreement, on: date) -> SweepView:
    """查询: the swept balance and the interest it has earned so far (as 解约 today would pay)."""
    rows, swept, interest = [], ZERO, ZERO
    for deposit in tranches_of(agreement):
        balance = fixed.balance_of(deposit.sub_account)
        try:
            earned = tranche_interest(deposit, balance, until=on, rates_on=on)
        except BusinessError:
            earned = ZERO
        rows.append({"deposit": deposit, "balance": balance, "interest": earned,
                     "days": days_between(deposit.value_date, on)})
        swept += balance
        interest += earned
    return SweepView(agreement, swept, interest, rows)


def agreements_for_customer(*, customer, on: date) -> list[SweepView]:
    from accounts.models import LinkedMedium

    linked = LinkedMedium.objects.filter(customer=customer).values("medium_id")
    agreements = (SweepAgreement.objects.select_related("medium")
                  .filter(medium__customer=customer, medium_id__in=linked)
                  .order_by("status", "-signed_on", "-pk"))
    return [agreement_view(agreement, on) for agreement in agreements]


@dataclass(frozen=True)
class Terminated:
    agreement: SweepAgreement
    principal: Decimal
    interest: Decimal
    receipt: object


def agreement_terminate_post(*, user, agreement: SweepAgreement, idempotency_key: str,
                             on: date, channel: str = ReceiptChannel.WEB) -> Terminated:
    """解约 inside the caller's transaction (``agreement`` locked): every sweep back now with
    its interest (days to ``on``, not counted), then the agreement ends."""
    principal = interest = ZERO
    receipt = None
    for deposit in tranches_of(agreement, lock=True):
        back = _tranche_back(deposit, fixed.balance_of(deposit.sub_account),
                             key=f"{idempotency_key}:{deposit.pk}", on=on, until=on,
                             channel=channel)
        principal += back.principal
        interest += back.interest
        receipt = receipt or back.receipt
    agreement.status, agreement.terminated_on = SweepStatus.TERMINATED, on
    agreement.save(update_fields=["status", "terminated_on"])
    audit_record(action="deposits.hqb_terminate", actor=user,
                 customer_id=agreement.medium.customer_id, object_ref=f"sweep:{agreement.pk}",
                 detail={"principal": str(principal), "interest": str(interest)})
    return Terminated(agreement, principal, interest, receipt)


@transaction.atomic(durable=True)
def agreement_terminate(*, user, agreement_id, idempotency_key: str) -> Terminated:
    """活期宝解约 without the confirmation page (tests)."""
    agreement = agreement_for_customer(customer=user.customer, pk=agreement_id, lock=True)
    return agreement_terminate_post(user=user, agreement=agreement,
                                    idempotency_key=idempotency_key, on=business_day())
