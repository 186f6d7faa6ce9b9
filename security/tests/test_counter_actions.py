"""Which counter actions apply now (security/staff/counter/actions.py): every rule on a snapshot
built in memory, the registry, and the action page refusing what does not apply."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts.models import Customer, Medium, MediumKind, MediumStatus
from ebank.core.models import AuditEvent
from security.models import (
    CounterAction,
    CounterReceipt,
    SecurityTool,
    ToolKind,
    ToolStatus,
    User,
    UserStatus,
)
from security.models.counter import counter_action_choices
from security.staff.counter import actions as registry
from security.staff.counter import forms as counter_forms
from security.staff.counter.actions import (
    COUNTER_ACTIONS,
    CounterActionSpec,
    counter_action,
    counter_actions_applicable,
)
from security.staff.counter.state import CustomerState, customer_state_read

from . import test_counter_fixtures as fx
from .test_counter_fixtures import ident, otp_login, register

bank = fx.bank
teller_hf = fx.teller_hf
tools = fx.tools

TODAY = date(2026, 3, 18)
DEBIT = (MediumKind.DEBIT_CARD, MediumStatus.NORMAL)


def snapshot(*, user: dict | None = None, media=(DEBIT,), tools=()) -> CustomerState:
    """A customer's state without a database: ``user`` fields, (kind, status) media and tools."""
    return CustomerState(
        customer=Customer(pk=10**9, name="张伟"),
        user=User(**{"status": UserStatus.ACTIVE, **user}) if user is not None else None,
        media=tuple(Medium(kind=kind, status=status) for kind, status in media),
        tools=tuple(SecurityTool(kind=kind, status=status) for kind, status in tools),
        today=TODAY)


# 书面挂失 and 解除挂失 depend on the media alone: their rules are in test_counter_loss_reset.py;
# so do the deposits' counter actions 利先得开户 (a debit card in 正常 state:
# deposits/tests/test_lixiande.py), 活期宝签约 (deposits/tests/test_sweep.py) and 存本取息开户
# (deposits/tests/test_payout.py); 信用卡发卡 applies to every customer
# (creditcard/tests/test_acquiring_counter.py).
LOSS_ACTIONS = {CounterAction.WRITTEN_LOSS, CounterAction.LOSS_RELEASE,
                "lixiande_open", "hqb_sign", "payout_open", "card_issue"}


def applicable(state: CustomerState) -> set[str]:
    return {spec.code for spec in counter_actions_applicable(state)} - LOSS_ACTIONS


ACTIVE = {"status": UserStatus.ACTIVE}
ALWAYS_WHEN_ACTIVE = {"query", "suspend", "cancel", "password_reset", "tool_issue"}


def test_a_customer_never_registered_may_register_or_be_queried():
    assert applicable(snapshot()) == {"register", "query"}


def test_a_cancelled_login_may_register_again():
    assert applicable(snapshot(user={"status": UserStatus.CANCELLED})) == {"register", "query"}


@pytest.mark.parametrize("media", [
    (), ((MediumKind.CREDIT_CARD, MediumStatus.NORMAL),),
    ((MediumKind.DEBIT_CARD, MediumStatus.ORAL_LOSS),),
    ((MediumKind.CURRENT_PASSBOOK, MediumStatus.WRITTEN_LOSS),),
])
def test_registration_needs_a_registrable_medium_in_normal_status(media):
    assert applicable(snapshot(media=media)) == {"query"}


def test_an_active_user_without_tools_or_lock():
    assert applicable(snapshot(user=ACTIVE)) == ALWAYS_WHEN_ACTIVE


def test_a_suspended_user_may_only_be_resumed_cancelled_or_queried():
    state = snapshot(user={"status": UserStatus.SUSPENDED, "failed_logins": 5,
                           "login_locked_on": TODAY},
                     tools=[(ToolKind.USBKEY, ToolStatus.LOCKED)])
    assert applicable(state) == {"resume", "cancel", "query"}


@pytest.mark.parametrize("fields, offered", [
    ({"failed_logins": 5, "login_locked_on": TODAY}, True),
    ({"failed_logins": 2}, True),
    ({"failed_logins": 0, "login_locked_on": TODAY - timedelta(days=1)}, False),  # lapsed
    ({"failed_logins": 0}, False),
])
def test_login_unlock_only_when_locked_or_failures_counted(fields, offered):
    assert ("login_unlock" in applicable(snapshot(user={**ACTIVE, **fields}))) is offered


