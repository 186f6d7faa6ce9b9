"""Errors of the security tools, and how a failed attempt is recorded so that it sticks.

A wrong 证书密码, token code or SMS code must be counted even when the caller's transaction rolls
back — and it usually does: the confirmation flow raises to show the error on the page. A count
that a rollback can undo is no count at all (six guesses become unlimited guesses). So every
attempt is written by :func:`ebank.core.db.commit_apart`, in a transaction of its own that commits at once.
"""

from ebank.core.db import commit_apart
from ebank.core.errors import BusinessError

__all__ = ["ToolError", "ToolLocked", "commit_apart", "tool_failure_record"]


class ToolError(BusinessError):
    code = "tool_error"
    default_message = "安全认证失败"


class ToolLocked(ToolError):
    code = "tool_locked"
    default_message = "证书已锁定，请携带有效身份证件到我行任意网点办理解锁"


def tool_failure_record(tool, *, limit: int, wrong_action: str, locked_action: str) -> str:
    """Count one wrong 证书密码 or token answer on ``tool`` (read ``select_for_update`` with its
    user by the caller, inside ``commit_apart``): the ``limit``-th in a row locks the tool.
    Audited either way; returns the tool's status after the count."""
    from ebank.core.audit import audit_record
    from ebank.core.models import AuditOutcome
    from security.models import ToolStatus

    tool.password_failures += 1
    fields = ["password_failures"]
    if tool.password_failures >= limit:
        tool.status = ToolStatus.LOCKED
        fields.append("status")
    tool.save(update_fields=fields)
    audit_record(
        action=locked_action if tool.status == ToolStatus.LOCKED else wrong_action,
        outcome=AuditOutcome.FAILURE, actor=tool.user, customer_id=tool.user.customer_id,
        object_ref=f"tool:{tool.serial}", detail={"failures": tool.password_failures},
    )
    return tool.status
