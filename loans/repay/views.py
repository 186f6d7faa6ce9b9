"""Pages of 个人贷款还款 (LN-REPAY): the outstanding 借据 (查询) and one 借据's 还款 form. A
prepayment is quoted on the page (试算: the figures and the new schedule in full) before its
提交 can start the confirmation; a refusal is said on the same page with what was typed kept."""

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.payers import payer_accounts
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.web import customer_required, redirect_to_confirm

from ..book import CHANGED
from ..models import LoanStatus, RepaymentKind
from . import repayment
from .forms import RepayForm
from .selectors import loan_due, loan_get, loans_outstanding

# BusinessError code → the field it belongs to.
FIELDS = {"kind": "kind", "amount": "amount", "prepaid": "prepaid", "mode": "mode",
          "account": "account", "insufficient_funds": "account"}


@require_GET
@customer_required
def repay_list(request):
    """个人贷款还款: the customer's 借据 not yet 已结清 (查询 filters by one of them)."""
    today = business_day()
    rows = loans_outstanding(request.user.customer, today)
    chosen = request.GET.get("loan", "")
    shown = [row for row in rows if str(row.loan.pk) == chosen] if chosen else rows
    return render(request, "loans/repay/list.html", {
        "rows": shown, "all_rows": rows, "chosen": chosen, "today": today})


def _initial(loan, due, accounts) -> dict:
    ids = {a.pk for a in accounts}
    account = (loan.repayment_account_id if loan.repayment_account_id in ids
               else (accounts[0].pk if accounts else ""))
    return {"kind": RepaymentKind.INSTALMENT if due.total > 0 else RepaymentKind.PARTIAL,
            "account": account, "amount": f"{due.total:.2f}" if due.total > 0 else "",
            "mode": ""}


def _refuse(form, exc: BusinessError) -> None:
    field = FIELDS.get(exc.code)
    form.add_error(field if field in form.fields else None, exc.message)


@customer_required
@require_http_methods(["GET", "POST"])
def repay_form(request, pk: int):
    customer = request.user.customer
    loan = loan_get(customer, pk)
    today = business_day()
    figures = loan_due(loan, today)
    if loan.status == LoanStatus.SETTLED:
        return render(request, "loans/repay/form.html", {"loan": loan, "figures": figures,
                                                         "settled": True})
    accounts = payer_accounts(customer=customer)
    form = RepayForm(request.POST or None, accounts=accounts,
                     initial=_initial(loan, figures.due, accounts))
    plan = None
    note = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        inputs = {"kind": data["kind"], "sub_account_id": data["account"],
                  "amount": data["amount"], "prepaid": data["prepaid"], "mode": data["mode"]}
        action = request.POST.get("action", "submit")
        try:
            plan = repayment.repay_prepare(customer=customer, loan=loan, on=today, **inputs)
        except BusinessError as exc:
            _refuse(form, exc)
        else:
            seen = data["quote"]
            if action == "submit" and (plan.quote is None or seen == plan.digest):
                try:
                    operation = repayment.repay_start(user=request.user, loan_id=loan.pk,
                                                      digest=seen, **inputs)
                except BusinessError as exc:
                    plan = None
                    _refuse(form, exc)
                else:
                    return redirect_to_confirm(operation)
            else:
                # 试算, or a prepayment submitted without (or with an older) quote: show it.
                if action == "submit":
                    note = CHANGED if seen else repayment.QUOTE_FIRST
                bound = request.POST.copy()
                bound["quote"] = plan.digest
                form = RepayForm(bound, accounts=accounts)
                form.is_valid()
    return render(request, "loans/repay/form.html", {
        "loan": loan, "figures": figures, "form": form, "plan": plan, "note": note,
        "nothing_due": figures.due.total <= 0, "today": today})
