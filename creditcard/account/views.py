"""信用卡业务 › 账户管理: 信用额度查询, 未出账单查询, 已出账单查询 (with each statement's page,
PDF and Excel) and 信用卡信息维护 (docs/creditcard.md, "Pages: 账户管理")."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, download, redirect_to_confirm
from security.confirm.selectors import operation_typed

from .. import selectors
from . import exports, services
from .forms import CardChoiceForm, CardInfoForm, StatementQueryForm
from .selectors import (
    card_limits,
    line_totals,
    statement_document,
    statements_between,
    statements_unpaid,
    unbilled_lines,
)

NO_CARD = "您尚未开通信用卡，或信用卡尚未关联至个人网上银行。如需办理，请携带有效身份证件到我行网点申请。"


def _card_form(request, form_class=CardChoiceForm, **kwargs):
    cards = list(selectors.cards_of(request.user.customer))
    return form_class(request.GET or None, cards=cards, **kwargs), cards


@customer_required
@require_GET
def limit(request):
    form, cards = _card_form(request)
    card = form.chosen()
    return render(request, "creditcard/account/limit.html",
                  {"form": form, "has_cards": bool(cards), "no_card": NO_CARD,
                   "limits": card_limits(card) if card else None})


@customer_required
@require_GET
def unbilled(request):
    form, cards = _card_form(request)
    card = form.chosen()
    lines = unbilled_lines(card) if card else []
    return render(request, "creditcard/account/unbilled.html",
                  {"form": form, "has_cards": bool(cards), "no_card": NO_CARD, "card": card,
                   "lines": lines, "totals": line_totals(lines)})


@customer_required
@require_GET
def statements(request):
    today = business_day()
    form, cards = _card_form(request, StatementQueryForm, today=today)
    card = form.chosen()
    rows, date_from, date_to = [], None, None
    if card is not None:
        if not form.is_bound:
            date_from, date_to = form.default_range()
        elif form.is_valid():
            date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    if card is not None and date_from is not None:
        found = statements_between(card, start=date_from, end=date_to)
        unpaid = statements_unpaid(card, found)
        rows = [(statement, unpaid[statement.pk]) for statement in found]
    return render(request, "creditcard/account/statements.html",
                  {"form": form, "has_cards": bool(cards), "no_card": NO_CARD, "card": card,
                   "rows": rows, "date_from": date_from, "date_to": date_to})


@customer_required
@require_GET
def statement(request, pk: int):
    found = selectors.statement_get(request.user.customer, pk)
    return render(request, "creditcard/account/statement.html",
                  {"document": statement_document(found)})


@customer_required
@require_GET
def statement_pdf(request, pk: int):
    document = statement_document(selectors.statement_get(request.user.customer, pk))
    return download(exports.statement_pdf(document), content_type="application/pdf",
                    filename=exports.statement_filename(document, "pdf"))


@customer_required
@require_GET
def statement_xlsx(request, pk: int):
    document = statement_document(selectors.statement_get(request.user.customer, pk))
    return download(
        exports.statement_xlsx(document),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=exports.statement_filename(document, "xlsx"))


@customer_required
@require_http_methods(["GET", "POST"])
def info(request):
    """信用卡信息维护: the card chosen by ?card= (the first by default); 更新客户信息 posts the
    details with the card, which go to X-CONFIRM when anything changed."""
    cards = list(selectors.cards_of(request.user.customer))
    choice = CardChoiceForm(request.GET or None, cards=cards)
    card = choice.chosen()
    form = None
    if request.method == "POST":
        form = CardInfoForm(request.POST)
        posted = str(form.data.get("card", ""))
        card = next((c for c in cards if posted.isdigit() and c.pk == int(posted)), None)
        if card is None:
            raise Http404("没有这张信用卡")
        if form.is_valid():
            try:
                operation = services.card_info_update_start(user=request.user, card=card,
                                                            values=form.values())
            except BusinessError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect_to_confirm(operation)
    if card is not None and form is None:
        initial = {**services.card_info(card), "card": card.pk}
        # 返回 from the confirmation: what was typed comes back (for this card only).
        typed = operation_typed(request=request, kind=services.KIND_INFO_UPDATE)
        if typed.get("card_id") == card.pk:
            initial.update(typed["new"])
        form = CardInfoForm(initial=initial)
    if card is not None:
        choice.fields["card"].initial = card.pk
    return render(request, "creditcard/account/info.html",
                  {"choice": choice, "form": form, "card": card, "has_cards": bool(cards),
                   "no_card": NO_CARD})
