"""Write audit rows. Callers pass who, what, on what, and the outcome; never a secret."""

from collections.abc import Iterable, Mapping
from typing import Any

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


def _audit_event(
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
    clean = {k: v for k, v in (detail or {}).items() if k.lower() not in _SECRET_KEYS}
    return AuditEvent(
        action=action,
        outcome=outcome,
        actor=actor,
        customer_id=customer_id,
        object_ref=object_ref[:128],
        ip_address=ip_address,
        channel=channel,
        detail=clean,
    )
