"""The bank's card-issuer API as the acquirer sees it.

ebank.acquirer is a lower app: it may not import the menu app that keeps the cards (the
dependency rule, tests/test_menu_app_shape.py). So the bank registers its issuer functions here
from its ``AppConfig.ready()`` and the acquirer calls what was registered — the way
ebank.merchants reaches the quick-pay API.

Both functions answer with an :class:`IssuerAnswer`; a declined transaction wrote nothing at
the bank. Both are idempotent per acquirer ``reference``: the same reference again is the first
answer (``replayed``) and posts nothing twice.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class IssuerAnswer:
    approved: bool
    reason: str = ""             # why declined, in the issuer's words (Chinese)
    issuer_reference: str = ""   # the issuer's record of it (approved only)
    replayed: bool = False       # the same acquirer reference was approved before


class IssuerApi(Protocol):
    def card_authorise(self, *, card_number: str, amount: Decimal, merchant: str, mcc: str,
                       txn_date: date, reference: str) -> IssuerAnswer: ...

    def card_refund(self, *, card_number: str, amount: Decimal, original_reference: str,
                    reference: str) -> IssuerAnswer: ...


_registered: list[IssuerApi] = []


def issuer_register(api: IssuerApi) -> None:
    """Register the bank's issuer API (a module or object with the two functions)."""
    _registered[:] = [api]


def issuer_api() -> IssuerApi:
    if not _registered:
        raise ImproperlyConfigured("发卡行接口未注册（信用卡业务 AppConfig.ready()）")
    return _registered[0]
