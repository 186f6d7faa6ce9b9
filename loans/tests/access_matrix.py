"""The access matrix's factories for loans' URLs (tests/test_access_matrix.py): each makes the
object for ``owner`` (a User) and returns the URL's kwargs; another customer gets a 404."""

OBJECT_URLS: dict = {}


# --- loans/apply: 我的贷款申请's 撤销 -------------------------------------------------------------


def _application(owner):
    """A 待审批 application of the owner's (the shelf seeded if missing)."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from accounts.models import SubAccountKind
    from loans.models import LoanApplication
    from loans.tests.support import shelf_seed

    account = owner.customer.media.order_by("id").first().sub_accounts.get(
        kind=SubAccountKind.CURRENT_MAIN)
    application = LoanApplication.objects.create(
        number=f"SQ20260601{owner.pk:010d}", customer=owner.customer, user=owner,
        product=shelf_seed(), amount=Decimal("50000.00"), months=12, purpose="装修",
        method="equal_instalment", repayment_day=21, repayment_account=account,
        applied_at=datetime(2026, 6, 1, 2, 0, tzinfo=UTC))
    return {"number": application.number}


OBJECT_URLS["loans:application_withdraw"] = _application
