"""The customer in front of the teller, read once: what the 柜面业务 page shows and what decides
which counter actions apply now.

``customer_state_read`` is the only reader (a fixed handful of queries, whatever the customer
holds); everything else here is a pure property of the snapshot, so the applicability rules of
``actions`` are tested without a database.
"""

from dataclasses import dataclass
from datetime import date

from accounts.models import Customer, Medium, MediumStatus
from ebank.core.clock import business_day
from security.models import SecurityTool, ToolKind, ToolStatus, User, UserStatus

from .services import REGISTRABLE_KINDS

# The 网银状态 of a customer with no live login (never registered, or 注销).
NOT_REGISTERED = "none"

LIVE_TOOL_STATUSES = (ToolStatus.ACTIVE, ToolStatus.LOCKED)


@dataclass(frozen=True)
class CustomerState:
    customer: Customer
    user: User | None
    media: tuple[Medium, ...]
    # Every tool the user ever held, the newest first (replaced and cancelled ones included).
    tools: tuple[SecurityTool, ...]
    today: date

    @property
    def user_status(self) -> str:
        """``active``, ``suspended`` or NOT_REGISTERED (no login, or a cancelled one)."""
        if self.user is None or self.user.status == UserStatus.CANCELLED:
            return NOT_REGISTERED
        return self.user.status

    @property
    def active(self) -> bool:
        return self.user_status == UserStatus.ACTIVE

    @property
    def suspended(self) -> bool:
        return self.user_status == UserStatus.SUSPENDED

    @property
    def login_locked(self) -> bool:
        """Locked today (SEC-LOCK): the lock lapses at the next business day by itself."""
        user = self.user
        return bool(user and user.login_locked_on and user.login_locked_on >= self.today)

    @property
    def failed_logins(self) -> int:
        return self.user.failed_logins if self.user is not None else 0

    @property
    def live_tools(self) -> tuple[SecurityTool, ...]:
        return tuple(t for t in self.tools if t.status in LIVE_TOOL_STATUSES)

    @property
    def live_tool_kinds(self) -> frozenset[str]:
        return frozenset(t.kind for t in self.live_tools)

    @property
    def missing_tool_kinds(self) -> tuple[str, ...]:
        """The kinds the user may still 申领 (one live tool per kind), in ToolKind's order."""
        return tuple(k for k in ToolKind.values if k not in self.live_tool_kinds)

    @property
    def usbkey_locked(self) -> bool:
        return any(t.kind == ToolKind.USBKEY and t.status == ToolStatus.LOCKED
                   for t in self.tools)

    @property
    def registrable_media(self) -> tuple[Medium, ...]:
        return tuple(m for m in self.media
                     if m.kind in REGISTRABLE_KINDS and m.status == MediumStatus.NORMAL)


def customer_state_read(*, customer: Customer, today: date | None = None) -> CustomerState:
    """Three queries: the login, the media, the tools."""
    user = User.objects.filter(customer=customer).first()
    media = tuple(Medium.objects.filter(customer=customer).order_by("number"))
    tools = tuple(SecurityTool.objects.filter(user=user).order_by("-issued_at", "-pk")
                  ) if user is not None else ()
    return CustomerState(customer=customer, user=user, media=media, tools=tools,
                         today=today or business_day())
