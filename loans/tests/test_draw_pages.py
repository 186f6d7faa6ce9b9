"""个人贷款发放 (LN-DRAW) through its pages and X-CONFIRM: the drawable approvals, 发放金额, the
电子借据 in full before anything moves, 本人已阅读并同意电子借据, the confirmation (交易密码 + tool),
the money on the account and in 贷款本金, one 借据 per drawdown, the refusals in words."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Receipt
from ebank.core.errors import BusinessError
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import LedgerAccount
from loans.draw import services
from loans.models import Instalment, Loan, LoanBook
from security.confirm.registry import TOOL_REQUIRED_MESSAGE, operation_kind_get
from security.models import OperationStatus, PendingOperation
from tests.customer_world import balance, confirm

from .support import application_approved, shanghai

pytestmark = pytest.mark.django_db

D = Decimal
DAY = date(2026, 1, 21)   # the repayment day: a whole first month


@pytest.fixture
def at_day():
    with time_machine.travel(shanghai(DAY), tick=False):
        yield


@pytest.fixture
def approval(world):
    return application_approved(user=world.zhang, account=world.main(world.zhang_card),
                                product=world.product)


def _book(code):
    return LedgerAccount.objects.get(pk=bank_book_id(code)).balance


def _form_url(application):
    return reverse("loans:draw_form", kwargs={"pk": application.pk})


def _iou(client, application, amount):
    return client.post(_form_url(application), {"step": "iou", "amount": amount})


def _agree(client, application, amount, agree=True):
    data = {"step": "agree", "amount": amount}
    if agree:
        data["agree"] = "on"
    return client.post(_form_url(application), data)


def _refused(operation, user, words):
    """The confirmation refuses with ``words``; the operation stays FAILED with them."""
    with pytest.raises(BusinessError, match=words):
        confirm(operation, user=user)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED and operation.failure_reason == words
    assert operation.result == {}


def _draw(client, world, application, amount):
    response = _agree(client, application, amount)
    operation = PendingOperation.objects.filter(kind=services.KIND_DRAW).latest("id")
    assert response.status_code == 302
    assert response.url == reverse("security:confirm", args=[operation.public_id])
    return confirm(operation, user=world.zhang)


def test_the_kind_asks_the_pin_and_a_tool_never_sms():
    spec = operation_kind_get(services.KIND_DRAW)
    assert (spec.title, spec.requires_pin, spec.requires_tool, spec.allow_sms) == (
        "个人贷款发放", True, True, False)


def test_the_list_shows_what_may_still_be_drawn(client, world, approval, at_day):
    expired = application_approved(user=world.zhang, account=world.main(world.zhang_card),
                                   product=world.product, amount="30000.00", valid_days=10)
    client.force_login(world.zhang)
    body = client.get(reverse("loans:draw")).content.decode()
    assert approval.number in body and expired.number not in body
    for text in ("¥100,000.00", "¥0.00", "12个月", "3.60%", "等额本息", "2026-04-05",
                 _form_url(approval)):
        assert text in body
    assert TOOL_REQUIRED_MESSAGE not in body


def test_the_iou_is_shown_in_full_before_anything_moves(client, world, approval, at_day):
    client.force_login(world.zhang)
    page = client.get(_form_url(approval)).content.decode()
    assert 'value="100000.00"' in page and "¥100,000.00" in page   # all that is left, by default
    shown = _iou(client, approval, "100,000").content.decode()
    for text in ("电子借据", "放款时生成", "张伟", "¥100,000.00", "3.60%", "等额本息", "12个月",
                 "2026-01-21", "2027-01-21", "每月21日", world.zhang_card.masked_number,
                 "2026-02-21 ¥8,496.73", "待确认", "本人已阅读并同意电子借据", "第12期"):
        assert text in shown, text
    assert shown.count("<tr><td>第") == 12
    assert not PendingOperation.objects.exists() and not Loan.objects.exists()


def test_the_agreement_is_required(client, world, approval, at_day):
    client.force_login(world.zhang)
    response = _agree(client, approval, "100000.00", agree=False)
    body = response.content.decode()
    assert response.status_code == 200 and services.AGREE_REQUIRED in body
    assert "放款时生成" in body   # the 借据 is still on the page
    assert not PendingOperation.objects.exists()


def test_zhang_draws_and_the_money_arrives(client, world, approval, at_day):
    account = world.main(world.zhang_card)
    before = balance(account)
    client.force_login(world.zhang)
    _agree(client, approval, "60000.00")
    operation = PendingOperation.objects.get(kind=services.KIND_DRAW)
    page = client.get(reverse("security:confirm", args=[operation.public_id])).content.decode()
    assert "¥60,000.00" in page and "陆万元整" in page and "放款时生成" in page
    assert 'name="pin"' in page and "短信验证码" not in page
    back = client.get(_form_url(approval), {"from": operation.public_id}).content.decode()
    assert 'value="60000.00"' in back
    done = confirm(operation, user=world.zhang)
    assert done.status == OperationStatus.EXECUTED, done.failure_reason
    loan = Loan.objects.get()
    assert (loan.amount, loan.principal_owed, loan.draw_date) == (D("60000.00"), D("60000.00"),
                                                                 DAY)
    assert balance(account) == before + D("60000.00")
    assert _book(LoanBook.PRINCIPAL) == D("60000.00")
    assert Instalment.objects.filter(loan=loan).count() == 12
    assert Receipt.objects.filter(entry_id=loan.draw_entry_id, sub_account=account).exists()
    approval.refresh_from_db()
    assert approval.drawn_amount == D("60000.00") and approval.available == D("40000.00")
    result = client.get(reverse("security:confirm_result", args=[operation.public_id]))
    body = result.content.decode()
    for text in ("放款成功", loan.number, "¥60,000.00", "查看电子回单", "查看还款计划",
                 reverse("loans:detail", kwargs={"pk": loan.pk})):
        assert text in body, text


def test_two_partial_draws_make_two_ious(client, world, approval, at_day):
    client.force_login(world.zhang)
    assert _draw(client, world, approval, "60000.00").status == OperationStatus.EXECUTED
    with time_machine.travel(shanghai(date(2026, 2, 3)), tick=False):
        client.force_login(world.zhang)   # a new day, a new session
        done = _draw(client, world, approval, "40000.00")
        assert done.status == OperationStatus.EXECUTED, done.failure_reason
        assert approval.number not in client.get(reverse("loans:draw")).content.decode()
    first, second = Loan.objects.order_by("id")
    assert first.number != second.number
    assert (first.amount, second.amount) == (D("60000.00"), D("40000.00"))
    assert second.draw_date == date(2026, 2, 3)
    assert second.instalments.order_by("number").first().due_date == date(2026, 3, 21)
    assert _book(LoanBook.PRINCIPAL) == D("100000.00")
    approval.refresh_from_db()
    assert approval.available == 0
    page = client.get(_form_url(approval)).content.decode()
    assert services.NOTHING_LEFT in page and 'id="loans-draw-form"' not in page


def test_an_amount_over_what_is_left_is_refused_and_kept(client, world, approval, at_day):
    client.force_login(world.zhang)
    body = _iou(client, approval, "100,000.01").content.decode()
    assert "发放金额不能超过可发放金额¥100,000.00" in body and 'value="100,000.01"' in body
    assert "放款时生成" not in body
    for typed, words in (("", "请输入发放金额"), ("abc", "请输入正确的发放金额"),
                         ("0", "发放金额"), ("500", "发放金额不能低于¥1,000.00")):
        body = _iou(client, approval, typed).content.decode()
        assert words in body, typed
    # A tampered hidden amount on the 借据 page is refused the same way.
    body = _agree(client, approval, "200000.00").content.decode()
    assert "发放金额不能超过可发放金额" in body
    assert not PendingOperation.objects.exists()


def test_a_last_remainder_below_the_minimum_may_be_drawn(client, world, approval, at_day):
    client.force_login(world.zhang)
    assert _draw(client, world, approval, "99200.00").status == OperationStatus.EXECUTED
    assert "发放金额不能低于" in _iou(client, approval, "300").content.decode()
    assert _draw(client, world, approval, "800.00").status == OperationStatus.EXECUTED
    assert Loan.objects.count() == 2


def test_li_without_a_tool_is_told(client, world, at_day):
    application = application_approved(user=world.li, account=world.main(world.li_card),
                                       product=world.product)
    client.force_login(world.li)
    assert TOOL_REQUIRED_MESSAGE in client.get(reverse("loans:draw")).content.decode()
    page = client.get(_form_url(application)).content.decode()
    assert TOOL_REQUIRED_MESSAGE in page and 'id="loans-draw-form"' not in page
    response = _agree(client, application, "10000.00")
    assert response.status_code == 200 and TOOL_REQUIRED_MESSAGE in response.content.decode()
    with pytest.raises(Exception, match="USBKey"):
        services.draw_start(user=world.li, application=application, amount=D("10000.00"))
    assert not PendingOperation.objects.exists() and not Loan.objects.exists()


def test_an_expired_approval_is_refused(client, world, at_day):
    expired = application_approved(user=world.zhang, account=world.main(world.zhang_card),
                                   product=world.product, valid_days=10)
    client.force_login(world.zhang)
    page = client.get(_form_url(expired)).content.decode()
    assert services.EXPIRED in page and 'id="loans-draw-form"' not in page
    response = _agree(client, expired, "10000.00")
    assert services.EXPIRED in response.content.decode()
    assert not PendingOperation.objects.exists()


def test_an_approval_expiring_before_the_confirmation_is_refused(client, world):
    approval = application_approved(user=world.zhang, account=world.main(world.zhang_card),
                                    product=world.product, valid_days=16)   # until 01-21
    client.force_login(world.zhang)
    with time_machine.travel(shanghai(DAY, 23, 58), tick=False):
        _agree(client, approval, "10000.00")
    operation = PendingOperation.objects.get()
    with time_machine.travel(shanghai(date(2026, 1, 22), 0, 1), tick=False):
        _refused(operation, world.zhang, services.EXPIRED)
    assert not Loan.objects.exists()


def test_changed_terms_are_refused_at_the_confirmation(client, world, approval, at_day):
    client.force_login(world.zhang)
    _agree(client, approval, "10000.00")
    operation = PendingOperation.objects.get()
    approval.annual_rate = D("3.8500")
    approval.save(update_fields=["annual_rate"])
    _refused(operation, world.zhang, services.TERMS_CHANGED)
    assert not Loan.objects.exists()


def test_what_was_drawn_meanwhile_is_counted_at_the_confirmation(client, world, approval,
                                                                  at_day):
    client.force_login(world.zhang)
    _agree(client, approval, "60000.00")
    first = PendingOperation.objects.get()
    _agree(client, approval, "60000.00")
    second = PendingOperation.objects.exclude(pk=first.pk).get()
    assert confirm(first, user=world.zhang).status == OperationStatus.EXECUTED
    _refused(second, world.zhang, "发放金额不能超过可发放金额¥40,000.00")
    assert Loan.objects.count() == 1


def test_a_closed_repayment_account_is_refused(client, world, approval, at_day):
    from accounts.models import SubAccountStatus

    client.force_login(world.zhang)
    _agree(client, approval, "10000.00")
    operation = PendingOperation.objects.get()
    account = world.main(world.zhang_card)
    account.status = SubAccountStatus.CLOSED
    account.save(update_fields=["status"])
    _refused(operation, world.zhang, "还款账户已销户")
    assert not Loan.objects.exists()


def test_another_customers_application_is_404(client, world, approval, at_day):
    client.force_login(world.li)
    assert client.get(_form_url(approval)).status_code == 404
    assert _agree(client, approval, "10000.00").status_code == 404
    assert not PendingOperation.objects.exists()
