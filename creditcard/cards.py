"""Issuing a card (the counter action 信用卡发卡 calls ``card_issue``; so do the demo and tests)."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from accounts.models import Customer, Medium, MediumKind, SubAccountKind
from accounts.services import luhn_check_digit, medium_open
from ebank.core.errors import BusinessError

from .engine import money
from .models import AutoRepayMode, Card
from .settings import card_setting_on

# The card BIN of the bank's 信用卡 (16 digits: BIN, branch, serial, Luhn).
CREDIT_CARD_BIN = "625918"


def _next_number(customer: Customer) -> str:
    prefix = f"{CREDIT_CARD_BIN}{customer.branch.code[-4:]}"
    last = (Medium.objects.filter(number__startswith=prefix, kind=MediumKind.CREDIT_CARD)
            .order_by("-number").values_list("number", flat=True).first())
    serial = int(last[len(prefix):-1]) + 1 if last else 1
    if serial > 99999:
        raise BusinessError("该行社信用卡卡号已用完")
    body = f"{prefix}{serial:05d}"
    return body + luhn_check_digit(body)


def card_issue(*, customer: Customer, credit_limit: Decimal, statement_day: int, issued_on: date,
               pin: str, cash_limit: Decimal | None = None, teller_id: int | None = None,
               autorepay_mode: str = AutoRepayMode.NONE, autorepay_medium: Medium | None = None
               ) -> Card:
    """Open a 信用卡 for ``customer``: the medium (with its hashed 交易密码), its 信用卡账户
    sub-account and the card row. ``cash_limit`` defaults to the setting's share of the credit
    limit (50%) and may not exceed it. All or nothing; refused with a message in Chinese."""
    credit_limit = money(Decimal(credit_limit))
    if credit_limit <= 0 or credit_limit % 100:
        raise BusinessError("信用额度须为100元的整数倍")
    if not 1 <= int(statement_day) <= 28:
        raise BusinessError("账单日须为每月1日至28日")
    ratio = card_setting_on(issued_on).cash_limit_ratio
    ceiling = money(credit_limit * ratio)
    cash_limit = ceiling if cash_limit is None else money(Decimal(cash_limit))
    if cash_limit < 0 or cash_limit > ceiling:
        raise BusinessError(f"取现额度不能超过信用额度的{ratio:.0%}")
    if autorepay_mode != AutoRepayMode.NONE and (
            autorepay_medium is None or autorepay_medium.customer_id != customer.pk
            or autorepay_medium.kind != MediumKind.DEBIT_CARD):
        raise BusinessError("自动还款账户须为本人借记卡")
    for _attempt in range(3):
        try:
            with transaction.atomic():
                medium = medium_open(customer=customer, number=_next_number(customer),
                                     kind=MediumKind.CREDIT_CARD, pin=pin, opened_on=issued_on)
                sub = medium.sub_accounts.get(kind=SubAccountKind.CREDIT)
                year = issued_on.year + 5
                return Card.objects.create(
                    medium=medium, sub_account=sub, customer=customer,
                    credit_limit=credit_limit, cash_limit=cash_limit,
                    statement_day=int(statement_day), issued_on=issued_on,
                    expires=f"{issued_on.month:02d}/{year % 100:02d}", issued_by_id=teller_id,
                    autorepay_mode=autorepay_mode,
                    autorepay_medium=autorepay_medium if autorepay_mode != AutoRepayMode.NONE
                    else None)
        except IntegrityError:
            continue   # another card took the number: take the next one
    raise BusinessError("发卡失败，请重试")
