"""Pages of 存本取息: the list (choose the card; each deposit with 支取 and 利息账户变更/查询) and
存本取息支取 (the quote, → X-CONFIRM). Opening is at the counter. GET never writes."""

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm

from ..interest_account_views import deposit_or_404
from ..largecd.selectors import card_with_rows
from ..models import Product
from ..rates import term_text
from . import operations, services

NOTES = ("存本取息在柜面开立，起存金额5000元，存期一年、三年、五年，按月或按季付息。",
         "每期利息=本金×年利率×存期（年）÷付息次数，四舍五入到分，末期利息含尾差。",
         "到期日前支取须全部支取（销户），按支取日活期利率计息，已支付利息高于活期利息的部分从本金中扣回。",
         "到期后支取本金转回本卡活期主账户；末期利息由系统于到期日转入利息账户。")


@customer_required
@require_GET
def payouts(request):
    cards, card, rows = card_with_rows(customer=request.user.customer,
                                       product=Product.INTEREST_PAYOUT,
                                       value=request.GET.get("card"), on=business_day())
    shown = [{"row": row, "next": services.next_payout_day(row.deposit),
              "total": services.payouts_total(row.deposit)} for row in rows]
    return render(request, "deposits/payout/list.html",
                  {"cards": cards, "card": card, "rows": shown, "notes": NOTES})


@customer_required
@require_http_methods(["GET", "POST"])
def payout_withdraw(request, pk: int):
    deposit = deposit_or_404(customer=request.user.customer, product=Product.INTEREST_PAYOUT,
                             pk=pk)
    error = ""
    if request.method == "POST":
        try:
            operation = operations.payout_withdraw_start(user=request.user,
                                                         deposit_id=deposit.pk)
        except BusinessError as exc:
            error = exc.message
        else:
            return redirect_to_confirm(operation)
    try:
        quote = services.payout_quote(deposit=deposit, on=business_day())
        lines = operations.quote_lines(quote)
    except BusinessError as exc:
        error, lines = error or exc.message, []
    return render(request, "deposits/payout/withdraw.html", {
        "deposit": deposit, "term": term_text(deposit.term_months), "lines": lines,
        "error": error, "notes": NOTES})
