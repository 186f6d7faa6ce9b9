"""缴费中转页 (manual 账户总览 › 操作: 点击“缴费”进入缴费中转页，选择将要进行的缴费业务。).

``?account=<sub_account id>`` (账户总览's 缴费) names the 缴费账户: when it is the customer's own
usable account every pay link carries it and the page says which; anything else (another
customer's id, a lost card, junk) is ignored with a note — a query parameter never makes a 404
or a 500 here (docs/payments.md).
"""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from ebank.core.web import customer_required
from payments.book.selectors import book_rows

from . import selectors


@customer_required
@require_GET
def index(request):
    customer = request.user.customer
    raw = request.GET.get("account", "")
    account = selectors.payment_account_get(customer=customer, raw=raw) if raw else None
    account_id = account.pk if account is not None else None
    return render(request, "payments/hub/index.html", {
        "account": account,
        "account_label": selectors.payment_account_label(account) if account else "",
        "account_ignored": bool(raw) and account is None,
        "groups": selectors.hub_groups(account_id=account_id),
        "rows": book_rows(customer=customer, account_id=account_id),
    })
