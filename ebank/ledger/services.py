"""Every write to the books goes through here.

``entry_post`` is the heart: one entry, its postings and the cached balances, all-or-nothing.
It is written against the DB-API cursor rather than the ORM because it is the hot path of every
money movement: it makes one round trip per step (claim the key, lock, insert postings, update
balances) and builds no model instances. The SQL is portable between PostgreSQL and the
embedded SQLite (which has no row locks; its IMMEDIATE transactions serialise writers instead).

Lock order, everywhere in the product: the entry's idempotency key (unique index), then the
caller's ``before_lock`` work (the per-customer limit-usage row), then ledger accounts in
primary-key order. Code that locks other rows first must take them in a fixed order of its own
before calling in.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ebank.core.errors import BusinessError, IdempotencyConflict, InsufficientFunds

from .business_types import business_type_require
from .models import AccountOwner, Entry, Hold, HoldStatus, LedgerAccount, Side

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999999.99")


class LedgerError(BusinessError):
    code = "ledger_error"
    default_message = "记账失败"


@dataclass(frozen=True)
class Leg:
    """One side of an entry: ``amount`` (> 0) debited or credited to ``account_id``."""

    account_id: int
    side: str
    amount: Decimal

    @classmethod
    def debit(cls, account_id: int, amount: Decimal) -> "Leg":
        return cls(account_id, Side.DEBIT, amount)

    @classmethod
    def credit(cls, account_id: int, amount: Decimal) -> "Leg":
        return cls(account_id, Side.CREDIT, amount)


@dataclass(frozen=True)
class PostResult:
    entry_id: int
    replayed: bool


def transfer_legs(*, debit_account_id: int, credit_account_id: int, amount: Decimal) -> list[Leg]:
    """The two legs of moving ``amount`` from one account to another."""
    return [Leg.debit(debit_account_id, amount), Leg.credit(credit_account_id, amount)]


def _check_amount(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal):
        raise LedgerError("金额必须为Decimal类型")
    if amount <= 0 or amount > MAX_AMOUNT:
        raise LedgerError("金额必须大于零")
    if amount != amount.quantize(CENT):
        raise LedgerError("金额最多两位小数")
    return amount


def entry_fingerprint(business_type: str, reference: str, legs: Sequence[Leg]) -> str:
    canon = "|".join(
        f"{leg.account_id}:{leg.side}:{leg.amount}"
        for leg in sorted(legs, key=lambda x: (x.account_id, x.side, x.amount))
    )
    return hashlib.sha256(f"{business_type}|{reference}|{canon}".encode()).hexdigest()


def legs_validate(legs: Sequence[Leg]) -> None:
    if len(legs) < 2:
        raise LedgerError("分录至少需要两条记账明细")
    total = Decimal("0")
    for leg in legs:
        _check_amount(leg.amount)
        if leg.side not in (Side.DEBIT, Side.CREDIT):
            raise LedgerError("借贷方向无效")
        total += leg.amount if leg.side == Side.DEBIT else -leg.amount
    if total != 0:
        raise LedgerError("借贷不平衡")


def _placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


def _lock_accounts(cursor, account_ids: Sequence[int]) -> dict[int, tuple]:
    """Lock the accounts in primary-key order; return id → (normal_side, allow_negative, balance, held)."""
    ids = sorted(set(account_ids))
    sql = (
        "SELECT id, normal_side, allow_negative, balance, held FROM ledger_ledgeraccount "
        f"WHERE id IN ({_placeholders(len(ids))}) ORDER BY id"
    )
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    cursor.execute(sql, ids)
    rows = {
        row[0]: (row[1], bool(row[2]), _dec(row[3]), _dec(row[4])) for row in cursor.fetchall()
    }
    missing = set(ids) - rows.keys()
    if missing:
        raise LedgerError(f"总账账户不存在: {sorted(missing)}")
    return rows


def _dec(value) -> Decimal:
    # PostgreSQL hands back Decimal; SQLite hands back int/float/str for NUMERIC columns.
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(CENT)


def _claim_key(cursor, *, idempotency_key: str, fingerprint: str, business_type: str,
               reference: str, memo: str, now) -> int | None:
    """Insert the entry row; None when another (committed) entry already holds the key.

    A concurrent transaction holding the same key makes this INSERT wait on the unique index
    until that one commits (→ conflict, we replay) or rolls back (→ we proceed).
    """
    cursor.execute(
        "INSERT INTO ledger_entry (idempotency_key, fingerprint, business_type, reference, memo, "
        "posted_at) VALUES (%s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        [idempotency_key, fingerprint, business_type, reference, memo, now],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def _write_postings(cursor, *, posting_rows: list[tuple], balances: dict[int, Decimal],
                    new_held: dict[int, Decimal] | None) -> None:
    """Insert the postings and set the cached balances (and holds) of the locked accounts.

    PostgreSQL does both in one round trip (a data-modifying CTE); SQLite in two statements.
    """
    insert_sql = (
        "INSERT INTO ledger_posting (entry_id, account_id, side, amount, balance_after, "
        "posted_at) VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(posting_rows))
    )
    insert_params = [value for row in posting_rows for value in row]
    ids = sorted(balances)
    when = " ".join(["WHEN %s THEN %s"] * len(ids))
    update_sql = f"UPDATE ledger_ledgeraccount SET balance = CASE id {when} END"
    update_params: list = [v for acc_id in ids for v in (acc_id, balances[acc_id])]
    if new_held is not None:
        update_sql += f", held = CASE id {when} END"
        update_params += [v for acc_id in ids for v in (acc_id, new_held[acc_id])]
    update_sql += f" WHERE id IN ({_placeholders(len(ids))})"
    update_params += ids
    if connection.vendor == "postgresql":
        cursor.execute(f"WITH new_postings AS ({insert_sql}) {update_sql}",
                       insert_params + update_params)
    else:
        cursor.execute(insert_sql, insert_params)
        cursor.execute(update_sql, update_params)


def _replay(idempotency_key: str, fingerprint: str) -> PostResult:
    existing = Entry.objects.only("id", "fingerprint").get(idempotency_key=idempotency_key)
    if existing.fingerprint != fingerprint:
        raise IdempotencyConflict()
    return PostResult(entry_id=existing.pk, replayed=True)


def entry_post(
    *,
    idempotency_key: str,
    business_type: str,
    reference: str,
    legs: Sequence[Leg],
    memo: str = "",
    before_lock: Callable[[], None] | None = None,
    release_holds: Sequence[Hold] = (),
) -> PostResult:
    """Post one balanced entry, exactly once per ``idempotency_key``.

    * A replay of a committed key returns that entry (``replayed=True``) and does nothing else,
      not even ``before_lock``; the same key with different legs raises IdempotencyConflict.
    * ``before_lock`` runs inside the transaction, after the key is claimed and before the
      accounts are locked: the limit engine consumes the daily limit there.
    * ``release_holds``: ACTIVE holds (already locked by the caller) this entry captures; their
      amounts stop counting against available balance in the same transaction.
    * Raises InsufficientFunds (nothing written) when an account that may not go negative would.

    Joins the caller's transaction without a savepoint: any error marks the whole transaction
    for rollback, so a caller can never commit half an entry.

    CHANGE BOTH: with ``limit_consume`` as ``before_lock`` this is the Python twin of the
    PL/pgSQL ``ebank_funds_move`` (accounts.services.funds_move, the newest ``.sql`` file in
    accounts/migrations/); a change to its steps is made there too, as a new migration.
    """
    legs_validate(legs)
    business_type_require(business_type)
    if not idempotency_key or len(idempotency_key) > 128:
        raise LedgerError("幂等键无效")
    fingerprint = entry_fingerprint(business_type, reference, legs)
    now = timezone.now()
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        entry_id = _claim_key(
            cursor, idempotency_key=idempotency_key, fingerprint=fingerprint,
            business_type=business_type, reference=reference, memo=memo[:128], now=now,
        )
        if entry_id is None:
            return _replay(idempotency_key, fingerprint)
        if before_lock is not None:
            before_lock()
        accounts = _lock_accounts(cursor, [leg.account_id for leg in legs])

        released: dict[int, Decimal] = {}
        for hold in release_holds:
            if hold.status != HoldStatus.ACTIVE:
                raise LedgerError("冻结已结束，不能扣划")
            released[hold.account_id] = released.get(hold.account_id, Decimal("0")) + hold.amount

        balances = {acc_id: row[2] for acc_id, row in accounts.items()}
        posting_rows = []
        for leg in legs:
            normal_side = accounts[leg.account_id][0]
            delta = leg.amount if leg.side == normal_side else -leg.amount
            balances[leg.account_id] += delta
            posting_rows.append((entry_id, leg.account_id, leg.side, leg.amount,
                                 balances[leg.account_id], now))

        new_held = {}
        for acc_id, (_side, allow_negative, _bal, held) in accounts.items():
            new_held[acc_id] = held - released.get(acc_id, Decimal("0"))
            if not allow_negative and balances[acc_id] - new_held[acc_id] < 0:
                raise InsufficientFunds()

        _write_postings(cursor, posting_rows=posting_rows, balances=balances,
                        new_held=new_held if released else None)
        if release_holds:
            Hold.objects.filter(pk__in=[h.pk for h in release_holds]).update(
                status=HoldStatus.CAPTURED, closed_at=now, entry_id=entry_id
            )
    return PostResult(entry_id=entry_id, replayed=False)


def hold_place(*, account_id: int, amount: Decimal, idempotency_key: str, reference: str,
               reason: str = "") -> Hold:
    """Reserve ``amount`` of an account's available balance for work in flight."""
    _check_amount(amount)
    with transaction.atomic(savepoint=False):
        existing = Hold.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.account_id != account_id or existing.amount != amount:
                raise IdempotencyConflict()
            return existing
        account = LedgerAccount.objects.select_for_update().get(pk=account_id)
        if not account.allow_negative and account.available < amount:
            raise InsufficientFunds()
        try:
            with transaction.atomic():
                hold = Hold.objects.create(account=account, amount=amount, reference=reference,
                                           reason=reason, idempotency_key=idempotency_key)
        except IntegrityError:
            return Hold.objects.get(idempotency_key=idempotency_key)
        account.held += amount
        account.save(update_fields=["held"])
    return hold


