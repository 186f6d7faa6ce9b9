"""The 电子回单 as a PDF, rendered by WeasyPrint from templates/accounts/receipts/receipt_pdf.html.

The owner's own document: full account numbers, as on the printable page. Fonts are the system's
Noto CJK (fonts-noto-cjk); nothing is fetched over the network.
"""

from django.template.loader import render_to_string

from accounts.models import Receipt

from .selectors import receipt_document


def receipt_html(*, receipt: Receipt) -> str:
    return render_to_string("accounts/receipts/receipt_pdf.html", receipt_document(receipt=receipt))


def receipt_pdf(*, receipt: Receipt) -> bytes:
    # Imported here: WeasyPrint loads pango at import, which only the PDF download needs.
    from weasyprint import HTML

    return HTML(string=receipt_html(receipt=receipt)).write_pdf()
