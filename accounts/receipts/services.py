"""Issuing and verifying 电子回单.

A receipt's verification code (验证码) is the first 20 characters of the base32 of the bank's
Ed25519 signature (``ebank.core.signing``) over the receipt's canonical elements::

    EBANK-RECEIPT-V1|回单编号|交易时间|付款人账号|付款人户名|收款人账号|收款人户名|金额|用途

交易时间 is to the second in Asia/Shanghai (``2026-11-23 14:05:09``), 金额 is ``1234.56``. Each
element is normalised the same way when issuing and when verifying (NFKC, spaces trimmed, spaces
removed from account numbers), and ``\\`` and ``|`` inside an element are escaped, so no two
different sets of elements make the same string. Ed25519 signs deterministically, so 校验 signs
the typed-in elements again and compares the codes in constant time: no database lookup, a
receipt printed from anywhere verifies, and only the holder of the private key can make a code
(100 bits: guessing is hopeless).

``receipt_issue`` is called inside the transaction that posts the movement (transfers, the
counter's tool fee), once per leg on one of our customers' sub-accounts; it is idempotent per
(entry, sub-account), so an executor that runs again gets the receipt it issued the first time.
"""

import base64
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction

from accounts.models import Receipt, ReceiptDirection, SubAccount
from ebank.core.clock import SHANGHAI
from ebank.core.errors import IdempotencyConflict
from ebank.core.money import as_money
from ebank.core.signing import receipt_sign

NUMBER_PREFIX = "HD"
CODE_LENGTH = 20
CODE_GROUP = 4
CANONICAL_PREFIX = "EBANK-RECEIPT-V1"
# Fixed, not settings.TIME_ZONE: the signed string must not change if a deployment's zone does.
_NUMBER_ATTEMPTS = 5


class ReceiptChannel:
    """交易渠道 as the receipt prints it."""

    WEB = "个人网银"
    COUNTER = "柜面"
    BATCH = "批量处理"  # the nightly batch (定期到期处理, 预约转存 …)


class ReceiptBusiness:
    """业务种类 names used by more than one caller (others pass their own words)."""

    FEE = "手续费"
    OWN_TRANSFER = "关联账户互转"
    INTRA_TRANSFER = "行内转账"
    INTER_TRANSFER = "跨行转账"


FEE_INCOME_PAYEE = "本行手续费收入"


# --- the canonical elements -------------------------------------------------------------------


_SPACES = re.compile(r"\s+")


def receipt_text(value: str) -> str:
    """Names and 用途: NFKC (full-width letters and digits as typed by an IME), spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value or "")).strip()


def normalize_account(value: str) -> str:
    """An account as printed (``6226 7901 ...``) or typed: without spaces, letters upper-case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def normalize_number(value: str) -> str:
    return normalize_account(value)


# Base32 has no 0, 1 or 8: a reader who types them means O, I and B.
_CODE_LOOKALIKES = str.maketrans("018", "OIB")


def normalize_code(value: str) -> str:
    """The code as typed: groups and spaces dropped, upper-case, look-alike digits read as letters."""
    typed = re.sub(r"[\s\-]+", "", unicodedata.normalize("NFKC", value or ""))
    return typed.upper().translate(_CODE_LOOKALIKES)


def receipt_time_text(posted_at: datetime) -> str:
    """交易时间 as signed and printed: to the second, Asia/Shanghai."""
    if posted_at.tzinfo is None:
        raise ValueError("交易时间须带时区（数据库以 UTC 存储）")
    return posted_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _escape(element: str) -> str:
    return element.replace("\\", "\\\\").replace("|", "\\|")


