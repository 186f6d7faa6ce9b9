"""The 业务受理单 as a PDF: 第一联 银行留存联 and 第二联 客户联 on one A4 page (cut along the line).

Rendered by WeasyPrint from ``templates/security/counter/receipt_pdf.html`` with the Noto CJK
fonts of the system (fonts-noto-cjk). Everything printed comes from the stored receipt — its
header fields and ``detail`` (masked numbers only) — so a reprint shows exactly the first print.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from security.models import CounterReceipt

COPIES = ("第一联 银行留存联", "第二联 客户联")


def counter_receipt_html(*, receipt: CounterReceipt) -> str:
    staff = receipt.staff
    teller = staff.get_full_name() or staff.username
    return render_to_string("security/counter/receipt_pdf.html", {
        "receipt": receipt,
        "detail": receipt.detail,
        "copies": COPIES,
        "teller": f"{teller}（{staff.username}）" if teller != staff.username else teller,
        "accepted_at": timezone.localtime(receipt.created_at),
        "bank_full_name": settings.BANK_FULL_NAME,
    })


def counter_receipt_pdf(*, receipt: CounterReceipt) -> bytes:
    # Imported here: WeasyPrint loads pango at import, which only the PDF download needs.
    from weasyprint import HTML

    return HTML(string=counter_receipt_html(receipt=receipt)).write_pdf()
