"""limit_policy_set keeps the hierarchy (procedures §13, manual 限额管理) and the admin shows why."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.limits.models import LimitLevel, LimitPolicy
from ebank.limits.selectors import effective_limits
from ebank.limits.services import limit_policy_set

from .helpers import ALICE, D, policy

pytestmark = pytest.mark.django_db

CUSTOMER = str(ALICE.customer_id)


def set_(level, single, daily, **kwargs):
    return limit_policy_set(level=level, single_limit=None if single is None else D(single),
                            daily_limit=None if daily is None else D(daily), **kwargs)


def refused(level, single, daily, **kwargs) -> str:
    with pytest.raises(BusinessError) as error:
        set_(level, single, daily, **kwargs)
    return error.value.message


def test_a_branch_may_not_exceed_the_bank():
    set_(LimitLevel.BANK, "500000.00", "2000000.00")
    message = refused(LimitLevel.BRANCH, "500000.01", None, scope="3401")
    assert message == "行社单笔限额¥500,000.01不得超过全行单笔限额¥500,000.00"
    message = refused(LimitLevel.BRANCH, None, "2000000.01", scope="3401")
    assert "全行日累计限额¥2,000,000.00" in message
    set_(LimitLevel.BRANCH, "500000.00", "2000000.00", scope="3401")


def test_a_customer_may_not_exceed_the_branch_nor_the_bank():
    set_(LimitLevel.BANK, "500000.00", "2000000.00")
    set_(LimitLevel.BRANCH, "200000.00", None, scope="3401")
    message = refused(LimitLevel.CUSTOMER, "200000.01", None, scope=CUSTOMER, branch_code="3401")
    assert message == "客户单笔限额¥200,000.01不得超过行社单笔限额¥200,000.00"
    # The branch set no daily limit: the bank's applies.
    message = refused(LimitLevel.CUSTOMER, None, "2000000.01", scope=CUSTOMER, branch_code="3401")
    assert message == "客户日累计限额¥2,000,000.01不得超过全行日累计限额¥2,000,000.00"
    set_(LimitLevel.CUSTOMER, "200000.00", "2000000.00", scope=CUSTOMER, branch_code="3401")


def test_a_customer_stays_within_the_self_service_caps():
    set_(LimitLevel.BANK, "9000000.00", "90000000.00")
    message = refused(LimitLevel.CUSTOMER, "1000000.01", None, scope=CUSTOMER, branch_code="3401")
    assert message == "客户单笔限额¥1,000,000.01不得超过自助设置的最高单笔限额¥1,000,000.00"
    message = refused(LimitLevel.CUSTOMER, None, "5000000.01", scope=CUSTOMER, branch_code="3401")
    assert "自助设置的最高日累计限额¥5,000,000.00" in message
    set_(LimitLevel.CUSTOMER, "1000000.00", "5000000.00", scope=CUSTOMER, branch_code="3401")


def test_a_customer_limit_needs_the_customers_branch():
    assert "开户行社" in refused(LimitLevel.CUSTOMER, "1.00", None, scope=CUSTOMER)


@pytest.mark.parametrize(("level", "scope", "single", "daily", "words"), [
    (LimitLevel.BANK, "", "100.00", "99.99", "不得超过日累计限额"),
    (LimitLevel.BANK, "", "0.00", None, "必须大于零"),
    (LimitLevel.BANK, "", "-5.00", None, "必须大于零"),
    (LimitLevel.BANK, "", "1.001", None, "格式不正确"),
    (LimitLevel.BANK, "3401", "1.00", None, "请留空"),
    (LimitLevel.TOOLLESS, "3401", "1.00", None, "请留空"),
    (LimitLevel.BRANCH, "", "1.00", None, "行社代码"),
    (LimitLevel.CUSTOMER, "abc", "1.00", None, "客户号必须为数字"),
    ("nonsense", "", "1.00", None, "限额级别无效"),
])
def test_malformed_policies_are_refused(level, scope, single, daily, words):
    assert words in refused(level, single, daily, scope=scope, branch_code="3401")


def test_lowering_the_bank_below_a_branch_is_refused_with_the_branches_named():
    set_(LimitLevel.BANK, "500000.00", "2000000.00")
    set_(LimitLevel.BRANCH, "300000.00", "1000000.00", scope="3401")
    set_(LimitLevel.BRANCH, "100000.00", "1500000.00", scope="3402")
    set_(LimitLevel.BRANCH, "50000.00", "100000.00", scope="3403")
    message = refused(LimitLevel.BANK, "200000.00", "1200000.00")
    assert message == ("全行限额不得低于行社已设定的限额，请先调低以下行社的限额："
                       "3401（单笔¥300,000.00）；3402（日累计¥1,500,000.00）")
    assert LimitPolicy.objects.get(level=LimitLevel.BANK).single_limit == D("500000.00")


def test_lowering_the_bank_below_customers_is_allowed_and_the_bank_binds():
    set_(LimitLevel.BANK, "500000.00", "2000000.00")
    set_(LimitLevel.CUSTOMER, "100000.00", None, scope=CUSTOMER, branch_code="3401")
    set_(LimitLevel.BANK, "50000.00", "2000000.00")
    limits = effective_limits(subject=ALICE)
    assert (limits.single, limits.single_level) == (D("50000.00"), LimitLevel.BANK)


def test_set_changes_in_place_records_who_and_audits(django_user_model):
    staff = django_user_model.objects.create_user(username="teller", password="x")
    first = set_(LimitLevel.BANK, "500000.00", "2000000.00", acting_user_id=staff.pk)
    second = set_(LimitLevel.BANK, "400000.00", None, acting_user_id=staff.pk)
    assert first.pk == second.pk
    second.refresh_from_db()
    assert (second.single_limit, second.daily_limit, second.updated_by_id) == \
        (D("400000.00"), None, staff.pk)
    event = AuditEvent.objects.filter(action="limit_policy_set").order_by("-id").first()
    assert event.actor_id == staff.pk
    assert event.detail["previous_single_limit"] == "500000.00"
    assert event.detail["single_limit"] == "400000.00"


def test_a_channel_policy_takes_its_channel_as_scope():
    saved = set_(LimitLevel.CHANNEL, "5000.00", "20000.00", channel="quickpay")
    assert saved.scope == "quickpay"


def test_the_database_refuses_what_the_service_would():
    for bad in (
        LimitPolicy(level=LimitLevel.BANK, single_limit=D("2.00"), daily_limit=D("1.00")),
        LimitPolicy(level=LimitLevel.BANK, single_limit=D("0.00")),
        LimitPolicy(level=LimitLevel.BRANCH, scope=""),
        LimitPolicy(level=LimitLevel.CHANNEL, scope="other", channel="quickpay"),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            bad.save()


# --- admin (STF-LIMITS) -----------------------------------------------------------------------


def test_admin_shows_a_hierarchy_error_on_the_form(admin_client):
    policy(LimitLevel.BANK, "500000.00", "2000000.00")
    response = admin_client.post(reverse("admin:limits_limitpolicy_add"), {
        "level": LimitLevel.BRANCH, "scope": "3401", "channel": "transfer",
        "single_limit": "600000.00", "daily_limit": "", "branch_code": "",
    })
    assert response.status_code == 200
    assert "行社单笔限额¥600,000.00不得超过全行单笔限额¥500,000.00" in response.content.decode()
    assert not LimitPolicy.objects.filter(level=LimitLevel.BRANCH).exists()


def test_admin_saves_through_the_service(admin_client, admin_user):
    """Head office's own edits (bank-wide, tool-less) go through limit_policy_set. A branch's
    limits go through 复核 instead (security/tests/test_approvals.py)."""
    bank = policy(LimitLevel.BANK, "500000.00", "2000000.00")
    response = admin_client.post(reverse("admin:limits_limitpolicy_add"), {
        "level": LimitLevel.TOOLLESS, "scope": "", "channel": "transfer",
        "single_limit": "3000.00", "daily_limit": "", "branch_code": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    toolless = LimitPolicy.objects.get(level=LimitLevel.TOOLLESS)
    assert toolless.updated_by_id == admin_user.pk
    assert AuditEvent.objects.filter(action="limit_policy_set").count() == 1

    policy(LimitLevel.BRANCH, "300000.00", None, scope="3401")
    response = admin_client.post(reverse("admin:limits_limitpolicy_change", args=[bank.pk]), {
        "single_limit": "200000.00", "daily_limit": "2000000.00",
    })
    assert response.status_code == 200
    assert "3401（单笔¥300,000.00）" in response.content.decode()

    response = admin_client.post(reverse("admin:limits_limitpolicy_change", args=[bank.pk]), {
        "single_limit": "400000.00", "daily_limit": "2000000.00",
    })
    assert response.status_code == 302
    bank.refresh_from_db()
    assert bank.single_limit == D("400000.00")


def test_admin_usage_is_read_only(admin_client):
    response = admin_client.get(reverse("admin:limits_dailylimitusage_changelist"))
    assert response.status_code == 200
    assert admin_client.get(reverse("admin:limits_dailylimitusage_add")).status_code == 403
