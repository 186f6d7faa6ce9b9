"""Web load: pages and the 行内转账 flow through gunicorn, beside a bare Django view.

    .venv/bin/python bench/web_load.py [--seconds 15] [--warmup 3] [--rounds 3] [--keep]
                                       [--profile]

What it does, in one run (docs/benchmarks.md has the details and the figures):

1. creates a fresh PostgreSQL database ``ebank_webload`` (TCP, 127.0.0.1:5432, user postgres),
   migrates it, creates the bank CA and seeds the demo bank (``manage.py seed_demo``), with
   production settings (``bench.settings`` = ``ebank.settings.prod`` + one bare view) and
   throwaway secrets;
2. gives 张伟's card 100,000 postings (alternating 现金存入/现金支取 against the bank's cash
   book over the last 90 days), written set-wise with COPY in a few transactions: explicit ids
   in posting order, every ``balance_after`` a running balance, the cached balances updated,
   the deferred trigger checking every entry at commit; then checks every running balance of
   both accounts, ANALYZEs and runs ``verify_ledger``;
3. opens 32 bench customers (card, 交易密码 135246, ¥1,000,000, counter registration with a
   USBKey) through the real services;
4. starts gunicorn (2 sync workers, like docker-compose) on a free port and measures, in each
   of ``--rounds`` rounds, with ``wrk -t2 -c16 --latency`` (a warm-up run first, discarded):
   (a) the bare view ``/bench/bare`` (no cookie, no database) — the baseline; then, for
       information, the issue's calibration point (the same view after one ORM query,
       ``/bench/query``: the issue measured it at 0.55 of the bare view) and the bare view
       logged in (session read and save, menu);
   (b) 账户总览 — sessions of 张伟, 李娜 and 王芳, round-robin;
   (c) 交易明细 of the 100,000-posting account (its default period, first page);
   (d) 行内转账 through confirmation: form POST → GET confirm page → confirm POST with the
       交易密码 and the USBKey 证书密码 (bench/web_load/web_load.lua explains how wrk drives
       32 customers' sessions);
   then the bare view again (each round's rows are divided by the mean of its two baselines);
5. prints each round's requests/s, p50, p99, errors and the ratio to the bare view, then every
   row's figures over the rounds with their median, the targets judged on the medians; for
   the transfers also deadlocks in gunicorn's log, the transfers the database holds and the
   books before/after (``verify_ledger``); ``--profile`` then times each request in-process
   with cProfile; then drops the database (``--keep`` keeps it, and writes the environment
   that goes with it to ``env.sh`` in the printed temporary directory).

Sessions are created directly (SessionStore + Django's auth session keys, then the real
``user_login_record``): production has no test captcha. Requests carry
``X-Forwarded-Proto: https`` (SECURE_PROXY_SSL_HEADER), so the ``__Host-`` cookies and the
CSRF origin check behave as behind the TLS proxy.
"""

import argparse
import json
import os
import re
import resource
import secrets
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
LUA = ROOT / "bench" / "web_load" / "web_load.lua"
PG = {"host": os.environ.get("PGHOST", "127.0.0.1"), "port": os.environ.get("PGPORT", "5432"),
      "user": os.environ.get("PGUSER", "postgres")}
DB = "ebank_webload"
# The bench's own Redis database (flushed before and after the run).
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
THREADS, CONNECTIONS, WORKERS = 2, 16, 2
HISTORY_POSTINGS = 100_000
BENCH_CUSTOMERS = 2 * CONNECTIONS  # twice the connections: a free customer is always at hand
BENCH_CERT_PASSWORD = "Bench2026"  # noqa: S105 — throwaway, in a database dropped at the end
BENCH_LOGIN_PASSWORD = "Bench@2026x"  # noqa: S105 — idem
PIN = "135246"  # the demo 交易密码 (accounts.demo.DEMO_PIN)
TRANSFER_AMOUNT = "1.00"

BENCH_KEYS: set[str] = set()  # what bench_env sets (written to env.sh with --keep)

TARGETS = {
    "overview_ratio": 0.40,
    "overview_p99_ms": 100.0,
    "history_p99_ms": 100.0,
    "transfer_ratio": 0.15,
}


