"""The access matrix's factories for accounts' object URLs (tests/test_access_matrix.py).

Each makes the object for ``owner`` (a User) and returns the URL's kwargs.
"""

from decimal import Decimal

from django.utils import timezone

from accounts.models import LinkedMedium, SubAccountKind


def _receipt(owner):
    from accounts.receipts.services import ReceiptChannel, receipt_issue

    sub_account = owner.customer.media.first().sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    receipt = receipt_issue(
        entry_id=1, sub_account=sub_account, direction="debit", amount=Decimal("12.34"),
        payer_name=owner.customer.name, payer_account=sub_account.medium.number,
        payer_bank=sub_account.medium.branch.name, payee_name="赵六",
        payee_account="6217000010001234567", payee_bank="中国建设银行合肥分行", purpose="货款",
        business="跨行转账", channel=ReceiptChannel.WEB, posted_at=timezone.now())
    return {"number": receipt.number}


def _link(owner):
    return {"pk": LinkedMedium.objects.filter(customer=owner.customer).order_by("position")
            .first().pk}


OBJECT_URLS = {
    "accounts:receipt_detail": _receipt,
    "accounts:receipt_pdf": _receipt,
    "accounts:detail": _link,
    "accounts:unlink": _link,
    "accounts:alias": _link,
}
