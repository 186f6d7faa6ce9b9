"""大额存单 (DEP-CD): 开户 through X-CONFIRM taking 额度, the rules by name, DOMAIN-RULES §2's
example (200,000 3y at 1.80% → 10,800.00) end to end, 支取, the nightly maturity, 利息账户变更
and its 查询, and another customer's → 404."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import Receipt, SubAccountKind
from deposits.interest_account import interest_account_change, interest_account_change_start
from deposits.largecd.operations import cd_open_start, cd_withdraw_start
from deposits.largecd.services import cd_maturities_run, cd_open, cd_withdraw
from deposits.models import Deposit, DepositStatus, InterestAccountChange, LargeCDProduct, Product
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.models import BusinessType, Entry
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.models import OperationStatus

from .cd_payout_support import OPENED, at, batch, cd_issue, fund
from .conftest import balance, confirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(world):
    fund(world.main(world.zhang_card), "400000.00", "zhang")
    return cd_issue()


def _open(world, issue, amount="200000.00", key="t:cd", source=None):
    source = source or world.main(world.zhang_card)
    deposit, _receipt = cd_open(user=world.zhang, product_id=issue.pk,
                                from_sub_account_id=source.pk, amount=Decimal(amount),
                                idempotency_key=key)
    return deposit


def test_domain_example_200000_three_years_at_1_80_earns_10800_00(world, issue, client):
    """End to end: 开户 through X-CONFIRM (交易密码 + USBKey), the nightly batch on the maturity
    day pays the principal back to the card and 10,800.00 from 利息支出 with its receipt."""
    card = world.main(world.zhang_card)
    with at(OPENED):
        operation = cd_open_start(user=world.zhang, product_id=issue.pk,
                                  from_sub_account_id=card.pk, amount=Decimal("200000.00"))
        done = confirm(operation, user=world.zhang)
    assert done.status == OperationStatus.EXECUTED
    deposit = Deposit.objects.get(product=Product.LARGE_CD)
    assert deposit.annual_rate == Decimal("1.8000") and deposit.cd_product == issue
    assert deposit.rate_row is None and deposit.matures_on == date(2029, 3, 2)
    assert deposit.sub_account.kind == SubAccountKind.LARGE_CD
    assert deposit.sub_account.medium_id == world.zhang_card.pk
    assert balance(card) == Decimal("280000.00")
    issue.refresh_from_db()
    assert issue.sold == Decimal("200000.00")
    batch(date(2029, 3, 1))
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.OPEN
    batch(date(2029, 3, 2))
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED and deposit.closed_on == date(2029, 3, 2)
    assert deposit.interest_paid == Decimal("10800.00")
    assert balance(card) == Decimal("490800.00")
    interest = Entry.objects.get(business_type=BusinessType.INTEREST,
                                 reference=f"deposit:{deposit.pk}")
    receipt = Receipt.objects.get(entry_id=interest.pk)
    assert receipt.amount == Decimal("10800.00") and receipt.sub_account_id == card.pk
    assert AuditEvent.objects.filter(action="deposits.cd_matured").count() == 1


def test_rule_individual_minimum_200000(world, issue):
    with at(OPENED), pytest.raises(BusinessError, match="大额存单起存金额为¥200,000.00"):
        _open(world, issue, amount="199999.99")


def test_rule_the_issues_own_minimum_when_higher(world):
    fund(world.main(world.zhang_card), "400000.00", "zhang")
    issue = cd_issue(code="CD300K", minimum="300000.00")
    with at(OPENED), pytest.raises(BusinessError, match="起存金额为¥300,000.00"):
        _open(world, issue, amount="250000.00")


def test_rule_opened_from_a_debit_cards_current_main_only(world, issue):
    fund(world.main(world.zhang_passbook), "300000.00", "passbook")
    with at(OPENED), pytest.raises(BusinessError, match="大额存单仅限在借记卡内开立"):
        _open(world, issue, source=world.main(world.zhang_passbook))


def test_rule_outside_the_sale_period_refused(world, issue):
    with at(date(2026, 4, 1)), pytest.raises(BusinessError, match="不在发售期内"):
        _open(world, issue)


def test_rule_quota_short_refused_and_nothing_taken(world):
    fund(world.main(world.zhang_card), "400000.00", "zhang")
    issue = cd_issue(quota="300000.00")
    with at(OPENED):
        _open(world, issue, amount="200000.00")
        with pytest.raises(BusinessError, match="剩余额度不足，剩余¥100,000.00"):
            _open(world, issue, amount="200000.00", key="t:cd2")
    issue.refresh_from_db()
    assert issue.sold == Decimal("200000.00")


def test_quota_is_taken_only_when_the_confirmation_posts(world, issue):
    """提交 shows the 额度 but takes nothing; the executor takes it in its transaction."""
    card = world.main(world.zhang_card)
    with at(OPENED):
        cd_open_start(user=world.zhang, product_id=issue.pk, from_sub_account_id=card.pk,
                      amount=Decimal("200000.00"))
    issue.refresh_from_db()
    assert issue.sold == Decimal("0.00") and not Deposit.objects.exists()


def test_rule_opening_needs_a_security_tool(world, issue):
    li_card = world.main(world.li_card)
    fund(li_card, "200000.00", "li")
    with at(OPENED), pytest.raises(BusinessError) as refused:
        cd_open_start(user=world.li, product_id=issue.pk, from_sub_account_id=li_card.pk,
                      amount=Decimal("200000.00"))
    assert refused.value.message == TOOL_REQUIRED_MESSAGE


def test_early_full_withdrawal_earns_current_by_days(world, issue):
    card = world.main(world.zhang_card)
    with at(OPENED):
        deposit = _open(world, issue)
    with at(date(2026, 9, 1)):  # 183 days
        quote = cd_withdraw(user=world.zhang, deposit_id=deposit.pk,
                                    amount="200000.00", idempotency_key="t:w").quote
    # 200,000 × 0.10% / 360 × 183 = 101.666… → 101.67
    assert quote.interest == Decimal("101.67") and quote.kind_label == "销户（提前全部支取）"
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED
    assert balance(card) == Decimal("480101.67")
    issue.refresh_from_db()
    assert issue.sold == Decimal("200000.00")  # a sold 额度 stays sold


def test_rule_partial_leaves_at_least_200000_else_close(world, issue):
    with at(OPENED):
        deposit = _open(world, issue, amount="300000.00")
    with at(date(2026, 6, 1)):
        with pytest.raises(BusinessError, match="余额不能小于20万元，请做销户处理"):
            cd_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="100000.01",
                        idempotency_key="t:p1")
        quote = cd_withdraw(user=world.zhang, deposit_id=deposit.pk,
                                    amount="100000.00", idempotency_key="t:p2").quote
    assert quote.kind_label == "部分提前支取" and not quote.full
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.OPEN
    assert balance(deposit.sub_account) == Decimal("200000.00")
    assert deposit.annual_rate == Decimal("1.8000") and deposit.matures_on == date(2029, 3, 2)


def test_rule_no_partial_withdrawal_on_the_opening_day_as_fixed(world, issue):
    with at(OPENED):
        deposit = _open(world, issue, amount="300000.00")
        with pytest.raises(BusinessError, match="当日开立的定期账户不允许做部分提前支取操作"):
            cd_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="50000.00",
                        idempotency_key="t:p")
        quote = cd_withdraw(user=world.zhang, deposit_id=deposit.pk,
                                    amount="300000.00", idempotency_key="t:f").quote
    assert quote.interest == Decimal("0.00")


def test_withdrawal_through_x_confirm_with_the_receipt(world, issue):
    with at(OPENED):
        deposit = _open(world, issue)
    with at(date(2026, 9, 1)):
        operation = cd_withdraw_start(user=world.zhang, deposit_id=deposit.pk, full=True,
                                      amount=None)
        done = confirm(operation, user=world.zhang)
    assert done.status == OperationStatus.EXECUTED
    assert done.result["receipt_url"].startswith("/accounts/receipts/")


def test_nightly_maturity_rerun_posts_nothing_twice(world, issue):
    with at(OPENED):
        deposit = _open(world, issue)
    entries = Entry.objects.count()
    with transaction.atomic():
        assert cd_maturities_run(date(2029, 3, 5)) == 1
    after = Entry.objects.count()
    assert after == entries + 2
    with transaction.atomic():
        assert cd_maturities_run(date(2029, 3, 5)) == 0
    assert Entry.objects.count() == after
    deposit.refresh_from_db()
    # A late batch still pays on the maturity day itself (no overdue days).
    assert deposit.closed_on == date(2029, 3, 2) and deposit.interest_paid == Decimal("10800.00")


def test_interest_account_change_then_query_and_maturity_pays_the_new_account(world, issue):
    card = world.main(world.zhang_card)
    passbook = world.main(world.zhang_passbook)
    with at(OPENED):
        deposit = _open(world, issue)
    with at(date(2026, 5, 1)):
        operation = interest_account_change_start(user=world.zhang, product=Product.LARGE_CD,
                                                  deposit_id=deposit.pk, to_id=passbook.pk)
        assert confirm(operation, user=world.zhang).status == OperationStatus.EXECUTED
        with pytest.raises(BusinessError, match="无需变更"):
            interest_account_change(user=world.zhang, product=Product.LARGE_CD,
                                    deposit_id=deposit.pk, to_id=passbook.pk)
    change = InterestAccountChange.objects.get()
    assert (change.deposit, change.from_account, change.to_account, change.channel) == (
        deposit, card, passbook, "网上银行")
    before = balance(passbook)
    batch(date(2029, 3, 2))
    assert balance(passbook) == before + Decimal("10800.00")
    assert balance(card) == Decimal("480000.00")  # the principal back to the card
    assert AuditEvent.objects.filter(action="deposits.interest_account_change").exists()


def test_interest_account_must_be_a_linked_current_of_the_customer(world, issue):
    with at(OPENED):
        deposit = _open(world, issue)
        with pytest.raises(BusinessError, match="请选择已关联的活期账户"):
            interest_account_change(user=world.zhang, product=Product.LARGE_CD,
                                    deposit_id=deposit.pk, to_id=world.main(world.li_card).pk)


def test_pages_list_the_issue_and_the_quota_decreases(world, issue, client):
    client.force_login(world.zhang)
    with at(OPENED):
        page = client.get(reverse("deposits:cd_products")).content.decode()
        assert "CD2026001" in page and "1,000,000.00" in page and "1.80%" in page
        _open(world, issue)
        page = client.get(reverse("deposits:cd_products")).content.decode()
        assert "800,000.00" in page
        mine = client.get(reverse("deposits:cd_list")).content.decode()
        assert "CD2026001" in mine and "200,000.00" in mine


def test_open_page_refusal_keeps_what_was_typed(world, issue, client):
    client.force_login(world.zhang)
    card = world.main(world.zhang_card)
    with at(OPENED):
        response = client.post(reverse("deposits:cd_open"), {
            "product": issue.pk, "from_sub_account": card.pk, "amount": "150000"})
    page = response.content.decode()
    assert response.status_code == 200 and "大额存单起存金额为¥200,000.00" in page
    assert 'value="150000"' in page


def test_another_customers_cd_is_404(world, issue, client):
    with at(OPENED):
        deposit = _open(world, issue)
    client.force_login(world.li)
    for name in ("deposits:cd_withdraw", "deposits:cd_interest_account"):
        assert client.get(reverse(name, args=[deposit.pk])).status_code == 404
    assert client.get(reverse("deposits:cd_list") + f"?card={world.zhang_card.pk}"
                      ).status_code == 404
    with pytest.raises(BusinessError):
        cd_withdraw(user=world.li, deposit_id=deposit.pk, amount="1.00", idempotency_key="x")
    assert LargeCDProduct.objects.get().sold == Decimal("200000.00")
