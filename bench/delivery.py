"""Benchmark referral delivery: messages per second from outbox to receiver.

Usage: .venv/bin/python bench/delivery.py [--messages 500] [--workers 1]
       [--database-url postgres://postgres@127.0.0.1:5432/postgres]

One run does all of this, on a fresh database (a SQLite file by default; with
--database-url, a new PostgreSQL database on that server, dropped at the end):

1. Migrates, loads the bundled scheme and points one agency's webhook at a
   receiver (http.server, threaded) on 127.0.0.1 that returns 200 at once.
2. Starts `firstcontact worker` processes and waits until they poll.
3. Product: writes N webhook messages through the outbox in one transaction;
   their tasks are queued on commit. The clock runs from the commit until the
   receiver has seen all N message ids.
4. Baseline: inserts the same N outbox rows with one executemany in one
   transaction, through the same Django connection.

The ratio is delivered messages per second over inserted rows per second: how
close delivery comes to the cost of writing its own rows. Prints a table and
writes JSON to bench/results/.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
MESSAGE_ID_HEADER = "X-FirstContact-Message-Id"
# Bounds every wait, so a broken run ends instead of hanging.
MAX_WAIT_SECONDS = 600


class Receiver:
    """Count distinct message ids and respond 200 to every POST."""

    def __init__(self):
        self.seen = set()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/bench"

    def count(self):
        with self.lock:
            return len(self.seen)

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.seen.add(self.headers[MESSAGE_ID_HEADER])
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                pass

        return Handler


def create_postgres_database(server_url) -> tuple[str, str]:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(server_url)
    name = f"fc_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname=config["NAME"] or "postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = server_url.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def drop_postgres_database(server_url, name) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(server_url)
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname=config["NAME"] or "postgres",
        autocommit=True,
    ) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def wait_for(condition, what):
    deadline = time.monotonic() + MAX_WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"Timed out waiting for {what}.")
        time.sleep(0.01)


def start_workers(count, data_dir) -> list[subprocess.Popen]:
    workers = []
    for number in range(count):
        log = open(data_dir / f"worker-{number}.log", "wb")
        workers.append(
            subprocess.Popen(
                [sys.executable, "-m", "firstcontact", "worker", "--interval", "0.05"],
                cwd=ROOT,
                # INFO, the production default, so "Starting worker" is logged.
                env={**os.environ, "LOG_LEVEL": "INFO"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    for number in range(count):
        log_path = data_dir / f"worker-{number}.log"
        wait_for(lambda p=log_path: b"Starting worker" in p.read_bytes(), "workers")
    return workers


def stop_workers(workers) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def write_messages(agency, count) -> None:
    from django.db import transaction

    from firstcontact.delivery.models import Channel
    from firstcontact.delivery.outbox import write_message

    with transaction.atomic():
        for number in range(count):
            write_message(
                scheme=agency.scheme,
                event="bench.message",
                channel=Channel.WEBHOOK,
                agency=agency,
                payload={"number": number},
            )


def raw_insert(agency, count) -> float:
    """Insert `count` outbox rows in one statement and transaction; return seconds."""
    from django.db import connection, transaction
    from django.utils import timezone

    from firstcontact.delivery.models import OutboxMessage

    table = OutboxMessage._meta.db_table
    now = timezone.now()
    rows = [
        (
            uuid.uuid4().hex if connection.vendor == "sqlite" else uuid.uuid4(),
            str(agency.scheme_id).replace("-", "")
            if connection.vendor == "sqlite"
            else agency.scheme_id,
            "bench.raw",
            "webhook",
            str(agency.pk).replace("-", "")
            if connection.vendor == "sqlite"
            else agency.pk,
            json.dumps({"number": number}),
            "pending",
            0,
            now,
            "",
            now,
        )
        for number in range(count)
    ]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (id, scheme_id, event, channel, agency_id, "
            "payload, status, attempts, next_attempt_at, last_error, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
    return time.perf_counter() - started


def run(messages, worker_count, database_url) -> dict:
    import django
    from django.core.management import call_command

    django.setup()
    from firstcontact.accounts.services import create_user
    from firstcontact.delivery.services import configure_channels
    from firstcontact.directory.models import Agency

    call_command("migrate", verbosity=0)
    call_command("load_scheme", verbosity=0)
    receiver = Receiver()
    agency = Agency.objects.get(code="pension-service")
    manager = create_user("bench.manager", role="manager", scheme=agency.scheme)
    configure_channels(agency, manager, webhook_url=receiver.url)

    data_dir = Path(os.environ["FIRSTCONTACT_DATA_DIR"])
    workers = start_workers(worker_count, data_dir)
    try:
        write_messages(agency, messages)
        started = time.perf_counter()
        wait_for(lambda: receiver.count() >= messages, "the receiver")
        delivery_seconds = time.perf_counter() - started
    finally:
        stop_workers(workers)
    insert_seconds = raw_insert(agency, messages)

    delivered_per_second = messages / delivery_seconds
    inserted_per_second = messages / insert_seconds
    return {
        "benchmark": "delivery",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if database_url else "sqlite",
        "messages": messages,
        "workers": worker_count,
        "delivery_seconds": round(delivery_seconds, 3),
        "delivered_per_second": round(delivered_per_second, 1),
        "raw_insert_seconds": round(insert_seconds, 4),
        "inserted_per_second": round(inserted_per_second, 1),
        "ratio": round(delivered_per_second / inserted_per_second, 5),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500, help="Messages to send.")
    parser.add_argument("--workers", type=int, default=1, help="Worker processes.")
    parser.add_argument(
        "--database-url",
        help="A PostgreSQL server URL; a scratch database is made on it.",
    )
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fc-bench-delivery-") as scratch:
        os.environ["FIRSTCONTACT_DATA_DIR"] = scratch
        os.environ["DJANGO_SETTINGS_MODULE"] = "firstcontact.settings"
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        database_name = None
        if arguments.database_url:
            url, database_name = create_postgres_database(arguments.database_url)
            os.environ["DATABASE_URL"] = url
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
        sys.path.insert(0, str(ROOT))
        try:
            result = run(arguments.messages, arguments.workers, arguments.database_url)
        finally:
            if database_name:
                from django.db import connections

                connections.close_all()
                drop_postgres_database(arguments.database_url, database_name)

    print(f"{'delivery':<28}{result['delivered_per_second']:>10} messages/s")
    print(
        f"{'raw insert of the same rows':<28}{result['inserted_per_second']:>10} rows/s"
    )
    print(f"{'ratio':<28}{result['ratio']:>10}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = result["date"].replace(":", "")
    path = RESULTS_DIR / f"delivery-{result['database']}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Results written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
