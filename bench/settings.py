"""Settings of ``bench/web_load.py``: production settings plus one bare baseline view.

Everything production reads from the environment still comes from it (SECRET_KEY,
FIELD_ENCRYPTION_KEY, PIN_KEY, ALLOWED_HOSTS, DATABASE_URL, CONN_MAX_AGE, SECURE_SSL_REDIRECT,
BANK_CA_DIR, BANK_CA_PASSPHRASE); the bench sets throwaway values. The only differences from
production: the URLconf adds ``/bench/bare`` (the baseline: a small template, no database),
and STATIC_ROOT may point at the bench's temporary ``collectstatic`` output so the bench never
writes into the shared ``var/``.
"""

import copy
from pathlib import Path

from ebank.settings.prod import *  # noqa: F403
from ebank.settings.prod import BASE_DIR, TEMPLATES, env

ROOT_URLCONF = "bench.urls"

TEMPLATES = copy.deepcopy(TEMPLATES)
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]

if env("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(env("BENCH_STATIC_ROOT"))
