"""Models of the security app, one module per concept.

users    — User (customers' e-banking logins and staff), statuses, lockout and login settings
tools    — security tools: USBKey certificates, digital tokens, SMS messages and codes
confirm  — PendingOperation: the X-CONFIRM flow's record of exactly what the customer confirms
service  — 客户服务: 留言 (CustomerMessage), SMS balance alerts, mobile-banking agreements
counter  — CounterReceipt: the 业务受理单 of every counter action
approvals — ApprovalRequest: 复核 (maker-checker) of staff requests
sessions — UserSession: the database session with the user's id beside the data
staff    — 员工管理's proxies: StaffMember (staff users) and StaffOTPDevice (their admin TOTP)
"""

from .approvals import ApprovalRequest, ApprovalStatus
from .confirm import OperationStatus, PendingOperation
from .counter import CounterAction, CounterReceipt
from .service import (
    CustomerMessage,
    MobileAgreementStatus,
    MobileBankingAgreement,
    SmsSubscription,
)
from .sessions import UserSession
from .staff import StaffMember, StaffOTPDevice
from .tools import (
    SecurityTool,
    SmsCode,
    SmsMessage,
    ToolKind,
    ToolRegisterAction,
    ToolRegisterEntry,
    ToolReplaceReason,
    ToolStatus,
)
from .users import RegistrationChannel, User, UserStatus

__all__ = [
    "ApprovalRequest", "ApprovalStatus",
    "CounterAction", "CounterReceipt", "CustomerMessage", "MobileAgreementStatus",
    "MobileBankingAgreement", "OperationStatus", "PendingOperation", "RegistrationChannel",
    "SecurityTool", "SmsCode", "StaffMember", "StaffOTPDevice", "SmsMessage", "SmsSubscription", "ToolKind", "ToolRegisterAction",
    "ToolRegisterEntry", "ToolReplaceReason", "ToolStatus", "User", "UserSession", "UserStatus",
]
