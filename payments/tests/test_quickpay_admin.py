"""快捷支付 in the staff admin: read-only lists scoped to the teller's branch, and 撤销协议 by
staff through the revoke service with a reason and an audit row naming them."""

from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Branch
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from payments.models import QuickPayAgreementStatus
from payments.quickpay import services
from security.models import User
from security.staff.admin_sections import placement_of
from security.tests.test_counter_fixtures import otp_login
from tests.customer_world import world_build

from .quickpay_support import MERCHANT, NOW, sign

VIEW = ["view_quickpayagreement", "view_quickpaydebit"]


@pytest.fixture
def world(db, settings, tmp_path):
    bank = world_build(settings, tmp_path)
    with time_machine.travel(NOW, tick=False):
        bank.agreement = sign(bank.zhang_card)
        services.quickpay_debit(bank.agreement.number, MERCHANT, "ORD-ADMIN-1", Decimal("36.80"))
        yield bank


def staff(branch_code: str, username: str, *codenames: str) -> User:
    user = User.objects.create_user(username=username, password="Staff-pass-1", is_staff=True,
                                    branch=Branch.objects.get(code=branch_code),
                                    first_name="陈静")
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="payments",
                                                         codename__in=codenames))
    return user


def revoke_url(agreement) -> str:
    return reverse("admin:payments_quickpayagreement_revoke", args=[agreement.pk])


def test_the_models_are_placed_on_the_staff_index():
    assert placement_of("payments", "quickpayagreement").section == "transactions"
    assert placement_of("payments", "quickpaydebit").section == "transactions"
    assert placement_of("payments", "quickpaymerchant").section == "clearing"


def test_a_teller_sees_the_branchs_agreements_and_debits_read_only(client, world):
    otp_login(client, staff(world.zhang_customer.branch.code, "teller_qp", *VIEW))
    listing = client.get(reverse("admin:payments_quickpayagreement_changelist"),
                         {"status": "active", "merchant": MERCHANT,
                          "q": world.zhang_customer.cif_no})
    body = listing.content.decode()
    assert listing.status_code == 200 and world.agreement.number in body
    assert world.zhang_card.number not in body  # the account masked
    change = client.get(reverse("admin:payments_quickpayagreement_change",
                                args=[world.agreement.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    debits = client.get(reverse("admin:payments_quickpaydebit_changelist"),
                        {"settled": "no", "merchant": MERCHANT, "q": "ORD-ADMIN-1"})
    assert debits.status_code == 200
    assert "ORD-ADMIN-1" in debits.content.decode() and "¥36.80" in debits.content.decode()
    assert "ORD-ADMIN-1" not in client.get(reverse("admin:payments_quickpaydebit_changelist"),
                                           {"settled": "yes"}).content.decode()
    # View only: no 撤销协议, neither the link nor the page.
    assert revoke_url(world.agreement) not in body
    assert client.get(revoke_url(world.agreement)).status_code == 403


def test_another_branchs_teller_sees_nothing_and_cannot_revoke(client, world):
    other = Branch.objects.exclude(pk=world.zhang_customer.branch_id).filter(
        code__startswith="34").exclude(code="340000").first()
    otp_login(client, staff(other.code, "teller_qp_other", *VIEW, "change_quickpayagreement"))
    assert world.agreement.number not in client.get(
        reverse("admin:payments_quickpayagreement_changelist")).content.decode()
    assert client.post(revoke_url(world.agreement), {"reason": "客户来电"}).status_code == 302
    world.agreement.refresh_from_db()
    assert world.agreement.status == QuickPayAgreementStatus.ACTIVE
    with pytest.raises(BusinessError, match="无权撤销"):
        services.quickpay_staff_revoke(staff=User.objects.get(username="teller_qp_other"),
                                       agreement=world.agreement, reason="客户来电")


def test_staff_revoke_needs_a_reason_then_revokes_and_audits_the_staff_member(client, world):
    teller = staff(world.zhang_customer.branch.code, "super_qp", *VIEW,
                   "change_quickpayagreement")
    otp_login(client, teller)
    assert revoke_url(world.agreement) in client.get(
        reverse("admin:payments_quickpayagreement_changelist")).content.decode()
    page = client.get(revoke_url(world.agreement))
    assert page.status_code == 200 and world.agreement.number in page.content.decode()
    refused = client.post(revoke_url(world.agreement), {"reason": "  "})
    assert refused.status_code == 200 and "请输入撤销原因" in refused.content.decode()
    world.agreement.refresh_from_db()
    assert world.agreement.status == QuickPayAgreementStatus.ACTIVE

    with time_machine.travel(NOW, tick=False):
        done = client.post(revoke_url(world.agreement), {"reason": "客户临柜申请撤销"})
        assert done.status_code == 302
        world.agreement.refresh_from_db()
        assert world.agreement.status == QuickPayAgreementStatus.REVOKED
        event = AuditEvent.objects.get(action=services.STAFF_REVOKE_ACTION,
                                       object_ref=world.agreement.number)
        assert event.actor == teller and event.customer_id == world.zhang_customer.pk
        assert event.detail["reason"] == "客户临柜申请撤销" and event.channel == "admin"
        with pytest.raises(BusinessError, match="协议已撤销"):
            services.quickpay_debit(world.agreement.number, MERCHANT, "ORD-AFTER",
                                    Decimal("1.00"))
    again = client.get(revoke_url(world.agreement))
    assert "该协议已于" in again.content.decode() and 'type="submit"' not in (
        again.content.decode().split('id="content-main"')[1])


def test_head_office_sees_the_merchants_with_their_collection_account(client, world):
    superuser = User.objects.create_superuser(username="hq_qp", password="Staff-pass-1",
                                              branch=Branch.objects.get(code="340000"))
    otp_login(client, superuser)
    page = client.get(reverse("admin:payments_quickpaymerchant_changelist"))
    assert page.status_code == 200 and MERCHANT in page.content.decode()
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_staff_revoke_service_itself_needs_the_permission(world):
    # Same branch, may view, but not granted 撤销 (change_quickpayagreement): refused by the
    # service too, not only by the admin page that calls it.
    viewer = staff(world.zhang_customer.branch.code, "viewer_qp", *VIEW)
    with pytest.raises(BusinessError, match="无权撤销"):
        services.quickpay_staff_revoke(staff=viewer, agreement=world.agreement, reason="客户来电")
    world.agreement.refresh_from_db()
    assert world.agreement.status == QuickPayAgreementStatus.ACTIVE
