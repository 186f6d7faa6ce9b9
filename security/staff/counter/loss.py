"""STF-LOSS at the counter: 书面挂失 and 解除挂失, each with the ID check and a 业务受理单.

* 书面挂失: a card or passbook in 正常 or 口头挂失 becomes 书面挂失 at once (the nightly batch
  never releases it, unlike an online 口头挂失).
* 解除挂失: a 口头挂失 is released at once; a 书面挂失 only through 复核 — the teller's request
  (ID checked, reason given) waits in 待复核 until a 主管 of the branch or head office approves,
  and the slip is printed then, naming both. The request carries the medium and the reason,
  nothing secret.
Registered as counter actions (``actions.counter_action``) and as the 复核 kind
``counter.loss_release`` when this module is imported (SecurityConfig.ready()).
"""

from django import forms
from django.db import transaction

from accounts.models import Customer, Medium, MediumStatus
from accounts.pages.services import medium_loss_release, medium_written_loss_record
from ebank.core.errors import BusinessError
from security.models import ApprovalRequest, CounterAction, CounterReceipt, User

from ..approvals.registry import approval_kind
from ..approvals.services import approval_pending, approval_request
from ..roles import Role
from .actions import CounterActionSpec, counter_action
from .common import counter_record, customer_lock, identity_checked_row, staff_branch
from .forms import IdentityForm, MediumChoiceField
from .services import counter_begin

RELEASE_KIND = "counter.loss_release"
LOSS_STATUSES = (MediumStatus.ORAL_LOSS, MediumStatus.WRITTEN_LOSS)
LOSABLE_STATUSES = (MediumStatus.NORMAL, MediumStatus.ORAL_LOSS)


def _medium_locked(*, customer: Customer, medium: Medium) -> Medium:
    medium = Medium.objects.select_for_update().get(pk=medium.pk)
    if medium.customer_id != customer.pk:
        raise BusinessError("该卡（账户）不属于该客户")
    return medium


def _medium_label(medium: Medium) -> str:
    return f"{medium.get_kind_display()} {medium.masked_number}"


@transaction.atomic(durable=True)
def counter_written_loss(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                         id_copy_received: bool, medium: Medium) -> CounterReceipt:
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    medium = _medium_locked(customer=customer, medium=medium)
    previous = medium.get_status_display()
    if not medium_written_loss_record(medium_id=medium.pk, acting_user=acting_user):
        raise BusinessError(f"该卡（账户）状态为{previous}，不能办理书面挂失")
    return counter_record(action=CounterAction.WRITTEN_LOSS, customer=customer,
                          staff=acting_user, branch=staff_branch(staff=acting_user),
                          card_number=medium.number, items=[
                              ["业务内容", "书面挂失"],
                              ["挂失卡（账户）", _medium_label(medium)],
                              ["原状态", previous],
                              ["解除挂失", "须本人持有效身份证件到柜面办理，经主管复核"],
                          ], audit_detail={"medium": medium.masked_number, "from": previous})


def _release(*, maker: User, customer: Customer, medium: Medium, reason: str,
             checker: User | None) -> CounterReceipt:
    previous = medium.get_status_display()
    if not medium_loss_release(medium_id=medium.pk, acting_user=checker or maker,
                               channel="counter", reason=reason):
        raise BusinessError(f"该卡（账户）状态为{previous}，无需解除挂失")
    items = [["业务内容", "解除挂失"], ["解挂卡（账户）", _medium_label(medium)],
             ["原状态", previous], ["解挂原因", reason]]
    if checker is not None:
        items.append(["复核人", checker.get_full_name() or checker.username])
    return counter_record(action=CounterAction.LOSS_RELEASE, customer=customer, staff=maker,
                          branch=staff_branch(staff=maker), card_number=medium.number,
                          items=items, audit_detail={"medium": medium.masked_number,
                                                     "from": previous,
                                                     "checker": getattr(checker, "username",
                                                                        None)})


