"""风险测评 (WLT-RISK): "点击菜单栏的“风险测评”，选出问题答案，点击“提交”按钮" — the customer's
current result, the questionnaire, and the result page after 提交 (redirect after POST)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.proxy import client_ip
from ebank.core.web import customer_required, url_or_none

from ..models import RiskAssessment
from . import scoring, services
from .forms import RiskForm


def _shown(assessment: RiskAssessment | None) -> dict | None:
    """What the pages say of a result: its level, what it allows, whether it still counts."""
    if assessment is None:
        return None
    return {"assessment": assessment, "expired": assessment.valid_until < business_day(),
            "allowed": scoring.allowed_product_levels(assessment.level)}


@customer_required
@require_http_methods(["GET", "POST"])
def risk(request):
    """The current result (if any) and the questionnaire; 提交 keeps a new result."""
    questionnaire = services.questionnaire_active()
    form = RiskForm(request.POST if request.method == "POST" else None,
                    questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_submit(user=request.user, answers=form.answers(),
                                                    ip=client_ip(request))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("wealth:risk_result", pk=assessment.pk)
    return render(request, "wealth/risk/risk.html", {
        "current": _shown(services.assessment_latest(request.user.customer)),
        "form": form, "questionnaire": questionnaire,
        "products_url": url_or_none("wealth:products"),
        "bands": scoring.band_bounds(questionnaire.maximum) if questionnaire.questions else []})


@customer_required
@require_GET
def result(request, pk: int):
    """风险测评结果: the level of one of the customer's own results and what it allows."""
    try:
        assessment = services.assessment_get_for_customer(customer=request.user.customer, pk=pk)
    except RiskAssessment.DoesNotExist as exc:
        raise Http404("测评记录不存在") from exc
    latest = services.assessment_latest(request.user.customer)
    return render(request, "wealth/risk/result.html", {
        "shown": _shown(assessment), "superseded": latest is not None and latest.pk != assessment.pk,
        "products_url": url_or_none("wealth:products")})