def hold_release(*, hold: Hold) -> Hold:
    """Give a reserved amount back to the available balance (idempotent)."""
    with transaction.atomic(savepoint=False):
        # Hold first, then its account: the same order as hold_capture.
        hold = Hold.objects.select_for_update().get(pk=hold.pk)
        if hold.status != HoldStatus.ACTIVE:
            return hold
        account = LedgerAccount.objects.select_for_update().get(pk=hold.account_id)
        hold.status = HoldStatus.RELEASED
        hold.closed_at = timezone.now()
        hold.save(update_fields=["status", "closed_at"])
        account.held -= hold.amount
        account.save(update_fields=["held"])
    return hold


def hold_capture(*, hold: Hold, idempotency_key: str, business_type: str, reference: str,
                 legs: Sequence[Leg], memo: str = "") -> PostResult:
    """Turn a hold into an entry: the held money leaves through ``legs`` in one transaction."""
    with transaction.atomic(savepoint=False):
        hold = Hold.objects.select_for_update().get(pk=hold.pk)
        if hold.status == HoldStatus.CAPTURED and hold.entry_id is not None:
            return _replay(idempotency_key, entry_fingerprint(business_type, reference, legs))
        return entry_post(idempotency_key=idempotency_key, business_type=business_type,
                          reference=reference, legs=legs, memo=memo, release_holds=[hold])


def ledger_account_open(*, code: str, name: str, owner: str = AccountOwner.CUSTOMER,
                        normal_side: str | None = None, allow_negative: bool = False
                        ) -> LedgerAccount:
    """Open (or return the existing) ledger account with this code."""
    if normal_side is None:
        normal_side = Side.CREDIT if owner == AccountOwner.CUSTOMER else Side.DEBIT
    account, _ = LedgerAccount.objects.get_or_create(
        code=code,
        defaults={"name": name, "owner": owner, "normal_side": normal_side,
                  "allow_negative": allow_negative},
    )
    return account