@dataclass(frozen=True)
class ReceiptElements:
    """What 电子回单校验 asks for, and exactly what the code signs."""

    number: str
    posted_at: datetime
    payer_account: str
    payer_name: str
    payee_account: str
    payee_name: str
    amount: Decimal
    purpose: str

    def canonical(self) -> bytes:
        amount = as_money(self.amount)
        parts = [
            normalize_number(self.number),
            receipt_time_text(self.posted_at),
            normalize_account(self.payer_account),
            receipt_text(self.payer_name),
            normalize_account(self.payee_account),
            receipt_text(self.payee_name),
            f"{amount:.2f}",
            receipt_text(self.purpose),
        ]
        return "|".join([CANONICAL_PREFIX, *map(_escape, parts)]).encode()

    def code(self) -> str:
        """The verification code, grouped for reading: ``XXXX-XXXX-XXXX-XXXX-XXXX``."""
        raw = base64.b32encode(receipt_sign(self.canonical())).decode()[:CODE_LENGTH]
        return "-".join(raw[i:i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


# --- issuing ----------------------------------------------------------------------------------


def receipt_number_new(*, posted_at: datetime) -> str:
    """``HD`` + posting date (Asia/Shanghai) + 10 random digits.

    Random rather than a daily sequence: no lock on the transfer hot path, and a number tells
    nobody how many receipts the bank issues. A clash (1 in 10^10 per pair and day) is retried.
    """
    day = posted_at.astimezone(SHANGHAI)
    return f"{NUMBER_PREFIX}{day:%Y%m%d}{secrets.randbelow(10**10):010d}"


def _require_length(label: str, value: str, field: str) -> str:
    limit = Receipt._meta.get_field(field).max_length
    if len(value) > limit:
        raise ValueError(f"{label}超过 {limit} 个字符")
    return value


def receipt_issue(*, entry_id: int, sub_account: SubAccount, direction: str, amount: Decimal,
                  payer_name: str, payer_account: str, payer_bank: str, payee_name: str,
                  payee_account: str, payee_bank: str, purpose: str, business: str,
                  channel: str, posted_at: datetime) -> Receipt:
    """The 电子回单 of one posted leg on ``sub_account`` (our customer's side of ``entry_id``).

    Call it in the transaction that posts the entry. A replay for the same (entry, sub-account)
    returns the receipt issued the first time; one with another amount or direction is a bug in
    the caller and raises :class:`IdempotencyConflict`. Elements that do not fit the receipt
    are programming errors (``ValueError``); 用途 and 开户行 are cut to fit, as a printed
    voucher would.
    """
    elements, fields = _receipt_prepare(
        entry_id=entry_id, sub_account=sub_account, direction=direction, amount=amount,
        payer_name=payer_name, payer_account=payer_account, payer_bank=payer_bank,
        payee_name=payee_name, payee_account=payee_account, payee_bank=payee_bank,
        purpose=purpose, business=business, channel=channel, posted_at=posted_at)
    # Without a savepoint: the INSERT cannot fail on a clash (ON CONFLICT DO NOTHING), and what
    # can be refused was refused above, so a savepoint per receipt would serve nothing.
    with transaction.atomic(savepoint=False):
        return _receipt_store(elements=elements, fields=fields, entry_id=entry_id,
                              sub_account=sub_account, posted_at=posted_at)


def _receipt_store(*, elements: ReceiptElements, fields: dict, entry_id: int,
                   sub_account: SubAccount, posted_at: datetime) -> Receipt:
    direction, amount = fields["direction"], fields["amount"]
    for _attempt in range(_NUMBER_ATTEMPTS):
        number = receipt_number_new(posted_at=posted_at)
        signed = replace(elements, number=number)
        candidate = Receipt(number=number, verification_code=signed.code(), **fields)
        # ON CONFLICT DO NOTHING: no savepoint, and a concurrent issuer of the same receipt
        # waits on the unique index and then finds ours. Inserted: done in one round trip.
        if _receipt_insert(candidate):
            return candidate
        # Not inserted: a replay (this entry and account have their receipt), or the number
        # was taken. One more round trip tells which.
        stored = Receipt.objects.filter(entry_id=entry_id, sub_account=sub_account).first()
        if stored is not None:
            if stored.number != number:
                _replay_check(stored=stored, direction=direction, amount=amount)
            return stored
        # Neither ours nor an earlier one: the number was taken by another receipt. Draw again.
    raise RuntimeError("无法分配电子回单编号")


_INSERT_FIELDS = [field for field in Receipt._meta.concrete_fields if not field.primary_key]


def _receipt_insert(receipt: Receipt) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id`` (PostgreSQL, SQLite ≥ 3.35): True, with
    ``receipt.pk`` set, when the row went in; False when a unique index already held one.

    The statement Django's ``bulk_create(ignore_conflicts=True)`` sends, plus RETURNING, which
    it does not ask for; every concrete field, so the model and this stay in step.
    """
    quote = connection.ops.quote_name
    pk_column = Receipt._meta.pk.column
    sql = (f"INSERT INTO {quote(Receipt._meta.db_table)} "
           f"({', '.join(quote(field.column) for field in _INSERT_FIELDS)}) "
           f"VALUES ({', '.join(['%s'] * len(_INSERT_FIELDS))}) "
           f"ON CONFLICT DO NOTHING RETURNING {quote(pk_column)}")
    params = [field.get_db_prep_save(field.pre_save(receipt, add=True), connection)
              for field in _INSERT_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    receipt.pk = row[0]
    receipt._state.adding = False
    receipt._state.db = connection.alias
    return True


def _replay_check(*, stored: Receipt, direction: str, amount: Decimal) -> None:
    if stored.direction != direction or stored.amount != amount:
        raise IdempotencyConflict("同一笔记账已出具内容不同的电子回单")


def _receipt_prepare(*, entry_id: int, sub_account: SubAccount, direction: str, amount: Decimal,
                     payer_name: str, payer_account: str, payer_bank: str, payee_name: str,
                     payee_account: str, payee_bank: str, purpose: str, business: str,
                     channel: str, posted_at: datetime) -> tuple["ReceiptElements", dict]:
    """The checked elements (number not drawn yet) and the row's fields of one receipt."""
    direction = ReceiptDirection(direction)
    amount = as_money(amount)
    if amount <= 0:
        raise ValueError("回单金额必须大于零")
    elements = ReceiptElements(
        number="",  # drawn below
        posted_at=posted_at.replace(microsecond=0),
        payer_account=_require_length("付款人账号", normalize_account(payer_account), "payer_account"),
        payer_name=_require_length("付款人户名", receipt_text(payer_name), "payer_name"),
        payee_account=_require_length("收款人账号", normalize_account(payee_account), "payee_account"),
        payee_name=_require_length("收款人户名", receipt_text(payee_name), "payee_name"),
        amount=amount,
        # Cut, then trimmed again: the stored 用途 must be exactly what the code signs.
        purpose=receipt_text(receipt_text(purpose)[:Receipt._meta.get_field("purpose").max_length]),
    )
    fields = {
        "customer_id": sub_account.medium.customer_id,
        "sub_account": sub_account,
        "entry_id": entry_id,
        "direction": direction,
        "amount": amount,
        "payer_name": elements.payer_name,
        "payer_account": elements.payer_account,
        "payer_bank": receipt_text(payer_bank)[:128],
        "payee_name": elements.payee_name,
        "payee_account": elements.payee_account,
        "payee_bank": receipt_text(payee_bank)[:128],
        "purpose": elements.purpose,
        "business": _require_length("业务种类", receipt_text(business), "business"),
        "channel": _require_length("交易渠道", receipt_text(channel), "channel"),
        "posted_at": elements.posted_at,
    }
    receipt_time_text(posted_at)  # a naive time is refused before anything is written
    return elements, fields


def receipt_issue_many(specs: list[dict]) -> list[Receipt]:
    """Many 电子回单 at once: ``specs`` are :func:`receipt_issue`'s keyword arguments, one dict
    per receipt (批量转账 issues a chunk's receipts this way).

    Every receipt is checked as :func:`receipt_issue` checks it, then all go in one
    ``INSERT … ON CONFLICT DO NOTHING RETURNING``; a receipt that did not go in (a replay of
    the same entry and account, or a clashing number) is issued again by :func:`receipt_issue`,
    which tells the two apart. Same outcome as calling :func:`receipt_issue` for each, in order.
    """
    prepared = [_receipt_prepare(**spec) for spec in specs]
    candidates = []
    for elements, fields in prepared:
        number = receipt_number_new(posted_at=fields["posted_at"])
        candidates.append(Receipt(number=number,
                                  verification_code=replace(elements, number=number).code(),
                                  **fields))
    with transaction.atomic(savepoint=False):
        inserted = _receipts_insert(candidates)
        return [candidate if index in inserted else receipt_issue(**spec)
                for index, (candidate, spec) in enumerate(zip(candidates, specs, strict=True))]


def _receipts_insert(receipts: list[Receipt]) -> set[int]:
    """One multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING``; the indexes that went in
    (their ``pk`` set). The numbers are distinct within the call (drawn again on a repeat)."""
    if not receipts:
        return set()
    seen = set()
    for receipt in receipts:
        while receipt.number in seen:
            receipt.number = receipt_number_new(posted_at=receipt.posted_at)
        seen.add(receipt.number)
    quote = connection.ops.quote_name
    pk_column = Receipt._meta.pk.column
    row = f"({', '.join(['%s'] * len(_INSERT_FIELDS))})"
    sql = (f"INSERT INTO {quote(Receipt._meta.db_table)} "
           f"({', '.join(quote(field.column) for field in _INSERT_FIELDS)}) "
           f"VALUES {', '.join([row] * len(receipts))} "
           f"ON CONFLICT DO NOTHING RETURNING {quote(pk_column)}, {quote('number')}")
    params = [field.get_db_prep_save(field.pre_save(receipt, add=True), connection)
              for receipt in receipts for field in _INSERT_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = {number: pk for pk, number in cursor.fetchall()}
    inserted = set()
    for index, receipt in enumerate(receipts):
        if receipt.number in returned:
            receipt.pk = returned[receipt.number]
            receipt._state.adding = False
            receipt._state.db = connection.alias
            inserted.add(index)
    return inserted


# --- verifying --------------------------------------------------------------------------------


def receipt_verify(*, number: str, posted_at: datetime, payer_account: str, payer_name: str,
                   payee_account: str, payee_name: str, amount: Decimal, purpose: str,
                   verification_code: str) -> bool:
    """True when ``verification_code`` is the bank's code for exactly these elements.

    Nothing is read or written: the bank's key alone decides, so a receipt printed anywhere can
    be checked. ``posted_at`` is read to the second; a naive value means Asia/Shanghai time.
    """
    if posted_at.tzinfo is None:
        posted_at = posted_at.replace(tzinfo=SHANGHAI)
    try:
        expected = ReceiptElements(
            number=number, posted_at=posted_at.replace(microsecond=0),
            payer_account=payer_account, payer_name=payer_name, payee_account=payee_account,
            payee_name=payee_name, amount=amount, purpose=purpose,
        ).code()
    except (TypeError, ValueError):
        return False
    return hmac.compare_digest(normalize_code(expected).encode(),
                               normalize_code(verification_code).encode("utf-8", "replace"))
