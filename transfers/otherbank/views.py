"""Pages of 他行账户管理 (thin: forms validate, services write). Logged-in customers only; every
POST is CSRF-protected; a GET never writes (the callback's GET only shows the verified result,
its POST stores the agreement)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.payers import payer_accounts
from ebank.core.errors import BusinessError
from ebank.core.proxy import client_ip as _ip
from ebank.core.web import customer_required, redirect_to_confirm
from transfers.models import OtherBankAgreementStatus, OtherBankKind

from . import services
from .forms import BalanceQueryForm, LogQueryForm, PaySigningForm


def _callback_url(request) -> str:
    return request.build_absolute_uri(reverse("transfers:otherbank_callback"))


@customer_required
@require_GET
def index(request):
    customer = request.user.customer
    return render(request, "transfers/otherbank/index.html", {
        "agreements": services.agreements_for_customer(customer=customer, active_only=True),
    })


@customer_required
@require_http_methods(["GET", "POST"])
def sign_query(request):
    banks = services.other_banks()
    error = ""
    if request.method == "POST":
        try:
            signing = services.query_signing_start(user=request.user,
                                                   bank_code=request.POST.get("bank", ""),
                                                   return_url=_callback_url(request))
        except BusinessError as exc:
            error = exc.message
        else:
            return HttpResponseRedirect(signing.sign_url)
    return render(request, "transfers/otherbank/sign_query.html",
                  {"banks": banks, "error": error})


@customer_required
@require_http_methods(["GET", "POST"])
def sign_pay(request):
    customer = request.user.customer
    form = PaySigningForm(request.POST if request.method == "POST" else None, banks=services.other_banks(),
                          accounts=payer_accounts(customer=customer))
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.pay_signing_start(
                user=request.user, bank_code=form.cleaned_data["bank"],
                sub_account_id=form.cleaned_data["account"],
                return_url=_callback_url(request),
                back_url=reverse("transfers:otherbank_sign_pay"))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "transfers/otherbank/sign_pay.html", {
        "form": form, "pending": services.pending_pay_signings(customer=customer)})


@customer_required
@require_http_methods(["GET", "POST"])
def callback(request):
    text = request.POST.get("result") if request.method == "POST" else request.GET.get("result")
    try:
        view = services.signing_callback_read(customer=request.user.customer,
                                              result_text=text or "")
    except BusinessError as exc:
        # Shown, not an error status: the customer may have come back late (15 minutes).
        return render(request, "transfers/otherbank/callback.html", {"error": exc.message})
    if request.method == "POST":
        try:
            agreement = services.signing_finish(user=request.user, result_text=text,
                                                ip_address=_ip(request))
        except BusinessError as exc:
            return render(request, "transfers/otherbank/callback.html",
                          {"view": view, "result_text": text, "error": exc.message})
        if agreement is None:
            messages.info(request, f"您已在{view.signing.bank_name}取消签约")
            return redirect("transfers:otherbank")
        messages.success(request, f"{agreement.bank_name}{agreement.get_kind_display()}签约成功")
        return redirect("transfers:otherbank_agreements")
    return render(request, "transfers/otherbank/callback.html",
                  {"view": view, "result_text": text})


@customer_required
@require_GET
def agreements(request):
    kind = request.GET.get("kind", "")
    if kind not in OtherBankKind.values:
        kind = ""
    return render(request, "transfers/otherbank/agreements.html", {
        "rows": services.agreements_for_customer(customer=request.user.customer, kind=kind),
        "kind": kind, "kinds": OtherBankKind.choices, "active": OtherBankAgreementStatus.ACTIVE,
        "today": timezone.localdate(),
    })


@customer_required
@require_POST
def agreement_cancel(request, pk: int):
    try:
        agreement = services.agreement_cancel(user=request.user, pk=pk, ip_address=_ip(request))
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        if agreement.status == OtherBankAgreementStatus.REVOKED:
            messages.warning(request, services.REVOKED_MESSAGE)
        else:
            messages.success(request, f"{services.agreement_label(agreement)}"
                                      f"{agreement.get_kind_display()}已解约")
    return redirect("transfers:otherbank_agreements")


@customer_required
@require_http_methods(["GET", "POST"])
def balance(request):
    customer = request.user.customer
    choices = services.agreements_for_customer(customer=customer, kind=OtherBankKind.QUERY,
                                               active_only=True)
    form = BalanceQueryForm(request.POST if request.method == "POST" else None, agreements=choices)
    answer = None
    if request.method == "POST" and form.is_valid():
        answer = services.balance_query(user=request.user, pk=form.cleaned_data["agreement"],
                                        date_from=form.cleaned_data["date_from"],
                                        date_to=form.cleaned_data["date_to"])
    return render(request, "transfers/otherbank/balance.html",
                  {"form": form, "answer": answer, "has_agreements": bool(choices)})


@customer_required
@require_GET
def log(request):
    form = LogQueryForm(request.GET or {})
    rows = None
    if form.is_valid():
        rows = services.log_rows(customer=request.user.customer,
                                 date_from=form.cleaned_data["date_from"],
                                 date_to=form.cleaned_data["date_to"],
                                 kind=form.cleaned_data.get("kind") or "")
    return render(request, "transfers/otherbank/log.html", {"form": form, "rows": rows})
