"""The interface to the billers (缴费单位: 水费, 电费, 煤气, 供暖, 申报扣税, 移动, 铁通, 联通, 电信).

Our side (payments) talks to a biller only through a :class:`BillerAdapter`;
``biller_adapter()`` returns the one ``settings.BILLER_ADAPTER`` names (in development and tests
``ebank.billers.simulator.SimulatedBillers``). Billers are named by their code (``Biller.code``
in payments' admin); the adapter never sees our customers, only the biller's customer number
(缴费号码: 户号, 电话号码, 缴税凭证号).

* ``query(biller_code, customer_no)`` → :class:`BillInfo`: the biller's customer, name masked,
  what is owed, whether the amount is fixed (供暖 and 申报扣税 pay exactly what is shown), and
  for tax the TIPS fields (税种明细笔数, 应缴金额, 国库申报序号).
* ``pay(biller_code, customer_no, amount, reference)`` → :class:`PayAnswer`: the write-off
  (销账) of money we have already debited. Idempotent per ``reference``: the same reference again
  returns the first answer and writes off nothing twice.
* ``status(biller_code, reference)`` → :class:`PayAnswer`: what the biller knows of a reference
  (``NOT_FOUND``: it never took it) — how we decide after a time-out, before any 冲正.
* ``statement(biller_code, day)`` → the biller's 对账文件 for one day: every payment it
  accepted, as :class:`StatementLine` rows (the simulator writes a file and reads it back).

Errors: :class:`BillerRefused` (the biller's reason, shown as it is; nothing was written off),
:class:`BillerTimeout` (no answer in time: the outcome is unknown, ask ``status`` later),
:class:`BillerUnavailable` (closed / not reachable before anything was sent).
"""

import abc
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

from ebank.core.errors import BusinessError


class BillerRefused(BusinessError):
    code = "biller_refused"
    default_message = "缴费单位拒绝了该笔缴费"


class BillerTimeout(BusinessError):
    code = "biller_timeout"
    default_message = "缴费单位系统响应超时"


class BillerUnavailable(BusinessError):
    code = "biller_unavailable"
    default_message = "缴费单位系统暂停服务，请稍后再试"


@dataclass(frozen=True)
class BillInfo:
    biller_code: str
    customer_no: str
    name_masked: str             # 户名, masked by the biller (张*)
    amount_owed: Decimal         # 应缴金额 (0.00: nothing owed; a telco's balance top-up still pays)
    amount_fixed: bool           # True: pay exactly amount_owed (供暖, 申报扣税), no amount entry
    period: str = ""             # 账期 / 所属期, as the biller words it
    address: str = ""            # 用电/用水地址 etc., masked
    balance: Decimal | None = None  # a telco's 账户余额 (预存话费), when it tells
    # 申报扣税 (TIPS) only:
    tax_detail_count: int | None = None    # 税种明细笔数
    treasury_serial: str = ""              # 国库申报序号
    tax_lines: tuple = field(default_factory=tuple)  # ((税种, 金额), …)


class PayStatus:
    PAID = "paid"            # written off (销账成功)
    FAILED = "failed"        # not written off: the biller failed or refused after we debited
    UNKNOWN = "unknown"      # the biller answered but does not know yet
    NOT_FOUND = "not_found"  # status(): the biller never took this reference


@dataclass(frozen=True)
class PayAnswer:
    status: str                      # PayStatus
    reference: str                   # ours
    biller_reference: str = ""       # the biller's 销账流水号
    message: str = ""                # the biller's words on failure
    paid_at: datetime | None = None


@dataclass(frozen=True)
class StatementLine:
    reference: str        # ours, as we sent it
    customer_no: str
    amount: Decimal
    biller_reference: str
    paid_at: datetime


class BillerAdapter(abc.ABC):
    @abc.abstractmethod
    def query(self, biller_code: str, customer_no: str) -> BillInfo: ...

    @abc.abstractmethod
    def pay(self, biller_code: str, customer_no: str, amount: Decimal,
            reference: str) -> PayAnswer: ...

    @abc.abstractmethod
    def status(self, biller_code: str, reference: str) -> PayAnswer: ...

    @abc.abstractmethod
    def statement(self, biller_code: str, day: date) -> list[StatementLine]: ...


def biller_adapter() -> BillerAdapter:
    """The adapter ``settings.BILLER_ADAPTER`` names (a fresh instance each call)."""
    return import_string(settings.BILLER_ADAPTER)()
