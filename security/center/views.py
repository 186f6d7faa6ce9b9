"""Pages of 安全中心, 客户服务 and 网银日志查询 (thin: forms validate, services write).

Every page is for a logged-in customer only; every POST is CSRF-protected; a GET never changes
anything. A business refusal is shown on the same page with what was typed kept.
"""


from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ebank.core.audit import audit_action_label, audit_channel_label
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_phone
from ebank.core.proxy import client_ip as _ip
from ebank.core.web import customer_required, querystring_without_page, redirect_to_confirm
from security.center import forms, operations, selectors, services  # noqa: F401
from security.center.services import KIND_CORE_PHONE_CHANGE, KIND_LIMIT_CHANGE
from security.confirm.selectors import operation_typed
from security.identity.throttles import sms_throttle_check

# ``operations`` is imported for its side effect: the executors must be registered before any
# operation_start of theirs. SecurityConfig.ready imports it too; this makes the pages safe alone.

SESSION_PHONE_CHANGE = "center_phone_change"


def _with_masked_phone(subscriptions):
    return [(subscription, mask_phone(subscription.phone)) for subscription in subscriptions]


# --- 安全中心 -------------------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def reserved_message(request):
    form = forms.ReservedMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.reserved_message_change(user=request.user,
                                         message=form.cleaned_data["reserved_message"],
                                         ip_address=_ip(request))
        messages.success(request, "预留信息变更成功")
        return redirect("security:reserved_message")
    return render(request, "security/center/reserved_message.html",
                  {"form": form, "current": request.user.reserved_message})


@customer_required
@require_http_methods(["GET", "POST"])
def limits(request):
    # 返回 from the confirmation: the limits typed come back.
    typed = operation_typed(request=request, kind=KIND_LIMIT_CHANGE)
    form = forms.LimitForm(request.POST or None, initial={
        key: typed[key] for key in ("single_limit", "daily_limit") if typed.get(key)})
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.limit_change_start(
                user=request.user, single_limit=form.cleaned_data["single_limit"],
                daily_limit=form.cleaned_data["daily_limit"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "security/center/limits.html",
                  {"form": form, "overview": selectors.limit_overview(user=request.user)})


# --- 签约信息查询 ----------------------------------------------------------------------------------


@customer_required
@require_GET
def signing_info(request):
    user = request.user
    customer = user.customer
    return render(request, "security/center/signing_info.html", {
        "customer": customer,
        "masked_phone": mask_phone(customer.phone),
        "tools": selectors.security_tools_for_user(user=user),
        "has_tool": selectors.has_active_tool(user=user),
        "mobile": selectors.mobile_agreement_live(user=user),
        "sms_subscriptions": _with_masked_phone(selectors.sms_subscriptions_for_user(user=user)),
        "links": selectors.linked_media_for_customer(customer=customer),
    })


# --- 登录设置管理 ----------------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def login_settings(request):
    user = request.user
    initial = {"login_by_id_number": user.login_by_id_number,
               "login_by_phone": user.login_by_phone}
    form = forms.LoginSettingsForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.login_settings_change(
                user=user, password=data["password"], new_login_name=data["new_login_name"],
                login_by_id_number=data["login_by_id_number"],
                login_by_phone=data["login_by_phone"], ip_address=_ip(request))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "登录设置成功" + ("，新登录名在您下次登录时生效"
                                                 if data["new_login_name"] else ""))
            return redirect("security:login_settings")
    return render(request, "security/center/login_settings.html", {"form": form})


# --- 个人资料变更 ----------------------------------------------------------------------------------


def _profile_page(request, *, tab="phone", phone_form=None, old_form=None, other_form=None,
                  status=200):
    customer = request.user.customer
    pending = request.session.get(SESSION_PHONE_CHANGE)
    if other_form is None:
        other_form = forms.ProfileOtherForm(initial={"address": customer.address,
                                                     "postcode": customer.postcode,
                                                     "email": customer.email})
    return render(request, "security/center/profile.html", {
        "tab": tab,
        "customer": customer,
        "masked_phone": mask_phone(customer.phone),
        "pending_phone": pending["new_phone"] if pending else None,
        "phone_form": phone_form or forms.PhoneNewForm(),
        "old_form": old_form or forms.PhoneOldForm(),
        "other_form": other_form,
    }, status=status)


@customer_required
@require_GET
def profile(request):
    tab = "other" if request.GET.get("tab") == "other" else "phone"
    return _profile_page(request, tab=tab)


