"""Services of 自助缴费 shared by its areas."""

from django.db import transaction

from ebank.ledger.models import AccountOwner, Side
from ebank.ledger.services import ledger_account_open

from .models import Biller, BranchBiller


@transaction.atomic
def biller_register(*, code: str, kind: str, name: str, branch_codes: tuple[str, ...] = ("",)
                    ) -> Biller:
    """Register a biller (idempotent by code) with its two ledger accounts, and make it the
    biller of ``kind`` for each of ``branch_codes`` ("" = the default for every branch).

    * ``BILLER:<code>:SETTLE`` 代收款项 — a bank book (credit-normal, never negative): each
      payment credits it, a 冲正 and the nightly settlement debit it.
    * ``BILLER:<code>:ACCT`` — the biller's own 收款户 with us, credited by the settlement.
    """
    settlement = ledger_account_open(code=f"BILLER:{code}:SETTLE", name=f"代收款项-{name}",
                                     owner=AccountOwner.BANK, normal_side=Side.CREDIT)
    collection = ledger_account_open(code=f"BILLER:{code}:ACCT", name=f"{name}收款户",
                                     owner=AccountOwner.CUSTOMER, normal_side=Side.CREDIT)
    biller, _ = Biller.objects.get_or_create(
        code=code, defaults={"kind": kind, "name": name, "settlement_account": settlement,
                             "collection_account": collection})
    for branch_code in branch_codes:
        BranchBiller.objects.update_or_create(branch_code=branch_code, kind=kind,
                                              defaults={"biller": biller})
    return biller
