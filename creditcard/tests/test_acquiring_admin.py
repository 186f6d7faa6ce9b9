"""信用卡 in the staff admin: the lists (branch-scoped, money columns), 模拟消费 through the
acquirer simulator, 冻结/解冻 by 主管 with audit, 信用卡业务参数 added by head office for a
future 生效日期 only."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from creditcard.models import CardItem, CardSetting, CardStatus
from ebank.acquirer.models import AcquirerTxn
from ebank.core.models import AuditEvent
from security.staff.roles import Role
from security.tests.test_counter_fixtures import make_staff, otp_login

from .conftest import card_for, charge

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 1, 10, 4, 0, tzinfo=UTC)
CHANGELIST = "admin:creditcard_card_changelist"


@pytest.fixture
def teller(world):
    return make_staff("teller_hf", "340101", first_name="陈静")


@pytest.fixture
def supervisor(world):
    return make_staff("super_hf", "340101", role=Role.SUPERVISOR, first_name="吴刚")


def act(client, action, card, **extra):
    return client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [card.pk],
                                             "index": 0, **extra}, follow=True)


def test_the_lists_show_the_branchs_cards_with_their_money(world, card, teller, client):
    other = card_for(world.wang_customer, credit_limit="8000.00")
    charge(card, "1234.56", date(2026, 1, 6), merchant="华联超市")
    otp_login(client, teller)
    with time_machine.travel(NOON, tick=False):
        page = client.get(reverse(CHANGELIST)).content.decode()
        items = client.get(reverse("admin:creditcard_carditem_changelist")).content.decode()
        detail = client.get(reverse("admin:creditcard_card_change", args=[card.pk]))
        for name in ("cardcredit", "statement", "cardsetting"):
            assert client.get(reverse(f"admin:creditcard_{name}_changelist")).status_code == 200
    assert card.medium.masked_number in page and "¥50,000.00" in page and "¥25,000.00" in page
    assert other.medium.masked_number not in page          # 芜湖's card: another branch
    assert card.medium.number not in page
    assert "华联超市" in items and "¥1,234.56" in items
    assert detail.status_code == 200 and 'name="credit_limit"' not in detail.content.decode()
    assert "模拟消费" in page and "冻结" not in page.split("模拟消费", 1)[1].split("</select>")[0]


def test_simulate_purchase_goes_through_the_acquirer_and_is_audited(card, teller, client):
    otp_login(client, teller)
    with time_machine.travel(NOON, tick=False):
        done = act(client, "simulate_purchase", card, amount="88.80", merchant="演示商户",
                   mcc="5812")
        declined = act(client, "simulate_purchase", card, amount="60000", merchant="演示商户",
                       mcc="5812")
        bad = act(client, "simulate_purchase", card, amount="abc", merchant="演示商户", mcc="")
    assert "模拟消费成功：演示商户 ¥88.80" in done.content.decode()
    item = CardItem.objects.get(card=card)
    assert (item.amount, item.merchant, item.mcc) == (D("88.80"), "演示商户", "5812")
    assert AcquirerTxn.objects.count() == 2
    assert "模拟消费被拒绝：信用卡可用额度不足" in declined.content.decode()
    assert "请输入正确的金额" in bad.content.decode()
    events = AuditEvent.objects.filter(action="card_simulated_purchase").order_by("pk")
    assert [e.outcome for e in events] == ["success", "failure"]
    assert events[0].actor_id == teller.pk and events[0].customer_id == card.customer_id


def test_the_acquirers_journal_keeps_the_declined_one_and_teller_reads_it(card, teller, client):
    otp_login(client, teller)
    with time_machine.travel(NOON, tick=False):
        act(client, "simulate_purchase", card, amount="60000", merchant="演示商户", mcc="5812")
        journal = client.get(reverse("admin:acquirer_acquirertxn_changelist")).content.decode()
        runs = client.get(reverse("admin:creditcard_autorepayrun_changelist"))
        add = client.get(reverse("admin:acquirer_acquirertxn_add"))
    assert "交易拒绝" in journal and "¥60,000.00" in journal and "信用卡可用额度不足" in journal
    assert runs.status_code == 200 and "自动还款记录" in runs.content.decode()
    assert add.status_code == 403                               # the journal is read-only


def test_a_teller_cannot_freeze_a_supervisor_freezes_and_unfreezes_with_audit(card, teller,
                                                                             supervisor, client):
    otp_login(client, teller)
    with time_machine.travel(NOON, tick=False):
        act(client, "freeze", card)
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    client.logout()
    otp_login(client, supervisor)
    with time_machine.travel(NOON, tick=False):
        frozen = act(client, "freeze", card)
        assert "已冻结" in frozen.content.decode()
        card.refresh_from_db()
        assert card.status == CardStatus.FROZEN
        declined = act(client, "simulate_purchase", card, amount="10", merchant="演示商户")
        assert "该卡已冻结，交易被拒绝" in declined.content.decode()
        act(client, "unfreeze", card)
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    events = list(AuditEvent.objects.filter(action__in=["card_freeze", "card_unfreeze"])
                  .order_by("pk").values_list("action", "actor_id", "customer_id"))
    assert events == [("card_freeze", supervisor.pk, card.customer_id),
                      ("card_unfreeze", supervisor.pk, card.customer_id)]


def test_head_office_adds_settings_for_a_future_day_only(world, client):
    hq = make_staff("hq_staff", "340000", role=Role.HEAD_OFFICE)
    otp_login(client, hq)
    url = reverse("admin:creditcard_cardsetting_add")
    fields = {f.name: f.get_default() for f in CardSetting._meta.fields
              if f.name not in ("id", "created_at", "effective_from")}
    with time_machine.travel(NOON, tick=False):
        past = client.post(url, {**fields, "effective_from": "2026-01-10"})
        assert past.status_code == 200 and "生效日期须晚于今天" in past.content.decode()
        done = client.post(url, {**fields, "effective_from": "2026-02-01", "due_days": 25})
        assert done.status_code == 302
    setting = CardSetting.objects.get()
    assert setting.effective_from == date(2026, 2, 1) and setting.due_days == 25
    assert AuditEvent.objects.filter(action="admin_add", actor=hq).exists()
    with time_machine.travel(datetime(2026, 2, 3, 4, 0, tzinfo=UTC), tick=False):
        otp_login(client, hq)
        in_force = client.get(reverse("admin:creditcard_cardsetting_change", args=[setting.pk]))
    assert 'name="due_days"' not in in_force.content.decode()


def test_a_teller_cannot_add_settings(world, teller, client):
    otp_login(client, teller)
    with time_machine.travel(NOON, tick=False):
        assert client.get(reverse("admin:creditcard_cardsetting_add")).status_code == 403
