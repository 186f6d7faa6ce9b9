"""The simulated billers: deterministic, and told what to do (docs/payments.md, 缴费单位模拟器).

Each simulated biller (:class:`SimBiller`) keeps its customers' bills (:class:`SimBill`) and
the payments it answered (:class:`SimPayment`), and has a behaviour (admin 模拟缴费单位, or
:func:`sim_mode_set` in tests) that decides how ``pay`` answers:

    normal            writes off (销账): a fixed bill (供暖, 申报扣税) must be paid exactly and
                      once ("该缴费已缴清" after), a variable bill's owed amount drops (never
                      below 0) and a telco's balance grows by the amount
    refuse            BillerRefused with the biller's reason; nothing written off or recorded
    fail_after_debit  answers FAILED with the reason (recorded: the reference answers so again)
    timeout_lost      BillerTimeout, nothing recorded: status() says NOT_FOUND
    timeout_done      written off and recorded, but the answer is lost (BillerTimeout):
                      status() says PAID
    unavailable       BillerUnavailable on every call (query, pay, status, statement)

``query`` and ``status`` answer normally in every behaviour but unavailable. ``pay`` is
idempotent per (biller, reference): the same reference again answers what the first call
recorded, whatever the amount or number given. ``statement(code, day)`` writes the day's 对账文件
(``settings.BILLER_FILES_DIR/<code>/<YYYYMMDD>.csv``: every payment written off that day) and
reads it back, so reconciliation reads what the file says.

Nothing here draws random numbers or reads the wall clock except ``timezone.now()``.
"""

import csv
import io
import os
import re
import tempfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ebank.core.clock import SHANGHAI

from .adapter import (
    BillerAdapter,
    BillerRefused,
    BillerTimeout,
    BillerUnavailable,
    BillInfo,
    PayAnswer,
    PayStatus,
    StatementLine,
)
from .models import SimBehaviour, SimBill, SimBiller, SimPayment, SimPaymentStatus

# The demo and test billers (common to payments' demo, which registers them on our side).
KNOWN_BILLERS = {
    "WATER01": "合肥供水集团",
    "POWER01": "国网安徽省电力有限公司",
    "GAS01": "合肥燃气集团",
    "HEAT01": "合肥热电集团",
    "TAX01": "国家税务总局安徽省税务局",
    "CMCC01": "中国移动安徽公司",
    "CTT01": "中国铁通安徽分公司",
    "CU01": "中国联通安徽省分公司",
    "CT01": "中国电信安徽分公司",
}

DEFAULT_REFUSAL = "缴费单位拒绝交易"
DEFAULT_FAILURE = "缴费单位销账失败"
NUMBER_UNKNOWN = "缴费号码不存在，请核对后重新输入"
ALREADY_PAID = "该缴费已缴清"
AMOUNT_MISMATCH = "缴费金额与应缴金额不符"
AMOUNT_INVALID = "缴费金额无效"

STATEMENT_HEADER = ("缴费流水号", "缴费号码", "金额", "销账流水号", "销账时间")


def biller_name_mask(name: str) -> str:
    """The billers' own masking of a 户名: ``张*`` (two characters), ``李*娜`` / ``欧**明``
    (first and last kept). Not ebank.core.masking.mask_name (``李**``): the biller's words."""
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def biller_address_mask(address: str) -> str:
    """The first six characters of an address, the rest hidden (``合肥市蜀山区****``)."""
    return address if len(address) <= 6 else address[:6] + "****"


def _biller(code: str, *, lock: bool = False) -> SimBiller:
    qs = SimBiller.objects.select_for_update() if lock else SimBiller.objects
    biller = qs.filter(code=code).first()
    if biller is None or biller.behaviour == SimBehaviour.UNAVAILABLE:
        raise BillerUnavailable()
    return biller


def _answer(payment: SimPayment) -> PayAnswer:
    if payment.status == SimPaymentStatus.PAID:
        return PayAnswer(PayStatus.PAID, payment.reference, payment.biller_reference,
                         paid_at=payment.paid_at)
    return PayAnswer(PayStatus.FAILED, payment.reference, message=payment.reason)


def _info(bill: SimBill) -> BillInfo:
    lines = tuple((kind, Decimal(amount)) for kind, amount in bill.tax_lines or ())
    return BillInfo(
        biller_code=bill.biller.code, customer_no=bill.customer_no,
        name_masked=biller_name_mask(bill.name), amount_owed=bill.amount_owed,
        amount_fixed=bill.amount_fixed, period=bill.period,
        address=biller_address_mask(bill.address), balance=bill.balance,
        tax_detail_count=len(lines) if lines else None,
        treasury_serial=bill.treasury_serial, tax_lines=lines)


