"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's
live_server. Select them with ``pytest tests/browser`` or ``-m browser``; screenshots of the
main pages land in /tmp/shots/ (EBANK_SHOTS_DIR) for a person to look at."""

import os

# Playwright's sync API runs an event loop in the test thread; the test's own ORM calls are
# still synchronous and safe. Set before any Django code runs in a test.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# A fixed, well-known place for a person to look at; screenshots hold demo data only.
SHOTS_DIR = Path(os.environ.get("EBANK_SHOTS_DIR", "/tmp/shots"))  # noqa: S108


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: end-to-end test in a real browser (Playwright)")
    # pytest-playwright 0.10's own base_url fixture; nothing of ours.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1280, "height": 860}}


@pytest.fixture
def shot(page):
    """``shot("login")`` saves a full-page screenshot to SHOTS_DIR/login.png."""
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SHOTS_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
