import signal
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import due_work_schedule
from tests.duework.handlers import RECORD
from tests.duework.support import subprocess_env, wait_until

POLLER = (
    "import django; django.setup(); import tests.duework.handlers; "
    "from django.core.management import call_command; "
    "call_command('run_due_work', '--loop', '--interval', '0.2')"
)


@pytest.mark.django_db
def test_once_runs_what_is_due_and_exits():
    due_work_schedule(kind=RECORD, key="a", due_at=timezone.now())
    out = StringIO()

    call_command("run_due_work", stdout=out)

    assert out.getvalue().strip() == "ran 1 due work item(s)"
    assert DueWork.objects.get(key="a").status == DueWorkStatus.DONE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_the_poller_runs_new_work_and_stops_cleanly_on_a_signal(tmp_path, stop_signal):
    log_path = tmp_path / "poller.log"
    with log_path.open("wb") as log:
        poller = subprocess.Popen([sys.executable, "-c", POLLER], cwd=settings.BASE_DIR,
                                  env=subprocess_env(), stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: "polling every" in log_path.read_text(), timeout=30,
                   what="the poller to start")
        work = due_work_schedule(kind=RECORD, key="secret-free-key", due_at=timezone.now())
        wait_until(lambda: DueWork.objects.get(pk=work.pk).status == DueWorkStatus.DONE,
                   timeout=30, what="the poller to run the row")

        poller.send_signal(stop_signal)
        assert poller.wait(15) == 0
    finally:
        if poller.poll() is None:
            poller.kill()
            poller.wait()

    log = log_path.read_text()
    assert f"due work {work.pk} {RECORD}:secret-free-key done" in log
    assert "stopped" in log
    assert "Traceback" not in log
