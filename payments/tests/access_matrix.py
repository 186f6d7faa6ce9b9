"""The access matrix's factories for payments' object URLs (tests/test_access_matrix.py).

Each makes the object for ``owner`` (a User) and returns the URL's kwargs. Each area appends
its own block."""

from decimal import Decimal

from django.utils import timezone

OBJECT_URLS: dict = {}


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
