"""风险测评 (WLT-RISK): the active questionnaire, and a customer's answers turned into a
``RiskAssessment`` (score → C1–C5 and validity by ``scoring``).

The row keeps each question's text, the chosen answer's text and its score as they were, so a
later edit of the questionnaire in the admin never changes a customer's history. A customer may
take the test again at any time; the latest result counts (``suitability``). Taking the test
moves no money and needs no security tool (buying a product does).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from ebank.core.audit import audit_record
from ebank.core.clock import SHANGHAI
from ebank.core.errors import BusinessError

from ..models import RiskAssessment, RiskChoice, RiskQuestion
from . import scoring

ASSESS_ACTION = "wealth.risk_assess"
AUDIT_LABELS = {ASSESS_ACTION: "风险测评"}

NO_QUESTIONNAIRE = "风险测评问卷暂未启用，请稍后再试或联系网点"
QUESTIONNAIRE_CHANGED = "风险测评问卷已更新，请重新选择答案后提交"
UNANSWERED = "请回答全部题目后再提交（尚有{count}题未作答）"


@dataclass(frozen=True)
class Questionnaire:
    """The active questions (each with its choices, in order) and the highest total score."""

    questions: list[RiskQuestion]

    @property
    def maximum(self) -> int:
        return sum(max(choice.score for choice in question.choices.all())
                   for question in self.questions)


def questionnaire_active() -> Questionnaire:
    """The questions in use: active, with at least one choice (a question without any cannot be
    answered, so head office may prepare one before adding its choices)."""
    choices = Prefetch("choices", queryset=RiskChoice.objects.order_by("order", "id"))
    questions = [question for question in RiskQuestion.objects.filter(active=True)
                 .order_by("order", "id").prefetch_related(choices)
                 if question.choices.all()]
    return Questionnaire(questions)


def assessment_latest(customer) -> RiskAssessment | None:
    """The customer's latest result, valid or not (the page says which)."""
    return (RiskAssessment.objects.filter(customer=customer)
            .order_by("-taken_at", "-id").first())


def assessment_get_for_customer(*, customer, pk) -> RiskAssessment:
    """One of the customer's own results (another customer's: DoesNotExist, the view's 404)."""
    return RiskAssessment.objects.get(customer=customer, pk=pk)


def _chosen(questionnaire: Questionnaire, answers: dict[int, int]
            ) -> list[tuple[RiskQuestion, RiskChoice]]:
    """Each active question with its chosen choice, in order. Refused when one is unanswered,
    or when an answer names a question or choice no longer in use (the questionnaire changed
    in the admin since the page was drawn)."""
    chosen, unanswered, stale = [], 0, False
    for question in questionnaire.questions:
        if question.pk not in answers:
            unanswered += 1
            continue
        choice = next((c for c in question.choices.all() if c.pk == answers[question.pk]), None)
        if choice is None:
            stale = True
            continue
        chosen.append((question, choice))
    stale = stale or bool(set(answers) - {question.pk for question in questionnaire.questions})
    if stale:
        raise BusinessError(QUESTIONNAIRE_CHANGED, code="risk_questionnaire_changed")
    if unanswered:
        raise BusinessError(UNANSWERED.format(count=unanswered), code="risk_unanswered")
    return chosen


@transaction.atomic
def assessment_record(*, customer, answers: dict[int, int], taken_at: datetime,
                      questionnaire: Questionnaire | None = None) -> RiskAssessment:
    """Score ``answers`` ({question id: choice id}, every active question) and keep the result
    taken at ``taken_at`` (the customer's submission, or the demo's date)."""
    questionnaire = questionnaire or questionnaire_active()
    if not questionnaire.questions or questionnaire.maximum <= 0:  # all 分值 0: no level to read
        raise BusinessError(NO_QUESTIONNAIRE, code="risk_no_questionnaire")
    chosen = _chosen(questionnaire, answers)
    score = sum(choice.score for _question, choice in chosen)
    maximum = questionnaire.maximum
    taken_on = timezone.localtime(taken_at, SHANGHAI).date()
    return RiskAssessment.objects.create(
        customer=customer, level=scoring.level_for_score(score, maximum), score=score,
        taken_at=taken_at, valid_until=scoring.valid_until(taken_on),
        answers={"maximum": maximum, "items": [
            {"order": question.order, "question": question.text, "choice": choice.text,
             "score": choice.score} for question, choice in chosen]})


@transaction.atomic(durable=True)
def assessment_submit(*, user, answers: dict[int, int], ip: str | None = None
                      ) -> RiskAssessment:
    """The customer's 提交 on the 风险测评 page: the result now, with its audit row."""
    customer = user.customer
    assessment = assessment_record(customer=customer, answers=answers, taken_at=timezone.now())
    audit_record(action=ASSESS_ACTION, actor=user, customer_id=customer.pk,
                 object_ref=f"wealth.riskassessment:{assessment.pk}", ip_address=ip,
                 detail={"level": assessment.level, "score": assessment.score,
                         "maximum": assessment.answers["maximum"],
                         "valid_until": assessment.valid_until.isoformat()})
    return assessment
