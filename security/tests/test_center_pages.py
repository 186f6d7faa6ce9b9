"""Every 客户服务/安全中心/网银日志 page: renders for a customer, is closed to others, changes
nothing on GET, refuses a POST without a CSRF token, and never shows another customer's rows."""

import pytest
from django.test import Client
from django.urls import reverse

from ebank.core.models import AuditEvent
from security.center.testing import personas
from security.models import CustomerMessage, SmsSubscription, User

pytestmark = pytest.mark.django_db

PAGES = [
    "security:reserved_message", "security:limits", "security:signing_info",
    "security:login_settings", "security:profile", "security:core_phone", "security:messages",
    "security:message_create", "security:mobile", "security:sms_service", "security:audit_log",
]
POSTS = [
    "security:reserved_message", "security:limits", "security:login_settings",
    "security:profile_phone", "security:profile_phone_confirm", "security:profile_other",
    "security:core_phone", "security:message_create", "security:mobile_sign",
    "security:mobile_cancel", "security:mobile_toggle", "security:mobile_password_reset",
    "security:sms_service",
]


@pytest.fixture
def people():
    return personas()


@pytest.fixture
def alice_client(people):
    client = Client()
    client.force_login(people["alice"])
    return client


def _snapshot():
    return (AuditEvent.objects.count(), CustomerMessage.objects.count(),
            SmsSubscription.objects.count(),
            list(User.objects.order_by("pk").values_list(
                "username", "pending_username", "reserved_message", "login_by_phone")))


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_for_a_customer_and_changes_nothing(alice_client, name):
    before = _snapshot()
    response = alice_client.get(reverse(name))
    assert response.status_code == 200
    assert "<form" in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize("name", PAGES + ["security:profile_phone"])
def test_anonymous_is_sent_to_login(name):
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert reverse("security:login") in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_staff_are_not_customers(people, name):
    staff = User.objects.create_user(username="teller01", password="x-Teller-9", is_staff=True)
    client = Client()
    client.force_login(staff)
    response = client.get(reverse(name))
    assert response.status_code in (302, 403)


@pytest.mark.parametrize("name", POSTS)
def test_post_without_csrf_token_is_refused(people, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["alice"])
    before = _snapshot()
    response = client.post(reverse(name), {"reserved_message": "x"})
    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("name", ["security:profile_phone", "security:profile_other",
                                  "security:mobile_sign", "security:mobile_cancel",
                                  "security:mobile_toggle", "security:mobile_password_reset",
                                  "security:profile_phone_confirm"])
def test_post_only_endpoints_refuse_get(alice_client, name):
    assert alice_client.get(reverse(name)).status_code == 405


def test_another_customers_message_is_404(people, alice_client):
    theirs = CustomerMessage.objects.create(user=people["bob"], subject="李娜的留言",
                                            content="内容", due_date="2026-11-25")
    assert alice_client.get(reverse("security:message_detail", args=[theirs.pk])).status_code == 404
    assert alice_client.get(reverse("security:message_detail", args=[987654])).status_code == 404
    assert alice_client.get(reverse("security:message_done", args=[theirs.pk])).status_code == 404
    response = alice_client.get(reverse("security:messages"))
    assert "李娜的留言" not in response.content.decode()


def test_another_customers_sms_subscription_cannot_be_closed(people, alice_client):
    bob = people["bob"]
    sub_account = bob.customer.media.first().sub_accounts.first()
    theirs = SmsSubscription.objects.create(user=bob, sub_account=sub_account,
                                            threshold="100.00", phone="13905510002")
    response = alice_client.post(reverse("security:sms_unsubscribe", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.active


def test_page_shows_no_full_card_or_id_number(people, alice_client):
    from accounts.demo import CUSTOMERS, demo_medium_number, resident_id_number

    demo = CUSTOMERS[0]
    secrets = [demo_medium_number(demo.branch_code, m.serial) for m in demo.media]
    secrets.append(resident_id_number(demo.id_number_body))
    secrets.append(demo.phone)
    for name in PAGES:
        body = alice_client.get(reverse(name)).content.decode()
        for secret in secrets:
            assert secret not in body, (name, secret[-4:])