class SimulatedBillers(BillerAdapter):
    def query(self, biller_code: str, customer_no: str) -> BillInfo:
        biller = _biller(biller_code)
        bill = (SimBill.objects.select_related("biller")
                .filter(biller=biller, customer_no=(customer_no or "").strip()).first())
        if bill is None:
            raise BillerRefused(NUMBER_UNKNOWN)
        return _info(bill)

    def pay(self, biller_code: str, customer_no: str, amount: Decimal,
            reference: str) -> PayAnswer:
        with transaction.atomic():
            # The biller's row first (serial numbers, and one reference at a time), then the bill.
            biller = _biller(biller_code, lock=True)
            first = SimPayment.objects.filter(biller=biller, reference=reference).first()
            if first is not None:
                return _answer(first)
            behaviour = biller.behaviour
            if behaviour == SimBehaviour.REFUSE:
                raise BillerRefused(biller.reason or DEFAULT_REFUSAL)
            if behaviour == SimBehaviour.TIMEOUT_LOST:
                raise BillerTimeout()
            now = timezone.now()
            if behaviour == SimBehaviour.FAIL_AFTER_DEBIT:
                payment = SimPayment.objects.create(
                    biller=biller, reference=reference, customer_no=customer_no,
                    amount=amount, status=SimPaymentStatus.FAILED,
                    reason=biller.reason or DEFAULT_FAILURE, paid_at=now,
                    day=timezone.localdate(now, timezone=SHANGHAI))
                return _answer(payment)
            bill = (SimBill.objects.select_for_update()
                    .filter(biller=biller, customer_no=customer_no).first())
            if bill is None:
                raise BillerRefused(NUMBER_UNKNOWN)
            _write_off(bill, amount)
            payment = _payment_record(biller, reference=reference, customer_no=customer_no,
                                      amount=amount, paid_at=now)
        if behaviour == SimBehaviour.TIMEOUT_DONE:
            raise BillerTimeout()
        return _answer(payment)

    def status(self, biller_code: str, reference: str) -> PayAnswer:
        biller = _biller(biller_code)
        payment = SimPayment.objects.filter(biller=biller, reference=reference).first()
        if payment is None:
            return PayAnswer(PayStatus.NOT_FOUND, reference)
        return _answer(payment)

    def statement(self, biller_code: str, day: date) -> list[StatementLine]:
        biller = _biller(biller_code)
        path = statement_file_write(biller, day)
        return statement_file_read(path)


def _write_off(bill: SimBill, amount: Decimal) -> None:
    """销账 on a locked bill, or BillerRefused (nothing changed)."""
    if not _is_money(amount) or amount <= 0:
        raise BillerRefused(AMOUNT_INVALID)
    if bill.amount_fixed:
        if bill.amount_owed <= 0:
            raise BillerRefused(ALREADY_PAID)
        if amount != bill.amount_owed:
            raise BillerRefused(AMOUNT_MISMATCH)
        bill.amount_owed = Decimal("0.00")
    else:
        bill.amount_owed = max(Decimal("0.00"), bill.amount_owed - amount)
        if bill.balance is not None:
            bill.balance += amount
    bill.save(update_fields=["amount_owed", "balance"])


def _is_money(amount) -> bool:
    """A finite Decimal in fen (no third decimal: it would be rounded away when stored)."""
    return (isinstance(amount, Decimal) and amount.is_finite()
            and amount == amount.quantize(Decimal("0.01")) and abs(amount) < Decimal("1e16"))


def _payment_record(biller: SimBiller, *, reference: str, customer_no: str, amount: Decimal,
                    paid_at: datetime, day: date | None = None,
                    planted: bool = False) -> SimPayment:
    """A PAID payment with the biller's next 销账流水号 (the biller row is locked)."""
    biller.last_serial += 1
    biller.save(update_fields=["last_serial"])
    day = day or timezone.localdate(paid_at, timezone=SHANGHAI)
    return SimPayment.objects.create(
        biller=biller, reference=reference, customer_no=customer_no, amount=amount,
        status=SimPaymentStatus.PAID, paid_at=paid_at, day=day, planted=planted,
        biller_reference=f"{biller.code}{day:%Y%m%d}{biller.last_serial:08d}")


# --- the 对账文件 ------------------------------------------------------------------------------


# A biller code as a directory name: letters, digits, "_" and "-" only (no "../", no "/").
CODE_AS_PATH = re.compile(r"[A-Za-z0-9_-]{1,16}")
# The widths of the fields a 对账文件 line fills (ReconcileDifference's columns).
REFERENCE_MAX, CUSTOMER_NO_MAX, BILLER_REFERENCE_MAX = 64, 32, 40


def statement_path(code: str, day: date) -> Path:
    """``BILLER_FILES_DIR/<code>/<YYYYMMDD>.csv``; ValueError for a code that is not a plain
    name (it must never lead outside BILLER_FILES_DIR)."""
    if not CODE_AS_PATH.fullmatch(code or ""):
        raise ValueError(f"缴费单位代码不能用作文件名：{code!r}")
    return Path(settings.BILLER_FILES_DIR) / code / f"{day:%Y%m%d}.csv"