@customer_required
@require_POST
def profile_phone(request):
    """Step 1: "获取验证码" sends a code to the new phone; "下一步" checks it."""
    form = forms.PhoneNewForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, phone_form=form)
    new_phone = form.cleaned_data["new_phone"]
    try:
        if request.POST.get("action") == "send_code":
            sms_throttle_check(request)
            services.profile_phone_new_code_send(user=request.user, new_phone=new_phone)
            messages.info(request, f"验证码已发送至新手机号码{mask_phone(new_phone)}")
            return _profile_page(request, phone_form=forms.PhoneNewForm(
                initial={"new_phone": new_phone}))
        if not form.cleaned_data["code"]:
            form.add_error("code", "请输入新手机号码收到的验证码")
            return _profile_page(request, phone_form=form)
        services.profile_phone_new_verify(user=request.user, new_phone=new_phone,
                                          code=form.cleaned_data["code"])
    except BusinessError as exc:
        form.add_error(None, exc.message)
        return _profile_page(request, phone_form=form)
    request.session[SESSION_PHONE_CHANGE] = {"new_phone": new_phone,
                                             "customer_id": request.user.customer_id}
    messages.info(request, "验证码已发送至原手机号码" + mask_phone(request.user.customer.phone))
    return redirect("security:profile")


@customer_required
@require_POST
def profile_phone_confirm(request):
    """Step 2: the code sent to the old phone and the 登录密码."""
    pending = request.session.get(SESSION_PHONE_CHANGE)
    if not pending or pending.get("customer_id") != request.user.customer_id:
        request.session.pop(SESSION_PHONE_CHANGE, None)
        messages.error(request, "请先录入新手机号码并完成验证")
        return redirect("security:profile")
    action = request.POST.get("action")
    if action == "cancel":
        request.session.pop(SESSION_PHONE_CHANGE, None)
        return redirect("security:profile")
    if action == "resend":
        sms_throttle_check(request)
        try:
            services.profile_phone_old_code_resend(user=request.user,
                                                   new_phone=pending["new_phone"])
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.info(request, "验证码已重新发送至原手机号码")
        return redirect("security:profile")
    form = forms.PhoneOldForm(request.POST)
    if form.is_valid():
        try:
            services.profile_phone_change(
                user=request.user, new_phone=pending["new_phone"],
                old_code=form.cleaned_data["old_code"], password=form.cleaned_data["password"],
                ip_address=_ip(request))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            request.session.pop(SESSION_PHONE_CHANGE, None)
            messages.success(request, "手机号码变更成功")
            return redirect("security:profile")
    return _profile_page(request, old_form=form)


@customer_required
@require_POST
def profile_other(request):
    form = forms.ProfileOtherForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_other_change(user=request.user, address=data["address"],
                                          postcode=data["postcode"], email=data["email"],
                                          password=data["password"], ip_address=_ip(request))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "修改成功")
            return redirect(reverse("security:profile") + "?tab=other")
    return _profile_page(request, tab="other", other_form=form)


