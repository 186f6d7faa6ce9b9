"""The nightly batch (日终) steps of accounts, registered with :mod:`ebank.duework.nightly`.

Business date: the Asia/Shanghai day being closed (yesterday when the batch runs after
midnight). PIN locks need no step: a lock holds for the day it was set and the next check after
that day clears it (accounts/pin.py).
"""

import logging
from datetime import date, datetime, time, timedelta

from ebank.core.clock import SHANGHAI
from ebank.duework.nightly import nightly_step

from .pages.services import LOSS_AUTO_RELEASE_DAYS, media_oral_loss_release

logger = logging.getLogger(__name__)


@nightly_step("loss_report_release", order=500, label="口头挂失五日自动解挂")
def loss_release_step(business_date: date) -> int:
    """账户挂失 note 1: release 口头挂失 reported at least five days before ``business_date``.

    The report's day is the Asia/Shanghai date of the medium's ``loss_reported_at``, so every
    report made before the day after the cutoff counts. All due media are released in one
    UPDATE (:func:`accounts.pages.services.media_oral_loss_release`); a medium in 口头挂失
    without a report time is left to staff and logged. 书面挂失 is never released here.
    Returns how many media were released.
    """
    cutoff = business_date - timedelta(days=LOSS_AUTO_RELEASE_DAYS)
    reported_before = datetime.combine(cutoff + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    released = media_oral_loss_release(reported_before=reported_before)
    logger.info("loss_report_release %s: %s released", business_date, released)
    return released
