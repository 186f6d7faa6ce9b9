"""The nightly batch (日终) steps of the security app, registered with ebank.duework.nightly.

Expired sessions: a session that ended by the idle timeout (the customer closed the browser
without 安全退出) keeps its row, already unusable, until it is deleted here. Logging out, a newer
login and each step-up delete their rows at once.
"""

import logging
from datetime import date

from django.utils import timezone

from ebank.duework.nightly import nightly_step

from .models import UserSession

logger = logging.getLogger(__name__)


@nightly_step("sessions_expired_clear", order=900, label="清理过期会话")
def sessions_expired_clear_step(business_date: date) -> int:
    """Delete every session past its expiry now (whatever the business date); returns how many."""
    deleted, _ = UserSession.objects.filter(expire_date__lt=timezone.now()).delete()
    logger.info("sessions_expired_clear %s: %s deleted", business_date, deleted)
    return deleted


@nightly_step("approvals_expire", order=910, label="复核申请过期")
def approvals_expire_step(business_date: date) -> int:
    """Mark every 待复核 request past its time 已过期 (the queue also does it when viewed)."""
    from .staff.approvals.services import approvals_expire

    expired = approvals_expire()
    logger.info("approvals_expire %s: %s expired", business_date, expired)
    return expired
