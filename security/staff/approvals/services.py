"""复核 services: one member of staff asks, another with the right role approves or rejects.

* ``approval_request`` is called inside the maker's own transaction (the counter action that
  checked the customer's ID): the request is written with it, or not at all.
* ``approval_approve`` locks the request, refuses the maker, a role the kind does not allow, a
  branch the checker does not work for, and a request no longer pending or past its
  ``expires_at``; then runs the kind's executor in a savepoint. The request executes once: a
  second approval finds it decided. An executor's refusal (``BusinessError``) rolls its change
  back and leaves the request 执行失败 with the reason.
* ``approval_reject`` needs a reason; ``approval_withdraw`` is the maker's own.
* ``approvals_expire`` (the nightly step) marks the stale ones 已过期; the queue shows them so
  before (a GET writes nothing).
Every decision writes an audit row ``approval.<verb>`` naming the kind.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Branch, Customer
from ebank.core.audit import audit_record, audit_record_many
from ebank.core.errors import BusinessError
from ebank.core.models import AuditOutcome
from security.models import ApprovalRequest, ApprovalStatus, User

from ..roles import Role, has_role, staff_role
from ..scoping import head_office, scope_queryset
from .registry import approval_kind_get

AUDIT_CHANNEL = "admin"
SAME_PERSON_MESSAGE = "经办人不能复核本人提交的申请"


def approval_expiry() -> timedelta:
    return timedelta(hours=settings.APPROVAL_EXPIRY_HOURS)


def _audit(request: ApprovalRequest, verb: str, actor: User, outcome=AuditOutcome.SUCCESS,
           **detail: Any) -> None:
    audit_record(action=f"approval.{verb}", actor=actor, outcome=outcome,
                 customer_id=request.customer_id, channel=AUDIT_CHANNEL,
                 object_ref=f"approval:{request.public_id}",
                 detail={"kind": request.kind, **detail})


def approval_request(*, kind: str, maker: User, payload: dict[str, Any],
                     summary: list[list[str]], branch: Branch | None = None,
                     customer: Customer | None = None) -> ApprovalRequest:
    """Write a pending request (in the caller's transaction) and its audit row."""
    approval_kind_get(kind)  # an unknown kind is a programming error
    if staff_role(maker) is None:
        raise PermissionDenied("非工作人员不能提交复核申请")
    if branch is None:
        branch = customer.branch if customer is not None else maker.branch
    if branch is None:
        raise BusinessError("未确定复核申请所属行社")
    request = ApprovalRequest.objects.create(
        kind=kind, payload=payload, summary=summary, customer=customer, branch=branch,
        requested_by=maker, expires_at=timezone.now() + approval_expiry())
    _audit(request, "requested", maker)
    return request


def approval_pending(kind: str, **match: Any) -> bool:
    """Whether a request of ``kind`` matching ``match`` (model lookups) still waits: one change
    is asked for once."""
    return ApprovalRequest.objects.filter(kind=kind, status=ApprovalStatus.PENDING,
                                          expires_at__gt=timezone.now(), **match).exists()


def approvals_visible_to(staff: User) -> QuerySet[ApprovalRequest]:
    """Head office sees every request; branch staff their branch's."""
    requests = ApprovalRequest.objects.select_related("customer", "branch", "requested_by",
                                                      "decided_by")
    return scope_queryset(requests, staff=staff, branch_path="branch")


def approval_refusal(request: ApprovalRequest, checker: User) -> str | None:
    """Why ``checker`` may not decide ``request`` (None: they may). No query beyond the roles."""
    if request.requested_by_id == checker.pk:
        return SAME_PERSON_MESSAGE
    kind = approval_kind_get(request.kind)
    if not has_role(checker, *kind.approver_roles):
        names = "、".join(Role(role).label for role in kind.approver_roles)
        return f"{kind.label}须由{names}复核"
    if not head_office(checker) and checker.branch_id != request.branch_id:
        return "只能复核本行社的申请"
    return None


def _locked(public_id) -> ApprovalRequest:
    try:
        return ApprovalRequest.objects.select_for_update().get(public_id=public_id)
    except (ApprovalRequest.DoesNotExist, ValueError) as exc:
        raise BusinessError("复核申请不存在") from exc


def _still_pending(request: ApprovalRequest) -> None:
    if request.status != ApprovalStatus.PENDING:
        raise BusinessError(f"该申请已{request.get_status_display()}，不能再复核")
    if request.expires_at <= timezone.now():
        raise BusinessError("该申请已过期，请经办人重新提交")


def _checked(public_id, checker: User) -> ApprovalRequest:
    request = _locked(public_id)
    refusal = approval_refusal(request, checker)
    if refusal is not None:
        raise PermissionDenied(refusal)
    _still_pending(request)
    return request


def _refused(decide):
    """A refused decision (wrong person, role or branch) is audited in a transaction of its own:
    the decision's own transaction has rolled back."""
    def deciding(*, public_id, checker: User, **kwargs) -> ApprovalRequest:
        try:
            return decide(public_id=public_id, checker=checker, **kwargs)
        except PermissionDenied as exc:
            request = ApprovalRequest.objects.filter(public_id=public_id).first()
            if request is not None:
                with transaction.atomic():
                    _audit(request, "refused", checker, outcome=AuditOutcome.FAILURE,
                           reason=str(exc), attempted=decide.__name__.rsplit("_", 1)[-1])
            raise

    deciding.__name__ = decide.__name__
    deciding.__doc__ = decide.__doc__
    return deciding


@_refused
@transaction.atomic(durable=True)
def approval_approve(*, public_id, checker: User) -> ApprovalRequest:
    """Approve and execute once. Returns the request, 复核通过 or 执行失败 (its reason)."""
    request = _checked(public_id, checker)
    kind = approval_kind_get(request.kind)
    now = timezone.now()
    request.decided_by, request.decided_at = checker, now
    try:
        with transaction.atomic():
            result = kind.executor(request=request, checker=checker) or {}
    except BusinessError as exc:
        request.status, request.reason = ApprovalStatus.FAILED, exc.message[:200]
        request.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        _audit(request, "failed", checker, outcome=AuditOutcome.FAILURE, reason=exc.message)
        return request
    request.status, request.result = ApprovalStatus.APPROVED, result
    request.save(update_fields=["status", "result", "decided_by", "decided_at"])
    _audit(request, "approved", checker, maker=request.requested_by.username)
    return request


@_refused
@transaction.atomic(durable=True)
def approval_reject(*, public_id, checker: User, reason: str) -> ApprovalRequest:
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError("请填写拒绝原因")
    request = _checked(public_id, checker)
    request.status, request.reason = ApprovalStatus.REJECTED, reason[:200]
    request.decided_by, request.decided_at = checker, timezone.now()
    request.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    _audit(request, "rejected", checker, reason=request.reason)
    return request


@transaction.atomic(durable=True)
def approval_withdraw(*, public_id, maker: User) -> ApprovalRequest:
    """The maker takes back a request nobody has decided yet (e.g. the customer left)."""
    request = _locked(public_id)
    if request.requested_by_id != maker.pk:
        raise PermissionDenied("只能撤回本人提交的申请")
    if request.status != ApprovalStatus.PENDING:
        raise BusinessError(f"该申请已{request.get_status_display()}，不能撤回")
    request.status = ApprovalStatus.WITHDRAWN
    request.save(update_fields=["status"])
    _audit(request, "withdrawn", maker)
    return request


def approvals_expire(*, now=None) -> int:
    """Mark every pending request past its time 已过期 (one UPDATE, one audit row each)."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = list(ApprovalRequest.objects.select_for_update(skip_locked=True)
                     .filter(status=ApprovalStatus.PENDING, expires_at__lte=now)
                     .values_list("pk", "public_id", "kind", "customer_id"))
        if not stale:
            return 0
        ApprovalRequest.objects.filter(pk__in=[row[0] for row in stale]).update(
            status=ApprovalStatus.EXPIRED)
        audit_record_many([{
            "action": "approval.expired", "actor": None, "channel": "system",
            "customer_id": customer_id, "object_ref": f"approval:{public_id}",
            "detail": {"kind": kind}} for _pk, public_id, kind, customer_id in stale])
    return len(stale)
