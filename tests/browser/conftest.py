"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's
live_server. Select them with ``pytest tests/browser`` or ``-m browser``; screenshots of the
main pages land in a folder of the run (tests/browser/shots.py; the summary names it) for a
person to look at."""

import os

# Playwright's sync API runs an event loop in the test thread; the test's own ORM calls are
# still synchronous and safe. Set before any Django code runs in a test.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

from tests.browser import shots  # noqa: E402
from tests.browser.shots import shot, shots_dir  # noqa: E402, F401 - fixtures for every test here

CHROMIUM = "/usr/bin/chromium"


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


def pytest_terminal_summary(terminalreporter):
    line = shots.summary_line()
    if line:
        terminalreporter.write_line(line)
