"""Two approvers press 复核通过 on one request at the same moment: it executes once."""

from decimal import Decimal

import pytest

from accounts.demo import seed_demo_bank
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.limits.models import LimitLevel, LimitPolicy
from security.models import ApprovalStatus
from security.staff.approvals.limits import branch_limit_request
from security.staff.approvals.services import approval_approve
from security.staff.roles import Role
from security.tests.test_counter_fixtures import make_staff

from .helpers import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_approvers_at_once_execute_the_request_once():
    seed_demo_bank()
    maker = make_staff("super_a", "340101", role=Role.SUPERVISOR)
    checkers = [make_staff("super_b", "340101", role=Role.SUPERVISOR),
                make_staff("hq_c", "340000", role=Role.HEAD_OFFICE)]
    request = branch_limit_request(maker=maker, branch_code="340101", channel="transfer",
                                   single_limit=Decimal("300000.00"),
                                   daily_limit=Decimal("900000.00"))

    results = run_concurrently(
        lambda i: approval_approve(public_id=request.public_id, checker=checkers[i]), 2)

    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert done[0].status == ApprovalStatus.APPROVED
    assert LimitPolicy.objects.filter(level=LimitLevel.BRANCH, scope="340101").count() == 1
    assert AuditEvent.objects.filter(action="limit_policy_set", detail__scope="340101").count() == 1
    assert AuditEvent.objects.filter(action="approval.approved").count() == 1
