"""Write outbox messages inside the caller's transaction; queue them on commit.

The message row commits or rolls back with the change that caused it. The task
that delivers it is queued only once the transaction commits, so a rolled-back
change queues nothing. If queuing fails, or the process dies between the
commit and the queuing, the sweeper (firstcontact.delivery.housekeeping)
queues the message later.
"""

import logging
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from firstcontact.delivery.models import OutboxMessage

logger = logging.getLogger(__name__)


def write_message(
    *,
    scheme,
    event,
    channel,
    payload,
    agency=None,
    user=None,
    referral=None,
    dedupe_key=None,
) -> OutboxMessage | None:
    """Write one message and queue its delivery when the transaction commits.

    Returns None, writing nothing, when a message with `dedupe_key` exists.
    """
    message = OutboxMessage(
        id=uuid.uuid4(),
        scheme=scheme,
        event=event,
        channel=channel,
        agency=agency,
        user=user,
        referral=referral,
        dedupe_key=dedupe_key,
        next_attempt_at=timezone.now(),
    )
    message.payload = payload(message) if callable(payload) else payload
    if dedupe_key is not None:
        if OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        try:
            with transaction.atomic():
                message.save(force_insert=True)
        except IntegrityError:
            # Another worker wrote the same message first.
            return None
    else:
        message.save(force_insert=True)
    transaction.on_commit(lambda: queue_delivery([message.pk]), robust=True)
    return message


def queue_delivery(message_ids, *, run_after=None) -> None:
    """Queue one delivery task per message and note when it was queued."""
    from firstcontact.delivery.tasks import deliver_message

    task = deliver_message.using(run_after=run_after) if run_after else deliver_message
    for message_id in message_ids:
        task.enqueue(str(message_id))
    OutboxMessage.objects.filter(pk__in=message_ids).update(queued_at=timezone.now())
    logger.debug("Queued %d outbox messages", len(message_ids))
