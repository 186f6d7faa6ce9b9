"""Writes of the customer-side model: opening customers, media and sub-accounts, moving funds.

Secrets: the 交易密码 is peppered with a server key (HMAC) and then hashed with the project's
password hasher (Argon2 in production), so a stolen table cannot be brute-forced over the small
space of 6-digit PINs without also stealing the key. ID numbers are encrypted at rest.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ebank.core.clock import business_day
from ebank.core.crypto import encrypt_text, keyed_digest, verification_keyed
from ebank.core.errors import (
    BusinessError,
    IdempotencyConflict,
    InsufficientFunds,
    LimitExceeded,
)
from ebank.core.masking import mask_id_number
from ebank.ledger.business_types import business_type_require
from ebank.ledger.models import AccountOwner
from ebank.ledger.services import (
    LedgerError,
    Leg,
    PostResult,
    entry_fingerprint,
    entry_post,
    ledger_account_open,
    legs_validate,
)
from ebank.limits.engine import decide, refusal
from ebank.limits.models import LimitChannel
from ebank.limits.selectors import effective_limits
from ebank.limits.services import LimitSubject, limit_consume

from .models import (
    Branch,
    Customer,
    Medium,
    MediumKind,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)


def _peppered(pin: str) -> str:
    """The PIN under the bank's PIN key (accounts/hashers.py): what the stored hash is made of."""
    return verification_keyed(pin).hex()


def pin_validate_format(pin: str) -> None:
    if len(pin) != 6 or not pin.isdigit() or not pin.isascii():
        raise BusinessError("交易密码应为6位数字")


def pin_make_hash(pin: str) -> str:
    pin_validate_format(pin)
    return make_password(_peppered(pin), hasher=settings.PIN_HASHER)


def pin_matches(*, medium: Medium, pin: str) -> bool:
    """Whether ``pin`` is the medium's 交易密码 (no side effects; lockout is the caller's)."""
    if len(pin) != 6 or not pin.isdigit():
        return False
    return check_password(_peppered(pin), medium.pin_hash)


def luhn_check_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


@transaction.atomic
def customer_open(*, cif_no: str, name: str, branch: Branch, id_type: str, id_number: str,
                  phone: str, address: str = "", postcode: str = "", email: str = "") -> Customer:
    id_number = id_number.strip().upper()
    return Customer.objects.create(
        cif_no=cif_no,
        name=name,
        branch=branch,
        id_type=id_type,
        id_number_encrypted=encrypt_text(id_number),
        id_number_digest=keyed_digest(id_type, id_number),
        id_number_masked=mask_id_number(id_number),
        phone=phone,
        address=address,
        postcode=postcode,
        email=email,
    )


def customer_find_by_id_number(*, id_type: str, id_number: str) -> Customer | None:
    digest = keyed_digest(id_type, id_number.strip().upper())
    return Customer.objects.filter(id_number_digest=digest).first()


@transaction.atomic
def medium_open(*, customer: Customer, number: str, kind: str, pin: str,
                branch: Branch | None = None, opened_on: date, is_settlement: bool = True
                ) -> Medium:
    """Open a card or passbook; a medium that holds current money gets its 活期主账户 at once."""
    medium = Medium.objects.create(
        customer=customer,
        number=number,
        kind=kind,
        branch=branch or customer.branch,
        pin_hash=pin_make_hash(pin),
        opened_on=opened_on,
        is_settlement=is_settlement,
    )
    if kind in (MediumKind.DEBIT_CARD, MediumKind.CURRENT_PASSBOOK, MediumKind.CURRENT_ONEBOOK):
        sub_account_open(medium=medium, kind=SubAccountKind.CURRENT_MAIN, opened_on=opened_on)
    elif kind == MediumKind.CREDIT_CARD:
        sub_account_open(medium=medium, kind=SubAccountKind.CREDIT, opened_on=opened_on)
    return medium


@transaction.atomic
def sub_account_open(*, medium: Medium, kind: str, opened_on: date) -> SubAccount:
    # Lock the medium so two openings on it cannot pick the same sequence number.
    medium = Medium.objects.select_for_update().get(pk=medium.pk)
    last = medium.sub_accounts.order_by("-seq").values_list("seq", flat=True).first() or 0
    seq = last + 1
    ledger_account = ledger_account_open(
        code=f"C{medium.number}-{seq:04d}",
        name=f"{medium.customer.name} {SubAccountKind(kind).label}",
        owner=AccountOwner.CUSTOMER,
        # A credit card account is what the customer owes: the bank's asset, debit-normal.
        normal_side="D" if kind == SubAccountKind.CREDIT else "C",
        allow_negative=kind == SubAccountKind.CREDIT,
    )
    return SubAccount.objects.create(
        medium=medium, seq=seq, kind=kind, ledger_account=ledger_account, opened_on=opened_on
    )