@pytest.mark.parametrize("tools, offered", [
    ([(ToolKind.USBKEY, ToolStatus.LOCKED)], True),
    ([(ToolKind.USBKEY, ToolStatus.ACTIVE)], False),
    ([(ToolKind.TOKEN, ToolStatus.LOCKED)], False),
    ([(ToolKind.USBKEY, ToolStatus.CANCELLED)], False),
    ([], False),
])
def test_certificate_unlock_only_for_a_locked_usbkey(tools, offered):
    assert ("tool_unlock" in applicable(snapshot(user=ACTIVE, tools=tools))) is offered


def test_issue_offers_only_the_kinds_the_user_lacks():
    one = snapshot(user=ACTIVE, tools=[(ToolKind.USBKEY, ToolStatus.ACTIVE)])
    assert one.missing_tool_kinds == (ToolKind.TOKEN,)
    assert {"tool_issue", "tool_replace", "tool_cancel"} <= applicable(one)
    both = snapshot(user=ACTIVE, tools=[(ToolKind.USBKEY, ToolStatus.LOCKED),
                                        (ToolKind.TOKEN, ToolStatus.ACTIVE)])
    assert "tool_issue" not in applicable(both)
    assert {"tool_replace", "tool_cancel", "tool_unlock"} <= applicable(both)


def test_replace_and_cancel_need_a_live_tool():
    dead = snapshot(user=ACTIVE, tools=[(ToolKind.USBKEY, ToolStatus.REPLACED),
                                        (ToolKind.TOKEN, ToolStatus.CANCELLED)])
    assert applicable(dead) == ALWAYS_WHEN_ACTIVE
    assert dead.missing_tool_kinds == (ToolKind.USBKEY, ToolKind.TOKEN)


def test_the_tool_forms_offer_only_the_applicable_kinds():
    state = snapshot(user=ACTIVE, tools=[(ToolKind.TOKEN, ToolStatus.ACTIVE)])
    customer = state.customer
    issue = counter_forms.ToolIssueForm(customer=customer, state=state)
    replace = counter_forms.ToolReplaceForm(customer=customer, state=state)
    cancel = counter_forms.ToolCancelForm(customer=customer, state=state)
    assert [k for k, _ in issue.fields["kind"].choices] == [ToolKind.USBKEY]
    assert [k for k, _ in replace.fields["kind"].choices] == [ToolKind.TOKEN]
    assert [k for k, _ in cancel.fields["kind"].choices] == [ToolKind.TOKEN]


# --- the registry ------------------------------------------------------------------------------


def _registries_restored(monkeypatch) -> None:
    from ebank.core import audit
    from security.models import counter as counter_models

    monkeypatch.setattr(registry, "COUNTER_ACTIONS", dict(registry.COUNTER_ACTIONS))
    monkeypatch.setattr(counter_models, "_ACTION_LABELS", dict(counter_models._ACTION_LABELS))
    monkeypatch.setattr(audit, "_action_labels", dict(audit._action_labels))


@pytest.fixture
def extra_action(monkeypatch):
    """A module's own action, registered the way another app would (removed afterwards, with
    the labels it registers for the slips and the audit log)."""
    _registries_restored(monkeypatch)
    spec = registry.counter_action(CounterAction.QUERY.value + "_extra", CounterActionSpec(
        counter_forms.IdentityForm, lambda staff, customer, data: None,
        applies=lambda state: state.suspended, unavailable="仅暂停时", label="示例业务"))
    return spec


def test_the_registry_refuses_a_code_twice():
    with pytest.raises(ImproperlyConfigured):
        counter_action(CounterAction.QUERY, COUNTER_ACTIONS["query"])


def test_another_module_adds_an_action_with_its_own_rule(extra_action):
    assert extra_action.code == "query_extra" and extra_action.label == "示例业务"
    assert "query_extra" in applicable(snapshot(user={"status": UserStatus.SUSPENDED}))
    assert "query_extra" not in applicable(snapshot(user=ACTIVE))
    # Registration order is the menu's order: built-ins first.
    assert list(registry.COUNTER_ACTIONS)[-1] == "query_extra"


