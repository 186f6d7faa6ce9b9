"""The interface to the other banks (他行账户管理, 跨行资金归集): signing, queries, debits.

Our side (transfers.otherbank, transfers.collect) talks to the other banks only through an
:class:`OtherBankAdapter`; ``get_otherbank_adapter()`` returns the one ``settings.
OTHERBANK_ADAPTER`` names (in development and tests ``simulator.SimulatedOtherBanks``).

* ``signing_start`` sends the customer to the other bank's signing page: it returns that
  page's URL. The other bank checks its card, its password there and the agreement's limits
  and validity, then sends the customer back to ``return_url`` with a signed result;
  ``signing_result`` verifies that text (never trust a query string unsigned) and gives the
  :class:`SigningResult`.
* ``agreement_read`` / ``balance`` / ``history`` read through an agreement; ``debit`` pulls
  money under an authorised-payment agreement, idempotent per ``reference``: asking again with
  the same reference returns the first answer and moves nothing twice. ``debit_status`` reads
  the answer to a reference (None: the other bank never took it) — the way to decide after a
  timeout. ``agreement_cancel`` is our side's 解约.

Errors: :class:`OtherBankTimeout` (no answer in time), :class:`OtherBankRefused` (with the
other bank's reason, shown as it is), :class:`AgreementRevoked` (the other bank has ended the
agreement: our side marks it so).
"""

import abc
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ebank.core.errors import BusinessError

from .models import AgreementKind  # noqa: F401 - re-exported for the callers


def id_digest(id_number: str) -> str:
    """How an ID number travels between the banks: its SHA-256, never the number itself."""
    return hashlib.sha256(id_number.strip().upper().encode()).hexdigest()


REVOKED_MESSAGE = "他行已解约"  # the one wording for the other bank's 解约


class OtherBankTimeout(BusinessError):
    code = "otherbank_timeout"
    default_message = "他行系统响应超时，请稍后再试"


class OtherBankRefused(BusinessError):
    code = "otherbank_refused"
    default_message = "他行拒绝了该交易"


class AgreementRevoked(BusinessError):
    code = "otherbank_revoked"
    default_message = REVOKED_MESSAGE


class SigningResultInvalid(BusinessError):
    code = "otherbank_signing_invalid"
    default_message = "他行签约结果无效或已过期，请重新签约"


@dataclass(frozen=True)
class BankInfo:
    code: str
    name: str


@dataclass(frozen=True)
class AgreementInfo:
    external_id: str
    kind: str  # AgreementKind
    bank_code: str
    bank_name: str
    account_number: str
    holder_name: str
    id_digest: str  # id_digest() of the holder's ID number at the other bank
    single_limit: Decimal | None
    daily_limit: Decimal | None
    valid_until: date
    active: bool


@dataclass(frozen=True)
class SigningResult:
    state: str  # the state token our side gave signing_start
    signed: bool  # False: the customer cancelled at the other bank
    external_id: str = ""


@dataclass(frozen=True)
class BalanceInfo:
    account_number: str
    balance: Decimal
    available: Decimal


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    amount: Decimal  # + in, − out
    balance_after: Decimal
    summary: str
    counterparty: str


@dataclass(frozen=True)
class DebitAnswer:
    reference: str
    succeeded: bool
    reason: str = ""  # the other bank's words when refused
    revoked: bool = False  # refused because the agreement has ended at the other bank


class OtherBankAdapter(abc.ABC):
    @abc.abstractmethod
    def banks(self) -> list[BankInfo]:
        """The other banks one may sign agreements with (他行名称)."""

    @abc.abstractmethod
    def signing_start(self, *, kind: str, bank_code: str, holder_name: str, id_number: str,
                      state: str, return_url: str) -> str:
        """Open a signing at the other bank; returns the URL of its signing page."""

    @abc.abstractmethod
    def signing_result(self, signed_text: str) -> SigningResult:
        """Verify what the other bank sent back; raises SigningResultInvalid."""

    @abc.abstractmethod
    def agreement_read(self, external_id: str) -> AgreementInfo: ...

    @abc.abstractmethod
    def agreement_cancel(self, external_id: str) -> None: ...

    @abc.abstractmethod
    def balance(self, external_id: str) -> BalanceInfo: ...

    @abc.abstractmethod
    def history(self, external_id: str, date_from: date, date_to: date) -> list[HistoryRow]: ...

    @abc.abstractmethod
    def debit(self, *, external_id: str, reference: str, amount: Decimal,
              memo: str) -> DebitAnswer: ...

    @abc.abstractmethod
    def debit_status(self, reference: str) -> DebitAnswer | None: ...


def get_otherbank_adapter() -> OtherBankAdapter:
    """The adapter ``settings.OTHERBANK_ADAPTER`` names, among the known ones (a fixed table, as
    ``get_clearing_adapter``: a typo fails loudly here)."""
    from .simulator import SimulatedOtherBanks  # the simulator imports this module

    known: dict[str, type[OtherBankAdapter]] = {
        "ebank.otherbanks.simulator.SimulatedOtherBanks": SimulatedOtherBanks,
    }
    path = getattr(settings, "OTHERBANK_ADAPTER", "ebank.otherbanks.simulator.SimulatedOtherBanks")
    try:
        adapter_class = known[path]
    except KeyError:
        raise ImproperlyConfigured(
            f"OTHERBANK_ADAPTER={path!r} is not a known other-bank adapter ({', '.join(known)})"
        ) from None
    return adapter_class()
