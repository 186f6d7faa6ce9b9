"""The rate table (DOMAIN-RULES §1): the row in force on a day, which rows may still change, the
services that write rows, the products' terms and minimums, the demo rates."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from deposits.demo import DEMO_RATES, DEMO_RATES_FROM, demo_rates_seed
from deposits.models import DepositRate, Product
from deposits.rates import (
    NO_RATE_MESSAGE,
    PRODUCT_MINIMUM,
    PRODUCT_TERMS,
    rate_add,
    rate_change,
    rate_delete,
    rate_on,
    rate_row_editable,
    rate_row_used,
    rate_text,
    term_text,
)
from ebank.core.audit import audit_action_label
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from security.tests import test_counter_fixtures as fx

from .rate_fixtures import deposit_at

bank = fx.bank
tools = fx.tools
hq = fx.hq
teller_hf = fx.teller_hf
supervisor_hf = fx.supervisor_hf

TODAY = "2026-03-10 10:00 +0800"


def _row(product=Product.FIXED, term=12, rate="1.20", day=date(2025, 1, 1)) -> DepositRate:
    return DepositRate.objects.create(product=product, term_months=term,
                                      annual_rate=Decimal(rate), effective_from=day)


# --- rate_on ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rate_change_mid_year_keeps_the_old_rate_for_earlier_deposits_and_gives_the_new_after():
    old = _row(rate="1.20", day=date(2025, 1, 1))
    new = _row(rate="1.10", day=date(2025, 7, 1))
    _row(term=36, rate="1.55", day=date(2025, 8, 1))  # another term does not interfere
    assert rate_on(product=Product.FIXED, term_months=12, day=date(2025, 1, 1)) == old
    assert rate_on(product=Product.FIXED, term_months=12, day=date(2025, 6, 30)) == old
    assert rate_on(product=Product.FIXED, term_months=12, day=date(2025, 7, 1)) == new
    assert rate_on(product=Product.FIXED, term_months=12, day=date(2026, 1, 1)) == new


@pytest.mark.django_db
def test_no_row_in_force_is_a_business_error_in_chinese():
    _row(day=date(2025, 1, 1))
    with pytest.raises(BusinessError) as before:
        rate_on(product=Product.FIXED, term_months=12, day=date(2024, 12, 31))
    assert before.value.message == NO_RATE_MESSAGE == "该产品期限暂无适用利率"
    with pytest.raises(BusinessError):
        rate_on(product=Product.FIXED, term_months=24, day=date(2025, 6, 1))
    with pytest.raises(BusinessError):
        rate_on(product=Product.LARGE_CD, term_months=12, day=date(2025, 6, 1))


# --- which rows may change ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_row_is_read_only_once_in_force_or_used(bank):
    today = date(2026, 3, 10)
    past = _row(day=date(2025, 1, 1))
    in_force_today = _row(day=today)
    future = _row(day=date(2026, 3, 11))
    assert not rate_row_editable(past, today)
    assert not rate_row_editable(in_force_today, today)
    assert rate_row_editable(future, today)
    assert not rate_row_used(future)
    # Used by a deposit (opened on a day the test invents): read-only even before its date.
    deposit_at(future, opened_on=date(2026, 3, 11))
    assert rate_row_used(future)
    assert not rate_row_editable(future, today)


# --- rate_add ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_head_office_adds_a_row_from_tomorrow_audited_with_its_chinese_label(hq):
    with time_machine.travel(TODAY, tick=False):
        row = rate_add(product=Product.FIXED, term_months=12, annual_rate=Decimal("1.1"),
                       effective_from=date(2026, 3, 11), acting_user=hq)
    row.refresh_from_db()
    assert row.annual_rate == Decimal("1.1000") and row.created_by_id == hq.pk
    event = AuditEvent.objects.get(action="deposit_rate_add")
    assert event.actor_id == hq.pk and event.object_ref == f"deposit_rate:{row.pk}"
    assert event.detail["annual_rate"] == "1.1000"
    assert audit_action_label("deposit_rate_add") == "存款利率录入"


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "message"), [
    ({"effective_from": date(2026, 3, 10)}, "生效日期须晚于今天"),
    ({"effective_from": date(2025, 12, 31)}, "生效日期须晚于今天"),
    ({"term_months": 9}, "整存整取的存期只能是：三个月、六个月、一年、二年、三年、五年"),
    ({"product": Product.NOTICE_7D, "term_months": 12}, "七天通知存款的存期只能是：无固定期限"),
    ({"product": Product.CURRENT, "term_months": 3}, "活期的存期只能是：无固定期限"),
    ({"product": Product.YOUYUEBAO, "term_months": 36}, "悠悦宝的存期只能是：一年"),
    ({"annual_rate": Decimal("100")}, "年利率须大于等于0且小于100"),
    ({"annual_rate": Decimal("-0.01")}, "年利率须大于等于0且小于100"),
    ({"annual_rate": Decimal("1.23456")}, "年利率最多保留四位小数"),
    ({"product": "savings"}, "请选择存款产品"),
])
def test_a_row_the_rules_refuse_is_not_written(hq, changes, message):
    values = {"product": Product.FIXED, "term_months": 12, "annual_rate": Decimal("1.20"),
              "effective_from": date(2026, 4, 1), **changes}
    with time_machine.travel(TODAY, tick=False), pytest.raises(BusinessError) as refused:
        rate_add(**values, acting_user=hq)
    assert refused.value.message.startswith(message)
    assert not DepositRate.objects.exists()
    assert not AuditEvent.objects.filter(action="deposit_rate_add").exists()


@pytest.mark.django_db
def test_a_zero_rate_and_every_allowed_term_are_accepted(hq):
    with time_machine.travel(TODAY, tick=False):
        for product, terms in PRODUCT_TERMS.items():
            for term in terms:
                rate_add(product=product, term_months=term, annual_rate=Decimal("0"),
                         effective_from=date(2026, 4, 1), acting_user=hq)
    assert DepositRate.objects.count() == sum(len(terms) for terms in PRODUCT_TERMS.values())


@pytest.mark.django_db
def test_a_second_row_for_the_same_day_is_refused(hq):
    with time_machine.travel(TODAY, tick=False):
        rate_add(product=Product.FIXED, term_months=12, annual_rate=Decimal("1.20"),
                 effective_from=date(2026, 4, 1), acting_user=hq)
        with pytest.raises(BusinessError, match="该产品期限在此生效日期已有利率"):
            rate_add(product=Product.FIXED, term_months=12, annual_rate=Decimal("1.30"),
                     effective_from=date(2026, 4, 1), acting_user=hq)
    assert DepositRate.objects.get().annual_rate == Decimal("1.2000")


@pytest.mark.django_db
def test_only_head_office_maintains_rates(teller_hf, supervisor_hf):
    for user in (teller_hf, supervisor_hf):
        with time_machine.travel(TODAY, tick=False), \
                pytest.raises(BusinessError, match="只有总行管理员可以维护存款利率"):
            rate_add(product=Product.FIXED, term_months=12, annual_rate=Decimal("1.20"),
                     effective_from=date(2026, 4, 1), acting_user=user)
    assert not DepositRate.objects.exists()


# --- rate_change, rate_delete -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_row_not_yet_in_force_is_corrected_or_withdrawn_audited(hq):
    future = _row(rate="1.25", day=date(2026, 4, 1))
    with time_machine.travel(TODAY, tick=False):
        rate_change(row=future, annual_rate=Decimal("1.15"), effective_from=date(2026, 4, 2),
                    acting_user=hq)
        future.refresh_from_db()
        assert (future.annual_rate, future.effective_from) == (Decimal("1.1500"), date(2026, 4, 2))
        changed = AuditEvent.objects.get(action="deposit_rate_change")
        assert changed.detail["previous_rate"] == "1.2500"
        rate_delete(row=future, acting_user=hq)
    assert not DepositRate.objects.filter(pk=future.pk).exists()
    assert AuditEvent.objects.filter(action="deposit_rate_delete").count() == 1
    assert audit_action_label("deposit_rate_change") == "存款利率修改"
    assert audit_action_label("deposit_rate_delete") == "存款利率删除"


@pytest.mark.django_db
def test_a_row_in_force_or_used_cannot_be_changed_or_deleted(hq):
    in_force = _row(rate="1.20", day=date(2025, 1, 1))
    used = _row(rate="1.10", day=date(2026, 4, 1))
    deposit_at(used, opened_on=date(2026, 4, 1))
    with time_machine.travel(TODAY, tick=False):
        for row in (in_force, used):
            with pytest.raises(BusinessError, match="该利率已生效或已被存款使用，不能修改"):
                rate_change(row=row, annual_rate=Decimal("2.00"),
                            effective_from=date(2026, 5, 1), acting_user=hq)
            with pytest.raises(BusinessError, match="该利率已生效或已被存款使用"):
                rate_delete(row=row, acting_user=hq)
    assert sorted(DepositRate.objects.values_list("annual_rate", flat=True)) == [
        Decimal("1.1000"), Decimal("1.2000")]
    assert not AuditEvent.objects.filter(action__startswith="deposit_rate_").exists()


# --- the products' table ----------------------------------------------------------------------


def test_every_product_has_its_terms_and_every_time_deposit_its_minimum():
    assert set(PRODUCT_TERMS) == set(Product.values)
    assert set(PRODUCT_MINIMUM) == set(Product.values) - {Product.CURRENT}
    assert PRODUCT_TERMS[Product.FIXED] == (3, 6, 12, 24, 36, 60)
    assert PRODUCT_MINIMUM[Product.FIXED] == Decimal("50")
    assert PRODUCT_MINIMUM[Product.INSTALMENT] == Decimal("5")
    assert PRODUCT_MINIMUM[Product.INTEREST_PAYOUT] == Decimal("5000")
    assert PRODUCT_MINIMUM[Product.NOTICE_7D] == PRODUCT_MINIMUM[Product.NOTICE_1D] == Decimal(
        "50000")
    assert PRODUCT_MINIMUM[Product.LARGE_CD] == Decimal("200000")
    assert PRODUCT_MINIMUM[Product.YOUYUEBAO] == Decimal("10000")


def test_rates_and_terms_read_as_staff_and_customers_read_them():
    assert rate_text(Decimal("1.2000")) == "1.20%"
    assert rate_text(Decimal("0.1")) == "0.10%"
    assert rate_text(Decimal("1.2250")) == "1.225%"
    assert rate_text(Decimal("0.0000")) == "0.00%"
    assert rate_text(Decimal("10.5")) == "10.50%"
    assert [term_text(t) for t in (0, 1, 3, 6, 12, 24, 36, 60)] == [
        "无固定期限", "一个月", "三个月", "六个月", "一年", "二年", "三年", "五年"]


# --- the demo rates -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_has_every_rate_of_domain_rules_in_force_from_2025():
    demo_rates_seed()
    demo_rates_seed()  # idempotent
    assert DepositRate.objects.count() == len(DEMO_RATES) == 20
    day = date(2026, 3, 10)

    def rate(product, term=0):
        return rate_on(product=product, term_months=term, day=day).annual_rate

    assert rate(Product.CURRENT) == Decimal("0.10")
    assert [rate(Product.FIXED, t) for t in (3, 6, 12, 24, 36, 60)] == [
        Decimal(r) for r in ("0.80", "1.00", "1.20", "1.30", "1.55", "1.55")]
    for product in (Product.INSTALMENT, Product.INTEREST_PAYOUT):
        assert [rate(product, t) for t in (12, 36, 60)] == [
            Decimal(r) for r in ("0.85", "1.05", "1.05")]
    assert (rate(Product.NOTICE_1D), rate(Product.NOTICE_7D)) == (Decimal("0.20"), Decimal("0.55"))
    assert (rate(Product.LARGE_CD, 12), rate(Product.LARGE_CD, 36)) == (
        Decimal("1.40"), Decimal("1.80"))
    assert (rate(Product.YOUYUEBAO, 12), rate(Product.LINGCUNBAO, 12),
            rate(Product.LIXIANDE, 12)) == (Decimal("1.35"), Decimal("0.95"), Decimal("1.15"))
    assert {row.effective_from for row in DepositRate.objects.all()} == {DEMO_RATES_FROM}
    for product, term, _rate in DEMO_RATES:
        assert term in PRODUCT_TERMS[product]
    with pytest.raises(BusinessError):
        rate_on(product=Product.FIXED, term_months=12, day=date(2024, 12, 31))


@pytest.mark.django_db
def test_seed_demo_prints_the_rate_table_and_twice_is_harmless():
    first = StringIO()
    call_command("seed_demo", stdout=first, no_color=True)
    text = first.getvalue()
    assert "demo deposit rates ready: 20 rows in force from 2025-01-01" in text
    assert "  整存整取 一年 1.20%" in text and "  活期 0.10%" in text
    again = StringIO()
    call_command("seed_demo", stdout=again, no_color=True)
    assert DepositRate.objects.count() == 20
    ours = text[text.index("demo deposit rates ready"):]
    assert ours in again.getvalue()


def test_the_demo_gives_zhang_wei_s_fixed_onebook_deposit_its_terms(db):
    from io import StringIO

    from django.core.management import call_command

    from deposits.models import Deposit

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # twice: nothing doubled
    deposit = Deposit.objects.get(product="fixed")
    assert (deposit.product, deposit.term_months, deposit.annual_rate) == (
        "fixed", 36, Decimal("1.5500"))
    # And 张伟's 利先得 (deposits/smart), once.
    assert Deposit.objects.filter(product="lixiande").count() == 1
    assert deposit.principal == Decimal("50000.00")
    assert deposit.sub_account.medium.customer.name == "张伟"
    # and 张伟's demo 存本取息 (opened at the counter; DEP-CBQX), made once.
    payout = Deposit.objects.get(product="interest_payout")
    assert (payout.principal, payout.term_months) == (Decimal("10000.00"), 36)
