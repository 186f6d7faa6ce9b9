"""工作日志 (/admin/worklog/): own actions; a supervisor's branch; head office all staff."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from ebank.core.audit import audit_record
from ebank.core.models import AuditEvent
from security.staff.worklog import PAGE_SIZE, worklog_events

from . import test_counter_fixtures as fx
from .test_counter_fixtures import make_staff, otp_login

bank = fx.bank
hq = fx.hq
teller_hf = fx.teller_hf
supervisor_hf = fx.supervisor_hf
teller_wh = fx.teller_wh
tools = fx.tools

pytestmark = pytest.mark.django_db

URL = "/admin/worklog/"


def _act(actor, object_ref: str, *, action: str = "counter_login_unlock",
         on: dt.date | None = None, customer_id=None) -> AuditEvent:
    event = audit_record(action=action, actor=actor, channel="counter", object_ref=object_ref,
                         customer_id=customer_id)
    if on is not None:
        AuditEvent.objects.filter(pk=event.pk).update(
            occurred_at=dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC))
    return event


@pytest.fixture
def actions(bank, teller_hf, supervisor_hf, teller_wh, hq):
    """One action by each member of staff (and a customer's own login, which is no staff's)."""
    colleague = make_staff("teller_hf2", "340101", first_name="李强")
    for actor, ref in ((teller_hf, "by-teller-hf"), (colleague, "by-colleague-hf"),
                       (supervisor_hf, "by-super-hf"), (teller_wh, "by-teller-wh"),
                       (hq, "by-hq")):
        _act(actor, ref)
    audit_record(action="login", object_ref="by-customer")
    return colleague


def _refs(staff) -> set[str]:
    return set(worklog_events(staff=staff).values_list("object_ref", flat=True))


def test_a_teller_sees_only_their_own_actions(actions, teller_hf):
    assert _refs(teller_hf) == {"by-teller-hf"}
    client = Client()
    otp_login(client, teller_hf)
    page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "by-teller-hf" in text and "by-colleague-hf" not in text and "by-super-hf" not in text
    table = text.split('id="result_list"')[1]
    assert "登录解锁（柜面）" in table and "counter_login_unlock" not in table


def test_a_supervisor_sees_the_branch_but_not_another_branch(actions, supervisor_hf):
    assert _refs(supervisor_hf) == {"by-teller-hf", "by-colleague-hf", "by-super-hf"}
    client = Client()
    otp_login(client, supervisor_hf)
    text = client.get(URL).content.decode()
    assert "by-colleague-hf" in text and "李强" in text
    assert "by-teller-wh" not in text and "by-hq" not in text and "by-customer" not in text


def test_head_office_sees_every_member_of_staff(actions, hq):
    assert _refs(hq) == {"by-teller-hf", "by-colleague-hf", "by-super-hf", "by-teller-wh",
                         "by-hq"}


def test_the_head_office_role_at_a_branch_reads_only_its_own(actions):
    odd = make_staff("odd_admin", "340101", role=fx.Role.HEAD_OFFICE)
    _act(odd, "by-odd")
    assert _refs(odd) == {"by-odd"}


def test_filters_by_date_range_and_operation_with_the_customer_named(bank, teller_hf):
    zhang = bank["张伟"]
    _act(teller_hf, "nov-20", on=dt.date(2026, 11, 20))
    _act(teller_hf, "nov-22", on=dt.date(2026, 11, 22), customer_id=zhang.pk)
    _act(teller_hf, "nov-22-reply", action="customer_message_reply", on=dt.date(2026, 11, 22))
    _act(teller_hf, "nov-25", on=dt.date(2026, 11, 25))
    client = Client()
    otp_login(client, teller_hf)
    text = client.get(URL, {"date_from": "2026-11-21", "date_to": "2026-11-24"}) \
        .content.decode()
    assert "nov-22" in text and "nov-22-reply" in text
    assert "nov-20" not in text and "nov-25" not in text
    assert f"张伟（{zhang.cif_no}）" in text
    text = client.get(URL, {"date_from": "2026-11-21", "date_to": "2026-11-24",
                            "action": "customer_message_reply"}).content.decode()
    assert "nov-22-reply" in text and "留言回复" in text
    assert "nov-22<" not in text
    backwards = client.get(URL, {"date_from": "2026-11-24", "date_to": "2026-11-21"})
    assert backwards.status_code == 200
    assert "截止日期不能早于起始日期" in backwards.content.decode()
    assert 'value="2026-11-24"' in backwards.content.decode()


def test_paginated(bank, teller_hf):
    for number in range(PAGE_SIZE + 3):
        _act(teller_hf, f"row-{number:03d}")
    client = Client()
    otp_login(client, teller_hf)
    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()
    assert f"共 {PAGE_SIZE + 3} 条" in first and "下一页" in first
    assert "row-052" in first and "row-000" not in first  # newest first
    assert "row-000" in second and "row-052" not in second


def test_the_link_is_in_the_user_tools_and_anonymous_is_sent_to_login(teller_hf, client):
    assert client.get(URL).status_code == 302
    otp_login(client, teller_hf)
    assert reverse("admin:worklog") == URL
    assert f'href="{URL}"' in client.get(reverse("admin:index")).content.decode()
