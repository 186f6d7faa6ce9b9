"""理财交易确认: the nightly step (docs/nightly.md, order 400)."""

from datetime import date

from ebank.duework.nightly import nightly_step

from .services import orders_confirm


@nightly_step("wealth_orders_confirm", order=400, label="理财交易确认")
def wealth_orders_confirm_step(business_date: date) -> int:
    return orders_confirm(business_date=business_date)
