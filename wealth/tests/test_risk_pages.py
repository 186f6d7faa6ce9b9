"""风险测评's page (WLT-RISK): "点击菜单栏的“风险测评”，选出问题答案，点击“提交”按钮" — as 张伟 and
as 李娜, who never sees his results; missing answers said on the same page with the others kept;
a result with its audit row and its own copy of the questions; a retake; an expired result."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from ebank.core.audit import audit_action_label
from ebank.core.models import AuditEvent
from tests.customer_world import LOGIN_PASSWORD
from wealth.models import RiskAssessment, RiskChoice, RiskLevel
from wealth.risk.services import ASSESS_ACTION
from wealth.suitability import risk_assessment_current, suitability_check

from .conftest import MONDAY, assess, shanghai
from .risk_support import answers_by_index, highest, lowest, post_data, questionnaire_make

pytestmark = pytest.mark.django_db

# 张伟's demo answers: 56 points of 100 → C3.
C3_ANSWERS = (1, 1, 1, 1, 2, 2, 1, 1, 1, 2)
NOW = shanghai(MONDAY, 10)


@pytest.fixture
def questionnaire(world):
    return questionnaire_make()


@pytest.fixture
def zhang(client, world):
    client.login(username=world.zhang.username, password=LOGIN_PASSWORD)
    return client


@pytest.fixture
def li(world):
    from django.test import Client

    client = Client()
    client.login(username=world.li.username, password=LOGIN_PASSWORD)
    return client


def test_the_page_shows_the_questionnaire_with_radio_buttons_and_no_result_yet(zhang,
                                                                               questionnaire):
    with time_machine.travel(NOW, tick=False):
        page = zhang.get(reverse("wealth:risk"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "您尚未进行风险测评" in body and "提交" in body
    assert body.count('type="radio"') == sum(len(q.choices.all()) for q in questionnaire.questions)
    assert "1. 您的年龄是？" in body and "满分100分" in body
    assert RiskAssessment.objects.count() == 0


def test_submit_keeps_a_c3_result_with_its_audit_row_and_redirects_to_it(world, zhang,
                                                                         questionnaire):
    answers = answers_by_index(questionnaire, C3_ANSWERS)
    with time_machine.travel(NOW, tick=False):
        response = zhang.post(reverse("wealth:risk"), post_data(answers))
        assessment = RiskAssessment.objects.get(customer=world.zhang_customer)
        assert response.status_code == 302
        assert response["Location"] == reverse("wealth:risk_result", args=[assessment.pk])
        page = zhang.get(response["Location"])
    assert (assessment.level, assessment.score) == ("C3", 56)
    assert assessment.taken_at == NOW
    assert assessment.valid_until == MONDAY.replace(year=2027) - timedelta(days=1)
    assert assessment.answers["maximum"] == 100
    assert assessment.answers["items"][0] == {"order": 1, "question": "您的年龄是？",
                                              "choice": "31～45周岁", "score": 10}
    event = AuditEvent.objects.get(action=ASSESS_ACTION)
    assert event.customer_id == world.zhang_customer.pk and event.actor_id == world.zhang.pk
    assert event.detail["level"] == "C3" and event.detail["score"] == 56
    assert event.object_ref == f"wealth.riskassessment:{assessment.pk}"
    assert audit_action_label(ASSESS_ACTION) == "风险测评"
    body = page.content.decode()
    assert "您的风险承受能力为C3（平衡型），可购买风险等级为R1、R2、R3的理财产品" in body
    assert "2027-06-07" in body and "56 / 100" in body and "31～45周岁" in body
    # No 理财产品认购 page in this worktree: no dead link.
    assert ('id="risk-to-products"' in body) == (_products_url() is not None)
    # The buying side sees it.
    assert risk_assessment_current(world.zhang_customer, MONDAY) == assessment


def _products_url():
    from ebank.core.web import url_or_none

    return url_or_none("wealth:products")


def test_missing_answers_are_said_on_the_same_page_and_the_chosen_ones_kept(zhang,
                                                                           questionnaire):
    indexes = list(C3_ANSWERS)
    indexes[3] = indexes[7] = None
    answers = answers_by_index(questionnaire, indexes)
    with time_machine.travel(NOW, tick=False):
        page = zhang.post(reverse("wealth:risk"), post_data(answers))
    body = page.content.decode()
    assert page.status_code == 200
    assert "请回答全部题目后再提交（尚有2题未作答）" in body
    assert body.count("请选择本题的答案") == 2
    assert body.count("checked") == 8
    for question_id, choice_id in answers.items():
        assert f'name="q{question_id}" value="{choice_id}"' in body
        form_field = page.context["form"][f"q{question_id}"]
        assert str(form_field.value()) == str(choice_id)
    assert RiskAssessment.objects.count() == 0
    assert not AuditEvent.objects.filter(action=ASSESS_ACTION).exists()


def test_an_answer_of_another_question_is_refused_without_a_500(zhang, questionnaire):
    answers = answers_by_index(questionnaire, C3_ANSWERS)
    first, second = questionnaire.questions[:2]
    answers[first.pk] = list(second.choices.all())[0].pk
    with time_machine.travel(NOW, tick=False):
        page = zhang.post(reverse("wealth:risk"), post_data(answers))
    assert page.status_code == 200 and "所选答案无效" in page.content.decode()
    assert RiskAssessment.objects.count() == 0


def test_lowest_and_highest_answers_give_c1_and_c5(world, zhang, questionnaire):
    with time_machine.travel(NOW, tick=False):
        zhang.post(reverse("wealth:risk"),
                   post_data(answers_by_index(questionnaire, lowest(questionnaire))))
        assert RiskAssessment.objects.get().level == "C1"
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        response = zhang.post(reverse("wealth:risk"),
                              post_data(answers_by_index(questionnaire, highest(questionnaire))))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "result" in response["Location"], response["Location"]
    latest = risk_assessment_current(world.zhang_customer, MONDAY)
    assert (latest.level, latest.score) == ("C5", 100)
    assert RiskAssessment.objects.count() == 2


def test_a_retake_counts_the_latest_even_when_lower(world, zhang, questionnaire, shelf):
    assess(world.zhang_customer, "C3")
    with time_machine.travel(NOW, tick=False):
        zhang.post(reverse("wealth:risk"),
                   post_data(answers_by_index(questionnaire, lowest(questionnaire))))
        page = zhang.get(reverse("wealth:risk"))
    assert page.context["current"]["assessment"].level == "C1"
    assert "C1（保守型）" in page.content.decode()
    from wealth.suitability import SuitabilityRefused
    with pytest.raises(SuitabilityRefused):
        suitability_check(world.zhang_customer, shelf.open_r2, MONDAY)
    assert shelf.open_r2.risk_level == RiskLevel.R2


def test_a_later_edit_of_the_questionnaire_does_not_change_the_history(world, zhang,
                                                                        questionnaire):
    with time_machine.travel(NOW, tick=False):
        response = zhang.post(reverse("wealth:risk"),
                              post_data(answers_by_index(questionnaire, C3_ANSWERS)))
    first = questionnaire.questions[0]
    first.text = "您的周岁年龄是？"
    first.save(update_fields=["text"])
    RiskChoice.objects.filter(question=first).update(score=0, text="已修改")
    with time_machine.travel(NOW, tick=False):
        page = zhang.get(response["Location"])
    body = page.content.decode()
    assert "您的年龄是？" in body and "31～45周岁" in body and "已修改" not in body
    assert RiskAssessment.objects.get().score == 56


def test_the_current_result_and_an_expired_one(world, zhang, questionnaire):
    assess(world.zhang_customer, "C4", taken_at=shanghai(MONDAY.replace(year=2025), 9))
    with time_machine.travel(NOW - timedelta(days=1), tick=False):  # Sunday 2026-06-07: last day
        body = zhang.get(reverse("wealth:risk")).content.decode()
    assert "C4（成长型）" in body and "2026-06-07" in body and "R1、R2、R3、R4" in body
    assert "已过期" not in body
    with time_machine.travel(NOW, tick=False):  # a day later: a new session
        zhang.login(username=world.zhang.username, password=LOGIN_PASSWORD)
        body = zhang.get(reverse("wealth:risk")).content.decode()
    assert "（已过期）" in body and "您的风险测评结果已于2026-06-07到期" in body
    assert "测评结果已过期，请重新测评后再购买理财产品" in body


def test_another_customer_sees_neither_the_result_nor_its_page(world, zhang, li,
                                                               questionnaire):
    with time_machine.travel(NOW, tick=False):
        response = zhang.post(reverse("wealth:risk"),
                              post_data(answers_by_index(questionnaire, C3_ANSWERS)))
        assert li.get(response["Location"]).status_code == 404
        page = li.get(reverse("wealth:risk"))
    assert page.status_code == 200
    assert page.context["current"] is None and "您尚未进行风险测评" in page.content.decode()
    assert "56 / 100" not in page.content.decode()


def test_a_question_without_choices_or_retired_is_not_asked(zhang, questionnaire):
    retired = questionnaire.questions[-1]
    retired.active = False
    retired.save(update_fields=["active"])
    from wealth.models import RiskQuestion
    RiskQuestion.objects.create(order=11, text="尚未设置选项的题目")
    with time_machine.travel(NOW, tick=False):
        page = zhang.get(reverse("wealth:risk"))
    body = page.content.decode()
    assert retired.text not in body and "尚未设置选项的题目" not in body
    assert "满分90分" in body


def test_no_questionnaire_is_said_plainly(zhang, world):
    with time_machine.travel(NOW, tick=False):
        page = zhang.get(reverse("wealth:risk"))
        post = zhang.post(reverse("wealth:risk"), {})
    assert "风险测评问卷暂未启用" in page.content.decode()
    assert post.status_code == 200 and RiskAssessment.objects.count() == 0


def test_the_page_needs_a_logged_in_customer(client, world):
    response = client.get(reverse("wealth:risk"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_result_links_to_the_products_page_once_it_exists(settings, world, zhang,
                                                               questionnaire):
    settings.ROOT_URLCONF = "wealth.tests.risk_urls"
    with time_machine.travel(NOW, tick=False):
        response = zhang.post(reverse("wealth:risk"),
                              post_data(answers_by_index(questionnaire, C3_ANSWERS)))
        result = zhang.get(response["Location"]).content.decode()
        page = zhang.get(reverse("wealth:risk")).content.decode()
    link = f'href="{reverse("wealth:products")}" id="risk-to-products">理财产品认购</a>'
    assert link in result and link in page


def test_a_questionnaire_whose_scores_are_all_zero_is_refused_in_words(zhang, questionnaire):
    """Head office set every 分值 to 0 (a mistake in the admin): no level can be read from a
    maximum of 0 — said on the page with the answers kept, never a 500."""
    RiskChoice.objects.update(score=0)
    answers = answers_by_index(questionnaire, C3_ANSWERS)
    with time_machine.travel(NOW, tick=False):
        page = zhang.get(reverse("wealth:risk"))
        post = zhang.post(reverse("wealth:risk"), post_data(answers))
    assert page.status_code == 200
    body = post.content.decode()
    assert post.status_code == 200 and "风险测评问卷暂未启用" in body
    assert RiskAssessment.objects.count() == 0
    first_question, first_choice = next(iter(answers.items()))
    assert f'value="{first_choice}"' in body and "checked" in body
