"""The 借据 side of 贷款业务 in the staff admin: 电子借据 with its schedule inline, 还款记录,
贷款扣款记录 and 罚息复利计提 — read-only lists a teller reads, money as ¥1,234.56."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from loans.models import Accrual, Deduction
from security.tests.test_counter_fixtures import make_staff, otp_login

from .nightly_support import FIRST_DUE, balance_set, loan_for, night

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 2, 23, 4, 0, tzinfo=UTC)


def test_a_teller_reads_the_loans_pages_and_changes_nothing(world, client):
    loan = loan_for(world)
    balance_set(loan, "500.00")
    night(FIRST_DUE)
    deduction, accrual = Deduction.objects.get(), Accrual.objects.get()
    teller = make_staff("teller_ln", "340101", first_name="陈静")
    otp_login(client, teller)
    with time_machine.travel(NOON, tick=False):
        loans = client.get(reverse("admin:loans_loan_changelist")).content.decode()
        detail = client.get(reverse("admin:loans_loan_change", args=[loan.pk])).content.decode()
        repayments = client.get(reverse("admin:loans_repayment_changelist")).content.decode()
        deductions = client.get(reverse("admin:loans_deduction_changelist")).content.decode()
        accruals = client.get(reverse("admin:loans_accrual_changelist")).content.decode()
        for name, pk in (("repayment", deduction.repayment_id), ("deduction", deduction.pk),
                         ("accrual", accrual.pk)):
            page = client.get(reverse(f"admin:loans_{name}_change", args=[pk]))
            assert page.status_code == 200
        added = client.get(reverse("admin:loans_loan_add"))
    assert loan.number in loans and "¥100,000.00" in loans and "逾期" in loans
    assert "还款计划（有效期次在前）" in detail and "¥8,196.73" in detail
    assert 'name="principal_owed"' not in detail
    assert "到期自动扣款" in repayments and "¥500.00" in repayments
    assert "部分扣款" in deductions and "¥8,496.73" in deductions and "还款账户余额不足" in deductions
    assert "1.199510" in accruals      # 7,996.73 × 5.4 % / 360, unrounded
    assert added.status_code == 403
