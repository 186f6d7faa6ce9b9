"""ACC-LOSS 账户挂失: the online oral loss report, what it blocks, and 书面挂失/解挂 in the admin."""

import pytest
from django.urls import reverse

from accounts.models import LinkedMedium, Medium, MediumKind, MediumStatus
from accounts.pin import MediumNotUsable, medium_online_check
from ebank.core.models import AuditEvent
from security.tests.test_counter_fixtures import make_staff, otp_login

from . import test_pages_support as support
from .test_pages_support import PIN, WRONG_PIN

pytestmark = pytest.mark.django_db

# Shared fixtures (pytest finds them by these module-level names).
alice_client = support.alice_client
bank = support.bank
LOSS = "/accounts/loss"


def _review(client, link):
    return client.post(LOSS, {"step": "review", "link": link.pk})


def _confirm(client, link, pin=PIN):
    return client.post(LOSS, {"step": "confirm", "link": link.pk, "pin": pin})


def test_url_name():
    assert reverse("accounts:loss") == LOSS


def test_the_page_lists_linked_accounts_with_the_notes(alice_client, bank):
    body = alice_client.get(LOSS).content.decode()
    assert "本交易只提供账户口头挂失功能" in body and "五天后系统将自动解冻所挂失的账户" in body
    for link in LinkedMedium.objects.filter(customer=bank.alice.customer):
        assert link.medium.masked_number in body


def test_choosing_an_account_shows_a_confirmation_step_and_writes_nothing(alice_client, bank):
    link = bank.link(bank.alice, MediumKind.DEBIT_CARD)
    audits = AuditEvent.objects.count()
    response = _review(alice_client, link)
    body = response.content.decode()
    assert response.status_code == 200
    assert "账户挂失确认" in body and link.medium.masked_number in body and "交易密码" in body
    assert 'name="step" value="confirm"' in body
    link.medium.refresh_from_db()
    assert link.medium.status == MediumStatus.NORMAL and AuditEvent.objects.count() == audits


def test_nothing_chosen_is_refused_on_the_page(alice_client, bank):
    body = alice_client.post(LOSS, {"step": "review"}).content.decode()
    assert "请选择要挂失的账户" in body


def test_a_wrong_pin_is_refused_and_counted(alice_client, bank):
    link = bank.link(bank.alice, MediumKind.DEBIT_CARD)
    body = _confirm(alice_client, link, WRONG_PIN).content.decode()
    assert "交易密码错误" in body and "账户挂失确认" in body
    medium = Medium.objects.get(pk=link.medium_id)
    assert medium.status == MediumStatus.NORMAL and medium.pin_failures == 1
    assert not AuditEvent.objects.filter(action="account_loss_report").exists()


def test_the_oral_loss_report_leaves_only_the_balance_query(alice_client, bank):
    link = bank.link(bank.alice, MediumKind.DEBIT_CARD)
    response = _confirm(alice_client, link)
    assert response.status_code == 302
    medium = Medium.objects.get(pk=link.medium_id)
    assert medium.status == MediumStatus.ORAL_LOSS
    event = AuditEvent.objects.get(action="account_loss_report")
    assert event.customer_id == bank.alice.customer.pk and event.object_ref == f"medium:{medium.pk}"
    assert event.actor_id == bank.alice.pk
    assert "口头挂失成功" in alice_client.get(LOSS).content.decode()
    # Transfers refuse it at the start of their flow.
    with pytest.raises(MediumNotUsable, match="该账户已口头挂失"):
        medium_online_check(medium=medium)
    # The balance query still works.
    overview = alice_client.get(reverse("accounts:overview")).content.decode()
    assert "口头挂失" in overview and "80,000.00" in overview


def test_a_lost_medium_cannot_be_reported_again(alice_client, bank):
    link = bank.link(bank.alice, MediumKind.DEBIT_CARD)
    Medium.objects.filter(pk=link.medium_id).update(status=MediumStatus.WRITTEN_LOSS)
    assert "不能办理口头挂失" in _review(alice_client, link).content.decode()
    assert "不能办理口头挂失" in _confirm(alice_client, link).content.decode()
    assert Medium.objects.get(pk=link.medium_id).status == MediumStatus.WRITTEN_LOSS


def test_another_customers_link_is_404_and_nothing_is_written(alice_client, bank):
    other = bank.link(bank.bob, MediumKind.DEBIT_CARD)
    audits = AuditEvent.objects.count()
    assert _review(alice_client, other).status_code == 404
    assert _confirm(alice_client, other).status_code == 404
    medium = Medium.objects.get(pk=other.medium_id)
    assert medium.status == MediumStatus.NORMAL and medium.pin_failures == 0
    assert AuditEvent.objects.count() == audits


# --- 书面挂失 and 解挂 by staff ------------------------------------------------------------------------
# They are counter actions with the ID check and a slip (security/tests/test_counter_loss_reset.py);
# the medium list has no bulk action that would skip either.


def _action(client, action, media):
    return client.post(reverse("admin:accounts_medium_changelist"),
                       {"action": action, "_selected_action": [m.pk for m in media]})


def test_the_medium_list_has_no_bulk_loss_actions(client, bank):
    teller = make_staff("teller_acc", "340101")
    otp_login(client, teller)
    zhang = bank.medium(bank.alice, MediumKind.DEBIT_CARD)
    page = client.get(reverse("admin:accounts_medium_changelist")).content.decode()
    assert 'name="action"' not in page  # no bulk actions at all (the status filter still lists 书面挂失)
    _action(client, "written_loss_record", [zhang])
    zhang.refresh_from_db()
    assert zhang.status == MediumStatus.NORMAL
    assert not AuditEvent.objects.filter(action__startswith="account_loss").exists()
