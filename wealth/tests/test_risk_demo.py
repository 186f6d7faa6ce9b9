"""seed_demo's part 61: the questionnaire and 张伟's C3 result taken 30 days before the seeding
day, made once, the same lines printed on a second run, whatever the day."""

from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management.base import OutputWrapper

from ebank.core.demo import demo_parts
from wealth.models import RiskAssessment, RiskChoice, RiskQuestion
from wealth.risk.demo import demo_seed
from wealth.risk.services import questionnaire_active
from wealth.suitability import risk_assessment_current

from .conftest import shanghai

pytestmark = pytest.mark.django_db


class _Out(OutputWrapper):
    def success(self, text):
        self.write(text)

    def line(self, text):
        self.write(text)


def _run() -> str:
    buffer = StringIO()
    demo_seed(_Out(buffer))
    return buffer.getvalue()


# 2028-03-30: taken 30 days before, on 29 February 2028 → valid through 2029-02-28.
@pytest.mark.parametrize(("seeding_day", "valid_until"), [
    (date(2026, 6, 8), date(2027, 5, 8)), (date(2028, 3, 30), date(2029, 2, 28))])
def test_the_demo_is_made_once_and_prints_the_same_lines(world, seeding_day, valid_until):
    with time_machine.travel(shanghai(seeding_day, 9), tick=False):
        first = _run()
        second = _run()
    assert first == second
    assert RiskQuestion.objects.count() == 10 and RiskChoice.objects.count() == 43
    questionnaire = questionnaire_active()
    assert questionnaire.maximum == 100
    assessment = RiskAssessment.objects.get()
    taken_on = seeding_day - timedelta(days=30)
    assert assessment.customer == world.zhang_customer
    assert (assessment.level, assessment.score) == ("C3", 56)
    assert assessment.taken_at == shanghai(taken_on, 10)
    assert assessment.valid_until == valid_until
    assert len(assessment.answers["items"]) == 10
    assert risk_assessment_current(world.zhang_customer, seeding_day) == assessment
    assert first.splitlines() == [
        "风险测评: 问卷10题（满分100分）",
        f"  张伟 C3（平衡型） 得分56 测评时间{taken_on:%Y-%m-%d} "
        f"有效期至{valid_until:%Y-%m-%d}"]


def test_every_question_has_scores_up_to_10_and_the_part_is_registered_at_61():
    assert demo_seed in demo_parts()
    from wealth.risk.demo import QUESTIONS
    assert len(QUESTIONS) == 10
    assert sum(max(score for _text, score in choices) for _q, choices in QUESTIONS) == 100
    for _question, choices in QUESTIONS:
        assert len(choices) >= 4


def test_head_office_edits_are_kept_on_a_rerun(world):
    with time_machine.travel(shanghai(date(2026, 6, 8), 9), tick=False):
        _run()
        RiskQuestion.objects.filter(order=1).update(text="您的周岁年龄是？")
        _run()
    assert RiskQuestion.objects.get(order=1).text == "您的周岁年龄是？"
    assert RiskAssessment.objects.count() == 1
