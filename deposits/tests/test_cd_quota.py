"""大额存单 额度 (DEP-CD): the list's remaining 额度, the take, and refusals."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from deposits.cd import cd_products_on_sale, cd_quota_return, cd_quota_take
from deposits.models import LargeCDProduct
from ebank.core.errors import BusinessError

pytestmark = pytest.mark.django_db
D = Decimal
DAY = date(2026, 6, 15)


def issue(code="CD2026001", quota="1000000.00", sold="0.00", term=36, **extra):
    return LargeCDProduct.objects.create(
        code=code, name=f"{code} 三年期大额存单", term_months=term, annual_rate=D("1.80"),
        quota=D(quota), sold=D(sold), sale_from=date(2026, 6, 1), sale_to=date(2026, 6, 30),
        **extra)


def test_the_list_shows_the_issues_on_sale_with_their_remaining_quota():
    on_sale = issue(sold="800000.00")
    issue(code="CD2026000", term=12).__class__.objects.filter(code="CD2026000").update(
        sale_to=date(2026, 5, 31))
    listed = list(cd_products_on_sale(day=DAY))
    assert listed == [on_sale]
    assert listed[0].remaining == D("200000.00")


def test_a_take_within_the_quota_counts_and_one_beyond_is_refused_with_what_is_left():
    product = issue(sold="800000.00")
    cd_quota_take(product_id=product.pk, amount=D("150000.00"), day=DAY)
    with pytest.raises(BusinessError, match="剩余额度不足，剩余¥50,000.00"):
        cd_quota_take(product_id=product.pk, amount=D("200000.00"), day=DAY)
    product.refresh_from_db()
    assert product.sold == D("950000.00")


def test_outside_the_sale_window_nothing_is_taken():
    product = issue()
    with pytest.raises(BusinessError, match="不在发售期内"):
        cd_quota_take(product_id=product.pk, amount=D("200000.00"), day=date(2026, 7, 1))
    product.refresh_from_db()
    assert product.sold == D("0.00")


def test_a_take_rolled_back_with_its_opening_gives_the_quota_back():
    product = issue(sold="800000.00")
    with pytest.raises(RuntimeError), transaction.atomic():
        cd_quota_take(product_id=product.pk, amount=D("200000.00"), day=DAY)
        raise RuntimeError("the opening failed after the take")
    product.refresh_from_db()
    assert product.remaining == D("200000.00")
    cd_quota_take(product_id=product.pk, amount=D("200000.00"), day=DAY)
    cd_quota_return(product_id=product.pk, amount=D("200000.00"))
    product.refresh_from_db()
    assert product.remaining == D("200000.00")


def test_the_database_refuses_sold_above_quota_and_a_minimum_below_the_rule():
    product = issue()
    with pytest.raises(IntegrityError), transaction.atomic():
        LargeCDProduct.objects.filter(pk=product.pk).update(sold=D("1000000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        issue(code="CD2026009", minimum=D("100000.00"))
