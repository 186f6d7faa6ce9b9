"""Writes of the limit engine: consume and release daily usage, set policies.

``limit_consume`` runs in the hot path of every external transfer, inside the posting
transaction (``entry_post(before_lock=...)``): one query for the policies and one upsert that
creates, locks and increments the usage row.

Lock order (see ebank.ledger.services): the ledger entry's idempotency key, then exactly one
usage row (this module), then ledger accounts in primary-key order. Policy writes lock the BANK
row before anything else, so a branch raise and a bank cut serialise instead of crossing.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError

from .engine import (
    ZERO,
    EffectiveLimits,
    LimitRefused,
    LimitSubject,
    check_amount,
    compose,
    decide,
    only_levels,
    refusal,
    yuan,
)
from .models import (
    UNSCOPED_LEVELS,
    DailyLimitUsage,
    LimitChannel,
    LimitLevel,
    LimitPolicy,
)
from .selectors import (
    POLICY_TABLE,
    _dec,
    effective_limits,
    policy_match_params,
    policy_match_sql,
)

__all__ = [
    "LimitRefused",
    "LimitSubject",
    "limit_consume",
    "limit_policy_set",
    "limit_policy_validate",
    "limit_release",
]

_LEVEL_NOUN = {
    LimitLevel.BANK: "全行",
    LimitLevel.BRANCH: "行社",
    LimitLevel.CUSTOMER: "客户",
    LimitLevel.TOOLLESS: "无安全工具客户",
    LimitLevel.CHANNEL: "产品/渠道",
}
_KIND_NOUN = {"single": "单笔限额", "daily": "日累计限额"}


_USAGE_TABLE = DailyLimitUsage._meta.db_table
# Creates the day's row or locks and increments the existing one, in one statement: a
# concurrent movement of the same customer waits on the row (or on the unique index for the
# day's first) until this transaction ends. ROUND keeps SQLite's REAL arithmetic to the fen.
_TAKE_SQL = (
    f"INSERT INTO {_USAGE_TABLE} (customer_id, day, channel, used, count) "
    "VALUES (%s, %s, %s, %s, 1) "
    "ON CONFLICT (customer_id, day, channel) DO UPDATE SET "
    f"used = ROUND({_USAGE_TABLE}.used + excluded.used, 2), count = {_USAGE_TABLE}.count + 1 "
    "RETURNING id, used"
)
_GIVE_BACK_SQL = (
    f"UPDATE {_USAGE_TABLE} SET used = ROUND(used - %s, 2), count = count - 1 WHERE id = %s"
)


def _take_usage(cursor, *, subject: LimitSubject, amount: Decimal, day: date,
                channel: str) -> tuple[int, Decimal, EffectiveLimits]:
    """Increment the day's usage (locking its row) and read the policies: (row id, used, limits).

    PostgreSQL does both in one round trip (a data-modifying CTE); SQLite, which has none, in two.
    """
    take = [subject.customer_id, day, channel, amount]
    match = policy_match_params(subject=subject, channel=channel)
    if connection.vendor == "postgresql":
        cursor.execute(
            f"WITH taken AS ({_TAKE_SQL}) SELECT taken.id, taken.used, p.level, p.single_limit, "
            f"p.daily_limit FROM taken LEFT JOIN {POLICY_TABLE} p ON ({policy_match_sql('p')})",
            take + match,
        )
        rows = cursor.fetchall()
        pk, used_after = rows[0][0], rows[0][1]
        policies = [(level, _dec(single), _dec(daily)) for _, _, level, single, daily in rows
                    if level]
        limits = compose(subject=subject, channel=channel, rows=policies)
    else:
        limits = effective_limits(subject=subject, channel=channel)
        cursor.execute(_TAKE_SQL, take)
        pk, used_after = cursor.fetchone()
    return pk, _dec(used_after), limits


def limit_consume(*, subject: LimitSubject, amount: Decimal,
                  channel: str = LimitChannel.TRANSFER, on: date | None = None,
                  levels: tuple[str, ...] | None = None) -> None:
    """Take ``amount`` from the customer's limits for the business day, or raise LimitExceeded.

    Must run inside the transaction that moves the money, so a rollback gives the limit back
    and a replayed entry (which never calls its ``before_lock``) takes nothing twice. The
    raised error is ``engine.LimitRefused`` (a LimitExceeded) with ``level`` and ``kind``.

    ``levels``: only the caps set at these levels decide (``engine.only_levels``); the usage
    row is the channel's all the same (自助缴费 by SMS: ``(LimitLevel.TOOLLESS,)``).

    CHANGE BOTH: the PL/pgSQL ``ebank_funds_move`` (accounts/migrations/, newest ``.sql``) takes
    the usage row the same way for accounts.services.funds_move on PostgreSQL.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "limit_consume must run inside the transaction that posts the movement")
    check_amount(amount)
    with connection.cursor() as cursor:
        pk, used_after, limits = _take_usage(cursor, subject=subject, amount=amount,
                                             day=business_day(on), channel=channel)
        # Decided once, under the lock, even when the single limit alone would refuse: the
        # refusal then names the same limit limit_check showed.
        decision = decide(limits=only_levels(limits, levels), amount=amount,
                          used=used_after - amount)
        if not decision.allowed:
            # Undo the increment here too, so a caller that catches the refusal and goes on in
            # the same transaction cannot keep a phantom consumption.
            cursor.execute(_GIVE_BACK_SQL, [amount, pk])
            raise refusal(decision)


