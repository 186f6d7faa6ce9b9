"""A ``kill -9`` in the middle of the 活期结息 step, then a rerun: the dead run's postings are
gone with its transaction, the rerun posts every account's interest once, the books verify
(issue #14 "Benchmark"; DOMAIN-RULES §2 "Nightly")."""

import os
import signal
import subprocess
import sys
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count

from accounts.models import Receipt
from deposits.business_types import DepositBusinessType
from deposits.models import CurrentAccrual
from ebank.duework.models import BatchStepRun, BatchStepStatus
from ebank.ledger.models import Entry
from tests.duework.support import subprocess_env, wait_until

from .current_support import balance, current_account, rate, run_step

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SETTLE = date(2026, 3, 20)
MARK_ENV = "DEPOSITS_TEST_CHUNK_MARK"

# The step as the batch runs it, in chunks of 3, hanging after the second chunk's postings
# (written, not committed) until it is killed.
WORKER = f"""
import os, time
import django
django.setup()
from datetime import date
from deposits import current
from ebank.duework.services import batch_step_run

current.SETTLEMENT_CHUNK = 3

def hang(posted):
    if posted >= 6:
        open(os.environ["{MARK_ENV}"], "w").write(str(posted))
        time.sleep(600)

batch_step_run(step="current_settlement", business_date=date(2026, 3, 20),
               fn=lambda day: current.settlement_run(day, chunk_done=hang))
"""


def test_settlement_killed_mid_way_then_rerun_posts_each_account_once(tmp_path):
    rate("0.10")
    accounts = [current_account(opened_on=date(2025, 11, 1)) for _ in range(10)]
    for account in accounts:
        CurrentAccrual.objects.create(sub_account=account, period_start=date(2025, 12, 21),
                                      accrued_through=SETTLE, accrued=Decimal("1148000.00"))
    mark = tmp_path / "mid-way"
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen([sys.executable, "-c", WORKER], cwd=settings.BASE_DIR,
                                  env=subprocess_env(**{MARK_ENV: str(mark)}),
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: mark.exists() or worker.poll() is not None, timeout=60,
                   what="the settlement to post two chunks")
        assert mark.exists(), log_path.read_text()
        assert mark.read_text() == "6"
        # Posted, not committed: nobody sees it yet.
        assert not Entry.objects.filter(
            business_type=DepositBusinessType.CURRENT_INTEREST).exists()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    assert run_step("current_settlement", SETTLE)  # waits for the dead run's locks, then runs
    per_account = (Entry.objects.filter(business_type=DepositBusinessType.CURRENT_INTEREST)
                   .values("reference").annotate(n=Count("id")))
    assert sorted(row["n"] for row in per_account) == [1] * 10
    assert Receipt.objects.count() == 10
    assert [balance(a) for a in accounts] == [Decimal("3.19")] * 10
    assert set(CurrentAccrual.objects.values_list("period_start", "accrued")) == {
        (date(2026, 3, 21), Decimal("0.00"))}
    run = BatchStepRun.objects.get(step="current_settlement", business_date=SETTLE)
    assert (run.status, run.count) == (BatchStepStatus.DONE, 10)
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "ledger OK" in out.getvalue()
    # And once more: nothing.
    assert not run_step("current_settlement", SETTLE)
    assert Entry.objects.filter(business_type=DepositBusinessType.CURRENT_INTEREST).count() == 10
