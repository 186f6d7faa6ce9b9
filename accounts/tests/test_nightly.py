"""The nightly batch (日终): oral loss reports released after five days, once per business date."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from accounts import nightly
from accounts.models import Medium, MediumKind, MediumStatus
from accounts.pages.services import medium_loss_report, medium_written_loss_record
from ebank.core.clock import SHANGHAI
from ebank.core.models import AuditEvent
from ebank.duework.models import BatchStepRun, BatchStepStatus

from . import test_pages_support as support
from .test_pages_support import PIN

pytestmark = pytest.mark.django_db

# Shared fixtures (pytest finds them by these module-level names).
bank = support.bank
REPORT_AT = datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI)  # late evening: the day is 3月2日


def _report(bank, kind=MediumKind.DEBIT_CARD, at=REPORT_AT) -> Medium:
    link = bank.link(bank.alice, kind)
    with time_machine.travel(at, tick=False):
        return medium_loss_report(customer=bank.alice.customer, link_id=link.pk, pin=PIN)


def _status(medium) -> str:
    return Medium.objects.get(pk=medium.pk).status


def _run(*args) -> str:
    out = StringIO()
    call_command("run_nightly_batch", *args, stdout=out)
    return out.getvalue()


def test_the_loss_is_released_five_days_after_the_report_day(bank):
    medium = _report(bank)
    assert nightly.loss_release_step(date(2026, 3, 6)) == 0  # four days after
    assert _status(medium) == MediumStatus.ORAL_LOSS
    assert nightly.loss_release_step(date(2026, 3, 7)) == 1  # five days after
    assert _status(medium) == MediumStatus.NORMAL
    event = AuditEvent.objects.get(action="account_loss_release")
    assert event.channel == "batch" and event.customer_id == bank.alice.customer.pk
    assert event.actor_id is None and "2026-03-02" in event.detail["reason"]


def test_time_in_shanghai_decides_the_report_day(bank):
    # 00:10 in Shanghai is 16:10 UTC the day before: the report day is still 3月2日.
    medium = _report(bank, at=datetime(2026, 3, 2, 0, 10, tzinfo=SHANGHAI))
    assert nightly.loss_release_step(date(2026, 3, 6)) == 0
    assert nightly.loss_release_step(date(2026, 3, 7)) == 1
    assert _status(medium) == MediumStatus.NORMAL


def test_the_command_closes_yesterday_and_runs_once_per_date(bank):
    medium = _report(bank)
    with time_machine.travel(datetime(2026, 3, 7, 0, 10, tzinfo=SHANGHAI)):  # closes 3月6日
        assert "2026-03-06" in _run()
    assert _status(medium) == MediumStatus.ORAL_LOSS
    with time_machine.travel(datetime(2026, 3, 8, 0, 10, tzinfo=SHANGHAI)):  # closes 3月7日
        out = _run()
    assert "2026-03-07" in out and "loss_report_release: done" in out
    assert _status(medium) == MediumStatus.NORMAL
    run = BatchStepRun.objects.get(step="loss_report_release", business_date=date(2026, 3, 7))
    assert run.status == BatchStepStatus.DONE


def test_a_second_run_for_the_same_date_does_nothing(bank):
    first = _report(bank)
    assert "done" in _run("--date", "2026-03-07")
    assert _status(first) == MediumStatus.NORMAL
    # A new report old enough for that date: the step is DONE for it, so the rerun skips.
    second = _report(bank, kind=MediumKind.CURRENT_PASSBOOK, at=datetime(2026, 3, 1, 9,
                                                                          tzinfo=SHANGHAI))
    out = _run("--date", "2026-03-07")
    assert "already done, skipped" in out
    assert _status(second) == MediumStatus.ORAL_LOSS
    assert AuditEvent.objects.filter(action="account_loss_release").count() == 1
    # The next date's run picks it up.
    _run("--date", "2026-03-08")
    assert _status(second) == MediumStatus.NORMAL


def test_written_losses_and_unreported_oral_losses_are_left_to_staff(bank):
    written = _report(bank)
    medium_written_loss_record(medium_id=written.pk, acting_user=None)
    unreported = bank.medium(bank.alice, MediumKind.CURRENT_PASSBOOK)
    Medium.objects.filter(pk=unreported.pk).update(status=MediumStatus.ORAL_LOSS)
    assert nightly.loss_release_step(date(2026, 4, 30)) == 0
    assert _status(written) == MediumStatus.WRITTEN_LOSS
    assert _status(unreported) == MediumStatus.ORAL_LOSS


def test_the_latest_report_counts(bank):
    medium = _report(bank)
    from accounts.pages.services import medium_loss_release

    medium_loss_release(medium_id=medium.pk, acting_user=None)
    medium = _report(bank, at=datetime(2026, 3, 5, 9, tzinfo=SHANGHAI))
    assert nightly.loss_release_step(date(2026, 3, 7)) == 0
    assert nightly.loss_release_step(date(2026, 3, 10)) == 1


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _run("--date", "07/03/2026")


def test_a_failing_step_is_recorded_and_stops_the_batch(bank, monkeypatch):
    calls = []

    def broken(business_date):
        raise RuntimeError("boom")

    steps = [("broken_step", broken), ("after", lambda d: calls.append(d))]
    with pytest.raises(RuntimeError):
        nightly.nightly_batch_run(business_date=date(2026, 3, 7), steps=steps)
    assert calls == []
    run = BatchStepRun.objects.get(step="broken_step")
    assert run.status == BatchStepStatus.FAILED and "boom" in run.last_error


def test_the_beat_task_runs_the_command(bank):
    medium = _report(bank)
    with time_machine.travel(datetime(2026, 3, 8, 0, 10, tzinfo=SHANGHAI)):
        nightly.run_nightly_batch_task()
    assert _status(medium) == MediumStatus.NORMAL


def test_expired_sessions_are_deleted_and_live_ones_kept(bank):
    from security.models import UserSession
    from security.session_engines import SessionStore

    now = datetime(2026, 3, 7, 0, 10, tzinfo=SHANGHAI)
    with time_machine.travel(datetime(2026, 3, 6, 22, 0, tzinfo=SHANGHAI), tick=False):
        gone = SessionStore()
        gone["x"] = 1
        gone.save()  # idle since 22:00: expired at 22:05
    with time_machine.travel(now - timedelta(minutes=2), tick=False):
        live = SessionStore()
        live["x"] = 2
        live.save()  # two minutes old at the run
    with time_machine.travel(now, tick=False):
        out = _run()
    assert "sessions_expired_clear: done" in out
    assert not UserSession.objects.filter(pk=gone.session_key).exists()
    assert UserSession.objects.filter(pk=live.session_key).exists()
