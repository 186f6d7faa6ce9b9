"""A real Celery worker (Redis broker) runs a kicked row against the test database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from kombu import Exchange, Queue

from ebank.celery import app
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import due_work_schedule
from ebank.duework.tasks import run_due_work_item
from ebank.ledger.models import Entry
from tests.duework.handlers import POST_TRANSFER, transfer_payload
from tests.duework.support import subprocess_env, wait_until


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_a_kicked_row(tmp_path, clearing_account, customer_account):
    broker_url = os.environ["REDIS_URL"]
    # A queue of our own: other suites may run workers on the same Redis database.
    queue_name = f"duework-test-{os.getpid()}"
    queue = Queue(queue_name, Exchange(queue_name, type="direct"), routing_key=queue_name)
    celery = Path(sys.executable).with_name("celery")
    log_path = tmp_path / "celery-worker.log"

    with app.connection_for_write(broker_url) as broker:
        queue(broker.default_channel).declare()
        queue(broker.default_channel).purge()

        with log_path.open("wb") as log:
            worker = subprocess.Popen(
                [str(celery), "-A", "ebank", "worker", "--pool=solo", "--concurrency=1",
                 "--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "info",
                 "-Q", queue_name, "-n", f"{queue_name}@%h", "-I", "tests.duework.handlers"],
                cwd=settings.BASE_DIR,
                # Celery reads CELERY_BROKER_URL from the environment before any setting, so
                # the worker uses Redis while ebank.settings.test keeps "memory://".
                env=subprocess_env(CELERY_BROKER_URL=broker_url),
                stdout=log, stderr=subprocess.STDOUT,
            )
        try:
            wait_until(lambda: " ready." in log_path.read_text() or worker.poll() is not None,
                       timeout=60, what="the Celery worker to start")
            assert worker.poll() is None, log_path.read_text()

            work = due_work_schedule(
                kind=POST_TRANSFER, key="transfer:celery", due_at=timezone.now(),
                payload=transfer_payload(from_id=clearing_account.pk,
                                         to_id=customer_account.pk, amount="66.00"),
            )
            run_due_work_item.apply_async(args=[work.pk], queue=queue_name, connection=broker)

            wait_until(
                lambda: DueWork.objects.get(pk=work.pk).status == DueWorkStatus.DONE,
                timeout=60, interval=0.2, what=f"the worker to run the row\n{log_path}",
            )
        finally:
            worker.terminate()
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            queue(broker.default_channel).delete()
            queue.exchange(broker.default_channel).delete()

    assert Entry.objects.filter(reference="transfer:celery").count() == 1
    customer_account.refresh_from_db()
    assert str(customer_account.balance) == "66.00"
    log = log_path.read_text()
    assert "ebank.duework.tasks.run_due_work_item" in log
    assert f"due work {work.pk} {POST_TRANSFER}:transfer:celery done" in log
