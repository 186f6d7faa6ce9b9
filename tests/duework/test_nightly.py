"""The nightly batch (日终) mechanism: the step registry, the loop, the command, the beat task and
the admin page. The apps' own steps are tested with their apps (accounts/tests/test_nightly.py).
"""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.urls import reverse

from ebank.core.clock import SHANGHAI
from ebank.duework import nightly, tasks
from ebank.duework.models import BatchStepRun, BatchStepStatus

BUSINESS_DATE = date(2026, 3, 7)


@pytest.fixture
def registry(monkeypatch):
    """An empty step registry for the test (the apps' steps are put back afterwards)."""
    monkeypatch.setattr(nightly, "_steps", {})
    return nightly


def _run(*args) -> str:
    out = StringIO()
    call_command("run_nightly_batch", *args, stdout=out)
    return out.getvalue()


class Calls:
    """Steps that record the order they ran in."""

    def __init__(self):
        self.log: list[tuple[str, date]] = []

    def step(self, name: str, result=None):
        def fn(business_date: date):
            self.log.append((name, business_date))
            return result

        fn.__qualname__ = f"step_{name}"
        return fn


def test_steps_run_in_their_order_not_the_order_they_registered(registry):
    calls = Calls()
    registry.nightly_step("statements", order=300)(calls.step("statements"))
    registry.nightly_step("interest", order=100)(calls.step("interest"))
    registry.nightly_step("maturities", order=200)(calls.step("maturities"))

    assert [step.name for step in registry.registered_steps()] == [
        "interest", "maturities", "statements"]


def test_a_step_reads_by_its_label_and_its_name(registry):
    calls = Calls()
    registry.nightly_step("interest", order=100, label="活期结息")(calls.step("interest"))
    registry.nightly_step("cleanup", order=900)(calls.step("cleanup"))

    assert registry.step_label("interest") == "活期结息（interest）"
    assert registry.step_label("cleanup") == "cleanup"  # no label
    assert registry.step_label("retired_step") == "retired_step"  # no app registers it now


def test_a_clash_is_refused_and_a_reimport_is_not(registry):
    def release(business_date):
        return 0

    registry.nightly_step("loss_report_release", order=500)(release)
    registry.nightly_step("loss_report_release", order=500)(release)  # autoreload: same function

    def another(business_date):
        return 0

    with pytest.raises(ImproperlyConfigured, match="already registered"):
        registry.nightly_step("loss_report_release", order=510)(another)
    with pytest.raises(ImproperlyConfigured, match="order 500 is already taken"):
        registry.nightly_step("sessions_clear", order=500)(another)
    with pytest.raises(ImproperlyConfigured, match="1–64 characters"):
        registry.nightly_step("x" * 65, order=1)
    with pytest.raises(ImproperlyConfigured, match="order must be an int"):
        registry.nightly_step("interest", order="100")


def test_the_apps_register_their_steps_from_ready():
    steps = {step.name: step for step in nightly.registered_steps()}

    assert steps["loss_report_release"].fn.__module__ == "accounts.nightly"
    assert steps["sessions_expired_clear"].fn.__module__ == "security.nightly"


@pytest.mark.django_db
def test_the_command_runs_every_step_once_per_date_and_prints_progress(registry):
    calls = Calls()
    registry.nightly_step("interest", order=100)(calls.step("interest", result=12))
    registry.nightly_step("cleanup", order=900)(calls.step("cleanup"))

    out = _run("--date", "2026-03-07")

    assert calls.log == [("interest", BUSINESS_DATE), ("cleanup", BUSINESS_DATE)]
    lines = out.splitlines()
    assert lines[0] == "nightly batch for 2026-03-07: 2 step(s)"
    assert lines[1].startswith("  [1/2] interest: done, count 12, ") and lines[1].endswith("s")
    assert lines[2].startswith("  [2/2] cleanup: done, count -, ")
    assert lines[3] == "nightly batch for 2026-03-07 finished: 2 ran, 0 skipped"
    interest = BatchStepRun.objects.get(step="interest", business_date=BUSINESS_DATE)
    assert (interest.status, interest.count) == (BatchStepStatus.DONE, 12)
    # Within the row's start and finish (wall clock, to the microsecond in the database).
    elapsed = interest.finished_at - interest.started_at
    assert timedelta(0) <= interest.duration <= elapsed + timedelta(milliseconds=1)
    assert BatchStepRun.objects.get(step="cleanup").count is None

    again = _run("--date", "2026-03-07")

    assert len(calls.log) == 2
    assert "  [1/2] interest: already done, skipped (earlier run: count 12, " in again
    assert "finished: 0 ran, 2 skipped" in again