# --- environment, database, subprocesses -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(tmp: Path) -> dict:
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(bench := {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{DB}",
        "CONN_MAX_AGE": "600",
        "SECRET_KEY": "webload-" + secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "PIN_KEY": "webload-" + secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        # wrk stands where the TLS proxy stands: its X-Forwarded-Proto is believed.
        "TRUSTED_PROXIES": "127.0.0.1",
        # Production refuses to start without an SMS gateway; the 行内转账 flow texts nothing.
        "SMS_GATEWAY_URL": "https://sms-gateway.invalid/send",
        "SMS_GATEWAY_KEY": secrets.token_urlsafe(24),
        "BANK_CA_DIR": str(tmp / "bank-ca"),
        "BANK_CA_PASSPHRASE": secrets.token_urlsafe(24),
        "BENCH_STATIC_ROOT": str(tmp / "static"),
        # Redis as in production (cache and session reads), in a database of its own that the
        # bench empties before and after; due work is not kicked through Celery (a real-time
        # 行内转账 schedules none).
        "REDIS_URL": REDIS_URL,
        "DUEWORK_KICK": "none",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    })
    BENCH_KEYS.update(bench)
    return env


def _redis_flush() -> None:
    """Empty the bench's own Redis database (never another one: REDIS_URL names it)."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _psql(db: str, sql: str) -> None:
    subprocess.run(["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", db,
                    "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)


def _manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def _django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- data --------------------------------------------------------------------------------------


def history_account():
    """张伟's card, 活期主账户 (SubAccount) — the account the 100,000 postings go to."""
    from accounts.demo import demo_medium_number
    from accounts.models import SubAccount, SubAccountKind

    return SubAccount.objects.select_related("ledger_account").get(
        medium__number=demo_medium_number("340101", 1), kind=SubAccountKind.CURRENT_MAIN)


def history_postings_insert(*, ledger_account_id: int, count: int, chunk: int = 25_000) -> float:
    """``count`` entries, each one posting on the account and one on the bank's cash book.

    Entries alternate 现金存入 and 现金支取 of the same amount (so the balance never drops below
    where it started), dated evenly over the last 90 days. Ids are taken from the sequences
    beforehand and handed out in order, so posting order = id order = time order and each
    ``balance_after`` is the running balance. Returns the seconds it took.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from ebank.ledger.bank_books import BankBook, bank_book_id
    from ebank.ledger.models import BusinessType, Side
    from ebank.ledger.services import Leg, entry_fingerprint

    started = time.perf_counter()
    cash = bank_book_id(BankBook.CASH)
    now = timezone.now()
    first_at = now - timedelta(days=90)
    step = timedelta(days=90) / count
    for first in range(0, count, chunk):
        n = min(chunk, count - first)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, normal_side, balance FROM ledger_ledgeraccount "
                "WHERE id IN (%s, %s) ORDER BY id FOR UPDATE", [ledger_account_id, cash])
            sides, balances = {}, {}
            for acc_id, normal_side, balance in cursor.fetchall():
                sides[acc_id], balances[acc_id] = normal_side, balance
            cursor.execute("SELECT nextval(pg_get_serial_sequence('ledger_entry', 'id')) "
                           "FROM generate_series(1, %s)", [n])
            entry_ids = sorted(row[0] for row in cursor.fetchall())
            cursor.execute("SELECT nextval(pg_get_serial_sequence('ledger_posting', 'id')) "
                           "FROM generate_series(1, %s)", [2 * n])
            posting_ids = iter(sorted(row[0] for row in cursor.fetchall()))
            entries, postings = [], []
            for k in range(n):
                g = first + k
                amount = Decimal(1000 + (g // 2 * 7919) % 500_000) / 100
                deposit = g % 2 == 0
                if deposit:
                    business_type, memo = BusinessType.CASH_DEPOSIT, "现金存入"
                    legs = [Leg.debit(cash, amount), Leg.credit(ledger_account_id, amount)]
                else:
                    business_type, memo = BusinessType.CASH_WITHDRAWAL, "现金支取"
                    legs = [Leg.debit(ledger_account_id, amount), Leg.credit(cash, amount)]
                reference = f"bench-history-{g}"
                posted_at = first_at + step * g
                entries.append((entry_ids[k], f"bench:history:{g}",
                                entry_fingerprint(business_type, reference, legs),
                                business_type, reference, memo, posted_at))
                for leg in legs:
                    delta = leg.amount if leg.side == sides[leg.account_id] else -leg.amount
                    balances[leg.account_id] += delta
                    postings.append((next(posting_ids), entry_ids[k], leg.account_id, leg.side,
                                     leg.amount, balances[leg.account_id], posted_at))
            assert all(side in (Side.DEBIT, Side.CREDIT) for side in sides.values())
            with connection.connection.cursor() as raw:
                with raw.copy("COPY ledger_entry (id, idempotency_key, fingerprint, "
                              "business_type, reference, memo, posted_at) FROM STDIN") as copy:
                    for row in entries:
                        copy.write_row(row)
                with raw.copy("COPY ledger_posting (id, entry_id, account_id, side, amount, "
                              "balance_after, posted_at) FROM STDIN") as copy:
                    for row in postings:
                        copy.write_row(row)
            for acc_id, balance in balances.items():
                cursor.execute("UPDATE ledger_ledgeraccount SET balance = %s WHERE id = %s",
                               [balance, acc_id])
        # The deferred trigger has checked every entry of the chunk at this commit.
    with connection.cursor() as cursor:
        # What autovacuum would do within a minute of a bulk load; without it the planner
        # still believes the tables are empty and sorts the whole account for 交易明细.
        cursor.execute("ANALYZE ledger_entry, ledger_posting, ledger_ledgeraccount")
    return time.perf_counter() - started


def running_balance_mismatches(account_ids: list[int]) -> int:
    """Postings whose ``balance_after`` is not the running balance of their account."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT p.balance_after, SUM(CASE WHEN p.side = a.normal_side "
            "THEN p.amount ELSE -p.amount END) OVER (PARTITION BY p.account_id ORDER BY p.id) "
            "AS running FROM ledger_posting p JOIN ledger_ledgeraccount a ON a.id = p.account_id "
            "WHERE p.account_id = ANY(%s)) s WHERE balance_after <> running", [account_ids])
        return cursor.fetchone()[0]


