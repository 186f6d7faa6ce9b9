"""The access matrix's factories for payments' URLs (tests/test_access_matrix.py).

Each makes the object for ``owner`` (a User) and returns the URL's kwargs.
"""

from decimal import Decimal

from django.utils import timezone

from accounts.models import SubAccountKind


def _book_entry(owner):
    from payments.models import BillBookEntry, BillKind

    entry = BillBookEntry.objects.create(customer=owner.customer, kind=BillKind.POWER,
                                         customer_no=f"34010{owner.pk:05d}", alias="矩阵")
    return {"pk": entry.pk}


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


OBJECT_URLS = {
    # --- PAY-BOOK
    "payments:book_edit": _book_entry,
    "payments:book_delete": _book_entry,
    # --- bills
    "payments:record": _bill_payment,
}
# Parameters that name no object: the pay page of one kind.
PARAM_URLS = {"payments:pay": {"kind": "power"}}


# --- PAY-QUICKPAY 协议管理 -------------------------------------------------------------------------

def _quickpay_agreement(owner):
    from payments.models import QuickPayAgreement

    medium = owner.customer.media.order_by("id").first()
    agreement = QuickPayAgreement.objects.create(
        number=f"QPMATRIX{owner.pk:010d}", customer=owner.customer, medium=medium,
        merchant_code="KFT01", merchant_name="快付通（模拟支付机构）",
        single_limit=Decimal("5000.00"), daily_limit=Decimal("50000.00"),
        signed_at=timezone.now())
    return {"pk": agreement.pk}


OBJECT_URLS.update({
    "payments:quickpay_limit": _quickpay_agreement,
    "payments:quickpay_revoke": _quickpay_agreement,
    "payments:quickpay_debits": _quickpay_agreement,
})
# --- end PAY-QUICKPAY ----------------------------------------------------------------------------
