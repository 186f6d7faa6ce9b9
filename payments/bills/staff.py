"""人工核查: what staff do about a 处理中 bill payment (the admin's actions, payments/admin.py).

A payment whose biller never answered stays 处理中 with ``needs_review`` (services.bill_writeoff
after its last re-query); its money sits in the biller's 代收款项 book. Staff then:

* **重新查询缴费单位** (:func:`bill_staff_requery`, any staff who may view the payment): the
  biller's ``status`` now, under exactly the write-off's rule (services.bill_answer_apply): PAID →
  缴费成功 with its 回单; FAILED / NOT_FOUND → 冲正 (the money and the tool-less cap back, the SMS);
  still no answer → nothing changes.
* **确认已销账** / **确认未销账并冲正** (:func:`bill_staff_confirm`, 主管 and 总行管理员 only):
  the outcome confirmed with the biller offline (phone, 对账文件), with a required 核查说明 —
  as if the biller had answered PAID, or a 冲正 whose reason is the note.

Each payment in its own transaction: the payment row locked first (the write-off's lock order),
acted on only while 处理中 — a second click, or a re-query that got there first, does nothing
— and its pending re-query rows cancelled. One audit row naming the staff member each.
"""

from django.db import transaction
from django.utils import timezone

from ebank.billers.adapter import PayAnswer, PayStatus
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.core.models import AuditOutcome
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import due_work_cancel
from security.staff.roles import Role, has_role
from security.staff.scoping import scope_queryset

from ..models import BillPayment, BillPaymentStatus
from .services import DUE_WRITEOFF, bill_answer_apply, bill_paid, bill_reverse, biller_answer

NOTE_MAX = 200
CONFIRM_ROLES = (Role.SUPERVISOR, Role.HEAD_OFFICE)

REQUERY_ACTION = "payments.bill_staff_requery"
CONFIRM_PAID_ACTION = "payments.bill_staff_paid"
CONFIRM_REVERSED_ACTION = "payments.bill_staff_reversed"
AUDIT_LABELS = {
    REQUERY_ACTION: "缴费人工重新查询",
    CONFIRM_PAID_ACTION: "缴费人工确认已销账",
    CONFIRM_REVERSED_ACTION: "缴费人工确认未销账并冲正",
}

REQUERY_NOTE = "重新查询缴费单位"
NOT_ALLOWED = "仅主管或总行管理员可确认缴费结果"
NOTE_MISSING = "请填写核查说明"

# Outcomes (what the admin tells staff).
PAID = "paid"
REVERSED = "reversed"
UNKNOWN = "unknown"      # the biller still gave no answer: nothing changed
SKIPPED = "skipped"      # no longer 处理中 (another click or the write-off got there first)


def may_confirm(staff) -> bool:
    """Whether ``staff`` may confirm a payment's outcome (主管, 总行管理员)."""
    return has_role(staff, *CONFIRM_ROLES)


def note_check(note) -> str:
    note = (note or "").strip()
    if not note:
        raise BusinessError(NOTE_MISSING, code="note")
    if len(note) > NOTE_MAX:
        raise BusinessError(f"核查说明不能超过{NOTE_MAX}个字", code="note")
    return note


def _locked(*, payment_id, staff) -> BillPayment | None:
    """The payment, row-locked, if ``staff`` may see it (their branch; head office: all)."""
    visible = scope_queryset(BillPayment.objects.all(), staff=staff,
                             branch_path="customer__branch")
    return (visible.select_for_update(of=("self",))
            .select_related("biller", "customer", "user", "sub_account__medium__branch")
            .filter(pk=payment_id).first())


def _requeries_cancel(payment: BillPayment) -> None:
    """The payment's pending re-query rows (a running one finds it settled: a no-op)."""
    for work in DueWork.objects.filter(kind=DUE_WRITEOFF, key__startswith=f"{payment.number}:",
                                       status=DueWorkStatus.PENDING):
        due_work_cancel(work=work)


def _reviewed(payment: BillPayment, *, staff, note: str) -> None:
    payment.review_note = note
    payment.reviewed_by = staff
    payment.reviewed_at = timezone.now()
    payment.save(update_fields=["review_note", "reviewed_by", "reviewed_at"])


def _audit(action: str, payment: BillPayment, *, staff, outcome: str, note: str = "",
           result: str) -> None:
    audit_record(action=action, actor=staff, channel="admin", outcome=outcome,
                 customer_id=payment.customer_id, object_ref=f"bill:{payment.number}",
                 detail={"amount": str(payment.amount), "biller": payment.biller.code,
                         "note": note, "result": result, "staff": staff.get_username()})


@transaction.atomic(durable=True)
def bill_staff_requery(*, payment_id, staff) -> str:
    """重新查询缴费单位 for one payment: :data:`PAID`, :data:`REVERSED`, :data:`UNKNOWN` (the biller
    still silent, nothing changed) or :data:`SKIPPED` (not 处理中, or not this staff's)."""
    payment = _locked(payment_id=payment_id, staff=staff)
    if payment is None or payment.status != BillPaymentStatus.PROCESSING:
        return SKIPPED
    answer = biller_answer(payment, attempt=1)  # status(): never a second pay()
    if answer is None:
        _audit(REQUERY_ACTION, payment, staff=staff, outcome=AuditOutcome.FAILURE,
               result=UNKNOWN)
        return UNKNOWN
    bill_answer_apply(payment=payment, answer=answer)
    _reviewed(payment, staff=staff, note=REQUERY_NOTE)
    _requeries_cancel(payment)
    result = PAID if payment.status == BillPaymentStatus.PAID else REVERSED
    _audit(REQUERY_ACTION, payment, staff=staff, outcome=AuditOutcome.SUCCESS, result=result)
    return result


@transaction.atomic(durable=True)
def bill_staff_confirm(*, payment_id, staff, paid: bool, note) -> str:
    """确认已销账 (``paid``) or 确认未销账并冲正 for one payment, with the required 核查说明:
    :data:`PAID`, :data:`REVERSED` or :data:`SKIPPED` (not 处理中 any more, or not this staff's).
    BusinessError for staff below 主管 or without a note."""
    if not may_confirm(staff):
        raise BusinessError(NOT_ALLOWED, code="forbidden")
    note = note_check(note)
    payment = _locked(payment_id=payment_id, staff=staff)
    if payment is None or payment.status != BillPaymentStatus.PROCESSING:
        return SKIPPED
    if paid:
        bill_paid(payment=payment, answer=PayAnswer(status=PayStatus.PAID,
                                                    reference=payment.number))
        action, result = CONFIRM_PAID_ACTION, PAID
    else:
        bill_reverse(payment=payment, reason=note)
        action, result = CONFIRM_REVERSED_ACTION, REVERSED
    _reviewed(payment, staff=staff, note=note)
    _requeries_cancel(payment)
    _audit(action, payment, staff=staff, outcome=AuditOutcome.SUCCESS, note=note, result=result)
    return result
