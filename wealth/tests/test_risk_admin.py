"""风险测评 in the staff admin: tellers read the questionnaire and the results (their branch's),
head office keeps the questionnaire with its choices inline (audited), and a result is never
edited; the staff index shows them."""

import pytest
import time_machine
from django.urls import reverse

from ebank.core.models import AuditEvent
from security.staff.admin_sections import placement_of
from security.staff.roles import Role
from security.tests.test_counter_fixtures import make_staff, otp_login
from wealth.models import RiskAssessment, RiskChoice, RiskQuestion

from .conftest import MONDAY, assess, shanghai
from .risk_support import questionnaire_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang_c3(world):
    questionnaire_make()
    return assess(world.zhang_customer, "C3", score=56)


def test_the_results_are_placed_beside_the_customers_accounts():
    assert placement_of("wealth", "riskassessment").section == "accounts"


def test_the_staff_index_renders_for_a_teller_and_head_office(client, world, zhang_c3):
    otp_login(client, make_staff("teller_risk", "340101"))
    index = client.get(reverse("admin:index"))
    body = index.content.decode()
    assert index.status_code == 200
    assert "风险测评记录" in body and "风险测评题目" in body
    otp_login(client, make_staff("hq_risk", "340000", role=Role.HEAD_OFFICE))
    body = client.get(reverse("admin:index")).content.decode()
    assert "风险测评记录" in body and "风险测评题目" in body


def test_a_teller_reads_the_questionnaire_and_results_but_changes_nothing(client, world,
                                                                           zhang_c3):
    otp_login(client, make_staff("teller_risk", "340101"))
    questions = client.get(reverse("admin:wealth_riskquestion_changelist"))
    assert questions.status_code == 200 and "您的年龄是？" in questions.content.decode()
    first = RiskQuestion.objects.get(order=1)
    change = reverse("admin:wealth_riskquestion_change", args=[first.pk])
    page = client.get(change)
    assert page.status_code == 200 and "31～45周岁" in page.content.decode()
    client.post(change, {"order": "1", "text": "改过的题目", "active": "on"})
    assert RiskQuestion.objects.get(pk=first.pk).text == "您的年龄是？"
    assert client.get(reverse("admin:wealth_riskquestion_add")).status_code == 403
    listing = client.get(reverse("admin:wealth_riskassessment_changelist"),
                         {"q": world.zhang_customer.cif_no})
    assert listing.status_code == 200 and list(listing.context["cl"].result_list) == [zhang_c3]


def test_a_result_is_read_only_even_for_head_office(client, world, zhang_c3):
    otp_login(client, make_staff("hq_risk", "340000", role=Role.HEAD_OFFICE, is_superuser=True))
    change = reverse("admin:wealth_riskassessment_change", args=[zhang_c3.pk])
    page = client.get(change)
    body = page.content.decode()
    assert page.status_code == 200
    for label in ("客户", "风险承受能力", "得分", "测评时间", "有效期至"):
        assert label in body
    assert 'name="_save"' not in body and 'name="level"' not in body
    client.post(change, {"level": "C5", "score": "99"})
    zhang_c3.refresh_from_db()
    assert (zhang_c3.level, zhang_c3.score) == ("C3", 56)
    assert client.get(reverse("admin:wealth_riskassessment_add")).status_code == 403
    delete = reverse("admin:wealth_riskassessment_delete", args=[zhang_c3.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RiskAssessment.objects.filter(pk=zhang_c3.pk).exists()
    by_name = client.get(reverse("admin:wealth_riskassessment_changelist"), {"q": "张伟"})
    assert list(by_name.context["cl"].result_list) == [zhang_c3]
    nobody = client.get(reverse("admin:wealth_riskassessment_changelist"), {"q": "不存在的人"})
    assert nobody.context["cl"].result_count == 0


def test_a_teller_of_another_branch_does_not_see_the_result(client, world, zhang_c3):
    otp_login(client, make_staff("teller_other", world.wang_customer.branch.code))
    listing = client.get(reverse("admin:wealth_riskassessment_changelist"))
    assert listing.status_code == 200 and listing.context["cl"].result_count == 0
    change = reverse("admin:wealth_riskassessment_change", args=[zhang_c3.pk])
    assert client.get(change).status_code == 302  # Django's "does not exist" → the index


def test_head_office_adds_a_question_with_its_choices_audited(client, world, zhang_c3):
    otp_login(client, make_staff("hq_risk", "340000", role=Role.HEAD_OFFICE))
    response = client.post(reverse("admin:wealth_riskquestion_add"), {
        "order": "11", "text": "您是否有尚未偿还的大额负债？", "active": "on",
        "choices-TOTAL_FORMS": "2", "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "1", "choices-MAX_NUM_FORMS": "1000",
        "choices-0-order": "1", "choices-0-text": "有，且负债较高", "choices-0-score": "1",
        "choices-1-order": "2", "choices-1-text": "没有", "choices-1-score": "10"})
    assert response.status_code == 302
    question = RiskQuestion.objects.get(order=11)
    assert list(question.choices.values_list("text", "score")) == [("有，且负债较高", 1),
                                                                  ("没有", 10)]
    assert AuditEvent.objects.filter(action="admin_add",
                                     object_ref=f"wealth.riskquestion:{question.pk}").exists()
    # The page now asks it, and the maximum grows to 110.
    from wealth.risk.services import questionnaire_active
    assert questionnaire_active().maximum == 110
    assert RiskChoice.objects.filter(question=question).count() == 2


def test_the_admin_labels_are_chinese_only():
    import re

    from django.contrib import admin

    latin = re.compile(r"[A-Za-z]")
    for model in (RiskQuestion, RiskChoice, RiskAssessment):
        meta = model._meta
        assert not latin.search(str(meta.verbose_name))
        for field in meta.fields:
            if field.name != "id":
                assert not latin.search(str(field.verbose_name)), field.name
    for model in (RiskQuestion, RiskAssessment):
        model_admin = admin.site._registry[model]
        for name in (*model_admin.list_display, *model_admin.fields):
            method = getattr(model_admin, name, None)
            if callable(method):
                assert not latin.search(method.short_description), name


def test_the_result_list_shows_the_dates(client, world):
    questionnaire_make()
    assess(world.zhang_customer, "C2", taken_at=shanghai(MONDAY, 9))
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        otp_login(client, make_staff("teller_risk", "340101"))
        body = client.get(reverse("admin:wealth_riskassessment_changelist")).content.decode()
    assert "C2（稳健型）" in body and "2027" in body
