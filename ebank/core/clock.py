"""The bank's clock: business time is Asia/Shanghai, whatever the server's zone.

``SHANGHAI`` is the zone every business date and printed time is taken in (the database keeps
UTC); ``business_day`` is the calendar date daily limits, lock days, receipt and transfer
numbers are counted on.
"""

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def business_day(on: date | None = None) -> date:
    """The Asia/Shanghai calendar date (``on`` when given, else today's)."""
    return on if on is not None else timezone.localdate(timezone.now(), timezone=SHANGHAI)
