"""Write audit events."""

from firstcontact.audit.models import AuditEvent


def record_event(
    action, target, *, actor=None, person_id=None, data=None, remote_addr=None
) -> AuditEvent:
    """Append one event; `target` is any model instance with a UUID primary key."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        target_type=target._meta.model_name,
        target_id=target.pk,
        person_id=person_id,
        data=data or {},
        remote_addr=remote_addr,
    )


def events_for(target):
    return AuditEvent.objects.filter(target_id=target.pk).select_related("actor")
