"""The nightly step of the shelf (ebank.duework.nightly): 理财产品到期兑付 (wealth.catalog.maturity)."""

from datetime import date

from ebank.duework.nightly import nightly_step

from .maturity import maturities_pay


@nightly_step("wealth_maturity", order=410, label="理财产品到期兑付")
def wealth_maturity_step(business_date: date) -> int:
    """Closed products matured by the date, paid at their 到期日's 净值 (a product whose 净值 is
    not published yet waits for a later night)."""
    return maturities_pay(business_date)
