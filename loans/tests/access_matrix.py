"""The access matrix's factories for loans' URLs (tests/test_access_matrix.py): each makes the
object for ``owner`` (a User) and returns the URL's kwargs; another customer gets a 404."""

from datetime import date


def _loan(owner):
    """个人贷款还款: a 借据 of the owner's drawn on 2026-01-21 (100,000 over 12 months)."""
    from accounts.models import SubAccount, SubAccountKind
    from loans.tests.support import application_approved, loan_drawn, shelf_seed

    account = SubAccount.objects.filter(medium__link__customer=owner.customer,
                                        kind=SubAccountKind.CURRENT_MAIN).order_by("id").first()
    application = application_approved(user=owner, account=account, product=shelf_seed())
    return {"pk": loan_drawn(application=application, on=date(2026, 1, 21)).pk}


OBJECT_URLS = {"loans:repay_form": _loan}
