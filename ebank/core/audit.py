"""Write audit rows, and name them in Chinese.

Callers pass who, what, on what, and the outcome; never a secret. The action is a code
(``login``, ``confirm.executed``); what staff read in the admin's 审计日志 and customers in
网银日志查询 is its label, from one table every app adds its actions to from its
``AppConfig.ready()``::

    audit_actions({"payee.add": "收款人新增", "payee.delete": "收款人删除"})

and, for codes whose label depends on the row (a confirmation naming the business it
confirmed: 交易确认：行内转账), a rule::

    @audit_label_rule
    def confirmation_label(action, detail):   # a label, or None when it does not apply
        ...

``tests/test_audit_labels.py`` reads every ``audit_record`` call in the code and fails for an
action without a label.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .models import AuditEvent, AuditOutcome

# Keys that must never be stored in an audit row, whatever a caller passes.
_SECRET_KEYS = {"password", "pin", "otp", "code", "token", "secret", "card_number", "id_number"}


def audit_record(
    *,
    action: str,
    outcome: str = AuditOutcome.SUCCESS,
    actor=None,
    customer_id: int | None = None,
    object_ref: str = "",
    ip_address: str | None = None,
    channel: str = "web",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = _audit_event(action=action, outcome=outcome, actor=actor, customer_id=customer_id,
                         object_ref=object_ref, ip_address=ip_address, channel=channel,
                         detail=detail)
    event.save(force_insert=True)
    return event


def audit_record_many(events: Iterable[Mapping[str, Any]]) -> list[AuditEvent]:
    """Many audit rows in one INSERT (a batch step); each mapping takes audit_record's arguments."""
    return AuditEvent.objects.bulk_create([_audit_event(**event) for event in events])


def _audit_event(*, action: str, outcome: str = AuditOutcome.SUCCESS, object_ref: str = "",
                 detail: dict[str, Any] | None = None, **who_where) -> AuditEvent:
    """The row :func:`audit_record` writes (``who_where``: actor, customer_id, ip_address,
    channel), with the secret keys of ``detail`` dropped."""
    clean = {k: v for k, v in (detail or {}).items() if k.lower() not in _SECRET_KEYS}
    return AuditEvent(action=action, outcome=outcome, object_ref=object_ref[:128], detail=clean,
                      **who_where)


# --- labels -----------------------------------------------------------------------------------

AuditLabelRule = Callable[[str, Mapping[str, Any]], "str | None"]

_action_labels: dict[str, str] = {}
_label_rules: list[AuditLabelRule] = []

# Where the action was done (AuditEvent.channel).
AUDIT_CHANNEL_LABELS = {"web": "网上银行", "counter": "柜面", "admin": "柜面", "mobile": "手机银行",
                        "system": "系统", "batch": "系统"}


def audit_actions(labels: Mapping[str, str]) -> None:
    """Register the Chinese label of each action code. The same label again is harmless
    (``ready()`` run twice); another label for a code already registered is refused."""
    for action, label in labels.items():
        existing = _action_labels.get(action)
        if existing is not None and existing != label:
            raise ImproperlyConfigured(f"审计动作 {action!r} 已注册为“{existing}”")
        _action_labels[action] = label


def audit_label_rule(rule: AuditLabelRule) -> AuditLabelRule:
    """Register a rule labelling a family of codes (asked before the table); idempotent."""
    if rule not in _label_rules:
        _label_rules.append(rule)
    return rule


def audit_action_label(action: str, detail: Mapping[str, Any] | None = None) -> str:
    """The Chinese name of ``action`` (the code itself where nothing names it)."""
    for rule in _label_rules:
        label = rule(action, detail or {})
        if label:
            return label
    return _action_labels.get(action, action)


def audit_action_choices() -> list[tuple[str, str]]:
    """Every registered (code, label), by label: the admin's 操作 filter."""
    return sorted(_action_labels.items(), key=lambda pair: (pair[1], pair[0]))


def audit_action_labelled(action: str) -> bool:
    """Whether ``action`` has a label (the completeness test asks)."""
    return audit_action_label(action) != action


def audit_channel_label(channel: str) -> str:
    return AUDIT_CHANNEL_LABELS.get(channel, channel)
