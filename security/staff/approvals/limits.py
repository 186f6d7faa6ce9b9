"""行社限额调整 through 复核 (STF-LIMITS, procedures §13).

A 主管 (or head office) asks for a branch's new 对外转账 limits in the admin; nothing changes
until a different 主管 of that branch or head office approves, and then through
``limit_policy_set`` (the hierarchy is checked again at that moment: the bank's limit may have
moved in between). Tellers cannot ask (柜员 has no limit permission, and the service refuses).
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import Branch
from ebank.core.errors import BusinessError
from ebank.core.money import format_cny
from ebank.limits.models import LimitChannel, LimitLevel, LimitPolicy
from ebank.limits.services import limit_policy_set, limit_policy_validate
from security.models import ApprovalRequest, User

from ..roles import Role, has_role
from ..scoping import head_office
from .registry import approval_kind
from .services import approval_request

KIND = "limit.branch"


def _money(value: Decimal | None) -> str:
    return format_cny(value) if value is not None else "未设置（按上级限额）"


def _decimal(text: str | None) -> Decimal | None:
    return None if text in (None, "") else Decimal(text)


@transaction.atomic  # not durable: the admin's change view holds a transaction around it
def branch_limit_request(*, maker: User, branch_code: str, channel: str,
                         single_limit: Decimal | None, daily_limit: Decimal | None
                         ) -> ApprovalRequest:
    """Ask for a branch's limits to become (single_limit, daily_limit); checked now, applied on
    approval."""
    if not has_role(maker, Role.SUPERVISOR, Role.HEAD_OFFICE):
        raise PermissionDenied("行社限额须由主管或总行管理员调整")
    branch = Branch.objects.filter(code=branch_code).first()
    if branch is None:
        raise BusinessError("行社代码不存在")
    if not head_office(maker) and maker.branch_id != branch.pk:
        raise PermissionDenied("只能调整本行社的限额")
    limit_policy_validate(level=LimitLevel.BRANCH, scope=branch_code, channel=channel,
                          single_limit=single_limit, daily_limit=daily_limit)
    current = LimitPolicy.objects.filter(level=LimitLevel.BRANCH, scope=branch_code,
                                         channel=channel).first()
    summary = [
        ["复核事项", "行社限额调整"],
        ["行社", f"{branch.name}（{branch.code}）"],
        ["渠道", LimitChannel(channel).label],
        ["单笔限额", f"{_money(current.single_limit if current else None)} → "
                     f"{_money(single_limit)}"],
        ["日累计限额", f"{_money(current.daily_limit if current else None)} → "
                       f"{_money(daily_limit)}"],
    ]
    payload = {"branch_code": branch_code, "channel": channel,
               "single_limit": None if single_limit is None else str(single_limit),
               "daily_limit": None if daily_limit is None else str(daily_limit)}
    return approval_request(kind=KIND, maker=maker, payload=payload, summary=summary,
                            branch=branch)


@approval_kind(KIND, label="行社限额调整", approver_roles=(Role.SUPERVISOR, Role.HEAD_OFFICE))
def branch_limit_apply(*, request: ApprovalRequest, checker: User) -> dict:
    data = request.payload
    policy = limit_policy_set(level=LimitLevel.BRANCH, scope=data["branch_code"],
                              channel=data["channel"],
                              single_limit=_decimal(data["single_limit"]),
                              daily_limit=_decimal(data["daily_limit"]),
                              acting_user_id=checker.pk)
    return {"policy": policy.pk}
