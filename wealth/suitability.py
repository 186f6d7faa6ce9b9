"""Suitability (适当性): who may buy what (DOMAIN-RULES §5, WLT-RISK).

A customer's level (C1–C5) comes from their latest 风险测评, valid through the day before its
anniversary. A product rated R<n> may be bought by a customer of level C<n> or above. Every
buying service calls :func:`suitability_check` (again inside the confirmation, since the
assessment may expire in between); the pages show ``SuitabilityRefused.message`` with the way
to 风险测评 (``needs_assessment``).
"""

from datetime import date

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError

from .models import RiskAssessment, level_rank

NO_ASSESSMENT = "您尚未进行风险测评或测评结果已过期，请先完成风险测评"
ABOVE_LEVEL = ("该产品风险等级为{product}，高于您的风险承受能力{customer}，不能购买；"
               "如您的情况已变化，可重新进行风险测评")


class SuitabilityRefused(BusinessError):
    code = "suitability_refused"
    default_message = NO_ASSESSMENT

    def __init__(self, message: str | None = None, *, needs_assessment: bool = True):
        super().__init__(message)
        self.needs_assessment = needs_assessment


def risk_assessment_current(customer, on: date | None = None) -> RiskAssessment | None:
    """The customer's latest assessment still valid on ``on`` (default: today), or None."""
    on = business_day(on)
    latest = RiskAssessment.objects.filter(customer=customer).order_by("-taken_at", "-id").first()
    if latest is None or latest.valid_until < on:
        return None
    return latest


def suitability_check(customer, product, on: date | None = None) -> RiskAssessment:
    """The assessment that allows ``customer`` to buy ``product``; SuitabilityRefused if none."""
    assessment = risk_assessment_current(customer, on)
    if assessment is None:
        raise SuitabilityRefused(NO_ASSESSMENT)
    if level_rank(product.risk_level) > level_rank(assessment.level):
        raise SuitabilityRefused(ABOVE_LEVEL.format(product=product.risk_level,
                                                    customer=assessment.level))
    return assessment
