"""The Chinese labels of security's audit actions (registered by SecurityConfig.ready())."""

from collections.abc import Mapping
from typing import Any

from ebank.core.audit import audit_label_rule

from .confirm.registry import operation_kinds
from .models import CounterAction
from .staff.approvals.registry import approval_kinds

LABELS = {
    # identity: login, registration, passwords
    "login": "登录",
    "logout": "登出",
    "login_failed": "登录失败",
    "login_unlock": "登录解锁",
    "password_change": "登录密码修改",
    "register_online": "网上自助注册",
    "staff_login_failed": "柜员登录失败",
    "staff_login_unlock": "柜员登录解锁",
    # 员工管理 (head office; security/staff/people.py)
    "staff_create": "新增员工",
    "staff_password_reset": "员工密码重置",
    "staff_password_change": "员工修改密码",
    "staff_lock": "员工锁定",
    "staff_deactivate": "员工停用",
    "staff_activate": "员工启用",
    "staff_otp_issue": "发放动态口令",
    "staff_otp_enrol": "动态口令启用",
    # 安全中心 and 客户服务
    "login_settings_change": "登录设置管理",
    "reserved_message_change": "预留信息变更",
    "profile_phone_change": "手机号码变更",
    "profile_other_change": "其他信息变更",
    "core_phone_change": "核心预留手机号变更",
    "message_create": "留言",
    "mobile_sign": "手机银行签约",
    "mobile_cancel": "手机银行解约",
    "mobile_suspend": "手机银行暂停",
    "mobile_resume": "手机银行启用",
    "mobile_password_reset": "手机银行密码重置",
    "sms_subscribe": "短信服务签约",
    "sms_unsubscribe": "短信服务解约",
    # the confirmation flow (a row naming its business reads "交易确认：行内转账")
    "confirm.executed": "交易确认",
    "confirm.refused": "交易确认未通过",
    "confirm.failed": "交易执行失败",
    "confirm.sms_sent": "发送短信验证码",
    # security tools
    "usbkey.locked": "证书锁定",
    "usbkey.password_change": "证书密码修改",
    "usbkey.password_wrong": "证书密码错误",
    "token.answer_wrong": "动态令牌口令错误",
    "token.locked": "动态令牌锁定",
    "sms.refused": "短信验证码未发送",
    # staff: 留言回复, every counter action (柜面) and any other change made in the admin
    "customer_message_reply": "留言回复",
    **{f"counter_{action.value}": f"{action.label}（柜面）" for action in CounterAction},
    "admin_add": "柜面维护（新增）",
    "admin_change": "柜面维护（修改）",
    "admin_delete": "柜面维护（删除）",
    # 复核 (maker-checker); a row naming its kind reads "复核通过：行社限额调整"
    "approval.requested": "提交复核",
    "approval.approved": "复核通过",
    "approval.rejected": "复核拒绝",
    "approval.failed": "复核通过但执行失败",
    "approval.withdrawn": "撤回复核申请",
    "approval.expired": "复核申请过期",
    "approval.refused": "复核被拒（无权复核）",
}


@audit_label_rule
def confirmation_label(action: str, detail: Mapping[str, Any]) -> str | None:
    """A confirmation names the business it confirmed: 交易确认：行内转账."""
    if not action.startswith("confirm.") or action not in LABELS:
        return None
    kind = operation_kinds().get(str(detail.get("kind", "")))
    return f"{LABELS[action]}：{kind.title}" if kind is not None else None


@audit_label_rule
def approval_label(action: str, detail: Mapping[str, Any]) -> str | None:
    """A 复核 row names what was asked: 提交复核：解除挂失."""
    if not action.startswith("approval.") or action not in LABELS:
        return None
    kind = approval_kinds().get(str(detail.get("kind", "")))
    return f"{LABELS[action]}：{kind.label}" if kind is not None else None
