"""The pure part of the limit engine: which limits apply, what stops an amount, what to say.

No database here: selectors and services read the rows and the usage, this module decides.
That keeps the rules testable by property tests and identical for the read-only check
(``limit_check``) and the locked one (``limit_consume``).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from ebank.core.errors import BusinessError, LimitExceeded

from .models import LimitChannel, LimitKind, LimitLevel

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# When two levels set the same amount, the limit is reported as coming from the one the customer
# cannot change: telling someone to raise their own limit is useless when the bank's is as low.
# Between bank and branch the narrower (branch) is named, as procedures §13 ranks it higher.
_TIE_ORDER = {
    LimitLevel.TOOLLESS: 0,
    LimitLevel.CHANNEL: 1,
    LimitLevel.BRANCH: 2,
    LimitLevel.BANK: 3,
    LimitLevel.CUSTOMER: 4,
}


@dataclass(frozen=True)
class LimitSubject:
    """Who is moving money; callers (accounts, security) build it from their own records."""

    customer_id: int
    branch_code: str
    has_security_tool: bool


@dataclass(frozen=True)
class Cap:
    """One limit that is set and applies: ``amount`` of ``kind`` at ``level``."""

    level: str
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class EffectiveLimits:
    """The limits that bind a subject on a channel; None means no level set one."""

    channel: str
    single: Decimal | None
    single_level: str | None
    daily: Decimal | None
    daily_level: str | None
    caps: tuple[Cap, ...] = ()

    def set_at(self, level: str, kind: str) -> Decimal | None:
        """What ``level`` itself set for ``kind`` (e.g. the customer's own limit on 限额管理)."""
        for cap in self.caps:
            if cap.level == level and cap.kind == kind:
                return cap.amount
        return None


@dataclass(frozen=True)
class LimitDecision:
    allowed: bool
    stopped_by: str | None  # LimitLevel of the limit that refused, None when allowed
    kind: str | None  # LimitKind.SINGLE / LimitKind.DAILY
    limit: Decimal | None  # the amount of that limit
    remaining: Decimal | None  # daily amount still available before this movement; None = no cap
    used: Decimal  # already used today on this channel
    message: str  # "" when allowed
    limits: EffectiveLimits


class LimitRefused(LimitExceeded):
    """LimitExceeded that says which limit stopped the movement (``level``, ``kind``)."""

    def __init__(self, message: str, *, level: str, kind: str, limit: Decimal,
                 remaining: Decimal | None):
        super().__init__(message)
        self.level = level
        self.kind = kind
        self.limit = limit
        self.remaining = remaining


def check_amount(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal):
        raise BusinessError("金额必须为Decimal类型")
    if not amount.is_finite() or amount <= 0:
        raise BusinessError("金额必须大于零")
    if amount != amount.quantize(CENT):
        raise BusinessError("金额最多两位小数")
    return amount


def compose(*, subject: LimitSubject, channel: str,
            rows: Iterable[tuple[str, Decimal | None, Decimal | None]]) -> EffectiveLimits:
    """Effective limits from the policy rows (level, single, daily) that apply to ``subject``.

    ``rows`` must already be filtered to the subject (its branch, its customer id, the tool-less
    row only when it has no tool); this adds the tool-less default when the bank set no row, and
    薪加利实时转出's daily default when no 产品/渠道 row sets that channel's daily figure.
    """
    caps: list[Cap] = []
    toolless_row_seen = channel_row_seen = False
    for level, single, daily in rows:
        if level == LimitLevel.CHANNEL and daily is not None:
            channel_row_seen = True  # a row that leaves the daily blank keeps the default
        if level == LimitLevel.TOOLLESS:
            toolless_row_seen = True
            # A tool-less customer is always capped (X-TOOLS): a row that leaves a figure unset
            # falls back to the default, and the single cap is the daily one unless set.
            daily = daily if daily is not None else settings.TOOLLESS_DAILY_CAP_DEFAULT
            single = single if single is not None else daily
        if single is not None:
            caps.append(Cap(level, LimitKind.SINGLE, single))
        if daily is not None:
            caps.append(Cap(level, LimitKind.DAILY, daily))
    if (not subject.has_security_tool and not toolless_row_seen
            and channel == LimitChannel.TRANSFER):
        default = settings.TOOLLESS_DAILY_CAP_DEFAULT
        caps.append(Cap(LimitLevel.TOOLLESS, LimitKind.SINGLE, default))
        caps.append(Cap(LimitLevel.TOOLLESS, LimitKind.DAILY, default))
    if channel == LimitChannel.XJL_REDEEM and not channel_row_seen:
        # 薪加利实时转出: 10,000 a customer a day (DOMAIN-RULES §5, the 2021 rule) until head
        # office sets the channel's own 产品/渠道 daily limit in the admin.
        caps.append(Cap(LimitLevel.CHANNEL, LimitKind.DAILY, settings.XJL_REDEEM_DAILY_DEFAULT))

    def tightest(kind: str) -> Cap | None:
        of_kind = [c for c in caps if c.kind == kind]
        return min(of_kind, key=lambda c: (c.amount, _TIE_ORDER[c.level]), default=None)

    single_cap, daily_cap = tightest(LimitKind.SINGLE), tightest(LimitKind.DAILY)
    return EffectiveLimits(
        channel=channel,
        single=single_cap.amount if single_cap else None,
        single_level=single_cap.level if single_cap else None,
        daily=daily_cap.amount if daily_cap else None,
        daily_level=daily_cap.level if daily_cap else None,
        caps=tuple(caps),
    )


def only_levels(limits: EffectiveLimits, levels: Iterable[str] | None) -> EffectiveLimits:
    """``limits`` with only the caps set at ``levels`` (None: all of them, unchanged).

    自助缴费 confirmed by SMS is bounded by the tool-less cap alone (procedures §13: bill
    payments count toward no transfer limit, yet one tool-less cap covers everything a customer
    confirms by SMS): it passes ``levels=(LimitLevel.TOOLLESS,)`` and shares the usage counter.
    """
    if levels is None:
        return limits
    wanted = set(levels)
    caps = tuple(cap for cap in limits.caps if cap.level in wanted)

    def tightest(kind: str) -> Cap | None:
        of_kind = [c for c in caps if c.kind == kind]
        return min(of_kind, key=lambda c: (c.amount, _TIE_ORDER[c.level]), default=None)

    single_cap, daily_cap = tightest(LimitKind.SINGLE), tightest(LimitKind.DAILY)
    return EffectiveLimits(
        channel=limits.channel,
        single=single_cap.amount if single_cap else None,
        single_level=single_cap.level if single_cap else None,
        daily=daily_cap.amount if daily_cap else None,
        daily_level=daily_cap.level if daily_cap else None,
        caps=caps,
    )


def decide(*, limits: EffectiveLimits, amount: Decimal, used: Decimal) -> LimitDecision:
    """May ``amount`` move when ``used`` is already taken today? If not, which limit says no."""
    remaining = None if limits.daily is None else max(limits.daily - used, ZERO)
    # (headroom, cap): headroom is the most this cap would still let through.
    broken: list[tuple[Decimal, Cap]] = []
    for cap in limits.caps:
        if cap.kind == LimitKind.SINGLE and amount > cap.amount:
            broken.append((cap.amount, cap))
        elif cap.kind == LimitKind.DAILY and used + amount > cap.amount:
            broken.append((max(cap.amount - used, ZERO), cap))
    if not broken:
        return LimitDecision(allowed=True, stopped_by=None, kind=None, limit=None,
                             remaining=remaining, used=used, message="", limits=limits)
    # A bank-side limit is named before the customer's own whenever both are broken: raising
    # one's own limit (note 3) cannot help then, only lowering the amount (note 4) can.
    _headroom, cap = min(broken, key=lambda hc: (
        hc[1].level == LimitLevel.CUSTOMER, hc[0], _TIE_ORDER[hc[1].level],
        hc[1].kind != LimitKind.SINGLE,
    ))
    return LimitDecision(
        allowed=False, stopped_by=cap.level, kind=cap.kind, limit=cap.amount,
        remaining=remaining, used=used, limits=limits,
        message=refusal_message(level=cap.level, kind=cap.kind, limit=cap.amount,
                                channel=limits.channel, used=used),
    )


def refusal(decision: LimitDecision) -> LimitRefused:
    assert decision.stopped_by is not None and decision.kind is not None
    assert decision.limit is not None
    return LimitRefused(decision.message, level=decision.stopped_by, kind=decision.kind,
                        limit=decision.limit, remaining=decision.remaining)


def yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


_BANK_SIDE_OWNER = {
    LimitLevel.BANK: "我行设定的",
    LimitLevel.BRANCH: "开户行社设定的",
    LimitLevel.TOOLLESS: "我行对未使用安全工具（USBKey或数字令牌）客户设定的",
}


def refusal_message(*, level: str, kind: str, limit: Decimal, channel: str,
                    used: Decimal) -> str:
    """The manual's wording (行内转账 notes 3 and 4) for a refused movement."""
    noun = "转账" if channel == LimitChannel.TRANSFER else "交易"
    if kind == LimitKind.SINGLE:
        what = f"单笔{noun}金额"
        which = f"单笔{noun}限额{yuan(limit)}"
    else:
        what = f"当日累计{noun}金额"
        which = (f"当日累计{noun}限额{yuan(limit)}（今日已用{yuan(used)}，"
                 f"剩余可用{yuan(max(limit - used, ZERO))}）")
    if level == LimitLevel.CUSTOMER:
        return (f"{what}超过您自设的{which}。您可以到“安全中心 › 限额管理”修改{noun}限额后继续完成"
                f"本次{noun}，也可以点击“返回”按钮返回{noun}页面调低{noun}金额后完成本次{noun}。")
    if level == LimitLevel.CHANNEL:
        owner = f"我行对{LimitChannel(channel).label}设定的" if channel in LimitChannel.values \
            else "我行设定的"
    else:
        owner = _BANK_SIDE_OWNER.get(level, "我行设定的")
    message = (f"{what}超过{owner}{which}。请点击“返回”按钮返回{noun}页面调低{noun}金额后完成"
               f"本次{noun}。")
    if level == LimitLevel.TOOLLESS:
        message += "如需更高限额，请持本人有效身份证件到柜面申领USBKey或数字令牌。"
    return message
