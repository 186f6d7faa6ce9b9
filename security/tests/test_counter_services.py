"""Counter services (STF-REGISTER … STF-RESET): happy paths, refusals, fee through the ledger."""

import json
import re
from decimal import Decimal
from importlib import import_module

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import LinkedMedium, MediumStatus
from accounts.selectors import current_main_account
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent, AuditOutcome
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import BusinessType, Entry, LedgerAccount, Posting
from ebank.ledger.selectors import ledger_violations
from security.models import (
    CounterAction,
    CounterReceipt,
    RegistrationChannel,
    SecurityTool,
    ToolKind,
    ToolRegisterAction,
    ToolRegisterEntry,
    ToolReplaceReason,
    ToolStatus,
    User,
    UserStatus,
)
from security.staff.counter import services as counter
from security.staff.counter.common import counter_refusal_record

from . import test_counter_fixtures as fx
from .test_counter_fixtures import PASSWORD, card_of, ident, register

# Shared fixtures (pytest finds them by these module-level names).
bank = fx.bank
hq = fx.hq
teller_hf = fx.teller_hf
teller_wh = fx.teller_wh
tools = fx.tools

pytestmark = pytest.mark.django_db


def _fee_income() -> Decimal:
    return LedgerAccount.objects.get(code=BankBook.FEE_INCOME).balance


def _main_balance(name: str) -> Decimal:
    return current_main_account(medium_number=card_of(name).number).ledger_account.balance


# --- STF-REGISTER ---------------------------------------------------------------------------------


def test_counter_registration_without_tool(bank, teller_hf):
    zhang, card = bank["张伟"], card_of("张伟")
    receipt = counter.counter_register(acting_user=teller_hf, customer=zhang, medium=card,
                                       **ident("张伟"), initial_password=PASSWORD)

    user = User.objects.get(customer=zhang)
    assert user.username == card.number  # first login name = the card number (§7)
    assert user.check_password(PASSWORD)
    assert user.must_change_password
    assert (user.status, user.registration_channel) == (UserStatus.ACTIVE,
                                                        RegistrationChannel.COUNTER)
    assert user.registered_by == teller_hf
    link = LinkedMedium.objects.get(customer=zhang)
    assert (link.medium, link.position) == (card, 1)

    assert re.fullmatch(rf"SL{timezone.localdate():%Y%m%d}\d{{6}}", receipt.number)
    assert (receipt.action, receipt.staff, receipt.branch.code) == (CounterAction.REGISTER,
                                                                    teller_hf, "340101")
    printed = json.dumps(receipt.detail, ensure_ascii=False)
    assert card.number not in printed and ident("张伟")["id_number"] not in printed
    assert PASSWORD not in printed
    assert receipt.detail["card_number_masked"] == "6226 **** **** 0013"
    audit = AuditEvent.objects.get(action="counter_register")
    assert (audit.actor, audit.customer_id, audit.outcome) == (teller_hf, zhang.pk,
                                                               AuditOutcome.SUCCESS)
    assert audit.object_ref == f"counter_receipt:{receipt.number}"
    assert not ToolRegisterEntry.objects.exists()


def test_registration_with_usbkey_charges_the_fee_through_the_ledger(bank, teller_hf):
    before, income_before = _main_balance("张伟"), _fee_income()
    receipt = counter.counter_register(
        acting_user=teller_hf, customer=bank["张伟"], medium=card_of("张伟"), **ident("张伟"),
        initial_password=PASSWORD, tool_kind=ToolKind.USBKEY, cert_password="Cert2026")

    fee = settings.TOOL_FEE_USBKEY
    tool = SecurityTool.objects.get(user__customer=bank["张伟"])
    assert (tool.kind, tool.status) == (ToolKind.USBKEY, ToolStatus.ACTIVE)
    entry = Entry.objects.get(business_type=BusinessType.FEE)
    assert entry.reference == f"counter_receipt:{receipt.number}"
    postings = {(p.account.code, p.side, p.amount) for p in Posting.objects.filter(entry=entry)
                .select_related("account")}
    main = current_main_account(medium_number=card_of("张伟").number).ledger_account
    assert postings == {(main.code, "D", fee), (BankBook.FEE_INCOME, "C", fee)}
    assert _main_balance("张伟") == before - fee
    assert _fee_income() == income_before + fee
    line = ToolRegisterEntry.objects.get()
    assert (line.tool, line.action, line.fee, line.fee_entry_id, line.staff) == (
        tool, ToolRegisterAction.ISSUE, fee, entry.pk, teller_hf)
    assert ["手续费", "¥60.00（大写：陆拾元整）"] in receipt.detail["items"]
    assert ledger_violations() == []
    assert bank_book_id(BankBook.FEE_INCOME) == LedgerAccount.objects.get(
        code=BankBook.FEE_INCOME).pk


