"""对账与结算 of 自助缴费 (docs/payments.md): our bill payments against each biller's 对账文件,
and the nightly settlement of the billers' 代收款项 to their 收款户.

* :func:`reconcile_run` compares our BillPayment rows of one business date with the lines of
  the biller's ``statement()`` (the file it writes) by reference and records a
  :class:`ReconcileRun` with its :class:`ReconcileDifference` rows: 我方有、对方无 (our PAID one
  missing from the file and from the next day's — written off after midnight), 对方有、我方无 (a line we have no payment for), 金额不符, 状态不符 (the
  biller wrote off one we still have 处理中 or have 冲正'd). A PROCESSING or REVERSED payment
  the biller does not have is no difference. A rerun of the same date replaces the 待处理
  differences and keeps the 已处理 ones (no new row for their references while their figures
  stay the same; a resolved one whose figures changed is 待处理 again).
* :func:`difference_resolve` is staff's 标记已处理 (a note, who, when, an audit row).
* :func:`settlement_run` (nightly step ``biller_settlement``) settles, per biller, the PAID
  payments up to the business date that are not settled yet: one ledger entry 代收款项 → 收款户
  keyed ``biller_settlement:<code>:<date>``, the payments marked with the settlement in the same
  transaction. A payment still 处理中 waits (its money may still go back by 冲正); one PAID
  late is settled by the next date's run.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ebank.billers.adapter import BillerRefused, BillerTimeout, BillerUnavailable, biller_adapter
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.ledger.services import entry_post, transfer_legs

from ..models import (
    Biller,
    BillerSettlement,
    BillPayment,
    BillPaymentStatus,
    DifferenceKind,
    DifferenceStatus,
    PaymentBusinessType,
    ReconcileDifference,
    ReconcileRun,
    ReconcileRunStatus,
)

RESOLVE_ACTION = "payments.reconcile_resolve"
NOTE_MAX = 200


@dataclass
class _Theirs:
    customer_no: str
    amount: Decimal
    biller_reference: str
    paid_at: datetime


def _statement(biller: Biller, day: date) -> tuple[dict[str, _Theirs], str]:
    """The biller's 对账文件 of ``day`` by reference (a reference listed twice: its amounts
    added), or the reason it could not be had."""
    try:
        lines = biller_adapter().statement(biller.code, day)
    except (BillerUnavailable, BillerTimeout, BillerRefused) as exc:
        return {}, str(exc.message)[:200]
    except (OSError, ValueError) as exc:
        return {}, str(exc)[:200]
    theirs: dict[str, _Theirs] = {}
    for line in lines:
        seen = theirs.get(line.reference)
        if seen is None:
            theirs[line.reference] = _Theirs(line.customer_no, line.amount,
                                             line.biller_reference, line.paid_at)
        else:
            seen.amount += line.amount
    return theirs, ""


def _kind(ours: BillPayment | None, theirs: _Theirs | None) -> str | None:
    if ours is not None and theirs is not None:
        if ours.status != BillPaymentStatus.PAID:
            return DifferenceKind.STATUS
        return None if ours.amount == theirs.amount else DifferenceKind.AMOUNT
    if ours is not None:
        return DifferenceKind.OURS_ONLY if ours.status == BillPaymentStatus.PAID else None
    return DifferenceKind.THEIRS_ONLY


def reconcile_run(*, biller: Biller, day: date) -> ReconcileRun:
    """Reconcile ``biller``'s business date ``day`` (see the module's docstring)."""
    theirs, error = _statement(biller, day)
    # Our PAID ones of ``day`` the file does not list may have been written off after midnight
    # (Asia/Shanghai): they are on the next day's file, and compared with it (when it cannot be
    # had yet, they stay 我方有、对方无 until a rerun).
    next_day: dict[str, _Theirs] = {}
    if not error and (BillPayment.objects.filter(biller=biller, business_date=day,
                                                 status=BillPaymentStatus.PAID)
                      .exclude(number__in=list(theirs)).exists()):
        next_day, _ = _statement(biller, day + timedelta(days=1))
    now = timezone.now()
    with transaction.atomic():
        run, created = ReconcileRun.objects.get_or_create(
            biller=biller, business_date=day,
            defaults={"status": ReconcileRunStatus.FAILED, "ran_at": now, "runs": 0})
        run = ReconcileRun.objects.select_for_update().get(pk=run.pk)
        run.runs += 1
        run.ran_at = now
        if error:
            # The differences found before stay as they were: nothing new is known.
            run.status, run.error = ReconcileRunStatus.FAILED, error
            run.save()
            return run
        ours = {p.number: p for p in BillPayment.objects.filter(biller=biller, business_date=day)}
        # A line of the file whose payment is of another business date (written off across
        # midnight): compared with that payment, not reported as unknown.
        elsewhere = {p.number: p for p in BillPayment.objects.filter(
            biller=biller, number__in=[ref for ref in theirs if ref not in ours])}
        found = []
        matched = 0
        for reference in sorted(set(ours) | set(theirs)):
            mine = ours.get(reference) or elsewhere.get(reference)
            line = theirs.get(reference)
            if line is None and mine is not None and mine.status == BillPaymentStatus.PAID:
                line = next_day.get(reference)
            kind = _kind(mine, line)
            if kind is None:
                matched += 1 if (mine is not None and line is not None) else 0
                continue
            found.append(ReconcileDifference(
                run=run, reference=reference, kind=kind, payment=mine,
                customer_no=(mine.customer_no if mine else line.customer_no),
                our_amount=mine.amount if mine else None,
                our_status=mine.status if mine else "",
                their_amount=line.amount if line else None,
                their_reference=line.biller_reference if line else "",
                their_paid_at=line.paid_at if line else None, found_at=now))
        resolved = {d.reference: d for d in
                    run.differences.select_for_update().filter(status=DifferenceStatus.RESOLVED)}
        run.differences.filter(status=DifferenceStatus.OPEN).delete()
        fresh = []
        for difference in found:
            kept = resolved.get(difference.reference)
            if kept is None:
                fresh.append(difference)
            elif _figures(kept) != _figures(difference):
                _reopen(kept, difference)
        ReconcileDifference.objects.bulk_create(fresh)
        paid = [p for p in ours.values() if p.status == BillPaymentStatus.PAID]
        run.status, run.error = ReconcileRunStatus.DONE, ""
        run.our_count = len(paid)
        run.our_amount = sum((p.amount for p in paid), Decimal("0.00"))
        run.their_count = len(theirs)
        run.their_amount = sum((t.amount for t in theirs.values()), Decimal("0.00"))
        run.matched_count = matched
        run.difference_count = len(found)
        run.save()
    return run


_FIGURES = ("kind", "payment_id", "customer_no", "our_amount", "our_status", "their_amount",
            "their_reference", "their_paid_at")


def _figures(difference: ReconcileDifference) -> tuple:
    return tuple(getattr(difference, name) for name in _FIGURES)


def _reopen(kept: ReconcileDifference, now_found: ReconcileDifference) -> None:
    """A resolved difference whose figures changed since (their file now lists another amount,
    our payment changed status…) is a new fact: 待处理 again with what is found now, the earlier
    note kept in front (the audit row of that resolution stays)."""
    for name in (*_FIGURES, "found_at"):
        setattr(kept, name, getattr(now_found, name))
    kept.note = f"（曾处理：{kept.note}）"[:NOTE_MAX]
    kept.status, kept.resolved_by, kept.resolved_at = DifferenceStatus.OPEN, None, None
    kept.save()


@transaction.atomic
def difference_resolve(*, difference_ids, user, note: str) -> int:
    """标记已处理: the 待处理 differences among ``difference_ids`` resolved by ``user`` with
    ``note`` (required); the number resolved. One audit row each."""
    note = (note or "").strip()
    if not note:
        raise BusinessError("请输入处理说明")
    if len(note) > NOTE_MAX:
        raise BusinessError(f"处理说明不能超过{NOTE_MAX}个字")
    rows = list(ReconcileDifference.objects.select_for_update()
                .filter(pk__in=list(difference_ids), status=DifferenceStatus.OPEN)
                .select_related("run__biller").order_by("pk"))
    now = timezone.now()
    for row in rows:
        row.status, row.note, row.resolved_by, row.resolved_at = \
            DifferenceStatus.RESOLVED, note, user, now
        row.save(update_fields=["status", "note", "resolved_by", "resolved_at"])
        audit_record(action=RESOLVE_ACTION, actor=user, channel="admin",
                     object_ref=f"{row.run.biller.code}:{row.run.business_date}:{row.reference}",
                     detail={"kind": row.kind, "note": note})
    return len(rows)


def settlement_key(biller: Biller, business_date: date) -> str:
    return f"biller_settlement:{biller.code}:{business_date:%Y%m%d}"


def biller_settle(*, biller: Biller, business_date: date) -> BillerSettlement | None:
    """Settle ``biller``'s PAID payments up to ``business_date`` not settled yet (None: nothing
    to settle, or this date is settled already — a late one waits for the next date)."""
    with transaction.atomic():
        # The biller's row first: one settlement of a biller at a time, so a second run waits
        # here and then sees the date settled (waiting at the payments instead, its snapshot
        # could take a payment PAID meanwhile and post the date's key with another amount).
        Biller.objects.select_for_update().filter(pk=biller.pk).first()
        if BillerSettlement.objects.filter(biller=biller, business_date=business_date).exists():
            return None
        # Then the payments (ordered), then the ledger accounts (inside entry_post).
        rows = list(BillPayment.objects.select_for_update()
                    .filter(biller=biller, status=BillPaymentStatus.PAID,
                            settlement__isnull=True, business_date__lte=business_date)
                    .order_by("pk").values_list("pk", "amount"))
        if not rows:
            return None
        total = sum((amount for _, amount in rows), Decimal("0.00"))
        result = entry_post(
            idempotency_key=settlement_key(biller, business_date),
            business_type=PaymentBusinessType.BILLER_SETTLEMENT,
            reference=f"{biller.code}:{business_date:%Y%m%d}",
            legs=transfer_legs(debit_account_id=biller.settlement_account_id,
                               credit_account_id=biller.collection_account_id, amount=total),
            memo=f"代收款项结算 {biller.name} {business_date:%Y-%m-%d}")
        settlement = BillerSettlement.objects.create(
            biller=biller, business_date=business_date, amount=total, count=len(rows),
            entry_id=result.entry_id, settled_at=timezone.now())
        BillPayment.objects.filter(pk__in=[pk for pk, _ in rows]).update(settlement=settlement)
    return settlement


def settlement_run(business_date: date) -> int:
    """Every biller's settlement for ``business_date``; the number of payments settled."""
    settled = 0
    for biller in Biller.objects.order_by("code"):
        settlement = biller_settle(biller=biller, business_date=business_date)
        if settlement is not None:
            settled += settlement.count
    return settled


def unsettled_paid_total(biller: Biller) -> Decimal:
    """The PAID amount still in ``biller``'s 代收款项 (not settled yet)."""
    return (BillPayment.objects.filter(biller=biller, status=BillPaymentStatus.PAID,
                                       settlement__isnull=True)
            .aggregate(s=Sum("amount"))["s"] or Decimal("0.00"))
