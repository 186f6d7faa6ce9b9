class CardBook:
    """The bank books of this app (registered in its AppConfig.ready(); ebank.ledger.bank_books)."""

    RECEIVABLE = "BANK:CARD_RECEIVABLE"
