"""The access matrix's factories for payments' URLs (tests/test_access_matrix.py)."""

from decimal import Decimal

from django.utils import timezone

from accounts.models import SubAccountKind


def _bill_payment(owner):
    from payments.demo import demo_billers_register
    from payments.models import Biller, BillKind, BillPayment, BillPaymentStatus

    demo_billers_register()
    sub_account = owner.customer.media.first().sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    payment = BillPayment.objects.create(
        number=f"JFMATRIX{owner.pk:010d}", customer=owner.customer, user=owner,
        kind=BillKind.POWER, biller=Biller.objects.get(code="POWER01"),
        customer_no="3400123456", sub_account=sub_account, amount=Decimal("10.00"),
        status=BillPaymentStatus.PAID, submitted_at=timezone.now(),
        business_date=timezone.localdate())
    return {"number": payment.number}


OBJECT_URLS = {"payments:record": _bill_payment}
# Parameters that name no object: the pay page of one kind.
PARAM_URLS = {"payments:pay": {"kind": "power"}}
