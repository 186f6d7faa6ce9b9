"""The access matrix's factories for loans' URLs (tests/test_access_matrix.py): each makes the
object for ``owner`` (a User) and returns the URL's kwargs; another customer gets a 404."""

from datetime import UTC, date, datetime
from decimal import Decimal


def _approved(owner):
    """An approved application of the owner's, repaid from their first 活期主账户."""
    from accounts.models import SubAccountKind
    from loans.tests.support import application_approved, shelf_seed

    account = (owner.customer.media.order_by("id").first()
               .sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN))
    return application_approved(user=owner, account=account, product=shelf_seed(),
                                amount="20000.00", on=date(2026, 1, 5))


def _application(owner):
    """个人贷款发放: an approval of the owner's."""
    return {"pk": _approved(owner).pk}


def _loan(owner):
    """借据详情, its 还款计划 PDF and Excel, 个人贷款还款: a 借据 of the owner's."""
    from loans.tests.support import loan_drawn

    return {"pk": loan_drawn(application=_approved(owner), on=date(2026, 1, 21)).pk}


def _submitted(owner):
    """我的贷款申请's 撤销: a 待审批 application of the owner's."""
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


OBJECT_URLS = {
    "loans:application_withdraw": _submitted,
    "loans:draw_form": _application,
    "loans:detail": _loan,
    "loans:schedule_pdf": _loan,
    "loans:schedule_xlsx": _loan,
    "loans:repay_form": _loan,
}
