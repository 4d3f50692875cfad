"""`firstcontact worker`: run background tasks and the delivery housekeeping.

The task loop is django-tasks-db's worker (rows claimed with SELECT ... FOR
UPDATE SKIP LOCKED on PostgreSQL, an exclusive transaction on SQLite), so
several workers can run side by side. A thread beside it runs the periodic
jobs in firstcontact.delivery.housekeeping every `housekeeping_seconds`.
"""

import logging
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from firstcontact.delivery.conf import delivery_settings
from firstcontact.delivery.housekeeping import run_housekeeping

logger = logging.getLogger("firstcontact.delivery.worker")
# Seconds a worker keeps one database connection open.
WORKER_CONN_MAX_AGE = 600


class Command(BaseCommand):
    help = "Run background tasks (referral delivery) and the periodic delivery jobs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait before looking for tasks again when none are "
            "ready (default: 1).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run housekeeping once, then every ready task, then exit.",
        )
        parser.add_argument(
            "--no-housekeeping",
            action="store_true",
            help="Run tasks only; leave the sweeper, reminders and digests to "
            "another worker.",
        )
        parser.add_argument(
            "--worker-id",
            default=None,
            help="Name of this worker in task results (default: random).",
        )

    def handle(self, *args, interval, batch, no_housekeeping, worker_id, **options):
        worker_id = worker_id or get_random_string(16)
        keep_connections_open()
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        logger.info("Worker %s started", worker_id)
        if batch:
            if not no_housekeeping:
                run_housekeeping()
        elif not no_housekeeping:
            HousekeepingThread().start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            logger.info("Worker %s stopped", worker_id)


def keep_connections_open() -> None:
    """Reuse database connections across tasks, checking them before each reuse.

    The worker closes obsolete connections around every task, as Django does
    around requests, so with DATABASE_CONN_MAX_AGE=0 (the default) it would
    connect again for every message.
    """
    for alias in connections:
        settings_dict = connections[alias].settings_dict
        settings_dict["CONN_MAX_AGE"] = max(
            settings_dict.get("CONN_MAX_AGE") or 0, WORKER_CONN_MAX_AGE
        )
        settings_dict["CONN_HEALTH_CHECKS"] = True


class HousekeepingThread(threading.Thread):
    """Runs the periodic jobs until the process exits."""

    def __init__(self):
        super().__init__(name="housekeeping", daemon=True)
        self.stopping = threading.Event()

    def run(self):
        period = delivery_settings().housekeeping_seconds
        while True:
            try:
                close_old_connections()
                done = run_housekeeping()
                if any(done.values()):
                    logger.info("Housekeeping: %s", done)
            except Exception:
                logger.exception("Housekeeping failed; it runs again in %s s", period)
            finally:
                connection.close()
            if self.stopping.wait(period):
                return
