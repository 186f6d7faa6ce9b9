"""电子回单 (ACC-RECEIPT, X-RECEIPT): issue, verify, list, print, PDF and Excel.

``services`` issues and verifies; ``selectors`` reads (scoped to the customer); ``views`` are the
pages; ``pdf`` and ``excel`` render downloads. docs/receipts.md describes the whole.
"""
