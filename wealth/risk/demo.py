"""seed_demo's part 61 (registered in WealthConfig.ready()): the 风险测评 questionnaire head
office keeps in the admin, and 张伟's result — 平衡型 (C3), taken 30 days before the seeding
day, so valid for eleven more months whenever the demo is seeded.

Idempotent: the questionnaire is created only when there is none (afterwards it is head
office's), 张伟's result only when he has none; what is printed is read back from the rows, so a
second run prints the same lines.
"""

from datetime import datetime, time, timedelta

from django.db import transaction

from accounts.models import Customer
from ebank.core.clock import SHANGHAI, business_day

from ..models import RiskChoice, RiskQuestion
from .services import assessment_latest, assessment_record, questionnaire_active

ZHANG_CIF = "3401010001"
TAKEN_DAYS_AGO = 30

# (question, ((choice, score), …)): a questionnaire as Chinese banks print it (the regulators'
# 投资者风险承受能力评估 topics: age, income, share invested, knowledge, experience, horizon,
# goal, loss tolerance, behaviour in a loss); 10 points at most a question, 100 in all.
QUESTIONS = (
    ("您的年龄是？", (
        ("18～30周岁", 8), ("31～45周岁", 10), ("46～55周岁", 6), ("56～65周岁", 3),
        ("65周岁以上", 1))),
    ("您的家庭年收入（折合人民币）为？", (
        ("10万元以下", 2), ("10万～30万元", 4), ("30万～50万元", 6), ("50万～100万元", 8),
        ("100万元以上", 10))),
    ("一般情况下，您家庭收入中可用于金融投资（储蓄存款除外）的比例为？", (
        ("小于10%", 2), ("10%～25%", 4), ("25%～50%", 7), ("大于50%", 10))),
    ("您的金融投资知识可描述为？", (
        ("欠缺：基本没有金融产品方面的知识", 1), ("一般：对金融产品及其风险有基本了解", 4),
        ("丰富：对金融产品及其风险有较深的认识", 7),
        ("非常丰富：具有金融相关专业背景或从业经历", 10))),
    ("您的投资经验可描述为？", (
        ("除银行储蓄外，基本没有其他投资经验", 1), ("购买过国债、银行理财产品、保险", 4),
        ("参与过股票、基金等产品的交易", 7), ("参与过期货、期权、权证等衍生品的交易", 10))),
    ("您投资基金、股票、信托、私募证券或金融衍生品等风险投资品的年限是？", (
        ("没有经验", 1), ("2年以下", 4), ("2～5年", 6), ("5～10年", 8), ("10年以上", 10))),
    ("您计划的投资期限是多久？", (
        ("1年以下", 2), ("1～3年", 5), ("3～5年", 8), ("5年以上", 10))),
    ("您的投资目标是？", (
        ("资产保值，不愿承担本金损失", 1), ("资产稳健增长，可承担少量本金损失", 5),
        ("资产较快增长，可承担较大本金损失", 8), ("资产迅速增长，追求高收益", 10))),
    ("您能承受的最大投资损失是？", (
        ("不能承受本金损失", 1), ("本金10%以内的损失", 4), ("本金10%～30%的损失", 7),
        ("本金30%以上的损失", 10))),
    ("当您的投资出现较大亏损时，您会？", (
        ("立即全部赎回，不再投资", 1), ("赎回部分，减少投资", 4), ("继续持有，等待回升", 7),
        ("追加投资，摊低成本", 10))),
)

# 张伟 (40, 10万～30万元 …): the index of his answer to each question → 56 points, C3.
ZHANG_ANSWERS = (1, 1, 1, 1, 2, 2, 1, 1, 1, 2)


@transaction.atomic
def questionnaire_seed() -> None:
    if RiskQuestion.objects.exists():
        return
    for number, (text, choices) in enumerate(QUESTIONS, start=1):
        question = RiskQuestion.objects.create(order=number, text=text, active=True)
        RiskChoice.objects.bulk_create(
            RiskChoice(question=question, order=position, text=choice, score=score)
            for position, (choice, score) in enumerate(choices, start=1))


def demo_seed(out) -> None:
    questionnaire_seed()
    questionnaire = questionnaire_active()
    out.success(f"风险测评: 问卷{len(questionnaire.questions)}题（满分{questionnaire.maximum}分）")
    zhang = Customer.objects.get(cif_no=ZHANG_CIF)
    assessment = assessment_latest(zhang)
    if assessment is None:
        taken_on = business_day() - timedelta(days=TAKEN_DAYS_AGO)
        answers = {}
        for question, index in zip(questionnaire.questions, ZHANG_ANSWERS, strict=False):
            choices = list(question.choices.all())
            answers[question.pk] = choices[min(index, len(choices) - 1)].pk
        for question in questionnaire.questions[len(ZHANG_ANSWERS):]:  # head office's additions
            answers[question.pk] = question.choices.all()[0].pk
        assessment = assessment_record(
            customer=zhang, answers=answers, questionnaire=questionnaire,
            taken_at=datetime.combine(taken_on, time(10, 0), tzinfo=SHANGHAI))
    out.line(f"  {zhang.name} {assessment.get_level_display()} 得分{assessment.score} "
             f"测评时间{assessment.taken_at.astimezone(SHANGHAI):%Y-%m-%d} "
             f"有效期至{assessment.valid_until:%Y-%m-%d}")
