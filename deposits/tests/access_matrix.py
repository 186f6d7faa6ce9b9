"""The access matrix's factories for deposits' object URLs (tests/test_access_matrix.py): each
makes a 整存整取 for ``owner`` (a User) and returns the URL's kwargs."""

from datetime import date
from decimal import Decimal


def _deposit(owner):
    from accounts.models import MediumKind, SubAccountKind
    from accounts.services import sub_account_open
    from deposits.models import Deposit, DepositRate, MaturityOption, Product

    card = owner.customer.media.get(kind=MediumKind.DEBIT_CARD)
    main = card.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    sub = sub_account_open(medium=card, kind=SubAccountKind.FIXED_LUMP_SUM,
                           opened_on=date(2026, 3, 2))
    rate, _ = DepositRate.objects.get_or_create(
        product=Product.FIXED, term_months=12, effective_from=date(2026, 1, 1),
        defaults={"annual_rate": Decimal("1.20")})
    deposit = Deposit.objects.create(
        sub_account=sub, product=Product.FIXED, term_months=12, principal=Decimal("0.00"),
        annual_rate=rate.annual_rate, rate_row=rate, opened_on=date(2026, 3, 2),
        value_date=date(2026, 3, 2), matures_on=date(2027, 3, 2),
        maturity_option=MaturityOption.HOLD, interest_account=main)
    return {"pk": deposit.pk}


OBJECT_URLS = {"deposits:detail": _deposit}


def _plan(owner):
    from accounts.models import MediumKind
    from deposits.models import DepositPlan

    card = owner.customer.media.get(kind=MediumKind.DEBIT_CARD)
    plan = DepositPlan.objects.create(medium=card, term_months=12, amount=Decimal("100.00"),
                                      frequency="monthly", run_day=15,
                                      starts_on=date(2026, 3, 3), next_run_on=date(2026, 3, 15))
    return {"pk": plan.pk}


OBJECT_URLS.update({"deposits:plan_runs": _plan, "deposits:plan_cancel": _plan})
