"""自助缴费's DueWork handlers (ebank.duework), imported by PaymentsConfig.ready()."""

from ebank.duework.models import DueWork
from ebank.duework.registry import due_handler

from .bills.services import DUE_WRITEOFF, bill_writeoff


@due_handler(DUE_WRITEOFF, label="缴费销账及结果查询")
def bill_writeoff_due(work: DueWork) -> None:
    """Ask the biller about one 处理中 payment (key ``<缴费流水号>:<attempt>``): a no-op once
    the payment is no longer 处理中."""
    bill_writeoff(number=work.payload["number"], attempt=work.payload["attempt"])
