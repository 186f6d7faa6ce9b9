"""The X-CONFIRM kind of 理财交易撤单 (imported from WealthConfig.ready()): the manual's
"验证数字证书密码", so a security tool and never an SMS code."""

from security.confirm.registry import operation_kind

from .cancel import KIND_CANCEL, order_cancel_execute

operation_kind(KIND_CANCEL, title="理财交易撤单", requires_pin=False, requires_tool=True,
               allow_sms=False)(order_cancel_execute)
