"""Screenshots for a person to look at, in a folder of this run (never a shared /tmp/shots).

They go to ``<pytest basetemp>/shots/`` (e.g. /tmp/pytest-of-$USER/pytest-42/shots; pytest keeps
the last three runs) or to ``$EBANK_SHOTS_DIR`` when set; the run's summary prints the folder.
Browser test modules outside tests/browser import the two fixtures from here.
"""

import os
from pathlib import Path

import pytest

# The folder of this run once a test asked for it (read by the terminal summary).
taken: list[Path] = []


@pytest.fixture(scope="session")
def shots_dir(tmp_path_factory) -> Path:
    configured = os.environ.get("EBANK_SHOTS_DIR")
    path = Path(configured) if configured else tmp_path_factory.getbasetemp() / "shots"
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
