"""缴费登记簿管理 (PAY-BOOK; manual: 填写缴费信息，点击“提交”按钮。点击“删除”删除所选的缴费信息，
点击“修改”按钮，修改缴费信息。): the list and the add form on one page, 修改 and 删除 on their own.

GET never writes (删除 by GET shows the confirmation page only); every POST is CSRF-protected; a
refusal is shown on the same page with what was typed kept; another customer's entry is a 404.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ebank.core.errors import BusinessError
from ebank.core.proxy import client_ip
from ebank.core.web import customer_required

from . import selectors, services
from .forms import BookEntryForm


def _refused(form: BookEntryForm, exc: BusinessError) -> None:
    field = "customer_no" if exc.code in ("customer_no_invalid", "book_duplicate") else None
    form.add_error(field, exc.message)


@customer_required
@require_http_methods(["GET", "POST"])
def book(request):
    customer = request.user.customer
    form = BookEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.book_entry_add(user=request.user, kind=data["kind"],
                                    customer_no=data["customer_no"], alias=data["alias"],
                                    ip=client_ip(request))
        except BusinessError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "缴费信息已加入缴费登记簿")
            return redirect("payments:book")
    rows = selectors.book_rows(customer=customer)
    return render(request, "payments/book/book.html", {
        "form": form, "rows": rows, "book_max": services.BOOK_MAX,
        "full": len(rows) >= services.BOOK_MAX,
    }, status=200)


@customer_required
@require_http_methods(["GET", "POST"])
def book_edit(request, pk: int):
    entry = selectors.book_entry_get(customer=request.user.customer, pk=pk)
    initial = {"kind": entry.kind, "customer_no": entry.customer_no, "alias": entry.alias}
    form = BookEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.book_entry_change(user=request.user, pk=entry.pk, kind=data["kind"],
                                       customer_no=data["customer_no"], alias=data["alias"],
                                       ip=client_ip(request))
        except BusinessError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "缴费信息已修改")
            return redirect("payments:book")
    return render(request, "payments/book/edit.html", {"form": form, "entry": entry})


@customer_required
@require_http_methods(["GET", "POST"])
def book_delete(request, pk: int):
    """GET: the confirmation page; POST: 删除."""
    entry = selectors.book_entry_get(customer=request.user.customer, pk=pk)
    if request.method == "POST":
        services.book_entry_delete(user=request.user, pk=entry.pk, ip=client_ip(request))
        messages.success(request, "缴费信息已删除")
        return redirect("payments:book")
    return render(request, "payments/book/delete.html", {"entry": entry})
