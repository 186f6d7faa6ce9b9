"""The nightly step of 薪加利 (docs/wealth.md, 薪加利): the day's income as new shares."""

from datetime import date

from ebank.duework.nightly import nightly_step

from .income import income_distribute


@nightly_step("xjl_income", order=420, label="薪加利收益分配")
def xjl_income_step(business_date: date) -> int:
    return income_distribute(business_date)
