"""Steps of the worker-process tests, run in a subprocess against its own database.

    python -m tests.delivery.scenario setup
    python -m tests.delivery.scenario seed WEBHOOK_URL COUNT
    python -m tests.delivery.scenario status

Each prints one JSON object. Settings come from the environment
(DATABASE_URL, EMAIL_HOST, DELIVERY_*), as for `firstcontact worker`.
"""

import datetime
import json
import os
import sys


def setup() -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_scheme", verbosity=0)
    return {"ok": True}


def seed(webhook_url: str, count: int) -> dict:
    """Configure the webhook, submit `count` checklists and forward each referral."""
    from firstcontact.accounts.services import create_user
    from firstcontact.checklists.intake import submit_checklist
    from firstcontact.delivery.models import OutboxMessage
    from firstcontact.delivery.services import configure_channels
    from firstcontact.directory.context import SchemeContext
    from firstcontact.directory.models import Agency, Scheme
    from firstcontact.referrals import operations
    from firstcontact.referrals.models import Referral
    from tests.conftest import checklist_payload
    from tests.delivery.conftest import WEBHOOK_SECRET

    scheme = Scheme.objects.get(code="leicestershire")
    manager = create_user("e2e.manager", role="manager", scheme=scheme)
    hub = create_user("e2e.hub", role="hub", scheme=scheme, agency_code="nwl-cab")
    referrer = create_user(
        "e2e.referrer", role="referrer", scheme=scheme, agency_code="fire-rescue"
    )
    agency = Agency.objects.get(scheme=scheme, code="pension-service")
    configure_channels(
        agency, manager, webhook_url=webhook_url, webhook_secret=WEBHOOK_SECRET
    )
    context = SchemeContext.load(scheme)
    for number in range(count):
        person = {
            "given_name": "Test",
            "family_name": f"Person{number}",
            "date_of_birth": (
                datetime.date(1940, 1, 1) + datetime.timedelta(days=number)
            ).isoformat(),
            "address_line_1": f"{number + 1} Example Street",
            "postcode": "LE10 0JU",
        }
        submit_checklist(
            checklist_payload(
                external_id=f"E2E-{number:04d}",
                person=person,
                answers={"benefits": "yes"},
            ),
            context,
            channel="api",
            user=referrer,
        )
    for referral in Referral.objects.filter(service__code="benefits-check"):
        operations.forward_referral(referral.pk, hub)
    messages = OutboxMessage.objects.order_by("created_at")
    return {"messages": [[str(m.pk), m.channel] for m in messages]}


def status() -> dict:
    from firstcontact.audit.models import AuditEvent
    from firstcontact.delivery.models import DeliveryAttempt, OutboxMessage

    return {
        "messages": [
            {
                "id": str(m.pk),
                "event": m.event,
                "channel": m.channel,
                "status": m.status,
                "attempts": m.attempts,
                "last_error": m.last_error,
            }
            for m in OutboxMessage.objects.order_by("created_at")
        ],
        "attempts": [
            [str(a.message_id), a.number, a.outcome, a.status_code]
            for a in DeliveryAttempt.objects.order_by("at", "number")
        ],
        "failed_events": AuditEvent.objects.filter(action="delivery.failed").count(),
    }


def main(argv) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstcontact.settings")
    import django

    django.setup()
    command, *arguments = argv
    if command == "setup":
        result = setup()
    elif command == "seed":
        result = seed(arguments[0], int(arguments[1]))
    elif command == "status":
        result = status()
    else:
        raise SystemExit(f"unknown command {command!r}; use setup, seed or status.")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
