"""The Celery application.

Celery only carries *kicks*: the database (ebank.duework) is the one copy of every schedule,
so a lost, duplicated or redelivered message can delay work but never run it twice.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ebank.settings.dev")

app = Celery("ebank")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