def test_registration_with_token(bank, teller_hf, tools):
    counter.counter_register(acting_user=teller_hf, customer=bank["李娜"], medium=card_of("李娜"),
                             **ident("李娜"), initial_password=PASSWORD,
                             tool_kind=ToolKind.TOKEN)
    user = User.objects.get(customer=bank["李娜"])
    token = tools.tool_for(user=user, kind=ToolKind.TOKEN)
    assert token is not None and token.totp_device is not None
    assert len(tools.token_secret_base32(tool=token)) >= 16
    assert ToolRegisterEntry.objects.get().fee == settings.TOOL_FEE_TOKEN
    assert ledger_violations() == []


@pytest.mark.parametrize("change, message", [
    ({"id_number": "340104198503123510"}, "证件类型或证件号码与客户信息不符"),
    ({"id_type": "02"}, "证件类型或证件号码与客户信息不符"),
    ({"id_copy_received": False}, "复印件"),
])
def test_registration_refuses_a_wrong_identity(bank, teller_hf, change, message):
    with pytest.raises(BusinessError, match=message):
        counter.counter_register(acting_user=teller_hf, customer=bank["张伟"],
                                 medium=card_of("张伟"), **ident("张伟", **change),
                                 initial_password=PASSWORD)
    assert not User.objects.filter(customer=bank["张伟"]).exists()
    assert not CounterReceipt.objects.exists()
    assert not AuditEvent.objects.filter(action="counter_register").exists()


def test_registration_refuses_another_customers_card_and_a_medium_not_normal(bank, teller_hf):
    with pytest.raises(BusinessError, match="不属于该客户"):
        counter.counter_register(acting_user=teller_hf, customer=bank["张伟"],
                                 medium=card_of("李娜"), **ident("张伟"),
                                 initial_password=PASSWORD)
    card = card_of("张伟")
    card.status = MediumStatus.ORAL_LOSS
    card.save(update_fields=["status"])
    with pytest.raises(BusinessError, match="口头挂失"):
        counter.counter_register(acting_user=teller_hf, customer=bank["张伟"], medium=card,
                                 **ident("张伟"), initial_password=PASSWORD)
    assert not User.objects.filter(customer=bank["张伟"]).exists()


def test_registration_refuses_an_already_registered_customer(bank, teller_hf):
    register("张伟", teller_hf)
    with pytest.raises(BusinessError, match="已开通网上银行"):
        register("张伟", teller_hf)
    assert CounterReceipt.objects.count() == 1


def test_registration_refuses_a_weak_password(bank, teller_hf):
    with pytest.raises(BusinessError):
        counter.counter_register(acting_user=teller_hf, customer=bank["张伟"],
                                 medium=card_of("张伟"), **ident("张伟"),
                                 initial_password="12345678")
    assert not User.objects.filter(customer=bank["张伟"]).exists()


def test_another_branch_cannot_act_and_head_office_can(bank, teller_wh, hq):
    with pytest.raises(PermissionDenied):
        register("张伟", teller_wh)
    assert not User.objects.filter(customer=bank["张伟"]).exists()
    user = register("张伟", hq)  # head office acts on every branch
    assert user.registered_by == hq
    assert CounterReceipt.objects.get().branch.code == "340000"
    with pytest.raises(PermissionDenied):
        counter.counter_query(acting_user=teller_wh, customer=bank["张伟"], **ident("张伟"))


def test_a_customer_cannot_act_at_the_counter(bank, teller_hf):
    customer_user = register("李娜", teller_hf)
    customer_user.is_staff = True  # even a misconfigured flag does not make a customer a teller
    with pytest.raises(PermissionDenied):
        register("张伟", customer_user)


def test_a_fee_the_account_cannot_pay_leaves_nothing_behind(bank, teller_hf, settings):
    settings.TOOL_FEE_USBKEY = Decimal("900000.00")
    with pytest.raises(BusinessError, match="余额不足"):
        register("张伟", teller_hf, tool_kind=ToolKind.USBKEY, cert_password="Cert2026")
    assert not User.objects.filter(customer=bank["张伟"]).exists()
    assert not SecurityTool.objects.exists() and not Entry.objects.filter(
        business_type=BusinessType.FEE).exists()
    assert ledger_violations() == []


# --- STF-QUERY, STF-SUSPEND, 恢复, STF-CANCEL ------------------------------------------------------


