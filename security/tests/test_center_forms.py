"""The width rule, the due date, and fuzzing of every 客户服务/安全中心 form.

Fuzzing: random text in every field never gives a server error, and a page shown again (a
refusal) has written nothing — no setting, message, subscription, agreement, confirmation or
successful audit row. (SMS codes and failure audit rows are allowed: sending a code and
recording a wrong password are what those requests are for.)
"""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import security.center.operations  # noqa: F401  (registers the executors, as apps.ready does)
from accounts.models import Customer
from ebank.clearing.calendar import WorkCalendar
from ebank.core.models import AuditEvent, AuditOutcome
from ebank.limits.models import LimitPolicy
from security.center import services
from security.center.forms import MessageForm
from security.center.testing import PASSWORD, personas, token_give
from security.center.width import text_width
from security.models import (
    CustomerMessage,
    MobileBankingAgreement,
    PendingOperation,
    SmsSubscription,
    User,
)

# --- width ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,width", [
    ("", 0), ("abc", 3), ("汉字", 4), ("a汉", 3), ("，。", 4), ("Ａ", 2), ("😀", 2), ("é", 1),
])
def test_text_width(text, width):
    assert text_width(text) == width


@pytest.mark.parametrize("subject,ok", [
    ("汉" * 20, True), ("汉" * 21, False),
    ("a" * 40, True), ("a" * 41, False),
    ("汉" * 19 + "ab", True), ("汉" * 19 + "abc", False),
    ("汉" * 10 + "a" * 20, True), ("汉" * 10 + "a" * 21, False),
])
def test_message_subject_width(subject, ok):
    form = MessageForm({"subject": subject, "content": "内容"})
    assert form.is_valid() is ok
    if not ok:
        assert form.errors["subject"] == ["留言主题最多支持20个汉字或40个字符"]


@pytest.mark.parametrize("content,ok", [
    ("汉" * 170, True), ("汉" * 171, False), ("a" * 340, True), ("a" * 341, False),
    ("汉" * 169 + "ab", True), ("汉" * 169 + "abc", False),
])
def test_message_content_width(content, ok):
    assert MessageForm({"subject": "主题", "content": content}).is_valid() is ok


@given(st.text(max_size=60))
def test_width_rule_property(text):
    form = MessageForm({"subject": text, "content": "内容"})
    stripped = text.strip()
    expected = bool(stripped) and "\x00" not in stripped and text_width(stripped) <= 40
    assert form.is_valid() is expected


# --- due date ------------------------------------------------------------------------------------

NATIONAL_DAY = WorkCalendar(
    holidays=frozenset(date(2026, 10, d) for d in range(1, 9)),
    makeup_workdays=frozenset({date(2026, 9, 27), date(2026, 10, 10)}),
)


@pytest.mark.parametrize("created,due", [
    (date(2026, 11, 23), date(2026, 11, 25)),  # Mon → Wed
    (date(2026, 11, 19), date(2026, 11, 23)),  # Thu → Fri, Mon
    (date(2026, 11, 20), date(2026, 11, 24)),  # Fri → Mon, Tue
    (date(2026, 11, 21), date(2026, 11, 24)),  # Sat → Mon, Tue
    (date(2026, 9, 29), date(2026, 10, 9)),  # Tue → Wed 30, then the holiday to Fri 9
    (date(2026, 10, 8), date(2026, 10, 10)),  # → Fri 9, Sat 10 (a make-up working day)
    (date(2026, 9, 25), date(2026, 9, 28)),  # Fri → Sun 27 (make-up), Mon 28
])
def test_due_date_two_working_days(created, due):
    assert services.message_due_date(created_on=created, calendar=NATIONAL_DAY) == due


# --- fuzzing -------------------------------------------------------------------------------------

FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

typed = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "0", "-1", "1,000.00", "１２３", "9" * 30, "13912345678", "123456",
                     "汉" * 25, "a_b_c_d", PASSWORD, "on", "2026-11-23", "x@y.cn", "230071",
                     "1e5", "NaN", "¥100元", "<script>", "' OR 1=1 --"]),
)


def _written():
    return (
        list(User.objects.order_by("pk").values_list("username", "pending_username",
                                                      "reserved_message", "login_by_phone",
                                                      "login_by_id_number")),
        list(Customer.objects.order_by("pk").values_list("phone", "address", "postcode",
                                                          "email")),
        CustomerMessage.objects.count(), SmsSubscription.objects.count(),
        MobileBankingAgreement.objects.count(), PendingOperation.objects.count(),
        LimitPolicy.objects.count(),
        AuditEvent.objects.filter(outcome=AuditOutcome.SUCCESS).count(),
    )


@pytest.fixture
def fuzz_client(db):
    people = personas()
    token_give(user=people["alice"])
    client = Client()
    client.force_login(people["alice"])
    link_ids = list(people["alice"].customer.linked_media.values_list("pk", flat=True))
    return client, link_ids


FORMS = {
    "security:reserved_message": ["reserved_message"],
    "security:limits": ["single_limit", "daily_limit"],
    "security:login_settings": ["new_login_name", "login_by_id_number", "login_by_phone",
                                "password"],
    "security:profile_phone": ["new_phone", "code", "action"],
    "security:profile_phone_confirm": ["old_code", "password", "action"],
    "security:profile_other": ["address", "postcode", "email", "password"],
    "security:core_phone": ["link", "new_phone"],
    "security:message_create": ["subject", "content"],
    "security:mobile_sign": ["code", "links", "agreement", "mobile_password",
                             "mobile_password_confirm", "action"],
    "security:mobile_toggle": ["action"],
    "security:mobile_password_reset": ["mobile_password", "mobile_password_confirm"],
    "security:sms_service": ["link", "sub_account", "threshold", "phone"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORMS))
def test_fuzz_forms_never_500_and_refusals_write_nothing(fuzz_client, name):
    client, link_ids = fuzz_client
    fields = FORMS[name]
    link_values = st.one_of(typed, st.sampled_from([str(pk) for pk in link_ids]))

    @FUZZ
    @given(st.fixed_dictionaries({field: (link_values if field in ("link", "links") else typed)
                                  for field in fields}))
    def run(data):
        before = _written()
        response = client.post(reverse(name), data)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:
            assert _written() == before, data

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["security:messages", "security:audit_log",
                                  "security:profile", "security:sms_service"])
def test_fuzz_queries_never_500_and_change_nothing(fuzz_client, name):
    client, _ = fuzz_client

    @FUZZ
    @given(st.fixed_dictionaries({"date_from": typed, "date_to": typed, "page": typed,
                                  "tab": typed}))
    def run(params):
        before = _written()
        assert client.get(reverse(name), params).status_code == 200
        assert _written() == before

    run()
