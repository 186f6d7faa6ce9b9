"""悠悦宝 (DEP-YYB): the manual's five notes of 悠悦宝支取 by name, the full-term figure to the
fen, X-CONFIRM, the greyed account refused even by a crafted POST, the setting (note 3) read on
the transaction's day, another customer's deposit refused, and the nightly maturity."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import (
    LinkedMedium,
    Medium,
    MediumKind,
    Receipt,
    SubAccountKind,
)
from accounts.services import sub_account_open
from deposits import fixed
from deposits.models import (
    Deposit,
    DepositRate,
    DepositStatus,
    MaturityOption,
    Product,
    YouyuebaoSetting,
)
from deposits.smart import youyuebao
from deposits.smart.operations import youyuebao_open_start, youyuebao_withdraw_start
from deposits.smart.youyuebao import youyuebao_open, youyuebao_withdraw
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.models import Entry
from security.models import OperationStatus, PendingOperation

from .conftest import LOGIN_PASSWORD, RATES_FROM, balance, confirm
from .test_fixed import OPENED, at

pytestmark = pytest.mark.django_db


def smart_rates_seed():
    for product, rate in ((Product.YOUYUEBAO, "1.35"), (Product.LIXIANDE, "1.15")):
        DepositRate.objects.get_or_create(product=product, term_months=12,
                                          effective_from=RATES_FROM,
                                          defaults={"annual_rate": Decimal(rate)})


@pytest.fixture
def yyb_world(world):
    smart_rates_seed()
    return world


@pytest.fixture
def client_zhang(client, yyb_world):
    client.login(username=yyb_world.zhang.username, password=LOGIN_PASSWORD)
    return client


def buy(world, amount="10000.00", option=MaturityOption.HOLD, key="y:open", user=None,
        source=None, book=None):
    user = user or world.zhang
    source = source or world.main(world.zhang_card)
    return youyuebao_open(user=user, from_sub_account_id=source.pk, fixed_book_id=book,
                          amount=Decimal(amount), maturity_option=option,
                          idempotency_key=key).deposit


def take(world, deposit, amount, key="y:w", to=None, user=None):
    to = to or world.main(world.zhang_card)
    return youyuebao_withdraw(user=user or world.zhang, deposit_id=deposit.pk, amount=amount,
                              to_sub_account_id=to.pk, idempotency_key=key)


def setting(effective_from, minimum="10000.00", branches=()):
    row = YouyuebaoSetting.objects.create(minimum=Decimal(minimum),
                                          effective_from=effective_from)
    row.branches.set(branches)
    return row


def other_branch(medium):
    from accounts.models import Branch

    return Branch.objects.exclude(pk=medium.branch_id).order_by("pk").first()


# --- worked figures -------------------------------------------------------------------------------


def test_10000_one_year_at_1_35_earns_135_00_at_maturity(yyb_world):
    # 10,000 × 1.35% × 1 year = 135.00 (by the term, not by days).
    world = yyb_world
    card = world.main(world.zhang_card)
    with at(OPENED):
        deposit = buy(world)
    assert deposit.product == Product.YOUYUEBAO and deposit.annual_rate == Decimal("1.3500")
    assert deposit.matures_on == date(2027, 3, 2) and balance(card) == Decimal("70000.00")
    assert deposit.sub_account.kind == SubAccountKind.FIXED_LUMP_SUM
    with at(date(2027, 3, 2)):
        done = take(world, deposit, "10000.00")
    assert done.quote.interest == Decimal("135.00") and done.quote.kind_label == "到期支取"
    assert balance(card) == Decimal("80135.00")
    assert AuditEvent.objects.filter(action="deposits.youyuebao_open").exists()
    assert AuditEvent.objects.filter(action="deposits.youyuebao_withdraw").exists()


def test_early_close_of_20000_after_183_days_earns_10_17_at_current(yyb_world):
    # 20,000 × 0.10% / 360 × 183 = 10.1666… → 10.17 (note: 到期日前提前支取按活期计息).
    world = yyb_world
    with at(OPENED):
        deposit = buy(world, amount="20000.00")
    with at(date(2026, 9, 1)):
        done = take(world, deposit, "20000.00")
    assert done.quote.days == 183 and done.quote.interest == Decimal("10.17")
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED


# --- the manual's notes ------------------------------------------------------------------------


def test_notice_note_1_a_greyed_account_cannot_be_taken_online(yyb_world):
    world = yyb_world
    with at(OPENED):
        deposit = buy(world)
    setting(date(2026, 3, 3), branches=[other_branch(world.zhang_card)])
    with at(date(2026, 3, 10)), pytest.raises(BusinessError, match=youyuebao.NOTE_1):
        take(world, deposit, "10000.00")
    assert Deposit.objects.get(pk=deposit.pk).status == DepositStatus.OPEN


def test_notice_note_1_greyed_shown_with_at_counter_and_refused_even_by_a_crafted_post(
        client_zhang, yyb_world):
    world = yyb_world
    with at(OPENED):
        deposit = buy(world)
    setting(date(2026, 3, 3), branches=[other_branch(world.zhang_card)])
    with at(date(2026, 3, 10)):
        page = client_zhang.get(reverse("deposits:youyuebao_withdraw")).content.decode()
        assert "请至柜台办理" in page and "is-greyed" in page
        assert f'value="{deposit.pk}" disabled' in page
        response = client_zhang.post(reverse("deposits:youyuebao_withdraw"), {
            "deposit": deposit.pk, "mode": "full",
            "to_sub_account": world.main(world.zhang_card).pk})
    assert youyuebao.NOTE_1 in response.content.decode()
    assert not PendingOperation.objects.exists()


def test_notice_note_2_online_minimum_is_10000_any_increment(yyb_world):
    world = yyb_world
    with at(OPENED):
        with pytest.raises(BusinessError, match="悠悦宝网银购买最低起存金额为10000元，递增金额无限制"):
            buy(world, amount="9999.99")
        assert buy(world, amount="10000.01").principal == Decimal("10000.01")


def test_notice_note_2_partial_leaves_at_least_the_minimum_else_close(yyb_world):
    # 15,000 bought; 5,000.01 would leave 9,999.99 (< 10,000): refused. 5,000 leaves 10,000;
    # the part taken after 100 days earns 5,000 × 0.10% / 360 × 100 = 1.3888… → 1.39.
    world = yyb_world
    with at(OPENED):
        deposit = buy(world, amount="15000.00")
    with at(date(2026, 6, 10)):
        with pytest.raises(BusinessError, match="支取时留存金额不得低于最低起存金额10000元"):
            take(world, deposit, "5000.01", key="y:p1")
        done = take(world, deposit, "5000.00", key="y:p2")
    assert done.quote.days == 100 and done.quote.interest == Decimal("1.39")
    assert fixed.balance_of(deposit.sub_account) == Decimal("10000.00")


def test_notice_note_3_the_setting_in_force_on_the_day_decides(yyb_world):
    world = yyb_world
    setting(date(2026, 4, 1), minimum="20000.00")
    with at(date(2026, 3, 31)):
        assert buy(world, amount="15000.00", key="y:a").principal == Decimal("15000.00")
    with at(date(2026, 4, 1)), pytest.raises(BusinessError, match="最低起存金额为20000元"):
        buy(world, amount="15000.00", key="y:b")
    # The 开通机构: from 2026-05-01 only another branch offers it online.
    setting(date(2026, 5, 1), minimum="10000.00", branches=[other_branch(world.zhang_card)])
    with at(date(2026, 5, 1)), pytest.raises(BusinessError, match="请至柜台办理"):
        buy(world, amount="15000.00", key="y:c")


def test_notice_note_3_head_office_adds_a_setting_in_the_admin_from_tomorrow(yyb_world):
    from deposits.smart.admin import YouyuebaoSettingForm

    with at(OPENED):
        today = YouyuebaoSettingForm({"minimum": "20000", "effective_from": "2026-03-02"})
        assert not today.is_valid() and "生效日期最早为明天" in str(today.errors)
        tomorrow = YouyuebaoSettingForm({"minimum": "20000", "effective_from": "2026-03-03"})
        assert tomorrow.is_valid(), tomorrow.errors


def test_notice_note_4_taken_to_any_linked_card_or_passbook(yyb_world):
    world = yyb_world
    passbook = world.main(world.zhang_passbook)
    before = balance(passbook)
    with at(OPENED):
        deposit = buy(world)
    with at(date(2027, 3, 2)):
        take(world, deposit, "10000.00", to=passbook)
    assert balance(passbook) == before + Decimal("10135.00")
    # A 定期 sub-account is no 活期 to take it to.
    with at(OPENED):
        other = buy(world, key="y:o")
    with at(date(2026, 4, 1)), pytest.raises(BusinessError, match=youyuebao.NOTE_4):
        take(world, other, "10000.00", to=deposit.sub_account)


def _credit_card(world):
    card = Medium.objects.create(number="6259000000000001", kind=MediumKind.CREDIT_CARD,
                                 customer=world.zhang_customer,
                                 branch=world.zhang_card.branch, opened_on=OPENED)
    LinkedMedium.objects.create(customer=world.zhang_customer, medium=card, position=99)
    return sub_account_open(medium=card, kind=SubAccountKind.CREDIT, opened_on=OPENED)


def test_notice_note_5_a_credit_card_is_never_the_source_nor_the_target(yyb_world):
    world = yyb_world
    with at(OPENED):
        credit = _credit_card(world)
        with pytest.raises(BusinessError, match=youyuebao.NOTE_5):
            buy(world, source=credit)
        deposit = buy(world)
    with at(date(2026, 4, 1)), pytest.raises(BusinessError, match=youyuebao.NOTE_5):
        take(world, deposit, "10000.00", to=credit)
    assert credit.pk not in [sub.pk for sub in youyuebao.targets(customer=world.zhang_customer)]


# --- X-CONFIRM, pages, another customer -----------------------------------------------------------


def test_buy_and_take_through_x_confirm_with_receipts(yyb_world):
    world = yyb_world
    card = world.main(world.zhang_card)
    with at(OPENED):
        operation = youyuebao_open_start(user=world.zhang, from_sub_account_id=card.pk,
                                         fixed_book_id=None, amount=Decimal("10000"),
                                         maturity_option=MaturityOption.HOLD)
        assert confirm(operation, user=world.zhang).status == OperationStatus.EXECUTED
    deposit = Deposit.objects.get(product=Product.YOUYUEBAO)
    with at(date(2027, 3, 2)):
        operation = youyuebao_withdraw_start(user=world.zhang, deposit_id=deposit.pk, full=True,
                                             amount=None, to_sub_account_id=card.pk)
        done = confirm(operation, user=world.zhang)
    assert done.status == OperationStatus.EXECUTED and "到期支取成功" in done.result["message"]
    assert balance(card) == Decimal("80135.00")
    assert Receipt.objects.filter(sub_account=card, purpose__startswith="悠悦宝利息").exists()


def test_another_customers_youyuebao_is_404_or_refused(client_zhang, yyb_world):
    world = yyb_world
    li_card = world.main(world.li_card)
    with at(OPENED):
        theirs = buy(world, user=world.li, source=li_card, key="y:li")
        assert client_zhang.get(reverse("deposits:youyuebao_withdraw"),
                                {"deposit": theirs.pk}).status_code == 404
        response = client_zhang.post(reverse("deposits:youyuebao_withdraw"), {
            "deposit": theirs.pk, "mode": "full",
            "to_sub_account": world.main(world.zhang_card).pk})
        assert "定期存款不存在或已销户" in response.content.decode()
        # Nor may 张伟 send his own to 李娜's card.
        mine = buy(world, key="y:mine")
        with pytest.raises(BusinessError, match=fixed.ACCOUNT_UNKNOWN):
            take(world, mine, "10000.00", to=li_card)
    assert not PendingOperation.objects.exists()


def test_buy_form_refuses_below_minimum_keeping_what_was_typed(client_zhang, yyb_world):
    card = yyb_world.main(yyb_world.zhang_card)
    with at(OPENED):
        page = client_zhang.get(reverse("deposits:youyuebao_open")).content.decode()
        assert "悠悦宝网银购买最低起存金额为10000元" in page
        response = client_zhang.post(reverse("deposits:youyuebao_open"), {
            "from_sub_account": card.pk, "fixed_book": "", "amount": "9000",
            "maturity_option": MaturityOption.HOLD})
    body = response.content.decode()
    assert response.status_code == 200 and "递增金额无限制" in body and 'value="9000"' in body
    assert not PendingOperation.objects.exists()


def test_index_lists_the_youyuebao_with_its_own_withdraw_link(client_zhang, yyb_world):
    with at(OPENED):
        deposit = buy(yyb_world)
        body = client_zhang.get(reverse("deposits:index")).content.decode()
    assert "悠悦宝" in body and "1.35%" in body
    assert f"{reverse('deposits:youyuebao_withdraw')}?deposit={deposit.pk}" in body


# --- maturity (the nightly 定期到期处理) ---------------------------------------------------------


def test_nightly_rolls_a_youyuebao_at_its_own_rate_once_on_rerun(yyb_world):
    world = yyb_world
    with at(OPENED):
        deposit = buy(world, option=MaturityOption.ROLL_ALL)
    with at(date(2027, 3, 2)):
        assert fixed.fixed_maturities_run(date(2027, 3, 2)) == 1
        entries = Entry.objects.count()
        assert fixed.fixed_maturities_run(date(2027, 3, 2)) == 0
        assert Entry.objects.count() == entries
    deposit.refresh_from_db()
    assert deposit.principal == Decimal("10135.00") and deposit.annual_rate == Decimal("1.3500")
    assert deposit.matures_on == date(2028, 3, 2) and deposit.rollovers == 1
    assert deposit.rate_row.product == Product.YOUYUEBAO


def test_notice_note_3_only_head_office_adds_the_setting_in_the_admin_audited(client, yyb_world):
    from security.staff.roles import Role
    from security.tests.test_counter_fixtures import make_staff, otp_login

    url = reverse("admin:deposits_youyuebaosetting_add")
    teller = make_staff("teller_yyb", "340101")
    otp_login(client, teller)
    with at(OPENED):
        assert client.get(url).status_code == 403
    hq = make_staff("hq_yyb", "340000", role=Role.HEAD_OFFICE)
    otp_login(client, hq)
    with at(OPENED):
        response = client.post(url, {"minimum": "20000", "effective_from": "2026-03-03",
                                     "branches": []})
    assert response.status_code == 302, response.content.decode()[:3000]
    row = YouyuebaoSetting.objects.get()
    assert row.minimum == Decimal("20000.00")
    assert AuditEvent.objects.filter(action="admin_add",
                                     object_ref=f"deposits.youyuebaosetting:{row.pk}").exists()
    with at(date(2026, 3, 3)):
        assert youyuebao.terms_on(date(2026, 3, 3)).minimum == Decimal("20000.00")