def test_query_prints_the_registration(bank, teller_hf):
    register("张伟", teller_hf, tool_kind=ToolKind.USBKEY, cert_password="Cert2026")
    receipt = counter.counter_query(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"))
    items = dict(receipt.detail["items"])
    assert items["网银状态"] == "正常" and items["注册渠道"] == "柜面注册"
    assert items["登录名"] == "6226 **** **** 0013"
    assert "USBKey" in items["安全认证工具"]
    assert AuditEvent.objects.filter(action="counter_query", actor=teller_hf).exists()


def test_suspended_user_can_only_be_resumed_or_cancelled(bank, teller_hf):
    user = register("张伟", teller_hf)
    counter.counter_suspend(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"))
    user.refresh_from_db()
    assert user.status == UserStatus.SUSPENDED
    for refused in (
        lambda: counter.counter_tool_issue(acting_user=teller_hf, customer=bank["张伟"],
                                           **ident("张伟"), kind=ToolKind.TOKEN,
                                           fee_medium=card_of("张伟")),
        lambda: counter.counter_password_reset(acting_user=teller_hf, customer=bank["张伟"],
                                               **ident("张伟"), new_password="New#pass-2026"),
        lambda: counter.counter_suspend(acting_user=teller_hf, customer=bank["张伟"],
                                        **ident("张伟")),
    ):
        with pytest.raises(BusinessError, match="暂停"):
            refused()
    counter.counter_resume(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"))
    user.refresh_from_db()
    assert user.status == UserStatus.ACTIVE
    with pytest.raises(BusinessError, match="未暂停"):
        counter.counter_resume(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"))
    actions = set(AuditEvent.objects.filter(outcome=AuditOutcome.SUCCESS)
                  .values_list("action", flat=True))
    assert {"counter_suspend", "counter_resume"} <= actions


def test_cancel_ends_tools_links_and_allows_registering_again(bank, teller_hf):
    user = register("张伟", teller_hf, tool_kind=ToolKind.USBKEY, cert_password="Cert2026")
    counter.counter_suspend(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"))
    receipt = counter.counter_cancel(acting_user=teller_hf, customer=bank["张伟"],
                                     **ident("张伟"))
    user.refresh_from_db()
    assert user.status == UserStatus.CANCELLED
    assert SecurityTool.objects.get(user=user).status == ToolStatus.CANCELLED
    assert ToolRegisterEntry.objects.filter(action=ToolRegisterAction.CANCEL).count() == 1
    assert not LinkedMedium.objects.filter(customer=bank["张伟"]).exists()
    assert receipt.action == CounterAction.CANCEL
    with pytest.raises(BusinessError, match="未开通"):
        counter.counter_cancel(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"))

    again = register("张伟", teller_hf)
    assert again.pk == user.pk and again.status == UserStatus.ACTIVE
    assert again.must_change_password
    assert LinkedMedium.objects.get(customer=bank["张伟"]).position == 1


# --- STF-TOOL --------------------------------------------------------------------------------------


def test_tool_issue_for_a_registered_user_and_no_second_one(bank, teller_hf):
    register("张伟", teller_hf)
    before = _main_balance("张伟")
    counter.counter_tool_issue(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                               kind=ToolKind.TOKEN, fee_medium=card_of("张伟"))
    assert _main_balance("张伟") == before - settings.TOOL_FEE_TOKEN
    with pytest.raises(BusinessError, match="已有数字令牌"):
        counter.counter_tool_issue(acting_user=teller_hf, customer=bank["张伟"],
                                   **ident("张伟"), kind=ToolKind.TOKEN,
                                   fee_medium=card_of("张伟"))
    with pytest.raises(BusinessError, match="不属于该客户"):
        counter.counter_tool_issue(acting_user=teller_hf, customer=bank["张伟"],
                                   **ident("张伟"), kind=ToolKind.USBKEY,
                                   fee_medium=card_of("李娜"), cert_password="Cert2026")
    assert ledger_violations() == []


@pytest.mark.parametrize("reason", ToolReplaceReason.values)
def test_tool_replacement_for_each_reason(bank, teller_hf, reason):
    user = register("张伟", teller_hf, tool_kind=ToolKind.USBKEY, cert_password="Cert2026")
    old = SecurityTool.objects.get(user=user)
    receipt = counter.counter_tool_replace(
        acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"), kind=ToolKind.USBKEY,
        reason=reason, fee_medium=card_of("张伟"), cert_password="Cert2027")
    old.refresh_from_db()
    assert old.status == ToolStatus.REPLACED
    new = SecurityTool.objects.get(user=user, status=ToolStatus.ACTIVE)
    assert new.pk != old.pk
    line = ToolRegisterEntry.objects.get(action=ToolRegisterAction.REPLACE)
    assert (line.tool, line.reason, line.fee) == (new, reason, settings.TOOL_FEE_USBKEY)
    assert ["更换原因", ToolReplaceReason(reason).label] in receipt.detail["items"]
    assert Entry.objects.filter(business_type=BusinessType.FEE).count() == 2
    assert ledger_violations() == []


def test_tool_cancel_and_unlock(bank, teller_hf):
    user = register("张伟", teller_hf, tool_kind=ToolKind.USBKEY, cert_password="Cert2026")
    with pytest.raises(BusinessError, match="未锁定"):
        counter.counter_tool_unlock(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"))
    SecurityTool.objects.filter(user=user).update(status=ToolStatus.LOCKED, password_failures=6)
    counter.counter_tool_unlock(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"))
    tool = SecurityTool.objects.get(user=user)
    assert (tool.status, tool.password_failures) == (ToolStatus.ACTIVE, 0)
    assert ToolRegisterEntry.objects.filter(action=ToolRegisterAction.UNLOCK).exists()

    counter.counter_tool_cancel(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                                kind=ToolKind.USBKEY)
    tool.refresh_from_db()
    assert tool.status == ToolStatus.CANCELLED
    with pytest.raises(BusinessError, match="没有可用的USBKey"):
        counter.counter_tool_cancel(acting_user=teller_hf, customer=bank["张伟"],
                                    **ident("张伟"), kind=ToolKind.USBKEY)


# --- STF-RESET -----------------------------------------------------------------------------------


def test_password_reset_forces_a_change_clears_the_lock_and_ends_the_session(bank, teller_hf):
    user = register("张伟", teller_hf)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["probe"] = 1
    store.create()
    User.objects.filter(pk=user.pk).update(
        must_change_password=False, failed_logins=5, login_locked_on=timezone.localdate(),
        live_session_key=store.session_key)

    counter.counter_password_reset(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                                   new_password="New#pass-2026")
    user.refresh_from_db()
    assert user.check_password("New#pass-2026") and not user.check_password(PASSWORD)
    assert user.must_change_password
    assert (user.failed_logins, user.login_locked_on, user.live_session_key) == (0, None, "")
    assert not import_module(settings.SESSION_ENGINE).SessionStore().exists(store.session_key)
    event = AuditEvent.objects.get(action="counter_password_reset")
    assert "New#pass-2026" not in json.dumps(event.detail)


def test_login_unlock(bank, teller_hf):
    user = register("张伟", teller_hf)
    with pytest.raises(BusinessError, match="未锁定"):
        counter.counter_login_unlock(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"))
    User.objects.filter(pk=user.pk).update(failed_logins=5, login_locked_on=timezone.localdate())
    counter.counter_login_unlock(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"))
    user.refresh_from_db()
    assert (user.failed_logins, user.login_locked_on) == (0, None)
    assert AuditEvent.objects.filter(action="counter_login_unlock", actor=teller_hf).exists()


def test_receipt_numbers_run_in_sequence(bank, teller_hf):
    register("张伟", teller_hf)
    numbers = [counter.counter_query(acting_user=teller_hf, customer=bank["张伟"],
                                     **ident("张伟")).number for _ in range(3)]
    first = CounterReceipt.objects.get(action=CounterAction.REGISTER).number
    sequence = [int(n[-6:]) for n in [first, *numbers]]
    assert sequence == [1, 2, 3, 4]


def test_a_refusal_is_audited_in_its_own_transaction(bank, teller_hf):
    counter_refusal_record(acting_user=teller_hf, customer=bank["张伟"],
                           action=CounterAction.REGISTER, reason="证件类型或证件号码与客户信息不符")
    event = AuditEvent.objects.get(action="counter_register")
    assert event.outcome == AuditOutcome.FAILURE and event.channel == "counter"


def test_a_tool_fee_sends_the_balance_change_sms_to_a_subscribed_account(bank, teller_hf,
                                                                          django_capture_on_commit_callbacks):
    from security.center.services import sms_subscribe
    from security.models import SmsMessage

    user = register("张伟", teller_hf)
    main = current_main_account(medium_number=card_of("张伟").number)
    sms_subscribe(user=user, sub_account=main, threshold=Decimal("10.00"), phone="13805510001")
    with django_capture_on_commit_callbacks(execute=True):
        counter.counter_tool_issue(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                                   kind=ToolKind.TOKEN, fee_medium=card_of("张伟"))
    alert = SmsMessage.objects.filter(phone="13805510001", purpose__startswith="balance").get()
    assert "30.00" in alert.text and "0013" in alert.text
    assert "6226790101000000013" not in alert.text
