"""Errors of the security tools, and how a failed attempt is recorded so that it sticks.

A wrong 证书密码, token code or SMS code must be counted even when the caller's transaction rolls
back — and it usually does: the confirmation flow raises to show the error on the page. A count
that a rollback can undo is no count at all (six guesses become unlimited guesses). So every
attempt is written by :func:`ebank.core.db.commit_apart`, in a transaction of its own that commits at once.
"""

from ebank.core.db import commit_apart
from ebank.core.errors import BusinessError

__all__ = ["ToolError", "ToolLocked", "commit_apart"]


class ToolError(BusinessError):
    code = "tool_error"
    default_message = "安全认证失败"


class ToolLocked(ToolError):
    code = "tool_locked"
    default_message = "证书已锁定，请携带有效身份证件到我行任意网点办理解锁"
