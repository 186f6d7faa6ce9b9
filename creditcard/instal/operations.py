"""The X-CONFIRM kinds of 账单分期管理 (imported from CreditcardConfig.ready()).

An application needs no 交易密码 and may be confirmed by SMS (no money leaves the bank: the debt
changes form); 提前终止 bills the remaining principal at once and asks for a security tool
(证书密码, the manual's words), so customers without one are refused before the page."""

from security.confirm.registry import operation_kind

from .services import (
    KIND_BILL,
    KIND_BILL_TERMINATE,
    KIND_FLEX,
    KIND_FLEX_TERMINATE,
    bill_instal_execute,
    flex_instal_execute,
    instal_terminate_execute,
)

operation_kind(KIND_BILL, title="账单分期申请", requires_pin=False, requires_tool=False,
               allow_sms=True)(bill_instal_execute)
operation_kind(KIND_FLEX, title="灵活分期申请", requires_pin=False, requires_tool=False,
               allow_sms=True)(flex_instal_execute)
operation_kind(KIND_BILL_TERMINATE, title="账单分期提前终止", requires_pin=False,
               requires_tool=True, allow_sms=False)(instal_terminate_execute)
operation_kind(KIND_FLEX_TERMINATE, title="灵活分期提前终止", requires_pin=False,
               requires_tool=True, allow_sms=False)(instal_terminate_execute)
