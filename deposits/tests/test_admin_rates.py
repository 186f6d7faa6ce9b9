"""存款利率表, 定期存款 and 活期积数 in the staff admin: head office adds rates, everyone reads them,
a used or past row is read-only even for head office; deposits are branch-scoped."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from deposits.models import CurrentAccrual, DepositRate, Product
from ebank.core.models import AuditEvent
from security.tests import test_counter_fixtures as fx
from security.tests.test_counter_fixtures import otp_login

from .rate_fixtures import deposit_at

bank = fx.bank
tools = fx.tools
hq = fx.hq
teller_hf = fx.teller_hf
teller_wh = fx.teller_wh

TODAY = "2026-03-10 10:00 +0800"
ADD = "admin:deposits_depositrate_add"
CHANGE = "admin:deposits_depositrate_change"
DELETE = "admin:deposits_depositrate_delete"
LIST = "admin:deposits_depositrate_changelist"


@pytest.fixture
def rates(db):
    """In force since 2025 (past), and one announced for April (future, unused)."""
    return {
        "past": DepositRate.objects.create(product=Product.FIXED, term_months=12,
                                           annual_rate=Decimal("1.2000"),
                                           effective_from=date(2025, 1, 1)),
        "future": DepositRate.objects.create(product=Product.FIXED, term_months=12,
                                             annual_rate=Decimal("1.1000"),
                                             effective_from=date(2026, 4, 1)),
    }


def _form(**changes) -> dict:
    return {"product": Product.FIXED, "term_months": "36", "annual_rate": "1.50",
            "effective_from": "2026-04-01", **changes}


@pytest.fixture
def travel():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.mark.django_db
def test_head_office_adds_a_rate_through_the_service(client, hq, travel):
    otp_login(client, hq)
    form = client.get(reverse(ADD))
    assert form.status_code == 200 and "最早为明天" in form.content.decode()
    response = client.post(reverse(ADD), _form())
    assert response.status_code == 302
    row = DepositRate.objects.get(term_months=36)
    assert (row.annual_rate, row.effective_from, row.created_by_id) == (
        Decimal("1.5000"), date(2026, 4, 1), hq.pk)
    assert AuditEvent.objects.filter(action="deposit_rate_add",
                                     object_ref=f"deposit_rate:{row.pk}").count() == 1


@pytest.mark.django_db
def test_a_refused_rate_is_told_on_the_form_with_the_values_kept(client, hq, rates, travel):
    otp_login(client, hq)
    past = client.post(reverse(ADD), _form(effective_from="2026-03-10", annual_rate="1.45"))
    page = past.content.decode()
    assert past.status_code == 200
    assert "生效日期须晚于今天" in page and 'value="1.45"' in page
    term = client.post(reverse(ADD), _form(term_months="1")).content.decode()
    assert "整存整取的存期只能是" in term
    duplicate = client.post(reverse(ADD), _form(term_months="12")).content.decode()
    assert "该产品期限在此生效日期已有利率" in duplicate
    too_high = client.post(reverse(ADD), _form(annual_rate="100")).content.decode()
    assert "年利率须大于等于0且小于100" in too_high
    assert DepositRate.objects.count() == 2


@pytest.mark.django_db
def test_a_teller_reads_the_table_as_percentages_but_adds_and_changes_nothing(
        client, teller_hf, rates, travel):
    otp_login(client, teller_hf)
    listing = client.get(reverse(LIST))
    page = listing.content.decode()
    assert listing.status_code == 200
    assert "1.20%" in page and "1.10%" in page and "执行中" in page and "未生效" in page
    assert client.get(reverse(ADD)).status_code == 403
    assert client.post(reverse(ADD), _form()).status_code == 403
    future = rates["future"]
    view = client.get(reverse(CHANGE, args=[future.pk]))
    assert view.status_code == 200 and 'name="_save"' not in view.content.decode()
    assert "1.10%" in view.content.decode()
    changed = client.post(reverse(CHANGE, args=[future.pk]),
                          {"annual_rate": "9.99", "effective_from": "2026-04-01"})
    assert changed.status_code == 403
    assert client.post(reverse(DELETE, args=[future.pk]), {"post": "yes"}).status_code == 403
    future.refresh_from_db()
    assert future.annual_rate == Decimal("1.1000")
    assert reverse(ADD) not in page  # no 增加 button
    assert "最早为明天" not in view.content.decode()  # the form's help, not a read-only page's
    DepositRate.objects.create(product=Product.FIXED, term_months=36,
                               annual_rate=Decimal("1.5500"), effective_from=date(2025, 1, 1))
    three_years = client.get(reverse(LIST), {"term": "36"}).content.decode()
    assert "1.55%" in three_years and "1.20%" not in three_years and "三年" in three_years


@pytest.mark.django_db
def test_a_used_or_past_row_is_read_only_even_for_head_office(client, hq, rates, travel):
    used = rates["future"]
    deposit_at(used, opened_on=date(2026, 4, 1))
    otp_login(client, hq)
    for row in (rates["past"], used):
        view = client.get(reverse(CHANGE, args=[row.pk]))
        page = view.content.decode()
        assert view.status_code == 200
        assert 'name="_save"' not in page and 'name="annual_rate"' not in page
        assert client.post(reverse(CHANGE, args=[row.pk]),
                           {"annual_rate": "9.99", "effective_from": "2026-05-01"}).status_code \
            == 403
        assert client.post(reverse(DELETE, args=[row.pk]), {"post": "yes"}).status_code == 403
    assert "使用笔数" in page
    assert sorted(DepositRate.objects.values_list("annual_rate", flat=True)) == [
        Decimal("1.1000"), Decimal("1.2000")]
    assert not AuditEvent.objects.filter(action__startswith="deposit_rate_").exists()


@pytest.mark.django_db
def test_head_office_corrects_or_withdraws_a_row_not_yet_in_force(client, hq, rates, travel):
    future = rates["future"]
    otp_login(client, hq)
    page = client.get(reverse(CHANGE, args=[future.pk])).content.decode()
    assert 'name="annual_rate"' in page and 'name="product"' not in page
    response = client.post(reverse(CHANGE, args=[future.pk]),
                           {"annual_rate": "1.15", "effective_from": "2026-04-02"})
    assert response.status_code == 302
    future.refresh_from_db()
    assert (future.annual_rate, future.effective_from) == (Decimal("1.1500"), date(2026, 4, 2))
    assert AuditEvent.objects.filter(action="deposit_rate_change").count() == 1
    back = client.post(reverse(CHANGE, args=[future.pk]),
                       {"annual_rate": "1.15", "effective_from": "2026-03-01"})
    assert back.status_code == 200 and "生效日期须晚于今天" in back.content.decode()
    assert client.post(reverse(DELETE, args=[future.pk]), {"post": "yes"}).status_code == 302
    assert not DepositRate.objects.filter(pk=future.pk).exists()
    assert AuditEvent.objects.filter(action="deposit_rate_delete").count() == 1


@pytest.mark.django_db
def test_deposits_are_read_only_and_scoped_to_the_branch(client, teller_hf, teller_wh, hq,
                                                         rates, travel):
    zhang = deposit_at(rates["past"], cif_no="3401010001")  # 340101
    wang = deposit_at(rates["past"], cif_no="3402010001")  # 340201
    changelist = reverse("admin:deposits_deposit_changelist")
    otp_login(client, teller_hf)
    page = client.get(changelist).content.decode()
    assert "¥10,000.00" in page and "1.20%" in page and "张伟" in page and "王芳" not in page
    assert client.get(reverse("admin:deposits_deposit_change", args=[zhang.pk])).status_code \
        == 200
    other = client.get(reverse("admin:deposits_deposit_change", args=[wang.pk]))
    assert other.status_code == 302  # another branch's: "does not exist"
    assert client.get(reverse("admin:deposits_deposit_add")).status_code == 403
    client.logout()
    otp_login(client, hq)
    everyone = client.get(changelist).content.decode()
    assert "张伟" in everyone and "王芳" in everyone


@pytest.mark.django_db
def test_current_accruals_are_head_offices(client, teller_hf, hq, rates, travel):
    sub_account = deposit_at(rates["past"]).sub_account
    CurrentAccrual.objects.create(sub_account=sub_account, period_start=date(2025, 12, 21),
                                  accrued_through=date(2026, 3, 9),
                                  accrued=Decimal("1148000.00"))
    changelist = reverse("admin:deposits_currentaccrual_changelist")
    otp_login(client, teller_hf)
    assert client.get(changelist).status_code == 403
    assert "活期积数" not in client.get(reverse("admin:index")).content.decode()
    client.logout()
    otp_login(client, hq)
    page = client.get(changelist).content.decode()
    assert "1,148,000.00" in page
    index = client.get(reverse("admin:index")).content.decode()
    # 定期存款 with the accounts, 活期积数 with the books, the rate table in the app's section.
    assert index.index("<caption>客户与账户</caption>") < index.index("定期存款") \
        < index.index("<caption>定期存款与智能存款</caption>") < index.index("存款利率表") \
        < index.index("<caption>账务</caption>") < index.index("活期积数")
