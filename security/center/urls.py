"""URL patterns of 安全中心, 客户服务 and 网银日志查询 (included by security/urls.py).

The names are the ones the menu in templates/base.html resolves.
"""

from django.urls import path

from . import views as center

urlpatterns: list = [
    # 安全中心
    path("center/reserved-message", center.reserved_message, name="reserved_message"),
    path("center/limits", center.limits, name="limits"),
    # 客户服务 › 个人信息管理
    path("service/signing-info", center.signing_info, name="signing_info"),
    path("service/login-settings", center.login_settings, name="login_settings"),
    path("service/profile", center.profile, name="profile"),
    path("service/profile/phone", center.profile_phone, name="profile_phone"),
    path("service/profile/phone/confirm", center.profile_phone_confirm,
         name="profile_phone_confirm"),
    path("service/profile/other", center.profile_other, name="profile_other"),
    path("service/core-phone", center.core_phone, name="core_phone"),
    path("service/messages", center.message_list, name="messages"),
    path("service/messages/new", center.message_create, name="message_create"),
    path("service/messages/<int:pk>", center.message_detail, name="message_detail"),
    path("service/messages/<int:pk>/done", center.message_done, name="message_done"),
    # 客户服务 › 电子银行开通管理
    path("service/mobile", center.mobile, name="mobile"),
    path("service/mobile/sign", center.mobile_sign, name="mobile_sign"),
    path("service/mobile/cancel", center.mobile_cancel, name="mobile_cancel"),
    path("service/mobile/toggle", center.mobile_toggle, name="mobile_toggle"),
    path("service/mobile/password-reset", center.mobile_password_reset,
         name="mobile_password_reset"),
    path("service/sms", center.sms_service, name="sms_service"),
    path("service/sms/<int:pk>/close", center.sms_unsubscribe, name="sms_unsubscribe"),
    # 账户管理 › 网银日志查询
    path("account/log", center.audit_log, name="audit_log"),
]
