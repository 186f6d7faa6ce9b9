"""员工管理's services (security/staff/people.py): who may act, on whom, and what each changes."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Branch
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from security.models import User, UserSession
from security.staff import people
from security.staff.roles import Role, staff_role

from . import test_counter_fixtures as fx
from .test_counter_fixtures import STAFF_PASSWORD, make_staff

bank = fx.bank
hq = fx.hq
teller_hf = fx.teller_hf
supervisor_hf = fx.supervisor_hf
teller_wh = fx.teller_wh
tools = fx.tools

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Counter#2026-new"
T0 = dt.datetime(2026, 11, 23, 2, 0, 0, tzinfo=dt.UTC)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sessions(user) -> int:
    return UserSession.objects.filter(user=user).count()


def test_head_office_creates_a_teller_at_a_branch(hq):
    staff = people.staff_create(acting_user=hq, username="teller_new", name="赵丽",
                                branch=Branch.objects.get(code="340101"), role=Role.TELLER,
                                password=NEW_PASSWORD)
    staff.refresh_from_db()
    assert staff.is_staff and staff.is_active and staff.customer_id is None
    assert staff.check_password(NEW_PASSWORD) and staff.first_name == "赵丽"
    assert staff_role(staff) == Role.TELLER and not staff.is_head_office
    assert not TOTPDevice.objects.filter(user=staff).exists()  # no login before 发放动态口令
    event = AuditEvent.objects.get(action="staff_create")
    assert (event.actor, event.object_ref, event.detail["role"]) == (
        hq, f"user:{staff.pk}", Role.TELLER)


@pytest.mark.parametrize(("branch_code", "role", "message"), [
    ("340101", Role.HEAD_OFFICE, "总行管理员只能设在总行"),
    ("340000", Role.TELLER, "总行只设总行管理员"),
    ("340000", Role.SUPERVISOR, "总行只设总行管理员"),
])
def test_the_placement_rule(hq, branch_code, role, message):
    with pytest.raises(BusinessError, match=message):
        people.staff_create(acting_user=hq, username="someone", name="某人",
                            branch=Branch.objects.get(code=branch_code), role=role,
                            password=NEW_PASSWORD)
    assert not User.objects.filter(username="someone").exists()


def test_create_refuses_a_taken_name_a_weak_password_and_a_branch_supervisor(
        hq, supervisor_hf, teller_hf):
    branch = Branch.objects.get(code="340101")
    with pytest.raises(BusinessError, match="已被使用"):
        people.staff_create(acting_user=hq, username="TELLER_HF", name="重名", branch=branch,
                            role=Role.TELLER, password=NEW_PASSWORD)
    for bad_name in ("6226790101000000013", "陈 静"):
        with pytest.raises(BusinessError, match="用户名"):
            people.staff_create(acting_user=hq, username=bad_name, name="某人", branch=branch,
                                role=Role.TELLER, password=NEW_PASSWORD)
    with pytest.raises(BusinessError) as weak:
        people.staff_create(acting_user=hq, username="weakling", name="弱密码", branch=branch,
                            role=Role.TELLER, password="12345678")
    assert any("\u4e00" <= char <= "\u9fff" for char in weak.value.message)  # Chinese
    with pytest.raises(BusinessError, match="仅总行管理员"):
        people.staff_create(acting_user=supervisor_hf, username="by_super", name="越权",
                            branch=branch, role=Role.TELLER, password=NEW_PASSWORD)
    assert not User.objects.filter(username__in=["weakling", "by_super"]).exists()
    assert not AuditEvent.objects.filter(action="staff_create").exists()


def test_a_head_office_role_at_a_branch_is_not_head_office(bank):
    """The role alone is not enough: head office is the role at a head-office branch."""
    odd = make_staff("odd_admin", "340101", role=Role.HEAD_OFFICE)
    assert not people.people_manager(odd)
    with pytest.raises(BusinessError, match="仅总行管理员"):
        people.staff_lock(acting_user=odd, staff=make_staff("victim", "340101"))


def test_password_reset_clears_the_count_and_ends_sessions(hq, teller_hf):
    User.objects.filter(pk=teller_hf.pk).update(failed_logins=3)
    _logged_in(teller_hf)
    assert _sessions(teller_hf) == 1
    people.staff_password_reset(acting_user=hq, staff=teller_hf, password=NEW_PASSWORD)
    teller_hf.refresh_from_db()
    assert teller_hf.check_password(NEW_PASSWORD) and teller_hf.failed_logins == 0
    assert _sessions(teller_hf) == 0
    assert AuditEvent.objects.get(action="staff_password_reset").object_ref == \
        f"user:{teller_hf.pk}"


def test_nobody_acts_on_themselves(hq):
    for service in (people.staff_lock, people.staff_deactivate, people.staff_otp_issue):
        with pytest.raises(BusinessError, match="不能对本人"):
            service(acting_user=hq, staff=hq)
    with pytest.raises(BusinessError, match="不能对本人"):
        people.staff_password_reset(acting_user=hq, staff=hq, password=NEW_PASSWORD)
    hq.refresh_from_db()
    assert hq.staff_locked_at is None and hq.is_active and hq.check_password(STAFF_PASSWORD)
    assert not TOTPDevice.objects.filter(user=hq).exists()


def test_only_a_superuser_acts_on_a_superuser(hq, admin_user):
    with pytest.raises(BusinessError, match="超级管理员"):
        people.staff_password_reset(acting_user=hq, staff=admin_user, password=NEW_PASSWORD)
    people.staff_lock(acting_user=admin_user, staff=hq)
    assert User.objects.get(pk=hq.pk).staff_locked_at is not None


def test_customers_are_not_staff_here(hq, tools):
    customer = fx.register("张伟", make_staff("counter", "340101"))
    with pytest.raises(BusinessError, match="不是本行员工"):
        people.staff_lock(acting_user=hq, staff=customer)
    assert User.objects.get(pk=customer.pk).staff_locked_at is None


def test_lock_ends_sessions_and_unlock_clears_the_count(hq, teller_hf):
    _logged_in(teller_hf)
    with time_machine.travel(T0, tick=False):
        people.staff_lock(acting_user=hq, staff=teller_hf)
    teller_hf.refresh_from_db()
    assert teller_hf.staff_locked_at == T0 and _sessions(teller_hf) == 0
    with pytest.raises(BusinessError, match="已处于锁定"):
        people.staff_lock(acting_user=hq, staff=teller_hf)
    User.objects.filter(pk=teller_hf.pk).update(failed_logins=5)
    people.staff_unlock(acting_user=hq, staff=teller_hf)
    teller_hf.refresh_from_db()
    assert teller_hf.staff_locked_at is None and teller_hf.failed_logins == 0
    with pytest.raises(BusinessError, match="未被锁定"):
        people.staff_unlock(acting_user=hq, staff=teller_hf)
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="staff_")
            .order_by("id")] == ["staff_lock", "staff_login_unlock"]


def test_deactivate_and_activate(hq, teller_hf):
    _logged_in(teller_hf)
    people.staff_deactivate(acting_user=hq, staff=teller_hf)
    teller_hf.refresh_from_db()
    assert not teller_hf.is_active and _sessions(teller_hf) == 0
    with pytest.raises(BusinessError, match="已停用"):
        people.staff_deactivate(acting_user=hq, staff=teller_hf)
    people.staff_activate(acting_user=hq, staff=teller_hf)
    assert User.objects.get(pk=teller_hf.pk).is_active
    with pytest.raises(BusinessError, match="未停用"):
        people.staff_activate(acting_user=hq, staff=teller_hf)


def test_a_new_device_works_only_after_enrolment_and_then_replaces_the_old(hq, teller_hf):
    old = TOTPDevice.objects.create(user=teller_hf, name="旧", confirmed=True)
    with time_machine.travel(T0, tick=False) as clock:
        issued = people.staff_otp_issue(acting_user=hq, staff=teller_hf)
        new = issued.device
        assert not new.confirmed and issued.secret_base32 in issued.config_url
        assert "issuer=" in issued.config_url
        # A second issue drops the first unconfirmed device.
        issued = people.staff_otp_issue(acting_user=hq, staff=teller_hf)
        assert not TOTPDevice.objects.filter(pk=new.pk).exists()
        new = issued.device
        assert TOTPDevice.objects.get(pk=old.pk).confirmed  # still works meanwhile

        wrong = f"{(totp(new.bin_key) + 1) % 10**6:06d}"
        with pytest.raises(BusinessError, match="动态口令错误"):
            people.staff_otp_enrol(acting_user=hq, staff=teller_hf, token=wrong)
        assert not TOTPDevice.objects.get(pk=new.pk).confirmed
        refused = AuditEvent.objects.get(action="staff_otp_enrol")
        assert refused.outcome == "failure"  # committed although the service raised

        clock.shift(dt.timedelta(seconds=30))
        people.staff_otp_enrol(acting_user=hq, staff=teller_hf,
                               token=f"{totp(new.bin_key):06d}")
    assert TOTPDevice.objects.get(pk=new.pk).confirmed
    assert list(TOTPDevice.objects.filter(user=teller_hf)) == [new]
    with pytest.raises(BusinessError, match="没有待启用"):
        people.staff_otp_enrol(acting_user=hq, staff=teller_hf, token="123456")


def test_enrolment_is_head_offices_too(hq, teller_hf, supervisor_hf):
    issued = people.staff_otp_issue(acting_user=hq, staff=teller_hf)
    with pytest.raises(BusinessError, match="仅总行管理员"):
        people.staff_otp_enrol(acting_user=supervisor_hf, staff=teller_hf,
                               token=f"{totp(issued.device.bin_key):06d}")
    assert not TOTPDevice.objects.get(pk=issued.device.pk).confirmed



def test_a_temporary_password_is_changed_before_any_other_page(hq):
    from django.urls import reverse

    staff = people.staff_create(acting_user=hq, username="teller_tmp", name="钱七",
                                branch=Branch.objects.get(code="340101"), role=Role.TELLER,
                                password=NEW_PASSWORD)
    assert User.objects.get(pk=staff.pk).must_change_password
    client = fx_otp_client(staff)
    for name in ("admin:index", "admin:counter_find", "admin:worklog"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:password_change")
    assert client.get(reverse("admin:password_change")).status_code == 200
    changed = client.post(reverse("admin:password_change"), {
        "old_password": NEW_PASSWORD, "new_password1": "Teller#2026-mine",
        "new_password2": "Teller#2026-mine"})
    assert changed.status_code == 302
    staff.refresh_from_db()
    assert not staff.must_change_password and staff.check_password("Teller#2026-mine")
    assert client.get(reverse("admin:index")).status_code == 200
    assert AuditEvent.objects.filter(action="staff_password_change", actor=staff).exists()

    people.staff_password_reset(acting_user=hq, staff=staff, password=NEW_PASSWORD)
    assert User.objects.get(pk=staff.pk).must_change_password


def fx_otp_client(user) -> Client:
    client = Client()
    fx.otp_login(client, user)
    return client
