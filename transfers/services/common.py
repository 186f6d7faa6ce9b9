"""What every kind of transfer shares: numbers, the customer's limit subject, the payer account."""

import secrets

from django.utils import timezone

from accounts.models import Customer
from ebank.limits.services import LimitSubject
from security.models import SecurityTool
from security.tools.services import limit_subject_for as security_limit_subject_for


def transfer_number_new() -> str:
    """交易流水号: TR + the Asia/Shanghai date + 10 random digits (unique index behind it)."""
    return f"TR{timezone.localdate():%Y%m%d}{secrets.randbelow(10**10):010d}"


def limit_subject_for(*, customer: Customer,
                      tools: dict[str, SecurityTool] | None = None) -> LimitSubject:
    """The customer as the limit engine sees them (X-LIMIT, X-TOOLS partial service).

    ``tools``: the customer's live tools (``tools_live``) when this request has read them
    already; the subject is then built from them instead of asking the database again.
    """
    return security_limit_subject_for(user=customer.user, tools=tools)


