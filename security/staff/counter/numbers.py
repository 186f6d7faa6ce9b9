"""业务受理单 numbers: ``SL`` + business date (Asia/Shanghai, yyyymmdd) + 6-digit sequence.

The sequence restarts every business day. The next number is the day's highest plus one,
taken under a transaction-scoped advisory lock on PostgreSQL (SQLite's IMMEDIATE transactions
already serialise writers), so two tellers never draw the same number; the unique constraint on
``CounterReceipt.number`` stands behind it.
"""

from django.db import connection, transaction
from django.utils import timezone

from security.models import CounterReceipt

PREFIX = "SL"
# Any fixed 64-bit value works; it only has to differ from other advisory locks in the project.
_ADVISORY_LOCK_KEY = 0x5EC0C0_5107


def receipt_number_next() -> str:
    """The next free number of today; call inside the transaction that stores the receipt."""
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("受理单编号须在保存受理单的事务中取得")
    day_prefix = f"{PREFIX}{timezone.localdate():%Y%m%d}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
    last = (CounterReceipt.objects.filter(number__startswith=day_prefix)
            .order_by("-number").values_list("number", flat=True).first())
    sequence = int(last[len(day_prefix):]) + 1 if last else 1
    return f"{day_prefix}{sequence:06d}"
