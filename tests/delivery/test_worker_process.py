"""`firstcontact worker` as a real process: killed mid-batch, retries, failures.

Each test gets its own database, reached by the worker subprocess: a SQLite
file, or a PostgreSQL database when the suite runs on PostgreSQL.
"""

import collections
import signal

import pytest
from django.db import connection

from tests.delivery.receivers import SmtpServer, WebhookReceiver
from tests.delivery.worker_process import (
    ScratchDatabases,
    WorkerProcess,
    count_pending,
    run_scenario,
    wait_until,
)

pytestmark = pytest.mark.slow

REFERRALS = 30


@pytest.fixture(scope="module")
def scratch_databases(tmp_path_factory, django_db_blocker):
    with django_db_blocker.unblock():
        vendor = connection.vendor
        settings_dict = dict(connection.settings_dict)
    databases = ScratchDatabases(
        vendor, settings_dict, tmp_path_factory.mktemp("worker")
    )
    yield databases
    databases.drop_all()


@pytest.fixture
def receiver():
    webhook = WebhookReceiver().start()
    yield webhook
    webhook.stop()


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def environment(scratch_databases, smtp):
    name = scratch_databases.new()
    return scratch_databases.environment(
        name, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port)
    )


@pytest.fixture
def start_worker(environment, tmp_path):
    workers = []

    def start():
        worker = WorkerProcess(environment, tmp_path / "worker.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def all_settled(environment):
    return count_pending(environment) == 0


def test_sigkill_mid_batch_loses_no_message(environment, receiver, smtp, start_worker):
    seeded = run_scenario(environment, "seed", receiver.url, str(REFERRALS))
    webhook_ids = {i for i, channel in seeded["messages"] if channel == "webhook"}
    email_ids = {i for i, channel in seeded["messages"] if channel == "email"}
    receiver.default = (200, {}, 0.02)
    # Hold one request open, and kill the worker while it waits for the response.
    receiver.stall_at = REFERRALS // 2
    receiver.stall_seconds = 3.0

    worker = start_worker()
    assert receiver.stalled.wait(timeout=60), "the worker never reached the receiver"
    worker.kill()
    delivered_before_kill = len(receiver.unique_message_ids())
    assert worker.process.returncode == -signal.SIGKILL
    assert delivered_before_kill < len(webhook_ids), "the batch finished before kill"

    start_worker()
    assert receiver.wait_for(len(webhook_ids), timeout=90)
    assert smtp.wait_for(len(email_ids), timeout=90, event="referral.requested")
    assert wait_until(lambda: all_settled(environment), timeout=30)

    status = run_scenario(environment, "status")
    assert {m["status"] for m in status["messages"]} == {"delivered"}
    assert receiver.unique_message_ids() == webhook_ids
    assert set(smtp.message_ids("referral.requested")) == email_ids
    counts = collections.Counter(receiver.message_ids())
    in_flight = receiver.requests[REFERRALS // 2 - 1]["headers"]
    in_flight_id = in_flight["X-FirstContact-Message-Id"]
    assert counts[in_flight_id] == 2, "the message in flight was sent once only"


def test_worker_retries_server_errors_until_delivered(
    environment, receiver, start_worker
):
    receiver.script(500, (429, {"Retry-After": "1"}, 0.0), 503)
    run_scenario(environment, "seed", receiver.url, "1")

    start_worker()
    assert receiver.wait_for(1, timeout=30)
    assert wait_until(lambda: all_settled(environment), timeout=30)

    status = run_scenario(environment, "status")
    (webhook,) = [m for m in status["messages"] if m["channel"] == "webhook"]
    assert webhook["status"] == "delivered"
    assert webhook["attempts"] == 4
    assert [r["status"] for r in receiver.requests] == [500, 429, 503, 200]


def test_worker_gives_up_on_client_error(environment, receiver, start_worker):
    receiver.default = (400, {}, 0.0)
    run_scenario(environment, "seed", receiver.url, "1")

    start_worker()
    assert wait_until(lambda: all_settled(environment), timeout=30)

    status = run_scenario(environment, "status")
    (webhook,) = [m for m in status["messages"] if m["channel"] == "webhook"]
    assert webhook["status"] == "failed"
    assert webhook["attempts"] == 1
    assert len(receiver.requests) == 1


def test_permanently_failing_receiver_ends_failed_and_alerts_hub(
    environment, receiver, smtp, start_worker
):
    receiver.default = (500, {}, 0.0)
    run_scenario(environment, "seed", receiver.url, "1")

    start_worker()
    assert wait_until(lambda: all_settled(environment), timeout=60)

    status = run_scenario(environment, "status")
    (webhook,) = [m for m in status["messages"] if m["channel"] == "webhook"]
    assert webhook["status"] == "failed"
    assert webhook["attempts"] == 4
    assert status["failed_events"] == 1
    alerts = [m for m in status["messages"] if m["event"] == "hub.delivery-failed"]
    assert {m["status"] for m in alerts} == {"delivered"}
    assert any("Delivery failed" in m["message"]["Subject"] for m in smtp.messages)


def test_receiver_that_times_out_is_retried(environment, receiver, start_worker):
    receiver.script((200, {}, 4.0))
    run_scenario(environment, "seed", receiver.url, "1")

    start_worker()
    assert wait_until(lambda: all_settled(environment), timeout=60)

    status = run_scenario(environment, "status")
    (webhook,) = [m for m in status["messages"] if m["channel"] == "webhook"]
    assert webhook["status"] == "delivered"
    assert webhook["attempts"] == 2
