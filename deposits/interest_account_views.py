"""利息账户变更/查询 (大额存单 and 存本取息, one view parameterized by the product): the deposit's
利息账户, the 变更 form (→ X-CONFIRM) and the change history (查询). Another customer's deposit
→ 404."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm
from security.confirm.selectors import operation_typed

from .fixed import masked_number
from .interest_account import (
    KIND_INTEREST_ACCOUNT_CHANGE,
    account_label,
    deposit_of_customer,
    interest_account_change_start,
    interest_account_history,
    interest_targets,
)
from .largecd.forms import InterestAccountForm
from .models import DepositStatus, Product

BACK = {Product.LARGE_CD: ("大额存单支取", "deposits:cd_list"),
        Product.INTEREST_PAYOUT: ("存本取息", "deposits:payouts")}


def deposit_or_404(*, customer, product: str, pk, open_only: bool = True):
    try:
        return deposit_of_customer(customer=customer, product=product, pk=pk,
                                   open_only=open_only)
    except BusinessError:
        raise Http404("存款不存在") from None


@customer_required
@require_http_methods(["GET", "POST"])
def interest_account(request, pk: int, product: str):
    customer = request.user.customer
    deposit = deposit_or_404(customer=customer, product=product, pk=pk, open_only=False)
    typed = operation_typed(request=request, kind=KIND_INTEREST_ACCOUNT_CHANGE)
    initial = {"to": typed["to"]} if typed and typed.get("deposit") == deposit.pk else {}
    form = InterestAccountForm(request.POST if request.method == "POST" else None,
                               initial=initial, targets=interest_targets(customer=customer))
    if request.method == "POST" and form.is_valid():
        try:
            operation = interest_account_change_start(
                user=request.user, product=product, deposit_id=deposit.pk,
                to_id=form.cleaned_data["to"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    back_label, back_url = BACK[product]
    return render(request, "deposits/largecd/interest_account.html", {
        "deposit": deposit, "product_label": Product(product).label,
        "number": masked_number(deposit.sub_account),
        "current": account_label(deposit.interest_account), "form": form,
        "is_open": deposit.status == DepositStatus.OPEN,
        "history": [{"change": c, "from": account_label(c.from_account),
                     "to": account_label(c.to_account)}
                    for c in interest_account_history(deposit=deposit)],
        "back_label": back_label, "back_url": back_url})
