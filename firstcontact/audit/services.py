"""Write audit events."""

from firstcontact.audit.context import current_request
from firstcontact.audit.models import AuditEvent


def record_event(
    action, target, *, actor=None, person_id=None, data=None, remote_addr=None
) -> AuditEvent:
    """Append one event; `target` is any model instance with a UUID primary key.

    During a request, the request's client address is used, as
    accounts.lockout.client_address reads it through trusted proxies;
    `remote_addr` gives the address of work done outside a request.
    """
    event = build_event(
        action,
        target,
        actor=actor,
        person_id=person_id,
        data=data,
        remote_addr=remote_addr,
    )
    event.save(force_insert=True)
    return event


def build_event(
    action, target, *, actor=None, person_id=None, data=None, remote_addr=None
) -> AuditEvent:
    """Return the unsaved event that record_event would append, for bulk inserts."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    request = current_request()
    if request is not None:
        remote_addr = request.remote_addr
    return AuditEvent(
        action=action,
        actor=actor,
        target_type=target._meta.model_name,
        target_id=target.pk,
        person_id=person_id,
        data=data or {},
        remote_addr=remote_addr,
    )


def record_denied_access(
    user, action, *, target_type="user", target_id=None, person_id=None
) -> AuditEvent:
    """Append an "access.denied" or "access.forbidden" event for the current route.

    The event names the route, the method and the record's id, never the
    path or query string, which may carry a search term.
    """
    request = current_request()
    data = {"route": request.route, "method": request.method} if request else {}
    return AuditEvent.objects.create(
        action=action,
        actor=user if user.is_authenticated else None,
        target_type=target_type,
        target_id=target_id or user.pk,
        person_id=person_id,
        data=data,
        remote_addr=request.remote_addr if request else None,
    )


def events_for(target):
    return AuditEvent.objects.filter(target_id=target.pk).select_related("actor")
