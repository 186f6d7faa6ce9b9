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


def _notice(owner):
    """A 七天通知存款 of ``owner``'s (with a notice, so 取消通知 has something to cancel)."""
    from accounts.models import MediumKind, SubAccountKind
    from accounts.services import sub_account_open
    from deposits.models import Deposit, DepositRate, Product

    card = owner.customer.media.get(kind=MediumKind.DEBIT_CARD)
    main = card.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    sub = sub_account_open(medium=card, kind=SubAccountKind.NOTICE, opened_on=date(2026, 3, 2))
    rate, _ = DepositRate.objects.get_or_create(
        product=Product.NOTICE_7D, term_months=0, effective_from=date(2026, 1, 1),
        defaults={"annual_rate": Decimal("0.55")})
    deposit = Deposit.objects.create(
        sub_account=sub, product=Product.NOTICE_7D, principal=Decimal("0.00"),
        annual_rate=rate.annual_rate, rate_row=rate, opened_on=date(2026, 3, 2),
        value_date=date(2026, 3, 2), interest_account=main, notice_amount=Decimal("50000.00"),
        notice_given_on=date(2026, 3, 2), notice_withdraw_on=date(2026, 3, 9))
    return {"pk": deposit.pk}


def _sweep(owner):
    from accounts.models import MediumKind
    from deposits.models import SweepAgreement

    card = owner.customer.media.get(kind=MediumKind.DEBIT_CARD)
    agreement = SweepAgreement.objects.create(medium=card, threshold=Decimal("20000.00"),
                                              signed_on=date(2026, 3, 2))
    return {"pk": agreement.pk}


OBJECT_URLS.update({"deposits:notice_give": _notice, "deposits:notice_cancel": _notice,
                    "deposits:hqb_terminate": _sweep})
# 大额存单 / 存本取息 (DEP-CD, DEP-CBQX): a deposit of each product on the owner's card.
def _product_deposit(owner, product):
    from accounts.models import MediumKind, SubAccountKind
    from accounts.services import sub_account_open
    from deposits.models import Deposit, DepositRate, LargeCDProduct, Product

    card = owner.customer.media.get(kind=MediumKind.DEBIT_CARD)
    main = card.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    opened = date(2026, 3, 2)
    if product == Product.LARGE_CD:
        issue, _ = LargeCDProduct.objects.get_or_create(
            code="AM-CD", defaults={"name": "矩阵大额存单", "term_months": 12,
                                    "annual_rate": Decimal("1.40"),
                                    "quota": Decimal("1000000.00"), "sale_from": opened,
                                    "sale_to": date(2026, 12, 31)})
        sub = sub_account_open(medium=card, kind=SubAccountKind.LARGE_CD, opened_on=opened)
        extra = {"cd_product": issue, "annual_rate": issue.annual_rate, "rate_row": None}
    else:
        rate, _ = DepositRate.objects.get_or_create(
            product=Product.INTEREST_PAYOUT, term_months=12, effective_from=date(2026, 1, 1),
            defaults={"annual_rate": Decimal("0.85")})
        sub = sub_account_open(medium=card, kind=SubAccountKind.FIXED_INTEREST_PAYOUT,
                               opened_on=opened)
        extra = {"rate_row": rate, "annual_rate": rate.annual_rate, "payout_frequency": "monthly"}
    deposit = Deposit.objects.create(
        sub_account=sub, product=product, term_months=12, principal=Decimal("0.00"),
        opened_on=opened, value_date=opened, matures_on=date(2027, 3, 2),
        interest_account=main, **extra)
    return {"pk": deposit.pk}


def _cd(owner):
    return _product_deposit(owner, "large_cd")


def _payout(owner):
    return _product_deposit(owner, "interest_payout")


OBJECT_URLS.update({"deposits:cd_withdraw": _cd, "deposits:cd_interest_account": _cd,
                    "deposits:payout_withdraw": _payout,
                    "deposits:payout_interest_account": _payout})
