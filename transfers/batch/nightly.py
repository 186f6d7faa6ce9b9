"""The nightly batch (日终) step of 批量转账: unconfirmed batches are deleted after a while.

A batch uploaded and checked but never confirmed (草稿, or 待确认 with a confirmation that was
never completed) holds the payees and amounts of a whole file. After
``settings.TRANSFER_BATCH_DRAFT_DAYS`` days (7) it is deleted with its rows. A confirmed batch
(执行中, 已完成) is a record of money that moved and is never touched. Registered on import:
``transfers/batch/services.py`` imports this module (``TransfersConfig.ready()`` imports that).
"""

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction

from ebank.core.audit import audit_record_many
from ebank.core.clock import SHANGHAI
from ebank.duework.nightly import nightly_step
from transfers.models import BatchStatus, TransferBatch

logger = logging.getLogger(__name__)

UNCONFIRMED = (BatchStatus.DRAFT, BatchStatus.PENDING)


def drafts_cutoff(business_date: date) -> datetime:
    """Uploaded before this, a batch was at least the setting's days old when the business
    date ended (Asia/Shanghai): the same answer whenever the batch runs for that date."""
    days = int(getattr(settings, "TRANSFER_BATCH_DRAFT_DAYS", 7))
    return datetime.combine(business_date + timedelta(days=1), time.min, SHANGHAI) - timedelta(
        days=days)


@nightly_step("batch_drafts_clear", order=920, label="清理未确认的批量转账")
def batch_drafts_clear_step(business_date: date) -> int:
    """Delete every 草稿 / 待确认 batch uploaded before :func:`drafts_cutoff`; how many."""
    with transaction.atomic():
        old = TransferBatch.objects.filter(status__in=UNCONFIRMED,
                                           created_at__lt=drafts_cutoff(business_date))
        doomed = list(old.select_for_update().values_list("pk", "number", "customer_id", "status",
                                                          "count"))
        if not doomed:
            return 0
        # The rows go with their batch (CASCADE); a draft's rows have no transfer.
        TransferBatch.objects.filter(pk__in=[pk for pk, *_ in doomed]).delete()
        audit_record_many({"action": "transfers.batch_draft_deleted", "customer_id": customer_id,
                           "channel": "system", "object_ref": f"batch:{number}",
                           "detail": {"status": status, "count": count,
                                      "business_date": business_date.isoformat()}}
                          for _pk, number, customer_id, status, count in doomed)
    logger.info("batch_drafts_clear %s: %s deleted", business_date, len(doomed))
    return len(doomed)
