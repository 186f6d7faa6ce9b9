"""The simulated other bank's own pages (namespace ``otherbank_sim``): its signing page.

The customer arrives from our bank with a signed ticket (``?ticket=``), types the other bank's
card number and its password there, accepts the limits and the validity, and is sent back to
our bank's callback with a signed result. Nothing here knows our session: it is "another
bank". GET only shows; POST (CSRF-protected) signs or cancels.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ebank.core.errors import BusinessError

from .forms import SimSigningForm
from .models import AgreementKind
from .simulator import signing_abandon, signing_complete, signing_for_ticket


@require_http_methods(["GET", "POST"])
def sign(request):
    ticket = request.GET.get("ticket") or request.POST.get("ticket") or ""
    signing_row = signing_for_ticket(ticket)
    if signing_row is None:
        return render(request, "otherbank_sim/invalid.html")
    pay = signing_row.kind == AgreementKind.PAY
    if request.method == "POST" and request.POST.get("action") == "cancel":
        url = signing_abandon(token=signing_row.token)
        if url is None:
            return render(request, "otherbank_sim/invalid.html")
        return HttpResponseRedirect(url)
    form = SimSigningForm(request.POST if request.method == "POST" else None, pay=pay)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            url = signing_complete(token=signing_row.token, card_number=data["card_number"],
                                   password=data["password"],
                                   single_limit=data.get("single_limit"),
                                   daily_limit=data.get("daily_limit"),
                                   valid_until=data["valid_until"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return HttpResponseRedirect(url)
    return render(request, "otherbank_sim/sign.html", {
        "form": form, "signing": signing_row, "ticket": ticket, "pay": pay,
        "kind_label": AgreementKind(signing_row.kind).label,
    })
