"""Reads of 自助缴费 shared by its areas."""

from .models import Biller, BranchBiller


def biller_for(*, kind: str, branch_code: str) -> Biller | None:
    """The active biller serving ``branch_code``'s region for ``kind``: the branch's own row,
    else the default (branch ""); None when the bank collects for no such biller there."""
    rows = (BranchBiller.objects.filter(kind=kind, branch_code__in=(branch_code, ""),
                                        biller__active=True)
            .select_related("biller"))
    by_branch = {row.branch_code: row.biller for row in rows}
    return by_branch.get(branch_code) or by_branch.get("")