def limit_release(*, subject: LimitSubject, amount: Decimal,
                  channel: str = LimitChannel.TRANSFER, day: date) -> None:
    """Give ``amount`` back to the day it was consumed on (the other bank failed or returned it).

    Not idempotent by itself: call it in the transaction that records the failure or posts the
    return (e.g. that entry's ``before_lock``), so it runs once with it. Never goes below zero.
    """
    check_amount(amount)
    with transaction.atomic():
        row = DailyLimitUsage.objects.select_for_update().filter(
            customer_id=subject.customer_id, day=day, channel=channel,
        ).values_list("pk", "used", "count").first()
        if row is None:
            return
        pk, used, count = row
        DailyLimitUsage.objects.filter(pk=pk).update(
            used=max(used - amount, ZERO), count=max(count - 1, 0))


# --- policies (STF-LIMITS, 限额管理) -------------------------------------------------------------


def _check_limit_value(value: Decimal | None, label: str) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise BusinessError(f"{label}必须大于零")
    if value != value.quantize(Decimal("0.01")) or value >= Decimal("1e16"):
        raise BusinessError(f"{label}格式不正确（最多16位整数、两位小数）")


def _normalise_scope(*, level: str, scope: str, channel: str) -> str:
    scope = (scope or "").strip()
    if level in UNSCOPED_LEVELS:
        if scope:
            raise BusinessError(f"{_LEVEL_NOUN[level]}限额不区分适用范围，请留空")
        return ""
    if level == LimitLevel.CHANNEL:
        if scope and scope != channel:
            raise BusinessError("产品/渠道限额的适用范围必须与渠道一致")
        return channel
    if not scope:
        raise BusinessError("请填写行社代码" if level == LimitLevel.BRANCH else "请填写客户号")
    if level == LimitLevel.CUSTOMER and not scope.isdigit():
        raise BusinessError("客户号必须为数字")
    return scope


def _row(level: str, scope: str, channel: str, *, lock: bool = False) -> LimitPolicy | None:
    rows = LimitPolicy.objects.filter(level=level, scope=scope, channel=channel)
    if lock:
        rows = rows.select_for_update()
    return rows.first()


def _ceilings(*, level: str, channel: str, branch_code: str, lock_bank: bool
              ) -> dict[str, list[tuple[Decimal, str]]]:
    """Per kind, the (amount, who) limits a policy at ``level`` may not exceed."""
    ceilings: dict[str, list[tuple[Decimal, str]]] = {"single": [], "daily": []}
    if level not in (LimitLevel.BRANCH, LimitLevel.CUSTOMER):
        return ceilings
    higher = [_row(LimitLevel.BANK, "", channel, lock=lock_bank)]
    if level == LimitLevel.CUSTOMER:
        higher.append(_row(LimitLevel.BRANCH, branch_code, channel))
        if channel == LimitChannel.TRANSFER:
            ceilings["single"].append((settings.SELF_SERVICE_SINGLE_CAP, "自助设置的最高"))
            ceilings["daily"].append((settings.SELF_SERVICE_DAILY_CAP, "自助设置的最高"))
    for policy in higher:
        if policy is None:
            continue
        who = _LEVEL_NOUN[policy.level]
        if policy.single_limit is not None:
            ceilings["single"].append((policy.single_limit, who))
        if policy.daily_limit is not None:
            ceilings["daily"].append((policy.daily_limit, who))
    return ceilings


