"""The customer as the limit engine sees them (``limit_subject_for``).

Asked by every transfer (its check, its posting, its release) and by the 限额管理 page; it
depends on whether the customer holds a security tool that can sign now (X-TOOLS), so it lives
with the tools.
"""

from django.db import connection

from accounts.models import Branch
from ebank.limits.engine import LimitSubject
from security.models import SecurityTool, ToolStatus, User


def limit_subject_for(*, user: User,
                      tools: dict[str, SecurityTool] | None = None) -> LimitSubject:
    """The customer as the limit engine sees them. ``tools``: the customer's live tools
    (``tools_live``) when this request has read them already — then not asked again."""
    customer = user.customer
    if tools is None:
        # Both facts in one statement (the posting of every transfer asks for them).
        with connection.cursor() as cursor:
            cursor.execute(_BRANCH_CODE_AND_ACTIVE_TOOL_SQL,
                           [user.pk, ToolStatus.ACTIVE.value, customer.branch_id])
            branch_code, holds_tool = cursor.fetchone()
        return LimitSubject(customer_id=customer.pk, branch_code=branch_code,
                            has_security_tool=bool(holds_tool))
    return LimitSubject(customer_id=customer.pk, branch_code=customer.branch.code,
                        has_security_tool=any(tool.status == ToolStatus.ACTIVE
                                              for tool in tools.values()))


# The customer's branch code and whether a tool can sign now (an ACTIVE one: a locked tool
# cannot).
_BRANCH_CODE_AND_ACTIVE_TOOL_SQL = f"""
    SELECT b.code, EXISTS (SELECT 1 FROM {SecurityTool._meta.db_table} t
                           WHERE t.user_id = %s AND t.status = %s)
    FROM {Branch._meta.db_table} b WHERE b.id = %s
"""  # noqa: S608 — table names from the models, values as parameters
