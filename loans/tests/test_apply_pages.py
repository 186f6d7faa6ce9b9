"""个人贷款申请 (LN-APPLY): the form refuses in Chinese keeping what was typed, a customer without
a security tool is told and can file nothing, an application is filed only through X-CONFIRM
(交易密码 + USBKey), 我的贷款申请 shows it and 撤销 takes back one still waiting."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import MediumStatus
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from loans.apply import services
from loans.models import ApplicationStatus, LoanApplication, LoanProduct
from security.confirm.registry import TOOL_REQUIRED_MESSAGE, operation_kind_get
from security.models import OperationStatus, PendingOperation
from tests.customer_world import confirm

from .support import application_approved, shanghai

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def on_day():
    with time_machine.travel(shanghai(DAY, 10), tick=False):
        yield


def _form(world, payer=None, **changes) -> dict:
    payer = payer or world.main(world.zhang_card)
    data = {"product": str(world.product.pk), "amount": "100,000", "months": "12",
            "purpose": "装修", "method": "equal_instalment", "repayment_day": "21",
            "account": str(payer.pk)}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _post(client, data):
    return client.post(reverse("loans:apply"), data)


def test_the_kind_asks_the_pin_and_a_tool_never_sms():
    spec = operation_kind_get(services.KIND_APPLY)
    assert (spec.title, spec.requires_pin, spec.requires_tool, spec.allow_sms) == (
        "个人贷款申请", True, True, False)


def test_the_page_shows_the_shelf_and_the_form(client, world):
    client.force_login(world.zhang)
    page = client.get(reverse("loans:apply")).content.decode()
    for text in ("个人消费贷款", "PL01", "¥1,000.00", "¥500,000.00", "6、12、24、36个月",
                 "装修、购车、教育、旅游、其他消费", "3.60%起", 'id="loan-apply-form"',
                 "等额本息", "等额本金", reverse("loans:applications")):
        assert text in page, text


@pytest.mark.parametrize(("changes", "message"), [
    ({"amount": ""}, "请输入申请金额"),
    ({"amount": "五万"}, "请输入正确的金额"),
    ({"amount": "500"}, "申请金额不能低于¥1,000.00"),
    ({"amount": "600000"}, "申请金额不能超过¥500,000.00"),
    ({"months": "48"}, "请选择申请期限"),
    ({"purpose": None}, "请选择贷款用途"),
    ({"method": "balloon"}, "请选择还款方式"),
    ({"repayment_day": "32"}, "请选择每月还款日"),
    ({"account": "999999"}, "请选择您的关联账户"),
    ({"product": ""}, "请选择贷款产品"),
])
def test_bad_input_is_refused_in_chinese_and_kept(client, world, changes, message):
    client.force_login(world.zhang)
    response = _post(client, _form(world, **changes))
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    typed = changes.get("amount", "100,000")
    if typed:
        assert f'value="{typed}"' in body
    assert not PendingOperation.objects.exists() and not LoanApplication.objects.exists()


def test_a_term_or_purpose_of_another_product_is_refused_for_this_one(client, world):
    LoanProduct.objects.create(code="PB01", name="个人经营贷款", min_amount=Decimal("10000"),
                               max_amount=Decimal("1000000"), terms="12,24,36,60",
                               spread=Decimal("0.85"), purposes="经营周转、设备购置、其他经营")
    client.force_login(world.zhang)
    body = _post(client, _form(world, months="60")).content.decode()
    assert "个人消费贷款可选期限为6、12、24、36个月" in body
    body = _post(client, _form(world, purpose="经营周转")).content.decode()
    assert "个人消费贷款的贷款用途为装修、购车、教育、旅游、其他消费" in body
    assert 'value="100,000"' in body and not PendingOperation.objects.exists()


def test_a_lost_card_cannot_be_the_repayment_account(client, world):
    world.zhang_card.status = MediumStatus.ORAL_LOSS
    world.zhang_card.save(update_fields=["status"])
    client.force_login(world.zhang)
    body = _post(client, _form(world)).content.decode()
    assert "还款账户已口头挂失" in body and not PendingOperation.objects.exists()


def test_without_a_tool_the_page_says_so_and_nothing_can_be_filed(client, world):
    client.force_login(world.li)
    page = client.get(reverse("loans:apply")).content.decode()
    assert TOOL_REQUIRED_MESSAGE in page and 'id="loan-apply-form"' not in page
    response = _post(client, _form(world, payer=world.main(world.li_card)))
    assert response.status_code == 200 and TOOL_REQUIRED_MESSAGE in response.content.decode()
    assert not PendingOperation.objects.exists() and not LoanApplication.objects.exists()
    terms = services.apply_check(
        customer=world.li_customer, product_id=world.product.pk, amount=Decimal("10000.00"),
        months=12, purpose="装修", method="equal_instalment", repayment_day=21,
        account_id=world.main(world.li_card).pk)
    with pytest.raises(Exception, match="USBKey"):
        services.apply_start(user=world.li, terms=terms)
    assert not PendingOperation.objects.exists()


def test_zhang_applies_through_the_confirmation(client, world):
    client.force_login(world.zhang)
    response = _post(client, _form(world, method="equal_principal", repayment_day="31"))
    operation = PendingOperation.objects.get(kind=services.KIND_APPLY)
    assert response.url == reverse("security:confirm", args=[operation.public_id])
    assert not LoanApplication.objects.exists()   # nothing filed before the confirmation
    shown = client.get(response.url).content.decode()
    for text in ("个人贷款申请", "¥100,000.00", "壹拾万元整", "个人消费贷款（PL01）", "12个月",
                 "装修", "等额本金", "每月31日", world.zhang_card.masked_number,
                 "LPR 3.00% + 加点 0.60% = 3.60%", 'name="pin"'):
        assert text in shown, text
    assert "短信验证码" not in shown
    back = client.get(reverse("loans:apply"), {"from": operation.public_id}).content.decode()
    assert 'value="100000.00"' in back
    done = confirm(operation, user=world.zhang)
    assert done.status == OperationStatus.EXECUTED, done.failure_reason
    application = LoanApplication.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.number.startswith("SQ20260601") and len(application.number) == 20
    assert (application.amount, application.months, application.purpose, application.method,
            application.repayment_day) == (Decimal("100000.00"), 12, "装修", "equal_principal",
                                           31)
    assert application.repayment_account == world.main(world.zhang_card)
    assert application.user == world.zhang and application.applied_at is not None
    assert done.result["message"] == "申请已提交，等待银行审批"
    assert ["申请编号", application.number] in done.result["lines"]
    result = client.get(reverse("security:confirm_result", args=[operation.public_id]))
    assert "申请已提交，等待银行审批" in result.content.decode()
    assert application.number in result.content.decode()
    event = AuditEvent.objects.get(action=services.APPLY_ACTION)
    assert event.object_ref == f"loanapp:{application.number}"
    assert event.customer_id == world.zhang_customer.pk


def test_the_executor_checks_again(client, world):
    client.force_login(world.zhang)
    _post(client, _form(world))
    operation = PendingOperation.objects.get(kind=services.KIND_APPLY)
    LoanProduct.objects.filter(pk=world.product.pk).update(on_sale=False)
    with pytest.raises(BusinessError, match=services.PRODUCT_GONE):
        confirm(operation, user=world.zhang)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED
    assert operation.failure_reason == services.PRODUCT_GONE
    assert not LoanApplication.objects.exists()


def test_my_applications_and_withdraw(client, world):
    account = world.main(world.zhang_card)
    approved = application_approved(user=world.zhang, account=account, product=world.product,
                                    on=date(2026, 5, 20))
    rejected = application_approved(user=world.zhang, account=account, product=world.product,
                                    on=date(2026, 5, 21))
    LoanApplication.objects.filter(pk=rejected.pk).update(
        status=ApplicationStatus.REJECTED, reject_reason="收入证明不足", approved_amount=None,
        annual_rate=None)
    client.force_login(world.zhang)
    _post(client, _form(world, amount="20000"))
    confirm(PendingOperation.objects.get(kind=services.KIND_APPLY), user=world.zhang)
    waiting = LoanApplication.objects.get(status=ApplicationStatus.SUBMITTED)
    page = client.get(reverse("loans:applications")).content.decode()
    for text in (waiting.number, "审批中", "¥20,000.00", approved.number, "已批准",
                 "¥100,000.00", "3.60%", "2026-08-18", rejected.number, "已拒绝",
                 "收入证明不足"):
        assert text in page, text
    withdraw = reverse("loans:application_withdraw", kwargs={"number": waiting.number})
    assert page.count('action="/loans/applications/') == 1 and withdraw in page
    # 撤销 asks in a dialog first (static/js/confirm-dialog.js reads data-confirm).
    assert f'data-confirm="确定撤销贷款申请 {waiting.number} 吗？' in page
    assert "js/confirm-dialog.js" in page
    response = client.post(withdraw, follow=True)
    assert "已撤销" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == ApplicationStatus.WITHDRAWN
    assert AuditEvent.objects.filter(action=services.WITHDRAW_ACTION,
                                     object_ref=f"loanapp:{waiting.number}").count() == 1
    again = client.post(withdraw, follow=True).content.decode()
    assert "该申请已撤销，不能撤销" in again
    refused = client.post(reverse("loans:application_withdraw",
                                  kwargs={"number": approved.number}), follow=True)
    assert "该申请已批准，不能撤销" in refused.content.decode()
    approved.refresh_from_db()
    assert approved.status == ApplicationStatus.APPROVED
    assert client.get(withdraw).status_code == 405


def test_another_customers_application_is_404(client, world):
    application = application_approved(user=world.zhang, account=world.main(world.zhang_card),
                                       product=world.product)
    LoanApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.SUBMITTED)
    client.force_login(world.li)
    url = reverse("loans:application_withdraw", kwargs={"number": application.number})
    assert client.post(url).status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.number not in client.get(reverse("loans:applications")).content.decode()
