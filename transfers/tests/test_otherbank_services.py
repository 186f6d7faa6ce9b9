"""他行账户管理 (ACC-OTHERBANK): signing at the simulated other bank, 签约协议管理, 他行账户查询,
操作记录 — and every refusal of the simulator (refuse, time out, revoke)."""

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from ebank.core.errors import BusinessError
from ebank.otherbanks.adapters import get_otherbank_adapter
from ebank.otherbanks.models import SimAgreement, SimAgreementStatus, SimBehaviour
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.models import OperationStatus
from transfers.models import (
    OtherBankAgreement,
    OtherBankAgreementStatus,
    OtherBankKind,
    OtherBankLogKind,
    OtherBankOperationLog,
    OtherBankSigning,
)
from transfers.otherbank import services as ob

from .test_otherbank_support import (
    CALLBACK,
    LI_CARD,
    ZHANG_CARD,
    World,
    complete_at_sim,
    confirm,
    obw_fixture,  # noqa: F401 - the "obw" fixture
    sign,
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db


def test_a_query_agreement_is_signed_at_the_other_bank_and_stored_here(obw):
    agreement = sign(obw, kind=OtherBankKind.QUERY)
    assert agreement.kind == OtherBankKind.QUERY
    assert agreement.bank_name == "中国工商银行"
    assert agreement.account_number == ZHANG_CARD
    assert agreement.single_limit is None and agreement.valid_until == date(2027, 6, 10)
    assert agreement.status == OtherBankAgreementStatus.ACTIVE
    sim = SimAgreement.objects.get(external_id=agreement.external_id)
    assert sim.status == SimAgreementStatus.ACTIVE
    log = OtherBankOperationLog.objects.get(kind=OtherBankLogKind.AGREEMENT)
    assert log.succeeded and log.action == "账户信息查询协议签约"


def test_a_payment_agreement_needs_the_pin_and_a_tool_first(obw):
    agreement = sign(obw, kind=OtherBankKind.PAY, single="20000.00", daily="30000.00")
    assert (agreement.single_limit, agreement.daily_limit) == (Decimal("20000.00"),
                                                               Decimal("30000.00"))
    # 李娜 holds no USBKey or token: refused before anything is shown.
    with pytest.raises(BusinessError) as refused:
        ob.pay_signing_start(user=obw.li, bank_code="105",
                             sub_account_id=World.main(obw.li_card).pk, return_url=CALLBACK,
                             back_url="/transfers/otherbank")
    assert refused.value.message == TOOL_REQUIRED_MESSAGE


def test_a_wrong_pin_opens_no_signing(obw):
    operation = ob.pay_signing_start(user=obw.zhang, bank_code="102",
                                     sub_account_id=World.main(obw.zhang_card).pk,
                                     return_url=CALLBACK, back_url="/transfers/otherbank")
    with pytest.raises(BusinessError):
        confirm(operation, user=obw.zhang, pin="000000")
    operation.refresh_from_db()
    assert operation.status != OperationStatus.EXECUTED
    assert not OtherBankSigning.objects.exists()


def test_the_card_must_be_the_customers_own_same_name_and_id_number(obw):
    signing = ob.query_signing_start(user=obw.zhang, bank_code="105", return_url=CALLBACK)
    # 李娜's 建设银行 card: another holder than the customer our bank sent.
    with pytest.raises(BusinessError, match="户名、证件号码与网上银行客户信息不一致"):
        complete_at_sim(signing, card=LI_CARD, single=None, daily=None)


def test_a_wrong_card_password_is_refused(obw):
    signing = ob.query_signing_start(user=obw.zhang, bank_code="102", return_url=CALLBACK)
    with pytest.raises(BusinessError, match="卡号或密码错误"):
        complete_at_sim(signing, password="999999", single=None, daily=None)


def test_the_limits_and_validity_are_checked_at_the_other_bank(obw):
    signing = ob.query_signing_start(user=obw.zhang, bank_code="102", return_url=CALLBACK)
    operation = ob.pay_signing_start(user=obw.zhang, bank_code="102",
                                     sub_account_id=World.main(obw.zhang_card).pk,
                                     return_url=CALLBACK, back_url="/transfers/otherbank")
    confirm(operation, user=obw.zhang)
    pay = OtherBankSigning.objects.get(operation=operation)
    with pytest.raises(BusinessError, match="单笔限额不能大于日累计限额"):
        complete_at_sim(pay, single="5000.00", daily="1000.00")
    with pytest.raises(BusinessError, match="协议有效期须晚于今日"):
        complete_at_sim(signing, single=None, daily=None, valid_until=date(2026, 6, 10))


def test_a_tampered_or_foreign_result_is_refused(obw):
    signing = ob.query_signing_start(user=obw.zhang, bank_code="102", return_url=CALLBACK)
    result = complete_at_sim(signing, single=None, daily=None)
    with pytest.raises(BusinessError, match="签约结果无效"):
        ob.signing_finish(user=obw.zhang, result_text=result[:-2] + "xx")
    with pytest.raises(Http404):
        ob.signing_finish(user=obw.li, result_text=result)
    assert not OtherBankAgreement.objects.exists()
    # The right customer, twice: one agreement.
    first = ob.signing_finish(user=obw.zhang, result_text=result)
    assert ob.signing_finish(user=obw.zhang, result_text=result) == first
    assert OtherBankAgreement.objects.count() == 1


def test_a_second_agreement_of_the_same_kind_on_the_card_is_refused(obw):
    sign(obw, kind=OtherBankKind.QUERY)
    signing = ob.query_signing_start(user=obw.zhang, bank_code="102", return_url=CALLBACK)
    with pytest.raises(BusinessError, match="请勿重复签约"):
        complete_at_sim(signing, single=None, daily=None)


def test_cancel_at_the_other_bank_stores_nothing(obw):
    from urllib.parse import parse_qs, urlparse

    from ebank.otherbanks.simulator import signing_abandon, signing_for_ticket

    signing = ob.query_signing_start(user=obw.zhang, bank_code="102", return_url=CALLBACK)
    ticket = parse_qs(urlparse(signing.sign_url).query)["ticket"][0]
    url = signing_abandon(token=signing_for_ticket(ticket).token)
    result = parse_qs(urlparse(url).query)["result"][0]
    assert ob.signing_finish(user=obw.zhang, result_text=result) is None
    assert not OtherBankAgreement.objects.exists()
    assert not OtherBankOperationLog.objects.get().succeeded


def test_cancel_ends_the_agreement_at_both_banks(obw):
    agreement = sign(obw, kind=OtherBankKind.QUERY)
    ob.agreement_cancel(user=obw.zhang, pk=agreement.pk)
    agreement.refresh_from_db()
    assert agreement.status == OtherBankAgreementStatus.CANCELLED
    assert SimAgreement.objects.get(external_id=agreement.external_id).status == \
        SimAgreementStatus.CANCELLED
    with pytest.raises(BusinessError, match="已解约"):
        ob.agreement_cancel(user=obw.zhang, pk=agreement.pk)


@pytest.mark.parametrize(("behaviour", "message"), [
    (SimBehaviour.REFUSE, "他行系统拒绝交易"),
    (SimBehaviour.TIMEOUT, "他行系统响应超时"),
])
def test_cancel_refused_or_unanswered_changes_nothing(obw, behaviour, message):
    agreement = sign(obw, kind=OtherBankKind.QUERY)
    get_otherbank_adapter().behave(ZHANG_CARD, behaviour)
    with pytest.raises(BusinessError, match=message):
        ob.agreement_cancel(user=obw.zhang, pk=agreement.pk)
    agreement.refresh_from_db()
    assert agreement.status == OtherBankAgreementStatus.ACTIVE
    log = OtherBankOperationLog.objects.filter(action__endswith="解约").get()
    assert not log.succeeded


def test_balance_and_history_through_the_query_agreement(obw):
    agreement = sign(obw, kind=OtherBankKind.QUERY)
    answer = ob.balance_query(user=obw.zhang, pk=agreement.pk, date_from=date(2026, 5, 1),
                              date_to=date(2026, 6, 10))
    assert answer.error == ""
    assert answer.balance.balance == Decimal("30000.00")
    assert [row.summary for row in answer.rows] == ["转账", "消费", "工资"]
    assert answer.rows[0].balance_after == Decimal("30000.00")
    log = OtherBankOperationLog.objects.get(kind=OtherBankLogKind.QUERY)
    assert log.succeeded


@pytest.mark.parametrize(("behaviour", "message", "status"), [
    (SimBehaviour.REFUSE, "他行系统拒绝交易", OtherBankAgreementStatus.ACTIVE),
    (SimBehaviour.TIMEOUT, "他行系统响应超时，请稍后再试", OtherBankAgreementStatus.ACTIVE),
    (SimBehaviour.REVOKE, "他行已解约", OtherBankAgreementStatus.REVOKED),
])
def test_every_refusal_of_the_query_is_shown_and_logged(obw, behaviour, message, status):
    agreement = sign(obw, kind=OtherBankKind.QUERY)
    get_otherbank_adapter().behave("102", behaviour)  # the whole bank this time
    answer = ob.balance_query(user=obw.zhang, pk=agreement.pk, date_from=date(2026, 6, 1),
                              date_to=date(2026, 6, 10))
    assert answer.error == message and answer.balance is None
    agreement.refresh_from_db()
    assert agreement.status == status
    assert not OtherBankOperationLog.objects.get(kind=OtherBankLogKind.QUERY).succeeded


def test_another_customers_agreement_is_404(obw):
    agreement = sign(obw, kind=OtherBankKind.QUERY)
    with pytest.raises(Http404):
        ob.agreement_cancel(user=obw.li, pk=agreement.pk)
    with pytest.raises(Http404):
        ob.balance_query(user=obw.li, pk=agreement.pk, date_from=date(2026, 6, 1),
                         date_to=date(2026, 6, 10))
    agreement.refresh_from_db()
    assert agreement.status == OtherBankAgreementStatus.ACTIVE


def test_the_log_filters_by_kind_and_date(obw):
    agreement = sign(obw, kind=OtherBankKind.QUERY)
    ob.balance_query(user=obw.zhang, pk=agreement.pk, date_from=date(2026, 6, 1),
                     date_to=date(2026, 6, 10))
    rows = ob.log_rows(customer=obw.zhang_customer, date_from=date(2026, 6, 10),
                       date_to=date(2026, 6, 10), kind=OtherBankLogKind.QUERY)
    assert [r.action for r in rows] == ["余额及明细查询"]
    assert len(ob.log_rows(customer=obw.zhang_customer, date_from=date(2026, 6, 10),
                           date_to=date(2026, 6, 10))) == 2
    assert ob.log_rows(customer=obw.zhang_customer, date_from=date(2026, 6, 11),
                       date_to=date(2026, 6, 12)) == []
    assert ob.log_rows(customer=obw.li_customer, date_from=date(2026, 6, 10),
                       date_to=date(2026, 6, 10)) == []


@pytest.mark.parametrize(("behaviour", "message"), [
    (SimBehaviour.REFUSE, "该卡暂停网上签约"),
    (SimBehaviour.TIMEOUT, "系统繁忙，请稍后再试"),
])
def test_a_refusing_or_silent_bank_signs_nothing(obw, behaviour, message):
    get_otherbank_adapter().behave(ZHANG_CARD, behaviour, "该卡暂停网上签约")
    signing = ob.query_signing_start(user=obw.zhang, bank_code="102", return_url=CALLBACK)
    with pytest.raises(BusinessError, match=message):
        complete_at_sim(signing, single=None, daily=None)
    assert not SimAgreement.objects.exists()


# --- hardening: expiry, ID number, card lock ---------------------------------------------------


def test_an_expired_signing_is_refused_when_it_comes_back(obw):
    import time_machine

    from .test_otherbank_support import NOW

    signing = ob.query_signing_start(user=obw.zhang, bank_code="102", return_url=CALLBACK)
    result = complete_at_sim(signing, single=None, daily=None)
    OtherBankSigning.objects.filter(pk=signing.pk).update(expires_at=NOW)
    with time_machine.travel(NOW.replace(minute=1), tick=False):
        with pytest.raises(BusinessError, match="签约请求已超过15分钟"):
            ob.signing_callback_read(customer=obw.zhang_customer, result_text=result)
        with pytest.raises(BusinessError, match="签约请求已超过15分钟"):
            ob.signing_finish(user=obw.zhang, result_text=result)
    assert not OtherBankAgreement.objects.exists()


def test_the_id_number_must_match_too(obw):
    from ebank.otherbanks.models import SimAccount

    signing = ob.query_signing_start(user=obw.zhang, bank_code="102", return_url=CALLBACK)
    result = complete_at_sim(signing, single=None, daily=None)
    # The other bank now holds another ID number for the card (same name).
    SimAccount.objects.filter(number="6222020200112233445").update(id_digest="0" * 64)
    with pytest.raises(BusinessError, match="不一致"):
        ob.signing_finish(user=obw.zhang, result_text=result)
    assert not OtherBankAgreement.objects.exists()


def test_five_wrong_card_passwords_lock_the_card(obw):
    signing = ob.query_signing_start(user=obw.zhang, bank_code="102", return_url=CALLBACK)
    for left in (4, 3, 2, 1):
        with pytest.raises(BusinessError, match=f"还可以尝试{left}次"):
            complete_at_sim(signing, password="999999", single=None, daily=None)
    with pytest.raises(BusinessError, match="该卡已被锁定"):
        complete_at_sim(signing, password="999999", single=None, daily=None)
    with pytest.raises(BusinessError, match="该卡已被锁定"):
        complete_at_sim(signing, single=None, daily=None)  # even the right one now