def limit_policy_validate(*, level: str, scope: str = "", channel: str = LimitChannel.TRANSFER,
                          single_limit: Decimal | None, daily_limit: Decimal | None,
                          branch_code: str = "") -> str:
    """Refuse (BusinessError, in Chinese) a policy that breaks the hierarchy; return its scope.

    Hierarchy (procedures §13): bank ≥ branch ≥ customer, and a customer stays within the
    self-service caps (manual 限额管理 note 4). A customer limit is checked against the branch
    the caller names in ``branch_code`` (limits cannot look customers up). Lowering the bank
    below a branch is refused with the list of those branches: staff lower them first, so the
    hierarchy stays true in the data. Customer limits above a lowered bank or branch are kept;
    the tightest level wins at every check, so they loosen nothing.
    """
    return _validate(level=level, scope=scope, channel=channel, single_limit=single_limit,
                     daily_limit=daily_limit, branch_code=branch_code, lock=False)


def _validate(*, level: str, scope: str, channel: str, single_limit: Decimal | None,
              daily_limit: Decimal | None, branch_code: str, lock: bool) -> str:
    if level not in LimitLevel.values:
        raise BusinessError("限额级别无效")
    if channel not in LimitChannel.values:
        raise BusinessError("渠道无效")
    scope = _normalise_scope(level=level, scope=scope, channel=channel)
    noun = _LEVEL_NOUN[level]
    _check_limit_value(single_limit, f"{noun}单笔限额")
    _check_limit_value(daily_limit, f"{noun}日累计限额")
    if single_limit is not None and daily_limit is not None and single_limit > daily_limit:
        raise BusinessError(f"{noun}单笔限额{yuan(single_limit)}不得超过日累计限额{yuan(daily_limit)}")
    if level == LimitLevel.CUSTOMER and not branch_code:
        raise BusinessError("设置客户限额须提供客户的开户行社代码")

    # Staff writes (branch, bank) serialise on the bank row; customers' own changes do not take
    # it, or every 限额管理 submission in the province would queue behind one row.
    ceilings = _ceilings(level=level, channel=channel, branch_code=branch_code,
                         lock_bank=lock and level == LimitLevel.BRANCH)
    for kind, value in (("single", single_limit), ("daily", daily_limit)):
        if value is None or not ceilings[kind]:
            continue
        ceiling, who = min(ceilings[kind], key=lambda c: c[0])
        if value > ceiling:
            raise BusinessError(f"{noun}{_KIND_NOUN[kind]}{yuan(value)}不得超过"
                                f"{who}{_KIND_NOUN[kind]}{yuan(ceiling)}")

    if level == LimitLevel.BANK:
        if lock:
            _row(LimitLevel.BANK, "", channel, lock=True)
        above = []
        for branch in LimitPolicy.objects.filter(level=LimitLevel.BRANCH, channel=channel):
            parts = []
            if (single_limit is not None and branch.single_limit is not None
                    and branch.single_limit > single_limit):
                parts.append(f"单笔{yuan(branch.single_limit)}")
            if (daily_limit is not None and branch.daily_limit is not None
                    and branch.daily_limit > daily_limit):
                parts.append(f"日累计{yuan(branch.daily_limit)}")
            if parts:
                above.append(f"{branch.scope}（{'，'.join(parts)}）")
        if above:
            raise BusinessError("全行限额不得低于行社已设定的限额，请先调低以下行社的限额："
                                + "；".join(above))
    return scope


def limit_policy_set(*, level: str, scope: str = "", channel: str = LimitChannel.TRANSFER,
                     single_limit: Decimal | None, daily_limit: Decimal | None,
                     acting_user_id: int | None = None, branch_code: str = "") -> LimitPolicy:
    """Set (create or change) the limits of one level, keeping the hierarchy; audited.

    ``None`` for a figure means "not set at this level" (the next level up applies). Plain
    ``atomic``, not durable: the admin's change view and the confirmation flow already hold a
    transaction around it.
    """
    with transaction.atomic():
        scope = _validate(level=level, scope=scope, channel=channel, single_limit=single_limit,
                          daily_limit=daily_limit, branch_code=branch_code, lock=True)
        previous = _row(level, scope, channel, lock=True)
        policy, _created = LimitPolicy.objects.update_or_create(
            level=level, scope=scope, channel=channel,
            defaults={"single_limit": single_limit, "daily_limit": daily_limit,
                      "updated_by_id": acting_user_id},
        )
        actor = None
        if acting_user_id is not None:
            actor = get_user_model()._default_manager.filter(pk=acting_user_id).first()
        audit_record(
            action="limit_policy_set",
            actor=actor,
            customer_id=int(scope) if level == LimitLevel.CUSTOMER else None,
            object_ref=f"limit_policy:{policy.pk}",
            detail={
                "level": level, "scope": scope, "channel": channel,
                "single_limit": _text(single_limit), "daily_limit": _text(daily_limit),
                "previous_single_limit": _text(previous.single_limit if previous else None),
                "previous_daily_limit": _text(previous.daily_limit if previous else None),
            },
        )
    return policy


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