def statement_file_write(biller: SimBiller, day: date) -> Path:
    """Write the biller's 对账文件 of ``day`` (every payment written off that day, in time
    order) and return its path. Written to a temporary name and renamed: a reader never sees
    half a file."""
    path = statement_path(biller.code, day)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STATEMENT_HEADER)
    rows = (SimPayment.objects.filter(biller=biller, day=day, status=SimPaymentStatus.PAID)
            .order_by("paid_at", "id"))
    for row in rows:
        writer.writerow((row.reference, row.customer_no, f"{row.amount:.2f}",
                         row.biller_reference,
                         timezone.localtime(row.paid_at, SHANGHAI).isoformat()))
    # A temporary name of its own (two writers of one file, even threads of one process, never
    # share it), renamed over the file at once.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(buffer.getvalue())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def statement_file_read(path: Path) -> list[StatementLine]:
    """The lines of a 对账文件; ValueError (with the line number) when it is not one: a line
    of other than five fields, an amount that is not a positive sum in fen (``NaN``, ``1.005``,
    ``-5``), a time without its zone, a field wider than ours. A UTF-8 BOM is allowed."""
    lines = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if tuple(header or ()) != STATEMENT_HEADER:
            raise ValueError(f"{path}: 对账文件表头不符")
        for number, row in enumerate(reader, start=2):
            if not row:
                continue
            try:
                reference, customer_no, amount, biller_reference, paid_at = row
                amount, paid_at = Decimal(amount), datetime.fromisoformat(paid_at)
                if not _is_money(amount) or amount <= 0:
                    raise ValueError("amount")
                if paid_at.tzinfo is None:
                    raise ValueError("paid_at without a zone")
                if (not reference or len(reference) > REFERENCE_MAX
                        or len(customer_no) > CUSTOMER_NO_MAX
                        or len(biller_reference) > BILLER_REFERENCE_MAX):
                    raise ValueError("field width")
                lines.append(StatementLine(reference=reference, customer_no=customer_no,
                                           amount=amount, biller_reference=biller_reference,
                                           paid_at=paid_at))
            except (ValueError, InvalidOperation) as exc:
                raise ValueError(f"{path}:{number}: 对账文件格式错误") from exc
    return lines


# --- what tests, demos and staff tell the simulator -----------------------------------------


def sim_biller_open(code: str, name: str = "") -> SimBiller:
    """A simulated biller (idempotent per code); the name defaults to KNOWN_BILLERS'."""
    biller, _ = SimBiller.objects.get_or_create(
        code=code, defaults={"name": name or KNOWN_BILLERS.get(code, code)})
    return biller


def sim_bill_put(code: str, customer_no: str, *, name: str, amount_owed: Decimal | str | None = None,
                 fixed: bool = False, period: str = "", address: str = "",
                 balance: Decimal | str | None = None, treasury_serial: str = "",
                 tax_lines: tuple = ()) -> SimBill:
    """Create or replace a customer of biller ``code`` (the biller is opened when missing).

    ``tax_lines``: ((税种, 金额), …) of a 缴税凭证 (then ``amount_owed`` defaults to their sum);
    ``balance``: a telco's 账户余额 (None for the others)."""
    biller = sim_biller_open(code)
    lines = [[kind, f"{Decimal(amount):.2f}"] for kind, amount in tax_lines]
    if amount_owed is None:
        amount_owed = sum((Decimal(amount) for _, amount in lines), Decimal("0.00"))
    bill, _ = SimBill.objects.update_or_create(
        biller=biller, customer_no=customer_no,
        defaults={"name": name, "amount_owed": Decimal(amount_owed), "amount_fixed": fixed,
                  "period": period, "address": address,
                  "balance": None if balance is None else Decimal(balance),
                  "treasury_serial": treasury_serial, "tax_lines": lines})
    return bill


def sim_mode_set(code: str, mode: SimBehaviour | str, reason: str = "") -> None:
    """Set biller ``code``'s behaviour (and the reason it gives when refusing or failing)."""
    mode = SimBehaviour(mode)
    if not SimBiller.objects.filter(code=code).update(behaviour=mode, reason=reason):
        raise ValueError(f"no simulated biller {code!r}")


def sim_payment_plant(code: str, reference: str, *, customer_no: str, amount: Decimal | str,
                      paid_at: datetime | None = None, day: date | None = None) -> SimPayment:
    """A payment the biller has written off without us (no bill changes): for reconciliation
    tests (对方有、我方无, 金额不符…). ``day`` (its 对账文件) defaults to ``paid_at``'s date."""
    with transaction.atomic():
        biller = SimBiller.objects.select_for_update().get(pk=sim_biller_open(code).pk)
        paid_at = paid_at or timezone.now()
        return _payment_record(biller, reference=reference, customer_no=customer_no,
                               amount=Decimal(amount), paid_at=paid_at, day=day, planted=True)


def sim_bill(code: str, customer_no: str) -> SimBill:
    """The bill as the biller holds it now (tests read owed amounts and balances)."""
    return SimBill.objects.select_related("biller").get(biller__code=code,
                                                        customer_no=customer_no)


def sim_reset() -> None:
    """Every biller back to normal (bills and payments stay)."""
    SimBiller.objects.update(behaviour=SimBehaviour.NORMAL, reason="")
