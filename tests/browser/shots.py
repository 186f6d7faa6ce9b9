"""Screenshots for a person to look at, in a folder of this run (never a shared /tmp/shots).

They go to ``var/shots/<date-time>-<pid>/`` of this checkout (var/ is generated and ignored by
git and Docker; the newest KEEP_RUNS runs are kept), or to ``$EBANK_SHOTS_DIR`` when set; the
run's summary prints the folder. Not pytest's basetemp: /tmp/pytest-of-$USER is shared by every
checkout of the same user and keeps three runs only. Browser test modules outside
tests/browser take the two fixtures from here.
"""

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings

KEEP_RUNS = 5

# The folder of this run once a test asked for it (read by the terminal summary).
taken: list[Path] = []


@pytest.fixture(scope="session")
def shots_dir() -> Path:
    configured = os.environ.get("EBANK_SHOTS_DIR")
    if configured:
        path = Path(configured)
    else:
        runs = Path(settings.BASE_DIR) / "var" / "shots"
        path = runs / f"{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}"  # noqa: DTZ005 - a name
        runs.mkdir(parents=True, exist_ok=True)
        for old in sorted(p for p in runs.iterdir() if p.is_dir())[:-(KEEP_RUNS - 1)]:
            shutil.rmtree(old, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    if path not in taken:
        taken.append(path)
    return path


@pytest.fixture
def shot(page, shots_dir):
    """``shot("login")`` saves a full-page screenshot of the test's page to shots_dir/login.png;
    ``shot("admin", other_page)`` one of another page."""

    def take(name: str, target=None) -> Path:
        path = shots_dir / f"{name}.png"
        (target or page).screenshot(path=str(path), full_page=True)
        return path

    return take


def summary_line() -> str | None:
    return f"browser screenshots: {taken[0]}" if taken else None
