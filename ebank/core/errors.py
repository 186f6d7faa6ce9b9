"""Business errors carry a message a customer can read (in Chinese) and a stable code.

Services raise them; views show ``message`` on the same page with the form kept.
"""


class BusinessError(Exception):
    code = "business_error"
    default_message = "交易失败"

    def __init__(self, message: str | None = None, *, code: str | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        super().__init__(self.message)


class InsufficientFunds(BusinessError):
    code = "insufficient_funds"
    default_message = "账户可用余额不足"


class LimitExceeded(BusinessError):
    code = "limit_exceeded"
    default_message = "转账金额超过限额"


class IdempotencyConflict(BusinessError):
    code = "idempotency_conflict"
    default_message = "重复提交的交易与原交易内容不一致"
