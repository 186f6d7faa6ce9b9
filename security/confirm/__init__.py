"""X-CONFIRM, the one confirmation flow every money movement and sensitive setting goes through.

registry   — ``operation_kind`` (apps register their executors), ``AuthMethod``
services   — ``operation_start``, ``operation_methods``, ``operation_sms_send``, ``operation_confirm``
selectors  — the customer-scoped reads the pages use
forms      — the confirmation form (交易密码, 安全认证方式, credential)

How an app uses it: docs/confirmation.md.
"""
