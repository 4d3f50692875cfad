"""Fixtures for delivery tests: receivers, fast retry settings and referrals."""

import pytest

from firstcontact.checklists.intake import submit_checklist
from firstcontact.delivery.services import configure_channels
from firstcontact.directory.models import Agency
from firstcontact.referrals import operations
from firstcontact.referrals.models import Referral
from tests.conftest import checklist_payload
from tests.delivery.receivers import SmtpServer, WebhookReceiver

WEBHOOK_SECRET = "test-secret-0123456789-abcdefghij"


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def fast_retries(settings):
    settings.FIRSTCONTACT_DELIVERY = {
        **settings.FIRSTCONTACT_DELIVERY,
        "max_attempts": 4,
        "backoff_seconds": 0.05,
        "max_backoff_seconds": 30.0,
        "timeout_seconds": 0.5,
        "lease_seconds": 5.0,
    }
    return settings.FIRSTCONTACT_DELIVERY


@pytest.fixture
def manager(make_user):
    return make_user("scheme.manager", "manager")


@pytest.fixture
def pension_webhook(scheme, manager, webhook_receiver):
    """pension-service posts referrals to the test receiver."""
    agency = Agency.objects.get(scheme=scheme, code="pension-service")
    configure_channels(
        agency, manager, webhook_url=webhook_receiver.url, webhook_secret=WEBHOOK_SECRET
    )
    return agency


@pytest.fixture
def submit(context, referrer):
    def submit_one(**changes):
        return submit_checklist(
            checklist_payload(**changes), context, channel="api", user=referrer
        )

    return submit_one


@pytest.fixture
def benefits_referral(submit):
    """A draft benefits-check referral for pension-service, from `referrer`."""
    submit()
    return Referral.objects.get(service__code="benefits-check")


@pytest.fixture
def forwarded_referral(benefits_referral, hub_user):
    return operations.forward_referral(benefits_referral.pk, hub_user)
