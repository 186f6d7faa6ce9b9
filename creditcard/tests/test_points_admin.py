"""积分管理 in the staff admin: head office keeps the catalogue, tellers read redemptions and
moves, a supervisor marks 已发货 or 撤销s (points back, audited)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Branch
from creditcard.models import Gift, PointsMove, PointsMoveKind, Redemption, RedemptionStatus
from creditcard.points import book, services
from ebank.core.models import AuditEvent
from security.models import User
from security.staff.admin_sections import placement_of
from security.tests.test_counter_fixtures import otp_login

from .points_support import at_now, earn, gift, redeem

pytestmark = pytest.mark.django_db


def staff(world, username, *codenames):
    user = User.objects.create_user(username=username, password="Staff-pass-1", is_staff=True,
                                    branch=Branch.objects.get(code=world.zhang_customer.branch.code),
                                    first_name="陈静")
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="creditcard",
                                                         codename__in=codenames))
    return user


@pytest.fixture
def redeemed(world):
    earn(world.zhang_customer, 3000)
    with at_now():
        redeem(world.zhang, gift(points=1000, stock=4), quantity=2)
    return Redemption.objects.get()


def test_the_models_are_placed_on_the_staff_index():
    assert placement_of("creditcard", "redemption").section == "transactions"
    assert placement_of("creditcard", "pointsmove").section == "transactions"
    assert placement_of("creditcard", "gift").section == "transactions"


def test_a_teller_reads_redemptions_and_moves_but_cannot_handle_them(client, world, redeemed):
    otp_login(client, staff(world, "teller_pt", "view_redemption", "view_pointsmove"))
    listing = client.get(reverse("admin:creditcard_redemption_changelist"))
    assert listing.status_code == 200 and redeemed.number in listing.content.decode()
    assert "发货/撤销" not in listing.content.decode()
    assert client.get(reverse("admin:creditcard_pointsmove_changelist")).status_code == 200
    handle = reverse("admin:creditcard_redemption_handle", args=[redeemed.pk])
    assert client.post(handle, {"action": "ship"}).status_code == 403
    assert Redemption.objects.get().status == RedemptionStatus.ACCEPTED


def test_a_supervisor_cancels_with_a_reason_and_the_points_come_back(client, world, redeemed):
    otp_login(client, staff(world, "super_pt", "view_redemption", "change_redemption"))
    handle = reverse("admin:creditcard_redemption_handle", args=[redeemed.pk])
    with at_now():
        assert "发货/撤销" in client.get(
            reverse("admin:creditcard_redemption_changelist")).content.decode()
        empty = client.post(handle, {"action": "cancel", "reason": ""})
        assert "请输入撤销原因" in empty.content.decode()
        done = client.post(handle, {"action": "cancel", "reason": "客户来电取消"})
    assert done.status_code == 302
    assert Redemption.objects.get().status == RedemptionStatus.CANCELLED
    assert Gift.objects.get().stock == 4
    assert PointsMove.objects.get(kind=PointsMoveKind.RESTORE).points == 2000
    assert book.points_balance(world.zhang_customer) == 3000
    assert book.points_verify(world.zhang_customer)
    event = AuditEvent.objects.get(action=services.CANCEL_ACTION)
    assert event.actor_id is not None and event.detail["reason"] == "客户来电取消"


def test_a_supervisor_marks_shipped(client, world, redeemed):
    otp_login(client, staff(world, "super_ps", "view_redemption", "change_redemption"))
    with at_now():
        done = client.post(reverse("admin:creditcard_redemption_handle", args=[redeemed.pk]),
                           {"action": "ship"})
    assert done.status_code == 302
    assert Redemption.objects.get().status == RedemptionStatus.SHIPPED
    assert AuditEvent.objects.filter(action=services.SHIP_ACTION,
                                     object_ref=redeemed.number).exists()


def test_head_office_adds_a_gift(client, world):
    otp_login(client, staff(world, "ho_pt", "view_gift", "add_gift", "change_gift"))
    added = client.post(reverse("admin:creditcard_gift_add"),
                        {"code": "GF9", "name": "雨伞", "points": "800", "stock": "20",
                         "description": "", "active": "on"})
    assert added.status_code == 302 and Gift.objects.get(code="GF9").points == 800


class _Out:
    def __init__(self):
        self.lines = []

    def line(self, text):
        self.lines.append(text)

    def success(self, text):
        self.lines.append(text)


def test_the_demo_gifts_are_made_once():
    from creditcard.points.demo import GIFTS, demo_seed
    from ebank.core.demo import demo_parts

    assert demo_seed in demo_parts()
    out = _Out()
    demo_seed(out)
    demo_seed(out)  # twice: nothing doubled
    assert Gift.objects.filter(active=True, stock__gt=0).count() == len(GIFTS)
    assert out.lines[0] == out.lines[-1]   # the same line each time (seed_demo twice is harmless)
