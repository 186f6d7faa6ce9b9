"""The confirmation pages (X-CONFIRM): confirm, send the SMS code, show the result.

Thin: the services decide, these pages show. GET never changes anything (an expired operation
is *shown* as expired; it is marked so by the next 确认).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ebank.core.errors import BusinessError
from ebank.core.proxy import client_ip as _client_ip
from security.confirm.forms import ConfirmForm
from security.confirm.registry import (
    CREDENTIAL_LABELS,
    AuthMethod,
    operation_kind_get,
    operation_result_reader,
)
from security.confirm.selectors import (
    operation_display,
    operation_get_for_user,
    operation_is_expired,
    reserved_phone_tail,
)
from security.confirm.services import (
    AUTH_METHOD_INVALID,
    NO_AUTH_METHOD,
    operation_confirm,
    operation_methods_check,
    operation_sms_send,
    operation_sms_wait_seconds,
    operation_token_challenge,
)
from security.identity.middleware import session_refresh
from security.identity.services import user_session_bind
from security.identity.throttles import sms_throttle
from security.models import OperationStatus, SmsMessage, ToolKind, ToolStatus
from security.tools.services import ToolError, token_answer_for, tool_for


def _result_redirect(operation):
    return redirect("security:confirm_result", public_id=operation.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request, public_id: str):
    operation = operation_get_for_user(user=request.user, public_id=public_id)
    # Executed (a replay or a double submit lands here too), failed, cancelled: the result page.
    if operation.status != OperationStatus.PENDING:
        return _result_redirect(operation)
    expired = operation_is_expired(operation)
    if expired and request.method == "GET":
        return _result_redirect(operation)
    spec = operation_kind_get(operation.kind)
    form = None
    if request.method == "POST":
        # Which methods the customer may use now is read under the lock by operation_confirm,
        # which refuses one not usable with the form's own wording; the form checks the shape
        # only, so a 确认 reads the tools once, not twice.
        form = ConfirmForm(request.POST, methods=list(AuthMethod), requires_pin=spec.requires_pin)
        # Past its expiry the service refuses before looking at any credential (and marks it).
        if expired or form.is_valid():
            data = form.cleaned_data if not expired else {}
            try:
                operation = operation_confirm(
                    user=request.user, public_id=public_id, pin=data.get("pin"),
                    method=data.get("method", ""), credential=data.get("credential", ""),
                    ip=_client_ip(request),
                )
            except BusinessError as exc:
                operation.refresh_from_db()
                if operation.status != OperationStatus.PENDING:
                    # Expired or failed in execution: final, the result page says why.
                    return _result_redirect(operation)
                if exc.code == AUTH_METHOD_INVALID:
                    form.add_error("method", exc.message)
                elif exc.code != NO_AUTH_METHOD:  # no_method below says that one
                    form.add_error(None, exc.message)
            else:
                _rotate_after_step_up(request)
                return _result_redirect(operation)

    try:
        methods, no_method = operation_methods_check(user=request.user, operation=operation), ""
    except BusinessError as exc:  # the tool was cancelled or locked since the form was submitted
        methods, no_method = [], exc.message
    if form is None:
        form = ConfirmForm(None, methods=methods, requires_pin=spec.requires_pin)

    selected = (form.data.get("method") if form.is_bound else request.GET.get("method"))
    if selected not in methods:
        selected = methods[0] if methods else ""
    return render(request, "security/confirm/confirm.html", {
        "operation": operation,
        "display": operation_display(operation=operation),
        "form": form,
        "requires_pin": spec.requires_pin,
        "methods": [{"value": m, "label": AuthMethod(m).label,
                     "credential_label": CREDENTIAL_LABELS[AuthMethod(m)]} for m in methods],
        "selected_method": selected,
        "credential_label": CREDENTIAL_LABELS[AuthMethod(selected)] if selected else "认证信息",
        "sms_available": AuthMethod.SMS in methods,
        "sms_wait": (operation_sms_wait_seconds(user=request.user, operation=operation)
                     if AuthMethod.SMS in methods else 0),
        "token_challenge": (operation_token_challenge(operation)
                            if AuthMethod.TOKEN in methods else ""),
        "phone_tail": reserved_phone_tail(user=request.user),
        "no_method": no_method,
        "demo_tools": getattr(settings, "DEMO_TOOLS_ENABLED", False),
    })


@login_required
@require_POST
@sms_throttle
def confirm_sms(request, public_id: str):
    """Send the SMS code. static/js/confirm.js posts here with fetch() and takes JSON, so the
    page (and the 交易密码 typed on it) stays; without JavaScript the form posts and the page
    comes back (secret fields empty, as always) with the message."""
    operation = operation_get_for_user(user=request.user, public_id=public_id)
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        operation_sms_send(user=request.user, operation=operation, ip=_client_ip(request))
    except BusinessError as exc:
        ok, message = False, exc.message
    else:
        ok = True
        message = f"验证码已发送至尾号{reserved_phone_tail(user=request.user)}的手机"
    if wants_json:
        wait = operation_sms_wait_seconds(user=request.user, operation=operation)
        return JsonResponse({"ok": ok, "message": message, "wait": wait},
                            status=200 if ok else 400)
    (messages.success if ok else messages.error)(request, message)
    return redirect(reverse("security:confirm", args=[public_id]) + "?method=sms")


@login_required
@require_http_methods(["GET"])
def confirm_result(request, public_id: str):
    operation = operation_get_for_user(user=request.user, public_id=public_id)
    if operation.status == OperationStatus.PENDING and not operation_is_expired(operation):
        return redirect("security:confirm", public_id=public_id)
    result = operation.result if operation.status == OperationStatus.EXECUTED else {}
    # A kind that registered a result reader says what really happened, read from what it
    # stored (a transfer's status now, not the words its executor returned at confirmation).
    reader = operation_result_reader(operation.kind)
    outcome = reader(operation=operation) if reader is not None else None
    display = operation_display(operation=operation)
    shown = {"交易类型", "交易状态", "金额", "金额大写", "验密账户",
             *(label for label, _ in display.summary)}
    return render(request, "security/confirm/result.html", {
        "operation": operation,
        "display": display,
        "outcome": outcome,
        "result_message": result.get("message", ""),
        # Each row once: a line the summary already shows is not repeated.
        "result_lines": [(label, value) for label, value in result.get("lines", [])
                         if label not in shown],
        "receipt_url": outcome.receipt_url if outcome else result.get("receipt_url", ""),
        # Onward links ([label, url] pairs) beside 查看电子回单: the result reader's, else the
        # executor's (个人贷款发放's 还款计划, 个人贷款还款's 借据详情).
        "result_links": outcome.links if outcome else result.get("links", []),
    })


def _rotate_after_step_up(request) -> None:
    # SEC-SESSION: a confirmed step-up gets a fresh session key (no fixation across it), and the
    # new key stays the user's one live session. The click's activity is stamped first, so the
    # new row already carries it and the response writes the session no second time.
    session_refresh(request.session)
    request.session.cycle_key()
    user_session_bind(user=request.user, session_key=request.session.session_key)


@login_required
@require_http_methods(["GET"])
def demo_devices(request):
    """DEMO ONLY (``DEMO_TOOLS_ENABLED``: dev and test settings): plays the customer's devices —
    the 数字令牌's answer to a 挑战码, and the phone's last texts. A 404 anywhere else."""
    if not getattr(settings, "DEMO_TOOLS_ENABLED", False) or not request.user.customer_id:
        raise Http404("页面不存在")
    token = tool_for(user=request.user, kind=ToolKind.TOKEN)
    challenge = (request.GET.get("challenge") or "").strip()
    answer, error = "", ""
    if challenge:
        if token is None or token.status != ToolStatus.ACTIVE:
            error = "您没有可用的数字令牌"
        else:
            try:
                answer = token_answer_for(tool=token, challenge=challenge)
            except ToolError as exc:
                error = exc.message
    texts = SmsMessage.objects.filter(phone=request.user.customer.phone).order_by("-id")[:5]
    return render(request, "security/confirm/demo_devices.html", {
        "token": token, "challenge": challenge, "answer": answer, "error": error,
        "texts": texts, "phone_tail": reserved_phone_tail(user=request.user),
    })
