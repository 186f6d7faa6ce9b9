"""Suite-wide pytest wiring.

Tests marked ``postgres`` need a real PostgreSQL (row locks, triggers, concurrent connections);
tests marked ``redis`` need a reachable Redis. Where one is missing they are skipped, and the
run ends with a loud line saying so. With EBANK_REQUIRE_SERVICES=1 (CI) a missing service is an
error instead: nothing may be skipped there.
"""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

_skipped_for: dict[str, int] = {"postgres": 0, "redis": 0}


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config, items):
    have = {"postgres": _on_postgres(), "redis": _redis_reachable()}
    required = os.environ.get("EBANK_REQUIRE_SERVICES") == "1"
    missing = [name for name, ok in have.items() if not ok]
    if required and missing:
        raise pytest.UsageError(
            f"EBANK_REQUIRE_SERVICES=1 but not reachable: {', '.join(missing)} "
            "(set DATABASE_URL to PostgreSQL and REDIS_URL)"
        )
    for item in items:
        for name in missing:
            if item.get_closest_marker(name):
                _skipped_for[name] += 1
                item.add_marker(pytest.mark.skip(reason=f"needs {name}"))


def pytest_terminal_summary(terminalreporter):
    for name, count in _skipped_for.items():
        if count:
            terminalreporter.write_line(
                f"!!! SKIPPED {count} TESTS THAT NEED {name.upper()} — "
                f"run with {'DATABASE_URL=postgres://…' if name == 'postgres' else 'REDIS_URL=redis://…'} "
                "to run them !!!",
                red=True,
                bold=True,
            )


# --- a fresh cache for every test -------------------------------------------------------------------
# The cache holds counts that must not leak from one test into the next: the per-address
# throttles (security/identity/throttles.py) and the failed logins per typed identifier
# (security.identity.services.login_failures_count). On Redis this is the run's own database (REDIS_URL).


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


# --- no secret in any log line of the whole suite ------------------------------------------------
# Every log record the suite produces is kept (formatted) and, at the end, searched for the demo
# bank's secrets: passwords, 交易密码, TOTP secrets and full card numbers. A hit fails the run.

import logging  # noqa: E402


class _KeepRecords(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - a broken record must not break the suite
            self.lines.append(str(record.msg))


_kept = _KeepRecords()


def _keep_log_records():
    logging.getLogger().addHandler(_kept)


def pytest_sessionfinish(session, exitstatus):
    from tests.secrets_scan import find_seeded_secrets

    hits = find_seeded_secrets(_kept.lines)
    if hits:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for what, line in hits[:20]:
            if reporter:
                reporter.write_line(f"SECRET IN LOG ({what}): {line[:200]}", red=True, bold=True)
        session.exitstatus = 1


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, OTP-verified as the staff admin requires."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=admin_user, name="test", confirmed=True)
    client.force_login(admin_user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client



def pytest_configure(config):
    """``EBANK_CLOCK_SHIFT_DAYS``: run the whole suite, and the processes it starts, with the
    clock that many days ahead (tests/clockshift/sitecustomize.py, docs/testing.md)."""
    from tests.clockshift.sitecustomize import clock_shift_start

    _keep_log_records()
    # Transactional tests end with a cheaper flush that leaves the same state (tests/fastflush.py);
    # EBANK_DJANGO_FLUSH=1 keeps Django's own.
    if os.environ.get("EBANK_DJANGO_FLUSH") != "1":
        from tests import fastflush

        fastflush.install()
    if clock_shift_start():
        folder = os.path.join(os.path.dirname(__file__), "tests", "clockshift")
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (folder, os.environ.get("PYTHONPATH")) if p)


def pytest_report_header(config):
    """Say what day the suite believes it is when the clock is shifted: a shifted run is only
    proof if the shift took."""
    from tests.clockshift.sitecustomize import clock_shift_days

    if clock_shift_days():
        import datetime

        return (f"clock shifted {clock_shift_days()} days: "
                f"today is {datetime.date.today()}")  # noqa: DTZ011
    return None
