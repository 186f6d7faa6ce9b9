"""Login timing (ASVS 6.3, issue 11 §3): every refusal does the work of a right password.

Not measured by the clock: the hasher is spied on, and every path — unknown name, wrong
password, locked, suspended, cancelled, an unusable password, a name whose count is locked,
the right password — must compute exactly one hash of what was typed. Before the fix a locked
or suspended user was refused before any hash (64 ms against 300 ms).
"""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, get_hasher

from security.identity.services import (
    LoginRefused,
    _dummy_hash,
    login_failures_count,
    user_login_check,
    user_password_confirm,
)
from security.models import User, UserStatus

from .test_auth_helpers import PASSWORD, bank, customer_user

pytestmark = pytest.mark.django_db

TYPED = "Typed#Secret-2026"


@pytest.fixture
def customers():
    return bank()


@pytest.fixture
def hashed(monkeypatch):
    """The passwords the configured hasher hashed (MD5 in the test settings: its ``verify``
    hashes through ``encode``, as ``make_password`` does)."""
    assert isinstance(get_hasher(), MD5PasswordHasher)
    _dummy_hash()  # made once per process, before the spy
    calls: list[str] = []
    original = MD5PasswordHasher.encode

    def spy(self, password, salt):
        calls.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", spy)
    return calls


def _attempt(login_name: str, password: str = TYPED) -> str:
    try:
        user_login_check(login_name=login_name, password=password, ip_address=None)
    except LoginRefused as refused:
        return refused.code
    return "ok"


def _cases(customers):
    customer_user(customers[0], username="activeuser")
    customer_user(customers[1], username="lockeduser", failed_logins=5,
                  login_locked_on="2999-01-01")
    customer_user(customers[2], username="suspended", status=UserStatus.SUSPENDED)
    customer_user(customers[3], username="cancelled", status=UserStatus.CANCELLED)
    for _ in range(5):
        _attempt("madeupname")
    assert login_failures_count(login_name="madeupname") == 5
    return {
        "unknown_user": "nobodyhere",
        "wrong_password": "activeuser",
        "locked": "lockeduser",
        "status_suspended": "suspended",
        "status_cancelled": "cancelled",
        "identifier_locked": "madeupname",
    }


def test_every_refusal_computes_exactly_one_hash_of_what_was_typed(customers, hashed):
    cases = _cases(customers)
    hashed.clear()
    for expected_code, login_name in cases.items():
        assert _attempt(login_name) == expected_code, login_name
        assert hashed == [TYPED], (login_name, hashed)
        hashed.clear()


def test_a_user_without_a_usable_password_is_checked_against_the_stand_in(customers, hashed):
    unusable = customer_user(customers[0], username="nopassword")
    unusable.set_unusable_password()
    unusable.save()
    hashed.clear()
    assert _attempt("nopassword") == "wrong_password"
    assert hashed == [TYPED]


def test_the_right_password_computes_one_hash_too(customers, hashed):
    customer_user(customers[0], username="activeuser")
    hashed.clear()
    assert _attempt("activeuser", PASSWORD) == "ok"
    assert hashed == [PASSWORD]


def test_the_locked_users_right_password_costs_what_a_wrong_one_costs(customers, hashed):
    customer_user(customers[1], username="lockeduser", failed_logins=5,
                  login_locked_on="2999-01-01")
    hashed.clear()
    assert _attempt("lockeduser", PASSWORD) == "locked"
    assert hashed == [PASSWORD]


def test_an_in_session_password_check_hashes_once_either_way(customers, hashed):
    user = customer_user(customers[0], username="activeuser")
    hashed.clear()
    user_password_confirm(user=user, password=PASSWORD, action="login_settings_change")
    assert hashed == [PASSWORD]
    hashed.clear()
    with pytest.raises(Exception, match="还可尝试4次"):
        user_password_confirm(user=User.objects.get(pk=user.pk), password=TYPED,
                              action="login_settings_change")
    assert hashed == [TYPED]
