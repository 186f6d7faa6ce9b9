"""The 柜面业务 panel at the top of the staff admin's index: the teller's work, first.

客户查询 is the way into every counter action (a customer's page lists what applies); beside it
the lists a teller works through: 业务受理单, 留言 (the branch's overdue and open ones counted, so
an overdue one is seen on arrival), and for head office 日终批处理. A link is shown only to a
member of staff whose permissions open its page.
"""

from dataclasses import dataclass

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


def _messages_waiting(staff) -> tuple[int, int]:
    """(overdue, open) 留言 of the staff member's branch (every branch for head office)."""
    waiting = scope_queryset(CustomerMessage.objects.filter(replied_at__isnull=True),
                             staff=staff, branch_path="user__customer__branch")
    today = timezone.localdate()
    return waiting.filter(due_date__lt=today).count(), waiting.count()


def workstation_panel(request) -> list[WorkstationLink]:
    staff = request.user
    links = [WorkstationLink(
        "客户查询", reverse("admin:counter_find"),
        "按证件号码或卡号查找客户，办理网银开通、工具申领、解锁、密码重置等柜面业务",
        primary=True)]
    if staff.has_perm("security.view_counterreceipt"):
        links.append(WorkstationLink("业务受理单", reverse(
            "admin:security_counterreceipt_changelist"), "查看、补打柜面业务受理单"))
    if staff.has_perm("security.view_customermessage"):
        overdue, waiting = _messages_waiting(staff)
        url = reverse("admin:security_customermessage_changelist")
        if overdue:
            links.append(WorkstationLink("客户留言", f"{url}?state=overdue",
                                         f"逾期未回复 {overdue} 条，待回复共 {waiting} 条",
                                         alert=overdue))
        else:
            links.append(WorkstationLink("客户留言", f"{url}?state=open",
                                         f"待回复 {waiting} 条" if waiting else "没有待回复的留言"))
    if head_office(staff) and staff.has_perm("duework.view_batchsteprun"):
        links.append(WorkstationLink("日终批处理", reverse(
            "admin:duework_batchsteprun_changelist"), "各业务日期的批处理步骤与结果（总行）"))
    return links
