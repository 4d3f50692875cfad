"""Shared fixtures: the bundled scheme, users of every role and API clients."""

import copy
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import Client

from firstcontact.accounts.services import create_token, create_user
from firstcontact.directory.context import SchemeContext
from firstcontact.directory.loading import BUNDLED_SCHEME, load_scheme, read_scheme_file
from firstcontact.directory.models import Scheme

DATA = Path(__file__).parent / "data"
PASSWORD = "correct-horse-battery-staple"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, tmp_path_factory
):
    """Put the SQLite test database in a file, as in production.

    Django's default in-memory test database uses SQLite's shared cache, whose
    table locks fail at once ("database table is locked") instead of waiting out
    the busy timeout, so concurrent writers could not be tested on it.
    """
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hash test passwords with MD5 to keep the suite fast.

    Django's default PBKDF2 hasher (1,500,000 iterations in Django 6.1) takes most
    of a second per password.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The rows that loading the bundled scheme created, copied once per database.
_scheme_rows: dict[str, list] = {}


def _row_ids() -> dict:
    return {
        model: set(model._base_manager.values_list("pk", flat=True))
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def load_bundled_scheme() -> Scheme:
    """Load the bundled scheme, replaying a saved copy of its rows after the first.

    load_scheme takes about 300 queries; inserting the saved rows takes one
    query per model, so a test that needs the scheme starts faster.
    """
    database = connection.settings_dict["NAME"]
    if database not in _scheme_rows:
        before = _row_ids()
        load_scheme(read_scheme_file(BUNDLED_SCHEME))
        _scheme_rows[database] = [
            (model, list(model._base_manager.exclude(pk__in=ids)))
            for model, ids in before.items()
        ]
    else:
        # Foreign keys are checked at commit, so the order of models is free.
        with transaction.atomic():
            for model, rows in _scheme_rows[database]:
                model._base_manager.bulk_create(copy.copy(row) for row in rows)
    return Scheme.objects.get(code="leicestershire")


@pytest.fixture
def scheme(db):
    return load_bundled_scheme()


@pytest.fixture
def context(scheme):
    return SchemeContext.load(scheme)


@pytest.fixture
def cases():
    """The example checklists with their expected results, in order."""
    return list(
        zip(
            read_jsonl(DATA / "checklists.jsonl"),
            read_jsonl(DATA / "checklists.expected.jsonl"),
            strict=True,
        )
    )


@pytest.fixture
def make_user(scheme):
    def make(username, role, agency=None):
        return create_user(
            username, role=role, scheme=scheme, agency_code=agency, password=PASSWORD
        )

    return make


@pytest.fixture
def referrer(make_user):
    return make_user("fire.referrer", "referrer", "fire-rescue")


@pytest.fixture
def colleague_referrer(make_user):
    return make_user("fire.colleague", "referrer", "fire-rescue")


@pytest.fixture
def hub_user(make_user):
    return make_user("hub.coordinator", "hub", "victim-support")


@pytest.fixture
def agency_user(make_user):
    return make_user("pension.worker", "agency", "pension-service")


@pytest.fixture
def outsider_agency_user(make_user):
    return make_user("police.worker", "agency", "police")


def bearer_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user)}")


@pytest.fixture
def api_client_for():
    return bearer_client


def checklist_payload(**changes) -> dict:
    """A valid submission for an invented person in Hinckley; override any field."""
    payload = {
        "external_id": "T-0001",
        "checklist_version": 1,
        "visit_date": "2026-11-02",
        "referrer": {"agency": "fire-rescue", "worker": "Alex Visitor"},
        "source": "partner",
        "person": {
            "given_name": "Margaret",
            "family_name": "Ellison",
            "date_of_birth": "1941-03-14",
            "address_line_1": "1 Example Street",
            "postcode": "LE10 0JU",
        },
        "consent": {"share": True},
        "answers": {"benefits": "yes", "lonely": "yes", "smoke-alarm": "no"},
    }
    payload.update(changes)
    return payload
