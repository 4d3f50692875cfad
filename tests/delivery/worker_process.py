"""Run `firstcontact worker` and scenario steps as subprocesses on a scratch database.

The database is a copy of one migrated template: a file copy on SQLite, or
CREATE DATABASE ... TEMPLATE on PostgreSQL (the server of the test run).
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[2]
PREFIX = "fc_worker_"
# Short delivery settings so retries, lease expiry and sweeps take seconds.
FAST_DELIVERY = {
    "DELIVERY_BACKOFF_SECONDS": "0.2",
    "DELIVERY_MAX_BACKOFF_SECONDS": "2",
    "DELIVERY_TIMEOUT_SECONDS": "3",
    "DELIVERY_LEASE_SECONDS": "2",
    "DELIVERY_STUCK_SECONDS": "1",
    "DELIVERY_HOUSEKEEPING_SECONDS": "0.5",
    "DELIVERY_MAX_ATTEMPTS": "4",
}


class ScratchDatabases:
    """Hands out fresh databases copied from one migrated template."""

    def __init__(self, vendor, settings_dict, directory: Path):
        self.vendor = vendor
        self.settings_dict = settings_dict
        self.directory = directory
        self.created = []
        if vendor != "sqlite":
            self._drop_abandoned()
        self.template = self._new_name()
        self._migrate(self.template)

    def _new_name(self) -> str:
        # The creating process id lets a later run drop what a killed run left.
        return f"{PREFIX}{os.getpid()}_{uuid.uuid4().hex[:8]}"

    def _drop_abandoned(self):
        with self._admin_connection() as admin:
            names = admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [PREFIX + "%"],
            ).fetchall()
            for (name,) in names:
                pid = name.removeprefix(PREFIX).split("_")[0]
                if pid.isdigit() and not process_exists(int(pid)):
                    admin.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(name)
                        )
                    )

    def url(self, name) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.directory / (name + '.sqlite3')}"
        s = self.settings_dict
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        port = s.get("PORT") or 5432
        return f"postgres://{s['USER']}{password}@{s['HOST']}:{port}/{name}"

    def _admin_connection(self):
        s = self.settings_dict
        return psycopg.connect(
            host=s["HOST"],
            port=s.get("PORT") or 5432,
            user=s["USER"],
            password=s.get("PASSWORD") or None,
            dbname="postgres",
            autocommit=True,
        )

    def _migrate(self, name):
        if self.vendor != "sqlite":
            with self._admin_connection() as admin:
                admin.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                )
            self.created.append(name)
        run_scenario(self.environment(name), "setup")

    def new(self) -> str:
        name = self._new_name()
        if self.vendor == "sqlite":
            for suffix in (".sqlite3", ".sqlite3-wal"):
                template = self.directory / f"{self.template}{suffix}"
                if template.exists():
                    shutil.copy(template, self.directory / f"{name}{suffix}")
        else:
            with self._admin_connection() as admin:
                admin.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(name), sql.Identifier(self.template)
                    )
                )
            self.created.append(name)
        return name

    def environment(self, name, **extra) -> dict:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_URL", "EMAIL_", "DELIVERY_"))
        }
        environment.update(
            DJANGO_SETTINGS_MODULE="firstcontact.settings",
            DATABASE_URL=self.url(name),
            FIRSTCONTACT_DATA_DIR=str(self.directory),
            LOG_LEVEL="WARNING",
            **FAST_DELIVERY,
        )
        environment.update(extra)
        return environment

    def drop_all(self):
        if self.vendor == "sqlite":
            return
        with self._admin_connection() as admin:
            for name in reversed(self.created):
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(name)
                    )
                )


def process_exists(pid) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_scenario(environment, *arguments, timeout=120) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "tests.delivery.scenario", *arguments],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        raise AssertionError(f"scenario {arguments[0]} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


class WorkerProcess:
    """`firstcontact worker` in a subprocess, its output kept in a log file."""

    def __init__(self, environment, log_path: Path):
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "firstcontact", "worker", "--interval", "0.05"],
            cwd=REPO,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self):
        """SIGKILL: no clean-up at all, as when the machine loses power."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def count_pending(environment) -> int:
    """Outbox messages still pending, read straight from the scratch database."""
    database = dj_database_url.parse(environment["DATABASE_URL"])
    query = "SELECT COUNT(*) FROM delivery_outboxmessage WHERE status = 'pending'"
    if database["ENGINE"].endswith("sqlite3"):
        with closing(sqlite3.connect(database["NAME"], timeout=20)) as db:
            return db.execute(query).fetchone()[0]
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"] or 5432,
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname=database["NAME"],
    ) as db:
        return db.execute(query).fetchone()[0]


def wait_until(condition, timeout, interval=0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False
