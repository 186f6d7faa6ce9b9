"""快付通's own pages (namespace ``merchant_sim``, mounted at ``merchant-sim/``): 绑卡 (签约 with
the bank's SMS code) and 支付 through a bound card. It knows nothing of the bank's session: it
is another company's site. GET only shows; POST (CSRF) acts.

Like a real shop's checkout, a browser sees and pays with only the cards bound in it: the
agreement numbers it bound are kept in the merchant's own signed cookie (path ``merchant-sim/``,
not the bank's session), so a visitor can neither list other people's cards nor charge them."""

from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ebank.core.errors import BusinessError

from .forms import SimBindForm, SimPayForm
from .models import MerchantBinding, MerchantOrder, MerchantOrderStatus
from .simulator import MERCHANT_CODE, MERCHANT_NAME, sim_pay, sim_sign, sim_sign_code_send

BINDINGS_COOKIE = "kft_bindings"
BINDINGS_SALT = "ebank.merchants.bindings"
BINDINGS_KEPT = 20


def _my_agreements(request) -> list[str]:
    """The agreement numbers bound in this browser (the merchant's signed cookie)."""
    try:
        value = request.get_signed_cookie(BINDINGS_COOKIE, default="", salt=BINDINGS_SALT)
    except signing.BadSignature:
        value = ""
    return [number for number in value.split(",") if number]


def _remember(response, request, agreement_no: str) -> None:
    numbers = [n for n in _my_agreements(request) if n != agreement_no] + [agreement_no]
    response.set_signed_cookie(BINDINGS_COOKIE, ",".join(numbers[-BINDINGS_KEPT:]),
                               salt=BINDINGS_SALT, path=reverse("merchant_sim:index"),
                               max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                               secure=request.is_secure())


@require_GET
def index(request):
    return render(request, "merchant_sim/index.html", _page_context(request))


def _page_context(request, **extra) -> dict:
    mine = _my_agreements(request)
    bindings = MerchantBinding.objects.filter(merchant_code=MERCHANT_CODE,
                                              agreement_no__in=mine)[:BINDINGS_KEPT]
    return {"merchant_name": MERCHANT_NAME, "bind_form": SimBindForm(),
            "bindings": [(binding, SimPayForm(initial={"agreement_no": binding.agreement_no}))
                         for binding in bindings],
            "orders": MerchantOrder.objects.filter(merchant_code=MERCHANT_CODE,
                                                   binding__agreement_no__in=mine)
            .select_related("binding")[:20], **extra}


@require_http_methods(["GET", "POST"])
def bind(request):
    form = SimBindForm(request.POST if request.method == "POST" else None)
    sent = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = {key: data[key] for key in ("card_number", "name", "id_number", "phone")}
        try:
            if request.POST.get("action") == "send_code":
                sent = f"验证码已由银行发送至{sim_sign_code_send(**details)}的手机"
            elif not data["sms_code"]:
                form.add_error("sms_code", "请输入短信验证码")
            else:
                binding = sim_sign(**details, sms_code=data["sms_code"])
                messages.success(request, f"绑卡成功，协议号{binding.agreement_no}")
                response = redirect("merchant_sim:index")
                _remember(response, request, binding.agreement_no)
                return response
        except BusinessError as exc:
            form.add_error(None, exc.message)
    return render(request, "merchant_sim/bind.html",
                  {"merchant_name": MERCHANT_NAME, "form": form, "sent": sent})


@require_POST
def pay(request):
    form = SimPayForm(request.POST)
    if form.is_valid():
        agreement_no = form.cleaned_data["agreement_no"]
        binding = (MerchantBinding.objects.filter(merchant_code=MERCHANT_CODE,
                                                  agreement_no=agreement_no).first()
                   if agreement_no in _my_agreements(request) else None)
        if binding is None:
            messages.error(request, "绑卡记录不存在")
        else:
            order = sim_pay(binding=binding, amount=form.cleaned_data["amount"],
                            order_no=form.cleaned_data["order_no"])
            if order.status == MerchantOrderStatus.PAID:
                messages.success(request, f"订单{order.order_no}支付成功")
            else:
                messages.error(request, f"订单{order.order_no}支付失败：{order.reason}")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("merchant_sim:index")
