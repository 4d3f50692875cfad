"""Tasks that `firstcontact worker` runs (Django's tasks framework)."""

from django.tasks import task

from firstcontact.delivery.dispatch import deliver


@task
def deliver_message(message_id: str) -> str:
    """Send one outbox message; returns what happened, for the task result."""
    return deliver(message_id)