def bench_customers_create(count: int) -> list[dict]:
    """Customers with a card (¥1,000,000, 交易密码 135246) registered at the counter with a
    USBKey, through the same services as the demo; each pays the next one (a ring)."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.demo import demo_medium_number, resident_id_number
    from accounts.models import Branch, IdType, MediumKind, SubAccountKind
    from accounts.services import customer_open, medium_open
    from ebank.ledger.bank_books import BankBook, bank_book_id
    from ebank.ledger.models import BusinessType
    from ebank.ledger.services import Leg, entry_post
    from security.models import ToolKind, User
    from security.staff.counter.services import counter_register

    teller = User.objects.get(username="teller_hf")
    branch = Branch.objects.get(code="340101")
    cash = bank_book_id(BankBook.CASH)
    made = []
    for i in range(count):
        id_number = resident_id_number(f"34010419900101{i:03d}")
        with transaction.atomic():
            customer = customer_open(
                cif_no=f"34019900{i:02d}", name=f"压测客户{i:02d}", branch=branch,
                id_type=IdType.RESIDENT_ID, id_number=id_number, phone=f"1380099{i:04d}")
            medium = medium_open(customer=customer, number=demo_medium_number("340101", 9000 + i),
                                 kind=MediumKind.DEBIT_CARD, pin=PIN, opened_on=timezone.localdate())
            sub = medium.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
            entry_post(idempotency_key=f"bench:opening:{i}",
                       business_type=BusinessType.OPENING_BALANCE, reference=f"bench:{i}",
                       memo="开户存入", legs=[Leg.debit(cash, Decimal("1000000.00")),
                                          Leg.credit(sub.ledger_account_id,
                                                     Decimal("1000000.00"))])
        counter_register(acting_user=teller, customer=customer, medium=medium,
                         id_type=IdType.RESIDENT_ID, id_number=id_number, id_copy_received=True,
                         initial_password=BENCH_LOGIN_PASSWORD, tool_kind=ToolKind.USBKEY,
                         cert_password=BENCH_CERT_PASSWORD)
        user = User.objects.get(customer=customer)
        user.must_change_password = False  # as the demo users: usable at once
        user.save(update_fields=["must_change_password"])
        made.append({"user_id": user.pk, "sub_account": sub.pk, "number": medium.number,
                     "name": customer.name})
    return made


def session_login(user_id: int) -> str:
    """A logged-in session for the user, as ``login()`` makes it, recorded by the real
    ``user_login_record`` (which makes it the user's one live session)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from security.identity.services import user_login_record
    from security.models import User

    user = User.objects.get(pk=user_id)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    user_login_record(user=user, session_key=store.session_key, ip_address="127.0.0.1",
                      previous_login_at=user.last_login)
    return store.session_key


def browser_line(user_id: int) -> str:
    """A logged-in browser for web_load.lua's get mode: the session key and the CSRF cookie it
    has held since the login page (an unmasked 32-character secret, as Django stores it)."""
    return f"{session_login(user_id)}\t{secrets.token_hex(16)}"


def demo_user_ids() -> list[int]:
    """张伟, 李娜, 王芳 (刘洋 is suspended in the demo)."""
    from security.models import User

    return list(User.objects.filter(customer__cif_no__in=["3401010001", "3401010002",
                                                          "3402010001"])
                .order_by("customer__cif_no").values_list("pk", flat=True))


def books() -> dict:
    """Sums over the ledger: customers' balances, the bank's, and debits minus credits."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT owner, SUM(balance), SUM(CASE WHEN normal_side = 'D' THEN balance "
            "ELSE -balance END) FROM ledger_ledgeraccount GROUP BY owner")
        rows = {owner: (total, signed) for owner, total, signed in cursor.fetchall()}
    return {"customers": rows["customer"][0], "bank": rows["bank"][0],
            "signed_total": sum(signed for _total, signed in rows.values())}


# --- the server and the load -------------------------------------------------------------------


ACCESS_FORMAT = '%(m)s %(U)s %(s)s %(D)s'


def gunicorn_start(env: dict, port: int, tmp: Path) -> tuple[subprocess.Popen, Path, Path]:
    log, access = tmp / "gunicorn.log", tmp / "access.log"
    process = subprocess.Popen(
        [GUNICORN, "ebank.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers",
         str(WORKERS), "--worker-class", "sync", "--access-logfile", str(access),
         "--access-logformat", ACCESS_FORMAT, "--no-control-socket"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz",
                                             headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return process, log, access
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"gunicorn did not answer /healthz; see {log}:\n{log.read_text()[-3000:]}")


def _settle() -> None:
    # wrk has stopped, but the server still answers what was queued; a new login would end
    # the session under those requests (SessionInterrupted). Wait for them.
    time.sleep(2)


# CPU seconds by process group, read from /proc: what a request costs whatever else the machine
# does (req/s moves with the machine; these move far less).
CPU_GROUPS = ("gunicorn", "postgres", "redis", "wrk")


def _cpu_seconds() -> dict[str, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    totals = dict.fromkeys(CPU_GROUPS[:-1], 0.0)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        group = ("gunicorn" if "gunicorn" in cmdline else "postgres" if cmdline.startswith(
            "postgres") else "redis" if "redis-server" in cmdline else None)
        if group:
            totals[group] += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk: a finished child of ours
    totals["wrk"] = usage.ru_utime + usage.ru_stime
    return totals


def wrk(port: int, seconds: int, mode: str, *args: str) -> dict:
    # The transfer flow runs one wrk thread per connection (web_load.lua says why).
    threads = CONNECTIONS if mode == "transfer" else THREADS
    cmd = ["wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
           "--timeout", "10s", "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(threads),
           *args]
    cpu_before = _cpu_seconds()
    out = subprocess.run(cmd, env={**os.environ, "WEBLOAD_MODE": mode}, check=True,
                         capture_output=True, text=True).stdout
    cpu_after = _cpu_seconds()  # before _settle: what is still queued then is not counted
    _settle()
    match = re.search(r"^WEBLOAD (\{.*\})$", out, re.MULTILINE)
    if not match:
        raise SystemExit(f"wrk printed no summary:\n{out}")
    result = json.loads(match.group(1))
    seconds_run = result["duration_us"] / 1e6
    result.update({
        "cpu_ms": {group: 1000 * (cpu_after[group] - cpu_before[group])
                   / max(1, result["requests"]) for group in CPU_GROUPS},
        "rps": result["requests"] / seconds_run,
        "flows_per_s": result["flows"] / seconds_run,
        "p50_ms": result["p50_us"] / 1000, "p99_ms": result["p99_us"] / 1000,
        "errors": (result["socket_errors"] + result["status_errors"] + result["timeouts"]
                   + result["bad"]),
    })
    return result


def access_steps(access: Path, offset: int) -> dict[str, dict]:
    """Server-side time per kind of request (gunicorn's %(D)s) in the log after ``offset``."""
    kinds: dict[str, list[float]] = {}
    with access.open("rb") as log:
        log.seek(offset)
        for line in log.read().decode("utf-8", "replace").splitlines():
            parts = line.split()
            if len(parts) != 4:
                continue
            method, path, status, micros = parts
            if path == "/transfers/intra":
                kind = "form POST /transfers/intra"
            elif path.startswith("/confirm/") and method == "GET":
                kind = "GET confirm page"
            elif path.startswith("/confirm/"):
                kind = "confirm POST"
            else:
                kind = f"{method} {path}"
            kinds.setdefault(kind, []).append(int(micros) / 1000)
    out = {}
    for kind, values in kinds.items():
        values.sort()
        out[kind] = {"count": len(values), "p50_ms": statistics.median(values),
                     "p99_ms": values[max(0, int(len(values) * 0.99) - 1)]}
    return out


def transfer_lines(customers: list[dict], keys: list[str]) -> list[str]:
    """One line per customer for web_load.lua: session, csrf token, form body, confirm body."""
    lines = []
    for i, customer in enumerate(customers):
        payee = customers[(i + 1) % len(customers)]
        form = urllib.parse.urlencode({
            "from_sub_account": customer["sub_account"], "mode": "REAL_TIME",
            "amount": TRANSFER_AMOUNT, "payee_account": payee["number"],
            "payee_name": payee["name"], "purpose": "压测",
        })
        confirm = urllib.parse.urlencode({"pin": PIN, "method": "usbkey",
                                          "credential": BENCH_CERT_PASSWORD})
        # A CSRF secret of the unmasked 32-character form; the same value goes in the cookie
        # and in the field (Django accepts an unmasked secret as the form token).
        csrf = secrets.token_hex(16)
        lines.append("\t".join([keys[i], csrf, form, confirm]))
    return lines


# --- in-process profile (--profile) -------------------------------------------------------------


def _client(session_key: str | None):
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def _round_trips(fn) -> int:
    """Statements sent to PostgreSQL by ``fn``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _timed(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def _top(fn, runs: int, limit: int = 8) -> list[str]:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        fn()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:limit]  # type: ignore[attr-defined]
    out = []
    for (filename, line, name), (_cc, _nc, tottime, _ct, _callers) in rows:
        where = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        out.append(f"{100 * tottime / total:5.1f}%  {where}:{line}({name})")
    return out


def profile_in_process(*, history_pk: int, customers: list[dict]) -> None:
    """Where one request's time goes, one at a time in this process (Django's test client:
    the same middleware, views and templates, without gunicorn and without concurrency)."""
    from accounts.models import Medium
    from accounts.services import pin_matches
    from security.tools.usbkey import _pem_passphrase

    zhang = demo_user_ids()[0]
    payer, payee = customers[0], customers[1]
    anonymous, logged_in = _client(None), _client(session_login(zhang))
    transfer_client = _client(session_login(payer["user_id"]))
    form = {"from_sub_account": payer["sub_account"], "mode": "REAL_TIME",
            "amount": TRANSFER_AMOUNT, "payee_account": payee["number"],
            "payee_name": payee["name"], "purpose": "压测"}
    confirm = {"pin": PIN, "method": "usbkey", "credential": BENCH_CERT_PASSWORD}
    state: dict[str, str] = {}

    def get(client, path):
        def run():
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)
        return run

    def form_post():
        answer = transfer_client.post("/transfers/intra", form)
        assert answer.status_code == 302, answer.status_code
        state["confirm"] = answer["Location"]

    def confirm_post():
        answer = transfer_client.post(state["confirm"], confirm)
        assert answer.status_code == 302 and answer["Location"].endswith("/result")

    def confirm_only():
        form_post()
        transfer_client.get(state["confirm"])
        started = time.perf_counter()
        confirm_post()
        return time.perf_counter() - started

    pages = [
        ("bare view, no cookie", get(anonymous, "/bench/bare")),
        ("bare view, logged in", get(logged_in, "/bench/bare")),
        ("账户总览", get(logged_in, "/accounts/overview")),
        ("交易明细", get(logged_in, f"/accounts/history?account={history_pk}")),
        ("行内转账 form POST", form_post),
    ]
    print("\nin-process profile (one request at a time, Django test client, no gunicorn):")
    for label, fn in pages:
        ms = _timed(fn, 30)
        trips = _round_trips(fn)
        print(f"  {label}: {ms:.2f} ms, {trips} SQL statements")
        for line in _top(fn, 30):
            print(f"      {line}")
    confirm_ms = 1000 * statistics.median(confirm_only() for _ in range(10))
    print(f"  行内转账 confirm POST: {confirm_ms:.1f} ms")
    for line in _top(lambda: (form_post(), transfer_client.get(state["confirm"]),
                              confirm_post()), 8):
        print(f"      {line}   (whole flow)")
    medium = Medium.objects.get(number=payer["number"])
    pin_ms = _timed(lambda: pin_matches(medium=medium, pin=PIN), 10)
    unlock_ms = _timed(lambda: _pem_passphrase(serial="BENCH", cert_password=BENCH_CERT_PASSWORD), 10)
    print(f"  one 交易密码 check (pin_matches, {medium.pin_hash.split('$')[0]} "
          f"{medium.pin_hash.split('$')[3] if medium.pin_hash.count('$') >= 3 else ''}): "
          f"{pin_ms:.1f} ms")
    print(f"  one USBKey 证书密码 key derivation (_pem_passphrase, keyed HMAC since v3): "
          f"{unlock_ms:.2f} ms")


# --- the run -----------------------------------------------------------------------------------


PHASES = {
    "bare": "(a) bare view, no cookie (baseline)",
    "bare_query": "    bare view + one ORM query, no cookie",
    "bare_session": "    bare view, logged in",
    "overview": "(b) 账户总览",
    "history": "(c) 交易明细 (100,000 postings)",
    "transfer": "(d) 行内转账, every request",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15, help="each measured wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="each discarded warm-up run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of all runs; the targets are judged on their medians")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DB}")
    parser.add_argument("--profile", action="store_true",
                        help="then profile each request in-process (cProfile)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="webload-"))
    env = bench_env(tmp)
    ok = False
    try:
        ok = _run(args, env, tmp)
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            _psql("postgres", f"DROP DATABASE IF EXISTS {DB}")
            _redis_flush()
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            # The secrets, CA and static files belong to this database: keep them beside it.
            env_file = tmp / "env.sh"
            env_file.write_text("".join(f"export {k}={shlex.quote(env[k])}\n"
                                        for k in sorted(BENCH_KEYS)))
            print(f"kept database {DB}; its environment: source {env_file}")
    if not ok:
        sys.exit(1)


def _run(args, env: dict, tmp: Path) -> bool:
    """The whole bench; False when a correctness check failed."""
    began = time.perf_counter()
    load_before = os.getloadavg()
    print(f"setting up {DB}: migrate, bank CA, seed_demo, collectstatic …", flush=True)
    _psql("postgres", f"DROP DATABASE IF EXISTS {DB}")
    _psql("postgres", f"CREATE DATABASE {DB}")
    _redis_flush()
    _manage(env, "migrate", "--no-input")
    _manage(env, "init_bank_ca")
    _manage(env, "seed_demo")
    _manage(env, "collectstatic", "--no-input")
    _django(env)
    from django.core.management import call_command

    from ebank.ledger.bank_books import BankBook, bank_book_id

    account = history_account()
    print(f"writing {HISTORY_POSTINGS:,} postings to 张伟's card …", flush=True)
    took = history_postings_insert(ledger_account_id=account.ledger_account_id,
                                   count=HISTORY_POSTINGS)
    mismatches = running_balance_mismatches([account.ledger_account_id,
                                             bank_book_id(BankBook.CASH)])
    print(f"  {took:.1f} s; postings whose balance_after is not the running balance: "
          f"{mismatches}", flush=True)
    print(f"opening {BENCH_CUSTOMERS} bench customers with a USBKey …", flush=True)
    customers = bench_customers_create(BENCH_CUSTOMERS)
    call_command("verify_ledger")
    if mismatches:
        raise SystemExit("the history postings' running balances are wrong")
    books_before = books()

    port = _free_port()
    server, server_log, access = gunicorn_start(env, port, tmp)
    print(f"gunicorn on 127.0.0.1:{port}; measuring {args.rounds} round(s) of "
          f"{len(PHASES) + 1} runs ({args.warmup} s warm-up + {args.seconds} s each) …",
          flush=True)
    rounds: list[dict] = []
    load_during: list[float] = []
    try:
        for number in range(1, args.rounds + 1):
            rounds.append(measure_round(port, args, tmp, customers, account, access,
                                        load_during))
            print(f"  round {number}: 账户总览 {rounds[-1]['ratios']['overview']:.3f}, "
                  f"行内转账 {rounds[-1]['ratios']['transfer']:.3f} per request", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)

    log_text = server_log.read_text(errors="replace")
    deadlocks = len(re.findall("deadlock", log_text, re.IGNORECASE))
    tracebacks = log_text.count("Traceback")
    books_after = books()
    for number, measured in enumerate(rounds, 1):
        print()
        report(measured, args.seconds, f"round {number} of {len(rounds)}")
    print()
    summary(rounds)
    transfers_run = sum(measured["transfers_run"] for measured in rounds)
    flows = sum(measured["results"]["transfer"]["flows"] for measured in rounds)
    print(f"  transfers executed: wrk saw {flows}; the database holds {transfers_run} new "
          f"SUCCEEDED (also those wrk cut off at the end); FAILED operations "
          f"{_failed_operations()}")
    print(f"  deadlocks in gunicorn's log: {deadlocks}   tracebacks: {tracebacks}")
    unchanged = books_before == books_after and books_after["signed_total"] == 0
    for when, b in (("before", books_before), ("after ", books_after)):
        print(f"  books {when}: customers ¥{b['customers']}, bank books ¥{b['bank']}, "
              f"debits − credits over all accounts {b['signed_total']}")
    print(f"  → {'unchanged, balanced' if unchanged else 'CHANGED or unbalanced'}; "
          "verify_ledger:")
    print(f"  machine load average (1 min): {load_before[0]:.1f} before the bench, "
          f"{', '.join(f'{x:.1f}' for x in load_during)} after each run — anything above "
          f"~{os.cpu_count()} means other work shared these CPUs")
    call_command("verify_ledger")
    if args.profile:
        profile_in_process(history_pk=account.pk, customers=customers)
    print(f"\nwhole bench: {time.perf_counter() - began:.0f} s")
    if tracebacks:
        print(f"gunicorn log ({server_log}) has {tracebacks} traceback(s); last lines:")
        print(log_text[-3000:])

    errors = any(r["errors"] for measured in rounds for r in measured["results"].values())
    return not (deadlocks or tracebacks or not unchanged or errors)


def measure_round(port: int, args, tmp: Path, customers: list[dict], account, access: Path,
                  load_during: list[float]) -> dict:
    """One round: the bare view first, every row, the bare view again last (the rows are
    divided by the mean of the two). Fresh sessions each round: an idle one would expire."""
    from transfers.models import Transfer, TransferStatus

    results: dict[str, dict] = {}

    def measure(name: str, mode: str, *wrk_args: str) -> None:
        wrk(port, args.warmup, mode, *wrk_args)
        results[name] = wrk(port, args.seconds, mode, *wrk_args)
        load_during.append(os.getloadavg()[0])

    measure("bare", "get", "/bench/bare", "-")
    measure("bare_query", "get", "/bench/query", "-")
    demo_sessions = tmp / "demo-sessions.txt"
    demo_sessions.write_text("\n".join(browser_line(u) for u in demo_user_ids()) + "\n")
    measure("bare_session", "get", "/bench/bare", str(demo_sessions))
    measure("overview", "get", "/accounts/overview", str(demo_sessions))

    history_session = tmp / "history-session.txt"
    history_session.write_text(browser_line(demo_user_ids()[0]) + "\n")
    measure("history", "get", f"/accounts/history?account={account.pk}", str(history_session))

    origin = f"https://127.0.0.1:{port}"
    flows_file = tmp / "transfer-customers.txt"

    def fresh_sessions() -> None:
        flows_file.write_text("\n".join(transfer_lines(
            customers, [session_login(c["user_id"]) for c in customers])) + "\n")

    fresh_sessions()
    wrk(port, args.warmup, "transfer", str(flows_file), origin)
    fresh_sessions()  # the warm-up rotated the keys in the file
    transfers_before = Transfer.objects.filter(status=TransferStatus.SUCCEEDED).count()
    offset = access.stat().st_size
    results["transfer"] = wrk(port, args.seconds, "transfer", str(flows_file), origin)
    load_during.append(os.getloadavg()[0])
    steps = access_steps(access, offset)
    transfers_run = (Transfer.objects.filter(status=TransferStatus.SUCCEEDED).count()
                     - transfers_before)
    # The baseline again, last: the machine's speed can drift during the round.
    measure("bare_end", "get", "/bench/bare", "-")
    first, last = baseline_merge(results)
    bare = results["bare"]["rps"]
    bare_cpu = sum(results["bare"]["cpu_ms"].values())
    return {"results": results, "steps": steps, "transfers_run": transfers_run,
            "baseline": (first, last),
            "ratios": {name: results[name]["rps"] / bare for name in PHASES}
            | {"flows": results["transfer"]["flows_per_s"] / bare},
            "cpu_multiples": {name: sum(results[name]["cpu_ms"].values()) / bare_cpu
                              for name in PHASES}}


def _failed_operations() -> int:
    from security.models import OperationStatus, PendingOperation

    return PendingOperation.objects.filter(status=OperationStatus.FAILED).count()


def _mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK characters are 2 columns


def baseline_merge(results: dict) -> tuple[float, float]:
    """The bare view measured first and last, as one baseline: their mean rate and CPU per
    request (results["bare"] becomes that); returns the two rates."""
    first, last = results["bare"], results.pop("bare_end")
    results["bare"] = {**first,
                       "rps": (first["rps"] + last["rps"]) / 2,
                       "errors": first["errors"] + last["errors"],
                       "cpu_ms": {g: (first["cpu_ms"][g] + last["cpu_ms"][g]) / 2
                                  for g in CPU_GROUPS}}
    return first["rps"], last["rps"]


def report(measured: dict, seconds: int, title: str) -> None:
    """One round's table: rates, latencies, ratios, CPU per request, the transfer steps."""
    results, steps = measured["results"], measured["steps"]
    first, last = measured["baseline"]
    bare = results["bare"]["rps"]
    bare_session = results["bare_session"]["rps"]
    print(f"web_load, {title} — gunicorn {WORKERS} sync workers, wrk -t{THREADS} "
          f"-c{CONNECTIONS} -d{seconds}s, PostgreSQL over TCP, all on this machine "
          f"({os.cpu_count()} CPUs)")
    print(f"  baseline: the bare view measured first ({first:.1f} req/s) and last ({last:.1f}); "
          f"the rows are divided by the mean ({bare:.1f}; drift {100 * (last - first) / first:+.1f} %)")
    print(f"  {'':40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'÷ bare':>7} "
          f"{'÷ bare logged in':>17}")
    for name, label in PHASES.items():
        r = results[name]
        pad = " " * max(1, 41 - _width(label))
        print(f"  {label}{pad}{r['rps']:8.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} "
              f"{r['errors']:7d} {r['rps'] / bare:7.3f} {r['rps'] / bare_session:17.3f}")
    t = results["transfer"]
    label = "(d) 行内转账, whole transfers/s"
    pad = " " * max(1, 41 - _width(label))
    print(f"  {label}{pad}{t['flows_per_s']:8.1f} {'':8} {'':8} {t['failed']:7d} "
          f"{t['flows_per_s'] / bare:7.3f} {t['flows_per_s'] / bare_session:17.3f}")
    print("    (a transfer = form POST + GET confirm page + confirm POST; its errors = "
          "confirmations answered but not executed)")
    print("  CPU per request, ms (from /proc; the machine's 2 CPUs are what the rows share):")
    print(f"  {'':40} " + " ".join(f"{g:>9}" for g in CPU_GROUPS) + f" {'total':>9} {'× bare':>7}")
    for name, label in PHASES.items():
        cpu = results[name]["cpu_ms"]
        pad = " " * max(1, 41 - _width(label))
        print(f"  {label}{pad}" + " ".join(f"{cpu[g]:9.3f}" for g in CPU_GROUPS)
              + f" {sum(cpu.values()):9.3f} {measured['cpu_multiples'][name]:7.2f}")
    for name in PHASES:
        r = results[name]
        if r["errors"]:
            print(f"    {name} errors: socket {r['socket_errors']}, HTTP status "
                  f"{r['status_errors']}, timeouts {r['timeouts']}, unexpected answers {r['bad']}")
    print("  行内转账, server time per step (gunicorn access log, excludes queueing):")
    for kind, step in sorted(steps.items()):
        pad = " " * max(1, 28 - _width(kind))
        print(f"    {kind}{pad}{step['count']:6d}  p50 {step['p50_ms']:7.2f} ms  "
              f"p99 {step['p99_ms']:7.2f} ms")


def summary(rounds: list[dict]) -> None:
    """Each row's figure in every round and the median the targets are judged on: the machine's
    speed moves between runs (rounds of the same code have differed by a third)."""
    def line(label: str, get, fmt: str) -> float:
        values = [get(measured) for measured in rounds]
        median = statistics.median(values)
        pad = " " * max(1, 44 - _width(label))
        print(f"    {label}{pad}" + " / ".join(format(v, fmt) for v in values)
              + f"  → median {format(median, fmt)}")
        return median

    print(f"summary over {len(rounds)} round(s) — each round's figure, then the median:")
    print("  ÷ bare (CPU × bare):")
    ratios = {}
    for name, label in PHASES.items():
        if name == "bare":
            continue
        ratios[name] = line(label.strip(), lambda m, n=name: m["ratios"][n], ".3f")
        line("  CPU × bare", lambda m, n=name: m["cpu_multiples"][n], ".2f")
    flows = line("(d) 行内转账, whole transfers", lambda m: m["ratios"]["flows"], ".3f")
    overview, transfer = ratios["overview"], ratios["transfer"]
    print("  p99, ms:")
    overview_p99 = line("(b) 账户总览", lambda m: m["results"]["overview"]["p99_ms"], ".1f")
    history_p99 = line("(c) 交易明细", lambda m: m["results"]["history"]["p99_ms"], ".1f")
    print("  targets, on the medians:")
    print(f"    账户总览 ≥ {TARGETS['overview_ratio']:.2f} of bare: {overview:.3f} "
          f"{_mark(overview >= TARGETS['overview_ratio'])}; p99 < "
          f"{TARGETS['overview_p99_ms']:.0f} ms: {overview_p99:.1f} ms "
          f"{_mark(overview_p99 < TARGETS['overview_p99_ms'])}")
    print(f"    交易明细 p99 < {TARGETS['history_p99_ms']:.0f} ms: {history_p99:.1f} ms "
          f"{_mark(history_p99 < TARGETS['history_p99_ms'])}")
    print(f"    行内转账 ≥ {TARGETS['transfer_ratio']:.2f} of bare: whole transfers "
          f"{flows:.3f} {_mark(flows >= TARGETS['transfer_ratio'])}; "
          f"per request {transfer:.3f} {_mark(transfer >= TARGETS['transfer_ratio'])}")


if __name__ == "__main__":
    main()