@transaction.atomic(durable=True)
def counter_loss_release(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                         id_copy_received: bool, medium: Medium, reason: str
                         ) -> CounterReceipt | ApprovalRequest:
    """口头挂失: released now (the slip). 书面挂失: a 复核 request (the slip after approval)."""
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError("请填写解挂原因")
    medium = _medium_locked(customer=customer, medium=medium)
    if medium.status not in LOSS_STATUSES:
        raise BusinessError(f"该卡（账户）状态为{medium.get_status_display()}，无需解除挂失")
    if medium.status == MediumStatus.ORAL_LOSS:
        return _release(maker=acting_user, customer=customer, medium=medium, reason=reason,
                        checker=None)
    if approval_pending(RELEASE_KIND, payload__medium_id=medium.pk):
        raise BusinessError("该卡（账户）已有待复核的解除挂失申请")
    return approval_request(
        kind=RELEASE_KIND, maker=acting_user, customer=customer,
        payload={"medium_id": medium.pk, "reason": reason},
        summary=[["复核事项", "解除书面挂失"],
                 identity_checked_row(customer),
                 ["解挂卡（账户）", _medium_label(medium)],
                 ["当前状态", medium.get_status_display()], ["解挂原因", reason]])


@approval_kind(RELEASE_KIND, label="解除书面挂失",
               approver_roles=(Role.SUPERVISOR, Role.HEAD_OFFICE))
def loss_release_apply(*, request: ApprovalRequest, checker: User) -> dict:
    customer = customer_lock(customer=request.customer)
    medium = _medium_locked(customer=customer,
                            medium=Medium(pk=request.payload["medium_id"]))
    if medium.status != MediumStatus.WRITTEN_LOSS:
        raise BusinessError(f"该卡（账户）当前状态为{medium.get_status_display()}，不再处于书面挂失")
    receipt = _release(maker=request.requested_by, customer=customer, medium=medium,
                       reason=request.payload["reason"], checker=checker)
    return {"receipt": receipt.number}


# --- the counter forms and actions -----------------------------------------------------------------


def _media_in(customer: Customer, statuses):
    return Medium.objects.filter(customer=customer, status__in=statuses).order_by("number")


class WrittenLossForm(IdentityForm):
    medium = MediumChoiceField(label="挂失卡（账户）", queryset=Medium.objects.none(),
                               empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medium"].queryset = _media_in(self.customer, LOSABLE_STATUSES)


class MediumStatusChoiceField(MediumChoiceField):
    def label_from_instance(self, obj: Medium) -> str:
        return f"{super().label_from_instance(obj)}（{obj.get_status_display()}）"


class LossReleaseForm(IdentityForm):
    medium = MediumStatusChoiceField(label="解挂卡（账户）", queryset=Medium.objects.none(),
                                     empty_label=None)
    reason = forms.CharField(label="解挂原因", max_length=60,
                             help_text="如：原卡已找回",
                             error_messages={"required": "请填写解挂原因"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medium"].queryset = _media_in(self.customer, LOSS_STATUSES)


def _identity(data: dict) -> dict:
    return {key: data[key] for key in ("id_type", "id_number", "id_copy_received")}


counter_action(CounterAction.WRITTEN_LOSS, CounterActionSpec(
    WrittenLossForm,
    lambda staff, customer, d: counter_written_loss(
        acting_user=staff, customer=customer, **_identity(d), medium=d["medium"]),
    applies=lambda s: any(m.status in LOSABLE_STATUSES for m in s.media),
    unavailable="该客户没有可挂失的卡（账户）",
    note="书面挂失立即生效，不会自动解除；解除须本人到柜面办理并经主管复核。"))

counter_action(CounterAction.LOSS_RELEASE, CounterActionSpec(
    LossReleaseForm,
    lambda staff, customer, d: counter_loss_release(
        acting_user=staff, customer=customer, **_identity(d), medium=d["medium"],
        reason=d["reason"]),
    applies=lambda s: any(m.status in LOSS_STATUSES for m in s.media),
    unavailable="该客户没有处于挂失状态的卡（账户）",
    note="口头挂失当场解除；书面挂失的解除提交主管复核，复核通过后打印业务受理单。"))
