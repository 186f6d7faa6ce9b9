"""Helpers of the 风险测评 tests: the demo questionnaire and a form's POST data."""

from wealth.risk.demo import questionnaire_seed
from wealth.risk.services import Questionnaire, questionnaire_active


def questionnaire_make() -> Questionnaire:
    """The demo questionnaire (10 questions, 100 points at most), active."""
    questionnaire_seed()
    return questionnaire_active()


def answers_by_index(questionnaire, indexes) -> dict[int, int]:
    """{question id: choice id}: the choice at ``indexes[i]`` of the i-th question (None: skip)."""
    answers = {}
    for question, index in zip(questionnaire.questions, indexes, strict=True):
        if index is not None:
            answers[question.pk] = list(question.choices.all())[index].pk
    return answers


def post_data(answers: dict[int, int]) -> dict[str, str]:
    return {f"q{question_id}": str(choice_id) for question_id, choice_id in answers.items()}


def lowest(questionnaire) -> list[int]:
    """Each question's lowest-scoring choice's index."""
    return [min(range(len(q.choices.all())), key=lambda i: list(q.choices.all())[i].score)
            for q in questionnaire.questions]


def highest(questionnaire) -> list[int]:
    return [max(range(len(q.choices.all())), key=lambda i: list(q.choices.all())[i].score)
            for q in questionnaire.questions]