def test_every_built_in_action_is_a_counter_action_with_a_label():
    # security's own, then what the menu apps register (deposits' three) with their labels.
    assert set(CounterAction.values) <= set(COUNTER_ACTIONS)
    assert {"lixiande_open", "hqb_sign", "payout_open"} <= set(COUNTER_ACTIONS)
    labels = dict(counter_action_choices())
    for spec in COUNTER_ACTIONS.values():
        if spec.code in CounterAction.values:
            assert spec.label == CounterAction(spec.code).label
        assert labels[spec.code] == spec.label
        assert spec.applies is not None and (spec.unavailable or spec.code == "query")
    assert labels["payout_open"] == "存本取息开户"
    assert CounterReceipt(action="payout_open").get_action_display() == "存本取息开户"


def test_an_apps_action_needs_a_label_and_a_code_keeps_its_label(monkeypatch):
    from dataclasses import replace

    from security.models import counter as counter_models

    _registries_restored(monkeypatch)
    spec = registry.COUNTER_ACTIONS["query"]
    with pytest.raises(ImproperlyConfigured):
        registry.counter_action("no_label_here", replace(spec, label=""))
    with pytest.raises(ImproperlyConfigured):  # a taken code under another label
        counter_models.counter_action_label_register("payout_open", "别的业务")
    counter_models.counter_action_label_register("payout_open", "存本取息开户")  # same: harmless
    added = registry.counter_action("card_issue_x", replace(spec, label="信用卡发卡"))
    assert added.label == "信用卡发卡" and ("card_issue_x", "信用卡发卡") in counter_action_choices()


# --- the snapshot from the database and the pages ---------------------------------------------


@pytest.mark.django_db
def test_the_snapshot_reads_the_customer(bank, teller_hf, tools, django_assert_num_queries):
    user = register("张伟", teller_hf, tool_kind=ToolKind.USBKEY, cert_password="Cert2026")
    SecurityTool.objects.filter(user=user).update(status=ToolStatus.LOCKED)
    with django_assert_num_queries(3):
        state = customer_state_read(customer=bank["张伟"])
    assert state.user == user and state.usbkey_locked and state.active
    assert fx.card_of("张伟").number in [m.number for m in state.registrable_media]


def _action_url(customer, action):
    return reverse("admin:counter_action", kwargs={"customer_id": customer.pk, "action": action})


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["login_unlock", "tool_unlock", "resume", "register",
                                    "tool_replace", "tool_cancel"])
def test_an_action_that_does_not_apply_is_refused_when_posted_directly(client, bank, teller_hf,
                                                                       action):
    register("张伟", teller_hf)  # active, no tool, not locked
    receipts = CounterReceipt.objects.count()
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    otp_login(client, teller_hf)
    menu_url = reverse("admin:counter_menu", kwargs={"customer_id": bank["张伟"].pk})
    shown = client.get(_action_url(bank["张伟"], action))
    assert shown.status_code == 302 and shown["Location"] == menu_url
    posted = client.post(_action_url(bank["张伟"], action),
                         {**ident("张伟"), "id_copy_received": "on", "kind": ToolKind.USBKEY,
                          "reason": "lost"}, follow=True)
    page = posted.content.decode()
    assert f"当前不能办理{CounterAction(action).label}" in page
    assert COUNTER_ACTIONS[action].unavailable in page
    assert CounterReceipt.objects.count() == receipts
    assert not AuditEvent.objects.filter(action=f"counter_{action}", pk__gt=last_audit).exists()


@pytest.mark.django_db
def test_the_menu_offers_certificate_unlock_only_once_the_usbkey_is_locked(client, bank,
                                                                          teller_hf):
    user = register("张伟", teller_hf, tool_kind=ToolKind.USBKEY, cert_password="Cert2026")
    otp_login(client, teller_hf)
    menu_url = reverse("admin:counter_menu", kwargs={"customer_id": bank["张伟"].pk})
    unlock_url = _action_url(bank["张伟"], "tool_unlock")
    assert unlock_url not in client.get(menu_url).content.decode()
    SecurityTool.objects.filter(user=user).update(status=ToolStatus.LOCKED, password_failures=6)
    assert unlock_url in client.get(menu_url).content.decode()
    done = client.post(unlock_url, {**ident("张伟"), "id_copy_received": "on"})
    assert done.status_code == 302 and "/receipt/" in done["Location"]
    assert unlock_url not in client.get(menu_url).content.decode()