# --- 核心预留手机号管理 -----------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def core_phone(request):
    customer = request.user.customer
    typed = operation_typed(request=request, kind=KIND_CORE_PHONE_CHANGE)  # 返回 keeps it
    form = forms.CorePhoneForm(request.POST or None, customer=customer, initial={
        "link": typed.get("linked_medium_id"), "new_phone": typed.get("new_phone")} if typed else None)
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.core_phone_change_start(
                user=request.user, link=form.cleaned_data["link"],
                new_phone=form.cleaned_data["new_phone"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return render(request, "security/center/core_phone.html",
                  {"form": form, "masked_phone": mask_phone(customer.phone)})


# --- 留言管理 -------------------------------------------------------------------------------------


@customer_required
@require_GET
def message_list(request):
    query = forms.MessageQueryForm(request.GET or None)
    rows = selectors.messages_for_user(user=request.user)
    if query.is_bound and query.is_valid():
        rows = selectors.messages_for_user(user=request.user,
                                           date_from=query.cleaned_data["date_from"],
                                           date_to=query.cleaned_data["date_to"])
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(request, "security/center/messages.html", {
        "query": query, "page": page, "querystring": querystring_without_page(request)})


@customer_required
@require_http_methods(["GET", "POST"])
def message_create(request):
    form = forms.MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        message = services.message_create(user=request.user,
                                          subject=form.cleaned_data["subject"],
                                          content=form.cleaned_data["content"],
                                          ip_address=_ip(request))
        return redirect("security:message_done", pk=message.pk)
    return render(request, "security/center/message_form.html", {"form": form})


@customer_required
@require_GET
def message_done(request, pk: int):
    """留言成功 (after the redirect, so a reload never posts the message twice)."""
    message = selectors.message_get_for_user(user=request.user, pk=pk)
    return render(request, "security/center/message_done.html", {"message": message})


@customer_required
@require_GET
def message_detail(request, pk: int):
    message = selectors.message_get_for_user(user=request.user, pk=pk)
    return render(request, "security/center/message_detail.html", {"message": message})


# --- 手机银行管理 ----------------------------------------------------------------------------------


def _mobile_page(request, *, sign_form=None, reset_form=None, error=None):
    user = request.user
    if error:
        messages.error(request, error)
    return render(request, "security/center/mobile.html", {
        "agreement": selectors.mobile_agreement_live(user=user),
        "has_tool": selectors.has_active_tool(user=user),
        "masked_phone": mask_phone(user.customer.phone),
        "sign_form": sign_form or forms.MobileSignForm(customer=user.customer),
        "reset_form": reset_form or forms.MobilePasswordResetForm(),
    })


@customer_required
@require_GET
def mobile(request):
    return _mobile_page(request)


@customer_required
@require_POST
def mobile_sign(request):
    user = request.user
    form = forms.MobileSignForm(request.POST, customer=user.customer)
    if request.POST.get("action") == "send_code":
        # Keep what was ticked, but do not complain about fields not filled in yet.
        form = forms.MobileSignForm(initial={"links": request.POST.getlist("links")},
                                    customer=user.customer)
        sms_throttle_check(request)
        try:
            services.mobile_sign_code_send(user=user)
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.info(request, "验证码已发送至您的预留手机号码")
        return _mobile_page(request, sign_form=form)
    if form.is_valid():
        data = form.cleaned_data
        try:
            operation = services.mobile_sign_start(user=user, links=list(data["links"]),
                                                   password=data["mobile_password"],
                                                   code=data["code"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return _mobile_page(request, sign_form=form)


@customer_required
@require_POST
def mobile_cancel(request):
    try:
        operation = services.mobile_cancel_start(user=request.user)
    except BusinessError as exc:
        return _mobile_page(request, error=exc.message)
    return redirect_to_confirm(operation)


@customer_required
@require_POST
def mobile_toggle(request):
    form = forms.MobileToggleForm(request.POST)
    if not form.is_valid():
        return _mobile_page(request, error="请选择暂停或启用")
    suspend = form.cleaned_data["action"] == "suspend"
    try:
        services.mobile_toggle(user=request.user, suspend=suspend, ip_address=_ip(request))
    except BusinessError as exc:
        return _mobile_page(request, error=exc.message)
    messages.success(request, "手机银行暂停成功" if suspend else "手机银行启用成功")
    return redirect("security:mobile")


@customer_required
@require_POST
def mobile_password_reset(request):
    form = forms.MobilePasswordResetForm(request.POST)
    if form.is_valid():
        try:
            operation = services.mobile_password_reset_start(
                user=request.user, password=form.cleaned_data["mobile_password"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect_to_confirm(operation)
    return _mobile_page(request, reset_form=form)


# --- 短信服务管理 ----------------------------------------------------------------------------------


def _sms_page(request, *, tab="sign", form=None, error=None):
    user = request.user
    if error:
        messages.error(request, error)
    return render(request, "security/center/sms_service.html", {
        "tab": tab,
        "form": form or forms.SmsSubscribeForm(customer=user.customer),
        "subscriptions": _with_masked_phone(selectors.sms_subscriptions_for_user(user=user)),
    })


@customer_required
@require_http_methods(["GET", "POST"])
def sms_service(request):
    if request.method == "GET":
        return _sms_page(request, tab="cancel" if request.GET.get("tab") == "cancel" else "sign")
    form = forms.SmsSubscribeForm(request.POST, customer=request.user.customer)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.sms_subscribe(user=request.user, sub_account=data["sub_account"],
                                   threshold=data["threshold"], phone=data["phone"],
                                   ip_address=_ip(request))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "短信服务签约成功")
            return redirect("security:sms_service")
    return _sms_page(request, form=form)


@customer_required
@require_POST
def sms_unsubscribe(request, pk: int):
    subscription = selectors.sms_subscription_get_for_user(user=request.user, pk=pk)
    try:
        services.sms_unsubscribe(user=request.user, subscription=subscription,
                                 ip_address=_ip(request))
    except BusinessError as exc:
        return _sms_page(request, tab="cancel", error=exc.message)
    messages.success(request, "短信服务解约成功")
    return redirect(reverse("security:sms_service") + "?tab=cancel")


# --- 网银日志查询 ----------------------------------------------------------------------------------


@customer_required
@require_GET
def audit_log(request):
    start, end = selectors.audit_default_range()
    query = forms.AuditLogQueryForm(request.GET or None, initial={"date_from": start,
                                                                  "date_to": end})
    if query.is_bound and query.is_valid():
        start = query.cleaned_data["date_from"] or start
        end = query.cleaned_data["date_to"] or end
    rows = selectors.audit_events_for_customer(customer=request.user.customer,
                                               date_from=start, date_to=end)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    events = [{"event": event, "action": audit_action_label(event.action, event.detail),
               "channel": audit_channel_label(event.channel)}
              for event in page.object_list]
    return render(request, "security/center/audit_log.html", {
        "query": query, "page": page, "events": events, "date_from": start, "date_to": end,
        "querystring": querystring_without_page(request),
    })
