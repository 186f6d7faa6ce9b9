"""Errors of the security tools, and how a failed attempt is recorded so that it sticks.

A wrong 证书密码, token code or SMS code must stay counted whatever the page then shows: a count
that a rollback can undo is no count at all (six guesses become unlimited guesses). So each
check writes the attempt before it refuses (raises, or answers False): in a transaction of its
own when the caller has none, else in the caller's. A caller inside a transaction lets that
transaction commit and raises the refusal after it, as the confirmation does
(:func:`security.confirm.services.operation_confirm`: the checks run in its transaction, a
refusal is caught, audited, committed, then raised); a caller with no transaction of its own
(a page's service checking an SMS code before it writes) has the attempt committed by the
check itself. No caller checks a credential inside a transaction that a refusal rolls back.
"""

from ebank.core.errors import BusinessError

__all__ = ["ToolError", "ToolLocked", "tool_failure_record"]


class ToolError(BusinessError):
    code = "tool_error"
    default_message = "安全认证失败"


class ToolLocked(ToolError):
    code = "tool_locked"
    default_message = "证书已锁定，请携带有效身份证件到我行任意网点办理解锁"


def tool_failure_record(tool, *, limit: int, wrong_action: str, locked_action: str) -> str:
    """Count one wrong 证书密码 or token answer on ``tool`` (read ``select_for_update`` with its
    user by the caller, in the transaction that records the attempt): the ``limit``-th in a row locks the tool.
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
