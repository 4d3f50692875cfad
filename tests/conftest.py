"""Shared fixtures: the bundled scheme, users of every role and API clients."""

import copy
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import connection, transaction
from django.http import HttpRequest
from django.test import Client
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from firstcontact.accounts.services import create_token, create_user
from firstcontact.accounts.two_factor import enrol_authenticator
from firstcontact.directory.context import SchemeContext
from firstcontact.directory.loading import BUNDLED_SCHEME, load_scheme, read_scheme_file
from firstcontact.directory.models import Scheme

DATA = Path(__file__).parent / "data"
PASSWORD = "correct-horse-battery-staple"
# The key of RFC 6238's test vectors, as hex: the authenticator of test users.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


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


def pass_two_factor(client: Client, user) -> None:
    """Mark the client's session as having passed two-factor authentication.

    Gives the user an authenticator if they have none, then records it in the
    session with django-otp's login helper, as the verification page does.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = enrol_authenticator(user, TEST_TOTP_KEY)
    request = HttpRequest()
    request.session = client.session
    request.user = user
    otp_login(request, device)
    request.session.save()


@pytest.fixture(autouse=True)
def test_client_login_passes_two_factor(request, monkeypatch):
    """Make `client.force_login` and `client.login` pass two-factor authentication.

    Every page needs a second factor (TwoFactorRequiredMiddleware), and tests of
    those pages sign in with the test client's own methods. Tests marked
    `real_two_factor` keep Django's methods, whose sessions have not passed the
    second factor; tests/accounts/ check the enforcement that way.
    """
    if request.node.get_closest_marker("real_two_factor"):
        return
    django_force_login = Client.force_login
    django_login = Client.login

    def force_login(self, user, backend=None):
        django_force_login(self, user, backend)
        pass_two_factor(self, user)

    def login(self, **credentials):
        signed_in = django_login(self, **credentials)
        if signed_in:
            user_id = self.session[SESSION_KEY]
            pass_two_factor(self, get_user_model().objects.get(pk=user_id))
        return signed_in

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "login", login)


@pytest.fixture
def signed_in_client():
    """Return a function that makes a new client signed in as a user, past 2FA."""

    def sign_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in


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
