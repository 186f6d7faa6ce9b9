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


# --- PAY-BOOK / 缴费中转页: links to the pay pages ------------------------------------------------


def pay_url(kind: str, *, customer_no: str = "", account_id: int | None = None) -> str | None:
    """The pay page of ``kind`` (``payments:pay``) with ``?no=<缴费号码>`` and
    ``&account=<sub_account id>`` to prefill, or None while that page does not exist."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("payments:pay", kwargs={"kind": kind})
    except NoReverseMatch:
        return None
    query = {key: value for key, value in (("no", customer_no), ("account", account_id))
             if value}
    return f"{url}?{urlencode(query)}" if query else url