def funds_move(
    *,
    debit_ledger_id: int,
    credit_ledger_id: int,
    amount: Decimal,
    idempotency_key: str,
    business_type: str,
    reference: str,
    memo: str = "",
    limit_subject: LimitSubject | None = None,
) -> PostResult:
    """Move money between two ledger accounts once, taking the daily limit where it applies.

    ``limit_subject`` is given for external transfers, which count toward X-LIMIT; own-account
    moves pass None. The limit is consumed inside the posting transaction, after the
    idempotency key is claimed, so a replay consumes nothing. Raises InsufficientFunds,
    LimitExceeded (naming the limit) or IdempotencyConflict; nothing is written then.

    On PostgreSQL this is one call of the ``ebank_funds_move`` function (``_funds_move_pg``,
    migration accounts/0002): the hot path of every external transfer in one round trip.
    Elsewhere it is ``_funds_move_python``: ``entry_post`` with the limit engine in
    ``before_lock`` — the same steps in the same order.
    """
    if debit_ledger_id == credit_ledger_id:
        raise LedgerError("转出账户与转入账户不能相同")
    business_type_require(business_type)
    legs = [Leg.debit(debit_ledger_id, amount), Leg.credit(credit_ledger_id, amount)]
    path = _funds_move_pg if connection.vendor == "postgresql" else _funds_move_python
    return path(legs=legs, idempotency_key=idempotency_key, business_type=business_type,
                reference=reference, memo=memo, limit_subject=limit_subject)


def _funds_move_python(*, legs: list[Leg], idempotency_key: str, business_type: str,
                       reference: str, memo: str, limit_subject: LimitSubject | None
                       ) -> PostResult:
    """The portable path: ``entry_post`` with ``limit_consume`` as its ``before_lock``.

    CHANGE BOTH: this is the twin of the PL/pgSQL function ``ebank_funds_move``
    (accounts/migrations/0002_funds_move_function.sql, or the newest ``.sql`` file beside it).
    A change to what this path does (here, in ``entry_post`` or in ``limit_consume``: a step,
    its order, a check, a refusal, a column written) is made to the function too, in the same
    commit, as a new migration with a new ``.sql`` file — never an edit of the old one.
    accounts/tests/test_funds_move_parity.py runs one table of scenarios through both paths on
    PostgreSQL and compares every posting, balance, usage row and refusal.
    """
    before_lock = None
    if limit_subject is not None:
        amount = legs[0].amount

        def before_lock() -> None:
            limit_consume(subject=limit_subject, amount=amount)

    return entry_post(idempotency_key=idempotency_key, business_type=business_type,
                      reference=reference, memo=memo, legs=legs, before_lock=before_lock)


def _funds_move_pg(*, legs: list[Leg], idempotency_key: str, business_type: str,
                   reference: str, memo: str, limit_subject: LimitSubject | None) -> PostResult:
    """One call of ``ebank_funds_move``; its SQLSTATEs turned into the Python path's errors.

    CHANGE BOTH: the function is the twin of ``_funds_move_python`` (see there).
    """
    legs_validate(legs)
    if not idempotency_key or len(idempotency_key) > 128:
        raise LedgerError("幂等键无效")
    debit, credit = legs
    amount = debit.amount
    fingerprint = entry_fingerprint(business_type, reference, legs)
    limits = None
    customer_id = day = single = daily = None
    channel = LimitChannel.TRANSFER
    if limit_subject is not None:
        limits = effective_limits(subject=limit_subject, channel=channel)
        customer_id, day = limit_subject.customer_id, business_day()
        single, daily = limits.single, limits.daily
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT entry_id, replayed, fingerprint FROM ebank_funds_move("
                "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [idempotency_key, fingerprint, business_type, reference, memo[:128],
                 timezone.now(), debit.account_id, credit.account_id, amount,
                 customer_id, day, channel, single, daily],
            )
            entry_id, replayed, stored_fingerprint = cursor.fetchone()
    except DatabaseError as exc:
        if connection.in_atomic_block:
            # The statement failed, so PostgreSQL has aborted the caller's transaction too.
            transaction.set_rollback(True)
        cause = exc.__cause__
        sqlstate = getattr(cause, "sqlstate", None)
        if sqlstate == "EB001" and limits is not None:
            used_before = Decimal(cause.diag.message_detail)
            decision = decide(limits=limits, amount=amount, used=used_before)
            raise (refusal(decision) if not decision.allowed else LimitExceeded()) from None
        if sqlstate == "EB002":
            raise InsufficientFunds() from None
        if sqlstate == "EB003":
            raise LedgerError("转出和转入账户无效") from None
        raise
    if replayed and stored_fingerprint != fingerprint:
        raise IdempotencyConflict()
    return PostResult(entry_id=entry_id, replayed=replayed)


@transaction.atomic
def sub_account_close(*, sub_account: SubAccount, closed_on: date) -> SubAccount:
    """销户 of a sub-account whose balance is zero (a 定期 taken back whole, …); its ledger
    account stays (the history is kept). A balance left is a programming error."""
    sub_account = SubAccount.objects.select_for_update().select_related("ledger_account").get(
        pk=sub_account.pk)
    if sub_account.ledger_account.balance != 0:
        raise ValueError(f"子账户 {sub_account.number} 余额不为零，不能销户")
    sub_account.status = SubAccountStatus.CLOSED
    sub_account.save(update_fields=["status"])
    return sub_account
