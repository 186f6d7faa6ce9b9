"""Services of login, lockout, unlock, password change and online registration."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.models import IdType, LinkedMedium, Medium, MediumKind, MediumStatus
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent, AuditOutcome
from security.identity.services import (
    LOGIN_LOCKED_MESSAGE,
    REGISTER_MISMATCH_MESSAGE,
    LoginRefused,
    login_attempts_left_message,
    login_failures_count,
    login_name_problems,
    password_hash_make,
    registration_match,
    user_identify,
    user_login_check,
    user_login_record,
    user_login_unlock,
    user_password_change,
    user_register_online,
)
from security.identity.sessions import SessionStore
from security.models import RegistrationChannel, User, UserStatus
from security.models import UserSession as Session

from .test_auth_helpers import (
    NEW_PASSWORD,
    PASSWORD,
    PIN,
    ZHANG_CARD,
    bank,
    customer_user,
    zhang_id_number,
)

pytestmark = pytest.mark.django_db

# 10:00 in Shanghai: far from midnight, so "today" and "tomorrow" are unambiguous.
MORNING = dt.datetime(2026, 5, 12, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def customers():
    return bank()


@pytest.fixture
def zhang(customers):
    return customer_user(customers[0], username="zhangwei")


def refuse(login_name, password=PASSWORD):
    failures = login_failures_count(login_name=login_name)
    with pytest.raises(LoginRefused) as caught:
        user_login_check(login_name=login_name, password=password, ip_address="10.0.0.9")
    # Worded from the typed name's count alone (one more than before), never from the reason.
    assert caught.value.message == login_attempts_left_message(failures + 1)
    assert login_failures_count(login_name=login_name) == failures + 1
    return caught.value


# --- login and lockout ---------------------------------------------------------------------------


def test_right_password_passes_and_writes_nothing(zhang):
    before = AuditEvent.objects.count()
    assert user_login_check(login_name="zhangwei", password=PASSWORD, ip_address=None) == zhang
    assert AuditEvent.objects.count() == before


@time_machine.travel(MORNING, tick=False)
def test_five_wrong_passwords_lock_until_tomorrow_and_the_sixth_is_refused_even_if_right(zhang):
    for attempt in range(1, 5):
        refuse("zhangwei", "wrong-password")
        zhang.refresh_from_db()
        assert zhang.failed_logins == attempt and zhang.login_locked_on is None
    refuse("zhangwei", "wrong-password")
    zhang.refresh_from_db()
    assert zhang.failed_logins == 5
    assert zhang.login_locked_on == business_day() == dt.date(2026, 5, 12)
    error = refuse("zhangwei", PASSWORD)
    assert error.code == "locked" and error.message == LOGIN_LOCKED_MESSAGE
    zhang.refresh_from_db()
    assert zhang.failed_logins == 5
    reasons = list(AuditEvent.objects.filter(action="login_failed").order_by("id")
                   .values_list("detail__reason", flat=True))
    assert reasons == ["wrong_password"] * 4 + ["locked_now", "locked"]
    for event in AuditEvent.objects.filter(action="login_failed"):
        assert PASSWORD not in str(event.detail) and "wrong-password" not in str(event.detail)
        assert event.outcome == AuditOutcome.FAILURE

    with time_machine.travel(MORNING + dt.timedelta(days=1), tick=False):
        assert user_login_check(login_name="zhangwei", password=PASSWORD, ip_address=None) == zhang


@time_machine.travel(MORNING, tick=False)
def test_a_lock_from_yesterday_restarts_the_count(zhang):
    User.objects.filter(pk=zhang.pk).update(failed_logins=5,
                                            login_locked_on=dt.date(2026, 5, 11))
    refuse("zhangwei", "wrong-password")
    zhang.refresh_from_db()
    assert zhang.failed_logins == 1 and zhang.login_locked_on is None


def test_lock_boundary_is_shanghai_midnight(zhang):
    # 23:30 in Shanghai on the 12th is 15:30 UTC: still the 12th's lock.
    with time_machine.travel(dt.datetime(2026, 5, 12, 15, 30, tzinfo=dt.UTC), tick=False):
        for _ in range(5):
            refuse("zhangwei", "wrong-password")
    # 00:10 on the 13th in Shanghai is still the 12th in UTC: the lock is over.
    with time_machine.travel(dt.datetime(2026, 5, 12, 16, 10, tzinfo=dt.UTC), tick=False):
        assert user_login_check(login_name="zhangwei", password=PASSWORD, ip_address=None)


def test_a_tellers_unlock_lets_the_customer_in_today(zhang, customers):
    for _ in range(5):
        refuse("zhangwei", "wrong-password")
    teller = User.objects.create_user(username="teller01", password=PASSWORD, is_staff=True,
                                      branch=customers[0].branch)
    user_login_unlock(user=zhang, acting_user=teller)
    zhang.refresh_from_db()
    assert zhang.failed_logins == 0 and zhang.login_locked_on is None
    event = AuditEvent.objects.get(action="login_unlock")
    assert event.actor == teller and event.customer_id == zhang.customer_id
    assert user_login_check(login_name="zhangwei", password=PASSWORD, ip_address=None) == zhang


@pytest.mark.parametrize("status", [UserStatus.SUSPENDED, UserStatus.CANCELLED])
def test_suspended_and_cancelled_users_cannot_log_in(zhang, status):
    User.objects.filter(pk=zhang.pk).update(status=status)
    error = refuse("zhangwei", PASSWORD)
    assert error.code == f"status_{status}"
    zhang.refresh_from_db()
    assert zhang.failed_logins == 0


def test_unknown_names_and_staff_are_refused_alike(customers):
    User.objects.create_user(username="teller01", password=PASSWORD, is_staff=True,
                             branch=customers[0].branch)
    refuse("nobody", PASSWORD)
    refuse("teller01", PASSWORD)
    refuse("", PASSWORD)
    event = AuditEvent.objects.filter(action="login_failed").first()
    assert event.actor is None and event.detail == {"reason": "unknown_user"}


def test_login_by_linked_card_and_by_id_number_or_phone_only_where_enabled(zhang, customers):
    assert user_identify(login_name=ZHANG_CARD) == zhang
    # The passbook is his but not linked to e-banking.
    passbook = customers[0].media.get(kind=MediumKind.CURRENT_PASSBOOK)
    assert user_identify(login_name=passbook.number) is None
    assert user_identify(login_name=zhang_id_number()) is None
    assert user_identify(login_name=customers[0].phone) is None
    User.objects.filter(pk=zhang.pk).update(login_by_id_number=True, login_by_phone=True)
    assert user_identify(login_name=zhang_id_number()) == zhang
    assert user_identify(login_name=zhang_id_number().lower()) == zhang
    assert user_identify(login_name=customers[0].phone) == zhang


def test_a_pending_login_name_works_from_the_next_login_and_then_replaces_the_old(zhang):
    User.objects.filter(pk=zhang.pk).update(pending_username="zw_new")
    user = user_login_check(login_name="zw_new", password=PASSWORD, ip_address=None)
    user_login_record(user=user, session_key="k" * 32, ip_address="10.0.0.1",
                      previous_login_at=None)
    zhang.refresh_from_db()
    assert zhang.username == "zw_new" and zhang.pending_username == ""
    refuse("zhangwei", PASSWORD)
    assert AuditEvent.objects.get(action="login").detail["username_changed_from"] == "zhangwei"


def test_login_record_keeps_the_previous_login_and_ends_the_previous_session(zhang):
    first = SessionStore()
    first["x"] = 1
    first.create()
    earlier = timezone.now() - dt.timedelta(days=2)
    User.objects.filter(pk=zhang.pk).update(live_session_key=first.session_key,
                                            last_login_ip="10.1.1.1", failed_logins=3)
    zhang.refresh_from_db()
    user_login_record(user=zhang, session_key="n" * 32, ip_address="10.2.2.2",
                      previous_login_at=earlier)
    zhang.refresh_from_db()
    assert zhang.previous_login_at == earlier and zhang.previous_login_ip == "10.1.1.1"
    assert zhang.last_login_ip == "10.2.2.2" and zhang.live_session_key == "n" * 32
    assert zhang.failed_logins == 0
    # The previous session keeps no login, only the mark that tells its browser why.
    ended = Session.objects.get(session_key=first.session_key)
    assert ended.get_decoded() == {"_ended_by": "other_login"} and ended.user_id is None
    event = AuditEvent.objects.get(action="login")
    assert event.outcome == AuditOutcome.SUCCESS and event.ip_address == "10.2.2.2"


# --- password change -------------------------------------------------------------------------------


def test_password_change_checks_the_old_one_and_the_validators(zhang):
    with pytest.raises(BusinessError, match="原密码错误"):
        user_password_change(user=zhang, old_password="nope", new_password=NEW_PASSWORD)
    assert AuditEvent.objects.get(action="password_change").outcome == AuditOutcome.FAILURE
    with pytest.raises(BusinessError, match="不能与原密码相同"):
        user_password_change(user=zhang, old_password=PASSWORD, new_password=PASSWORD)
    with pytest.raises(BusinessError):
        user_password_change(user=zhang, old_password=PASSWORD, new_password="12345678")
    User.objects.filter(pk=zhang.pk).update(must_change_password=True)
    zhang.refresh_from_db()
    user_password_change(user=zhang, old_password=PASSWORD, new_password=NEW_PASSWORD)
    zhang.refresh_from_db()
    assert zhang.check_password(NEW_PASSWORD) and not zhang.must_change_password
    assert zhang.password_changed_at is not None


# --- online registration ---------------------------------------------------------------------------


def identity(**overrides):
    data = {"number": ZHANG_CARD, "pin": PIN, "name": "张伟", "id_type": IdType.RESIDENT_ID,
            "id_number": zhang_id_number()}
    data.update(overrides)
    return data


def test_registration_match_finds_the_customer_and_medium(customers):
    match = registration_match(**identity())
    assert match.customer == customers[0] and match.medium.number == ZHANG_CARD


@pytest.mark.parametrize("overrides", [
    {"number": "6226790101000000047"},           # 李娜's card
    {"number": "6226790101000000000"},           # no such card
    {"name": "张三"},
    {"id_number": "340104198503123510"},
    {"id_type": IdType.PASSPORT},
    {"id_type": "99"},
    {"pin": "000000"},
    {"pin": "abc"},
])
def test_each_mismatch_gives_the_one_generic_message(customers, overrides):
    with pytest.raises(BusinessError) as caught:
        registration_match(**identity(**overrides))
    assert caught.value.message == REGISTER_MISMATCH_MESSAGE


def test_media_that_cannot_register_are_a_mismatch_too(customers):
    fixed = customers[0].media.get(kind=MediumKind.FIXED_ONEBOOK)
    with pytest.raises(BusinessError, match="不符"):
        registration_match(**identity(number=fixed.number))
    Medium.objects.filter(number=ZHANG_CARD).update(status=MediumStatus.ORAL_LOSS)
    with pytest.raises(BusinessError, match="不符"):
        registration_match(**identity())


def test_three_wrong_pins_lock_the_medium(customers):
    for _ in range(3):
        with pytest.raises(BusinessError):
            registration_match(**identity(pin="000000"))
    with pytest.raises(BusinessError, match="锁定"):
        registration_match(**identity())


def test_an_already_registered_customer_is_told_to_log_in(zhang):
    with pytest.raises(BusinessError, match="请直接登录"):
        registration_match(**identity())


@pytest.mark.parametrize(("name", "ok"), [
    ("zhang_01", True), ("abcd", True), ("a" * 20, True),
    ("abc", False), ("a" * 21, False), ("12345678", False), ("张伟伟伟", False),
    ("zhang wei", False), ("34010419850312351X", False), ("zhangwei", False), ("ZHANGWEI", False),
])
def test_login_name_rules(zhang, name, ok):
    assert (login_name_problems(login_name=name) == []) is ok


def test_register_online_creates_a_toolless_user_with_the_medium_linked_first(customers):
    match = registration_match(**identity())
    user = user_register_online(customer=match.customer, medium=match.medium,
                                username="zhang_01", password_hash=password_hash_make(PASSWORD),
                                ip_address="10.0.0.5")
    assert user.registration_channel == RegistrationChannel.ONLINE
    assert user.customer == customers[0] and not user.must_change_password
    assert user.check_password(PASSWORD) and not user.security_tools.exists()
    link = LinkedMedium.objects.get(customer=customers[0])
    assert link.medium.number == ZHANG_CARD and link.position == 1
    event = AuditEvent.objects.get(action="register_online")
    assert ZHANG_CARD not in str(event.detail)
    with pytest.raises(BusinessError, match="已开通"):
        user_register_online(customer=match.customer, medium=match.medium, username="zhang_02",
                             password_hash=password_hash_make(PASSWORD))
    assert User.objects.filter(customer=customers[0]).count() == 1