@pytest.mark.django_db
def test_a_failed_step_stops_the_batch_and_a_rerun_resumes_there(registry):
    calls = Calls()
    broken = {"yes": True}

    def statements(business_date):
        if broken["yes"]:
            raise RuntimeError("rate table missing")
        calls.log.append(("statements", business_date))
        return 3

    registry.nightly_step("interest", order=100)(calls.step("interest", result=1))
    registry.nightly_step("statements", order=200)(statements)
    registry.nightly_step("cleanup", order=300)(calls.step("cleanup"))
    out = StringIO()

    with pytest.raises(CommandError, match="stopped at statements: RuntimeError: rate table"):
        call_command("run_nightly_batch", "--date", "2026-03-07", stdout=out)

    assert calls.log == [("interest", BUSINESS_DATE)]
    assert "  [2/3] statements: FAILED after " in out.getvalue()
    assert "RuntimeError: rate table missing" in out.getvalue()
    failed = BatchStepRun.objects.get(step="statements")
    assert (failed.status, failed.count, failed.attempts) == (BatchStepStatus.FAILED, None, 1)
    assert failed.last_error == "RuntimeError: rate table missing"
    assert failed.duration is not None
    assert not BatchStepRun.objects.filter(step="cleanup").exists()

    broken["yes"] = False
    rerun = _run("--date", "2026-03-07")

    assert calls.log == [("interest", BUSINESS_DATE), ("statements", BUSINESS_DATE),
                         ("cleanup", BUSINESS_DATE)]
    assert "[1/3] interest: already done, skipped" in rerun
    assert "[2/3] statements: done, count 3" in rerun
    failed.refresh_from_db()
    assert (failed.status, failed.count, failed.attempts, failed.last_error) == (
        BatchStepStatus.DONE, 3, 2, "")


@pytest.mark.django_db
def test_the_loop_reraises_and_reports_the_failed_step(registry):
    def broken(business_date):
        raise RuntimeError("boom")

    calls = Calls()
    steps = [nightly.NightlyStep("broken_step", 1, broken),
             nightly.NightlyStep("after", 2, calls.step("after"))]
    reported = []

    with pytest.raises(RuntimeError, match="boom"):
        nightly.nightly_batch_run(business_date=BUSINESS_DATE, steps=steps,
                                  progress=reported.append)

    assert calls.log == []
    assert [(r.name, r.status, r.error) for r in reported] == [
        ("broken_step", BatchStepStatus.FAILED, "RuntimeError: boom")]


@pytest.mark.django_db
def test_by_default_the_batch_closes_yesterday_in_shanghai(registry):
    calls = Calls()
    registry.nightly_step("interest", order=100)(calls.step("interest"))

    # 00:10 on 3月8日 in Shanghai is still 3月7日 in UTC; either way the day closed is 3月7日.
    with time_machine.travel(datetime(2026, 3, 8, 0, 10, tzinfo=SHANGHAI), tick=False):
        assert nightly.default_business_date() == BUSINESS_DATE
        assert "nightly batch for 2026-03-07" in _run()

    assert calls.log == [("interest", BUSINESS_DATE)]


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _run("--date", "07/03/2026")


@pytest.mark.django_db
def test_the_beat_task_runs_the_command_and_is_scheduled(registry):
    calls = Calls()
    registry.nightly_step("interest", order=100)(calls.step("interest"))

    with time_machine.travel(datetime(2026, 3, 8, 0, 10, tzinfo=SHANGHAI), tick=False):
        tasks.run_nightly_batch()

    assert calls.log == [("interest", BUSINESS_DATE)]
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks.run_nightly_batch.name in names


@pytest.mark.django_db
def test_the_admin_lists_each_dates_runs_read_only(admin_client):
    BatchStepRun.objects.create(step="loss_report_release", business_date=BUSINESS_DATE,
                                status=BatchStepStatus.DONE, attempts=1, count=4,
                                duration=timedelta(milliseconds=1250))
    failed = BatchStepRun.objects.create(
        step="card_statements", business_date=BUSINESS_DATE - timedelta(1),
        status=BatchStepStatus.FAILED, attempts=2, last_error="RuntimeError: rate table missing")
    changelist = reverse("admin:duework_batchsteprun_changelist")

    listing = admin_client.get(changelist).content.decode()

    def shown(**query) -> list[str]:
        response = admin_client.get(changelist, query)
        return [run.step for run in response.context["cl"].result_list]

    for label in ("业务日期", "批处理步骤", "状态", "处理笔数", "耗时（秒）", "失败原因"):
        assert label in listing
    assert "1.250" in listing and "RuntimeError: rate table missing" in listing
    assert shown() == ["loss_report_release", "card_statements"]  # the latest date first
    assert shown(status__exact="failed") == ["card_statements"]
    assert shown(business_date__year="2026", business_date__month="3",
                 business_date__day="7") == ["loss_report_release"]
    change = admin_client.get(reverse("admin:duework_batchsteprun_change", args=[failed.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert admin_client.post(reverse("admin:duework_batchsteprun_change", args=[failed.pk]),
                             {"step": "x"}).status_code == 403
    assert admin_client.get(reverse("admin:duework_batchsteprun_add")).status_code == 403
