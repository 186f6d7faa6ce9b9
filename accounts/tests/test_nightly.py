"""The nightly batch (日终) steps of accounts and security: oral loss reports released after five
days (the date read from the medium, all in one UPDATE), expired sessions deleted; once per
business date through ``manage.py run_nightly_batch`` (the loop itself: tests/duework)."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import nightly
from accounts.models import Medium, MediumKind, MediumStatus
from accounts.pages.services import (
    medium_loss_release,
    medium_loss_report,
    medium_written_loss_record,
)
from ebank.core.clock import SHANGHAI
from ebank.core.models import AuditEvent
from ebank.duework import tasks
from ebank.duework.models import BatchStepRun, BatchStepStatus
from ebank.duework.nightly import registered_steps

from . import test_pages_support as support
from .test_pages_support import PIN

pytestmark = pytest.mark.django_db

# Shared fixtures (pytest finds them by these module-level names).
bank = support.bank
REPORT_AT = datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI)  # late evening: the day is 3月2日


def _report(bank, kind=MediumKind.DEBIT_CARD, at=REPORT_AT, user=None) -> Medium:
    user = user or bank.alice
    link = bank.link(user, kind)
    with time_machine.travel(at, tick=False):
        return medium_loss_report(customer=user.customer, link_id=link.pk, pin=PIN)


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
    medium_loss_release(medium_id=medium.pk, acting_user=None)
    assert Medium.objects.get(pk=medium.pk).loss_reported_at is None
    medium = _report(bank, at=datetime(2026, 3, 5, 9, tzinfo=SHANGHAI))
    assert nightly.loss_release_step(date(2026, 3, 7)) == 0
    assert nightly.loss_release_step(date(2026, 3, 10)) == 1


def test_the_report_time_is_kept_on_the_medium_and_cleared_by_the_release(bank):
    medium = _report(bank)
    assert Medium.objects.get(pk=medium.pk).loss_reported_at == REPORT_AT
    nightly.loss_release_step(date(2026, 3, 7))
    assert Medium.objects.get(pk=medium.pk).loss_reported_at is None


def test_the_loss_date_comes_from_the_medium_not_the_audit_rows(bank):
    medium = _report(bank)  # 3月2日
    # Audit rows say nothing to the batch: move the report's audit row a week later …
    AuditEvent.objects.filter(action="account_loss_report").update(
        occurred_at=datetime(2026, 3, 9, 9, tzinfo=SHANGHAI))
    # … and a medium with a report time but no audit row at all is released just the same.
    other = bank.medium(bank.alice, MediumKind.CURRENT_PASSBOOK)
    Medium.objects.filter(pk=other.pk).update(
        status=MediumStatus.ORAL_LOSS, loss_reported_at=datetime(2026, 3, 1, 9, tzinfo=SHANGHAI))

    assert nightly.loss_release_step(date(2026, 3, 7)) == 2
    assert _status(medium) == _status(other) == MediumStatus.NORMAL
    reasons = set(AuditEvent.objects.filter(action="account_loss_release")
                  .values_list("detail__reason", flat=True))
    assert reasons == {"口头挂失5天自动解挂（挂失日2026-03-02）",
                       "口头挂失5天自动解挂（挂失日2026-03-01）"}


def test_all_due_media_are_released_in_one_update(bank):
    bob_kind = bank.bob.customer.media.order_by("pk").first().kind
    due = [_report(bank, kind=MediumKind.DEBIT_CARD),
           _report(bank, kind=MediumKind.CURRENT_PASSBOOK, at=datetime(2026, 2, 20, 9,
                                                                        tzinfo=SHANGHAI)),
           _report(bank, kind=bob_kind, user=bank.bob)]
    not_yet = _report(bank, kind=MediumKind.FIXED_ONEBOOK, at=datetime(2026, 3, 3, 9,
                                                                       tzinfo=SHANGHAI))
    with CaptureQueriesContext(connection) as queries:
        assert nightly.loss_release_step(date(2026, 3, 7)) == 3

    statements = [query["sql"].lstrip().split()[0].upper() for query in queries.captured_queries]
    medium_updates = [query["sql"] for query in queries.captured_queries
                      if query["sql"].lstrip().upper().startswith('UPDATE "ACCOUNTS_MEDIUM"')]
    assert len(medium_updates) == 1, medium_updates
    assert statements.count("INSERT") == 1  # the three audit rows
    assert statements.count("SELECT") == 1  # the due media, locked
    assert [_status(medium) for medium in due] == [MediumStatus.NORMAL] * 3
    assert _status(not_yet) == MediumStatus.ORAL_LOSS
    events = AuditEvent.objects.filter(action="account_loss_release")
    assert {(event.channel, event.actor_id, event.outcome, event.detail["from"])
            for event in events} == {("batch", None, "success", "口头挂失")}
    assert {(event.object_ref, event.customer_id, event.detail["medium"],
             event.detail["reason"][-11:-1]) for event in events} == {
        (f"medium:{medium.pk}", medium.customer_id, medium.masked_number, reported_on)
        for medium, reported_on in zip(due, ["2026-03-02", "2026-02-20", "2026-03-02"],
                                       strict=True)}


def test_a_written_loss_clears_the_report_time(bank):
    medium = _report(bank)
    medium_written_loss_record(medium_id=medium.pk, acting_user=None)
    assert Medium.objects.get(pk=medium.pk).loss_reported_at is None


def test_accounts_and_security_register_their_steps_in_order():
    names = [step.name for step in registered_steps()]
    assert names.index("loss_report_release") < names.index("sessions_expired_clear")


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _run("--date", "07/03/2026")


def test_the_beat_task_runs_the_command(bank):
    medium = _report(bank)
    with time_machine.travel(datetime(2026, 3, 8, 0, 10, tzinfo=SHANGHAI)):
        tasks.run_nightly_batch()
    assert _status(medium) == MediumStatus.NORMAL


def test_expired_sessions_are_deleted_and_live_ones_kept(bank):
    from security.identity.sessions import SessionStore
    from security.models import UserSession

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


def test_the_migration_back_fills_the_report_time_from_the_latest_audit_row(bank):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("accounts.migrations.0005_medium_loss_reported_at")
    again = datetime(2026, 3, 4, 8, tzinfo=SHANGHAI)
    reported = _report(bank)
    medium_loss_release(medium_id=reported.pk, acting_user=None)
    reported = _report(bank, at=again)  # the latest report counts
    released = _report(bank, kind=MediumKind.CURRENT_PASSBOOK)
    medium_loss_release(medium_id=released.pk, acting_user=None)
    unreported = bank.medium(bank.alice, MediumKind.FIXED_ONEBOOK)
    Medium.objects.filter(pk=unreported.pk).update(status=MediumStatus.ORAL_LOSS)
    Medium.objects.update(loss_reported_at=None)  # as before the migration

    migration.loss_reported_at_backfill(apps, None)

    times = dict(Medium.objects.filter(customer=bank.alice.customer)
                 .values_list("pk", "loss_reported_at"))
    assert times[reported.pk] == again
    assert times[released.pk] is None and times[unreported.pk] is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_counter_written_loss_during_the_release_is_not_undone(bank):
    import threading
    import time as clock

    from django.db import transaction

    medium = _report(bank)
    locked, errors, released = threading.Event(), [], []

    def counter():  # what 书面挂失 at the counter does, holding the row a moment longer
        try:
            with transaction.atomic():
                Medium.objects.select_for_update().get(pk=medium.pk)
                locked.set()
                clock.sleep(0.3)
                Medium.objects.filter(pk=medium.pk).update(status=MediumStatus.WRITTEN_LOSS,
                                                           loss_reported_at=None)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def batch():
        try:
            locked.wait(5)
            with transaction.atomic():
                released.append(nightly.loss_release_step(date(2026, 3, 7)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=counter), threading.Thread(target=batch)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == [] and released == [0]
    assert _status(medium) == MediumStatus.WRITTEN_LOSS
    assert not AuditEvent.objects.filter(action="account_loss_release").exists()
