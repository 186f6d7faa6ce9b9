"""What the loans tests share: the shelf (a product, the LPR table) and an approved application or
a drawn 借据 made directly through the services (the pages' own tests go through the pages)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import time_machine
from django.db import transaction

from accounts.models import SubAccount
from loans.book import application_lock, loan_disburse
from loans.models import ApplicationStatus, LoanApplication, LoanProduct, LprRate, LprTerm
from loans.rules import number_new
from loans.schedule import Method


def shanghai(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware instant at ``hour:minute`` Asia/Shanghai on ``day`` (UTC+8)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def shelf_seed() -> LoanProduct:
    """个人消费贷款 (PL01: 1,000–500,000, 6/12/24/36 months, LPR + 0.60) and the LPR table
    (1-year 3.00 %, 5-year 3.50 % from 2025-05-20): 3.00 + 0.60 = the rules' 3.6 %."""
    LprRate.objects.get_or_create(term=LprTerm.ONE_YEAR, effective_from=date(2025, 5, 20),
                                  defaults={"rate": Decimal("3.00")})
    LprRate.objects.get_or_create(term=LprTerm.FIVE_YEAR, effective_from=date(2025, 5, 20),
                                  defaults={"rate": Decimal("3.50")})
    product, _ = LoanProduct.objects.get_or_create(code="PL01", defaults={
        "name": "个人消费贷款", "min_amount": Decimal("1000.00"),
        "max_amount": Decimal("500000.00"), "terms": "6,12,24,36", "spread": Decimal("0.60"),
        "purposes": "装修、购车、教育、旅游、其他消费"})
    return product


def application_approved(*, user, account: SubAccount, product: LoanProduct,
                         amount="100000.00", months=12, method=Method.EQUAL_INSTALMENT,
                         repayment_day=21, rate="3.60", on=date(2026, 1, 5),
                         valid_days=90) -> LoanApplication:
    """An application already approved (as the staff review leaves it)."""
    amount = Decimal(amount)
    return LoanApplication.objects.create(
        number=number_new("SQ", on), customer=user.customer, user=user, product=product,
        amount=amount, months=months, purpose="装修", method=method,
        repayment_day=repayment_day, repayment_account=account,
        status=ApplicationStatus.APPROVED, applied_at=shanghai(on),
        approved_amount=amount, approved_months=months, lpr_term=LprTerm.ONE_YEAR,
        lpr=Decimal(rate) - Decimal("0.60"), spread=Decimal("0.60"), annual_rate=Decimal(rate),
        reviewed_at=shanghai(on, 11), valid_until=on + timedelta(days=valid_days))


def loan_drawn(*, application: LoanApplication, on: date, amount=None, key=None):
    """Draw ``amount`` (all of the approval) on ``on`` through the service."""
    amount = application.available if amount is None else Decimal(amount)
    with time_machine.travel(shanghai(on), tick=False), transaction.atomic():
        locked = application_lock(application.pk)
        return loan_disburse(application=locked, amount=amount, on=on, actor=application.user,
                             idempotency_key=key or f"test-draw:{application.number}:{amount}")
