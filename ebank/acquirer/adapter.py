"""The interface to the acquirer (收单机构): where card purchases and refunds come from.

The bank does not call the acquirer; the acquirer calls the bank (``ebank.acquirer.issuer``).
What the bank needs from this side is a way to *make* card activity happen — in development,
the demo and the tests — through the same path a real acquirer's messages would take.
``acquirer_adapter()`` returns the one ``settings.ACQUIRER_ADAPTER`` names (in development and
tests ``ebank.acquirer.simulator.SimulatedAcquirer``).

* ``purchase(card_number, amount, merchant, mcc, txn_date, reference)`` → :class:`AcquirerOutcome`:
  the purchase sent to the issuer for authorisation (approved, or declined with its reason).
* ``refund(card_number, amount, original_reference, reference)`` → :class:`AcquirerOutcome`: a
  refund of an approved purchase of the acquirer's, by the purchase's reference.

Both are idempotent per ``reference`` (empty: the acquirer makes a new one): the same reference
again is the first outcome. ``simulated`` says whether the adapter is a simulator (the staff
admin offers 模拟消费 only then).
"""

import abc
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class AcquirerOutcome:
    reference: str          # the acquirer's 交易流水号
    kind: str               # "purchase" | "refund"
    approved: bool
    amount: Decimal
    merchant: str
    reason: str = ""        # the issuer's reason when declined
    replayed: bool = False  # the reference had been sent before: the first outcome


class AcquirerAdapter(abc.ABC):
    simulated = False

    @abc.abstractmethod
    def purchase(self, *, card_number: str, amount: Decimal, merchant: str, mcc: str = "5411",
                 txn_date: date | None = None, reference: str = "") -> AcquirerOutcome: ...

    @abc.abstractmethod
    def refund(self, *, card_number: str, amount: Decimal, original_reference: str,
               reference: str = "") -> AcquirerOutcome: ...


def acquirer_adapter() -> AcquirerAdapter:
    """The adapter ``settings.ACQUIRER_ADAPTER`` names (a fresh instance each call)."""
    return import_string(settings.ACQUIRER_ADAPTER)()
