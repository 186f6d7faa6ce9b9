"""The bank's quick-pay API as the simulated payment institution sees it.

ebank.merchants is a lower app: it may not import payments (the menu app that keeps the
agreements), nor may anything outside payments name it (tests/test_menu_app_shape.py). So the
bank registers its API here from ``PaymentsConfig.ready()`` — the way every app tells the core
what it offers — and the simulator calls what was registered.
"""

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class QuickPayBankApi(Protocol):
    def quickpay_sign_code_send(self, *, merchant_code: str, merchant_name: str,
                                card_number: str, name: str, id_number: str,
                                phone: str) -> str: ...

    def quickpay_sign(self, *, merchant_code: str, merchant_name: str, card_number: str,
                      name: str, id_number: str, phone: str, sms_code: str): ...

    def quickpay_debit(self, agreement_no: str, merchant_code: str, order_no: str, amount): ...


_registered: list[QuickPayBankApi] = []


def quickpay_bank_register(api: QuickPayBankApi) -> None:
    """Register the bank's quick-pay API (a module or object with the three functions)."""
    _registered[:] = [api]


def quickpay_bank() -> QuickPayBankApi:
    if not _registered:
        raise ImproperlyConfigured("快捷支付银行接口未注册（PaymentsConfig.ready()）")
    return _registered[0]
