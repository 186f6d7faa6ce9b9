"""The 柜面业务 panel at the top of the staff admin's index: the teller's work, first.

客户查询 is the way into every counter action (a customer's page lists what applies); beside it
the lists a teller works through: 业务受理单, 客户留言 (the branch's overdue and open ones
counted, so an overdue one is seen on arrival), and for head office 日终批处理. A link is shown
only to a member of staff whose permissions open its page.

The panel is a small registry: each entry is a function of the request giving a
:class:`WorkstationLink` or None (not for this member of staff), placed by ``order``. Other work (待复核 of
the approvals, in ``approvals/admin.py``; a loan officer's queue later) adds its entry from a
module its app's ``ready()`` imports::

    from security.staff.admin_index import WorkstationLink, workstation_entry

    @workstation_entry(25)
    def approvals_waiting(request):
        if not has_role(request.user, Role.SUPERVISOR, Role.HEAD_OFFICE):
            return None
        waiting = approvals_waiting_for(request.user).count()
        return WorkstationLink("待复核", reverse("admin:approvals_queue"),
                               f"待复核 {waiting} 笔", alert=waiting)
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from ..models import CustomerMessage
from .scoping import head_office, scope_queryset


@dataclass(frozen=True)
class WorkstationLink:
    label: str
    url: str
    note: str = ""
    # A count that asks for attention (overdue 留言): shown as a badge when not zero.
    alert: int = 0
    primary: bool = False


WorkstationEntry = Callable[..., WorkstationLink | None]

_entries: dict[int, WorkstationEntry] = {}


def workstation_entry(order: int) -> Callable[[WorkstationEntry], WorkstationEntry]:
    """Register ``entry(request)`` at ``order`` in the panel (the same function again is
    harmless; another at a taken order is refused)."""

    def register(entry: WorkstationEntry) -> WorkstationEntry:
        existing = _entries.get(order)
        if existing is not None and _qualified(existing) != _qualified(entry):
            raise ImproperlyConfigured(f"柜面业务面板位置 {order} 已由 {_qualified(existing)} 使用")
        _entries[order] = entry
        return entry

    return register


def workstation_panel(request) -> list[WorkstationLink]:
    links = (_entries[order](request) for order in sorted(_entries))
    return [link for link in links if link is not None]


def _qualified(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


@workstation_entry(10)
def customer_find_entry(request) -> WorkstationLink:
    return WorkstationLink(
        "客户查询", reverse("admin:counter_find"),
        "按证件号码、卡号（账号）、手机号或姓名查找客户，办理网银开通、工具申领、解锁、密码重置、挂失等柜面业务",
        primary=True)


@workstation_entry(20)
def receipts_entry(request) -> WorkstationLink | None:
    if not request.user.has_perm("security.view_counterreceipt"):
        return None
    return WorkstationLink("业务受理单", reverse("admin:security_counterreceipt_changelist"),
                           "查看、补打柜面业务受理单")


def _messages_waiting(staff) -> tuple[int, int]:
    """(overdue, open) 留言 of the staff member's branch (every branch for head office)."""
    waiting = scope_queryset(CustomerMessage.objects.filter(replied_at__isnull=True),
                             staff=staff, branch_path="user__customer__branch")
    today = timezone.localdate()
    return waiting.filter(due_date__lt=today).count(), waiting.count()


@workstation_entry(30)
def messages_entry(request) -> WorkstationLink | None:
    staff = request.user
    if not staff.has_perm("security.view_customermessage"):
        return None
    overdue, waiting = _messages_waiting(staff)
    url = reverse("admin:security_customermessage_changelist")
    if overdue:
        return WorkstationLink("客户留言", f"{url}?state=overdue",
                               f"逾期未回复 {overdue} 条，待回复共 {waiting} 条", alert=overdue)
    return WorkstationLink("客户留言", f"{url}?state=open",
                           f"待回复 {waiting} 条" if waiting else "没有待回复的留言")


@workstation_entry(90)
def nightly_batch_entry(request) -> WorkstationLink | None:
    staff = request.user
    if not (head_office(staff) and staff.has_perm("duework.view_batchsteprun")):
        return None
    return WorkstationLink("日终批处理", reverse("admin:duework_batchsteprun_changelist"),
                           "各业务日期的批处理步骤与结果（总行）")
