class LoanBook:
    """The bank books of this app (registered in its AppConfig.ready(); ebank.ledger.bank_books)."""

    PRINCIPAL = "BANK:LOAN_PRINCIPAL"
