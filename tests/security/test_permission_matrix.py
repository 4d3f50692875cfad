"""The permission matrix: every route, for every role, for every relation of the
user to the record, for GET and POST, answers the status this table expects.

Relations: "own" is a record of the user's own agency (their checklist, a
referral sent to their agency), "other" is another agency's record, "none" is
an id that matches no record. Whole-scheme roles (hub, manager, admin) see
both "own" and "other" records. A route without a record in its URL is tested
once, with relation "-".

`test_every_route_is_in_the_matrix` fails when a route is added, renamed or
removed without this table changing too.
"""

import re
import uuid
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from firstcontact.accounts.services import AccountError, create_token, create_user
from firstcontact.checklists.intake import submit_checklist
from firstcontact.consent.operations import withdraw_consent
from firstcontact.delivery.models import Channel, MessageStatus, OutboxMessage
from firstcontact.directory.context import SchemeContext
from firstcontact.referrals.models import Referral
from firstcontact.referrals.operations import forward_referral
from tests.conftest import checklist_payload, load_bundled_scheme

ROLES = ["anonymous", "referrer", "hub", "agency", "manager", "executive", "admin"]
RELATIONS = ["own", "other", "none"]
METHODS = ["GET", "POST"]

# Shorthands for a status that depends on the relation.
SCOPED = {"own": 200, "other": 404, "none": 404}  # sees its own records only
SCHEME = {"own": 200, "other": 200, "none": 404}  # sees every record of the scheme
HIDDEN = 404  # sees no record of this kind

SIGNED_IN = [role for role in ROLES if role != "anonymous"]


def each(status, **roles) -> dict:
    """Return `status` for every signed-in role, with the given exceptions.

    Anonymous users are sent to sign in (302) unless `anonymous` is given.
    """
    expected = {"anonymous": 302, **dict.fromkeys(SIGNED_IN, status)}
    expected.update(roles)
    return expected


def only(roles: dict, otherwise=403, anonymous=302) -> dict:
    """Return `otherwise` for every signed-in role but those in `roles`."""
    return {**each(otherwise, anonymous=anonymous), **roles}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    # What the URL's record is: "referral", "checklist", "person", "held",
    # "message" or "user"; None for routes without a record.
    record: str | None
    expected: dict[str, dict]
    # Fixed URL arguments besides the record's id.
    kwargs: dict = field(default_factory=dict)
    # The POST body, and whether the route is JSON (the API, with tokens).
    body: dict | None = None
    api: bool = False


API_ONLY = {
    "anonymous": 401,
    "executive": 401,  # executives get no API token
}


def api(status_by_role: dict) -> dict:
    return {**API_ONLY, **status_by_role}


def api_method_not_allowed() -> dict:
    # The API checks the method before the token.
    return dict.fromkeys(ROLES, 405)


MATRIX = [
    # Home, sign-in and sign-out
    Route(
        "home",
        "",
        None,
        {
            "GET": each(200, referrer=302, hub=302, agency=302),
            "POST": each(200, referrer=302, hub=302, agency=302),
        },
    ),
    Route(
        "accounts:login",
        "accounts/sign-in/",
        None,
        {"GET": each(302, anonymous=200), "POST": each(302, anonymous=200)},
    ),
    Route(
        "accounts:logout",
        "accounts/sign-out/",
        None,
        {"GET": each(405, anonymous=405), "POST": each(302)},
    ),
    Route(
        "accounts:two-factor-verify",
        "accounts/two-factor/",
        None,
        {"GET": each(302), "POST": each(302)},
    ),
    Route(
        "accounts:two-factor-setup",
        "accounts/two-factor/setup/",
        None,
        # A verified user may replace their authenticator; an empty code is
        # shown again with its error.
        {"GET": each(200), "POST": each(200)},
    ),
    Route(
        "accounts:recovery-codes",
        "accounts/two-factor/recovery-codes/",
        None,
        # POST makes a new set of codes and shows it.
        {"GET": each(200), "POST": each(302)},
    ),
    Route(
        "accounts:access-review",
        "accounts/access-review/",
        None,
        {"GET": only({"admin": 200}), "POST": only({"admin": 200})},
    ),
    Route(
        "accounts:deactivate-user",
        "accounts/users/<uuid:user_id>/deactivate/",
        "user",
        {
            "GET": only({"admin": SCHEME}),
            "POST": only({"admin": SCHEME | {"own": 302, "other": 302}}),
        },
    ),
    # The referrer's checklists
    Route(
        "checklists:mine",
        "checklists/",
        None,
        {
            "GET": only({"referrer": 200, "hub": 200}),
            "POST": each(405),
        },
    ),
    Route(
        "checklists:new",
        "checklists/new/",
        None,
        {
            "GET": only({"referrer": 200, "hub": 200}),
            "POST": only({"referrer": 200, "hub": 200}),
        },
    ),
    Route(
        "checklists:detail",
        "checklists/<uuid:pk>/",
        "checklist",
        {
            "GET": each(
                HIDDEN, referrer=SCOPED, hub=SCHEME, manager=SCHEME, admin=SCHEME
            ),
            "POST": each(405),
        },
    ),
    Route(
        "checklists:sent",
        "checklists/<uuid:pk>/sent/",
        "checklist",
        {
            "GET": each(
                HIDDEN, referrer=SCOPED, hub=SCHEME, manager=SCHEME, admin=SCHEME
            ),
            "POST": each(405),
        },
    ),
    # The hub
    Route(
        "hub:queue",
        "hub/",
        None,
        {"GET": only({"hub": 200}), "POST": only({"hub": 405})},
    ),
    Route(
        "checklists_hub:detail",
        "hub/checklists/<uuid:checklist_id>/",
        "checklist",
        {"GET": only({"hub": SCHEME}), "POST": only({"hub": 405})},
    ),
    Route(
        "checklists_hub:review",
        "hub/checklists/<uuid:checklist_id>/review/",
        "checklist",
        {
            "GET": only({"hub": 405}),
            "POST": only({"hub": {"own": 302, "other": 302, "none": 404}}),
        },
    ),
    Route(
        "checklists_hub:override",
        "hub/checklists/<uuid:checklist_id>/override/",
        "checklist",
        {
            "GET": only({"hub": 405}),
            "POST": only({"hub": {"own": 400, "other": 400, "none": 404}}),
        },
    ),
    Route(
        "delivery:failed",
        "hub/deliveries/",
        None,
        {"GET": only({"hub": 200}), "POST": each(405)},
    ),
    Route(
        "delivery:retry",
        "hub/deliveries/<uuid:message_id>/retry",
        "message",
        # An unknown message redirects with an error, like one of another scheme.
        {"GET": each(405), "POST": only({"hub": 302})},
    ),
    # Agencies and referrals
    Route(
        "referrals:inbox",
        "referrals/",
        None,
        {"GET": only({"agency": 200}), "POST": each(405)},
    ),
    Route(
        "referrals:detail",
        "referrals/<uuid:referral_id>/",
        "referral",
        {
            "GET": each(
                HIDDEN,
                referrer=SCOPED,
                hub=SCHEME,
                agency=SCOPED,
                manager=SCHEME,
                admin=SCHEME,
            ),
            "POST": each(405),
        },
    ),
    Route(
        "referrals:act",
        "referrals/<uuid:referral_id>/<slug:action_name>/",
        "referral",
        {
            "GET": each(405),
            # Only the receiving agency may accept; others who see it get 403.
            "POST": each(
                HIDDEN,
                referrer={"own": 403, "other": 404, "none": 404},
                hub={"own": 403, "other": 403, "none": 404},
                agency={"own": 302, "other": 404, "none": 404},
                manager={"own": 403, "other": 403, "none": 404},
                admin={"own": 403, "other": 403, "none": 404},
            ),
        },
        kwargs={"action_name": "accept"},
        body={"version": "2"},
    ),
    Route(
        "delivery:notifications",
        "notifications/",
        None,
        {"GET": each(200), "POST": each(405)},
    ),
    Route(
        "delivery:mark-read",
        "notifications/read",
        None,
        {"GET": each(405), "POST": each(302)},
    ),
    # Reports: executives see aggregates only
    Route(
        "reports:dashboard",
        "reports/",
        None,
        {"GET": each(200), "POST": each(405)},
    ),
    *[
        Route(
            f"reports:{name}",
            path,
            None,
            {
                "GET": only(
                    {"hub": 200, "manager": 200, "executive": 200, "admin": 200}
                ),
                "POST": each(405),
            },
        )
        for name, path in [
            ("reach", "reports/reach/"),
            ("equality", "reports/equality/"),
            ("executive", "reports/progress/"),
        ]
    ],
    Route(
        "reports:executive_download",
        "reports/progress/report.<str:file_format>",
        None,
        {
            "GET": only({"hub": 200, "manager": 200, "executive": 200, "admin": 200}),
            "POST": each(405),
        },
        kwargs={"file_format": "json"},
    ),
    Route(
        "reports:export_referrals",
        "reports/export/referrals.<str:file_format>",
        None,
        {"GET": each(200, executive=403), "POST": each(405)},
        kwargs={"file_format": "csv"},
    ),
    Route(
        "reports:export",
        "reports/export/<slug:page>/<slug:key>.<str:file_format>",
        None,
        {"GET": each(200), "POST": each(405)},
        kwargs={"page": "dashboard", "key": "funnel", "file_format": "csv"},
    ),
    # The person's rights and consent: the hub and administrators
    Route(
        "rights:search",
        "people/",
        None,
        {
            "GET": only({"hub": 200, "admin": 200}),
            "POST": only({"hub": 400, "admin": 400}),
        },
    ),
    *[
        Route(
            f"rights:{name}",
            path,
            "person",
            {
                "GET": only({"hub": SCHEME, "admin": SCHEME}),
                "POST": only({"hub": 405, "admin": 405}),
            },
        )
        for name, path in [
            ("person", "people/<uuid:person_id>/"),
            ("subject-access-json", "people/<uuid:person_id>/subject-access.json"),
            ("subject-access", "people/<uuid:person_id>/subject-access/"),
        ]
    ],
    *[
        Route(
            f"rights:{name}",
            path,
            "person",
            {
                "GET": only({"hub": SCHEME, "admin": SCHEME}),
                # An empty form is invalid.
                "POST": only(
                    {
                        "hub": {"own": 400, "other": 400, "none": 404},
                        "admin": {"own": 400, "other": 400, "none": 404},
                    }
                ),
            },
        )
        for name, path in [
            ("correct", "people/<uuid:person_id>/correct/"),
            ("erase", "people/<uuid:person_id>/erase/"),
        ]
    ],
    Route(
        "consent:page",
        "people/<uuid:person_id>/consent/",
        "person",
        {"GET": only({"hub": SCHEME}), "POST": only({"hub": 405})},
    ),
    *[
        Route(
            f"consent:{name}",
            path,
            "person",
            {
                "GET": only({"hub": 405}),
                # An empty form means every agency.
                "POST": only({"hub": {"own": 302, "other": 302, "none": 404}}),
            },
        )
        for name, path in [
            ("withdraw", "people/<uuid:person_id>/consent/withdraw/"),
            ("give", "people/<uuid:person_id>/consent/give/"),
        ]
    ],
    Route(
        "consent:send-without-consent",
        "people/<uuid:person_id>/consent/referrals/<uuid:referral_id>/send/",
        "held",
        {
            "GET": only({"hub": 405}),
            # An empty form has no reason.
            "POST": only({"hub": {"own": 400, "other": 400, "none": 404}}),
        },
    ),
    Route(
        "audit:search",
        "audit/",
        None,
        {
            "GET": only({"manager": 200, "admin": 200}),
            "POST": only({"manager": 405, "admin": 405}),
        },
    ),
    # The API, with bearer tokens
    Route(
        "api:checklist-submit",
        "api/v1/checklists",
        None,
        {
            "GET": api_method_not_allowed(),
            # An empty body is a rejected checklist.
            "POST": api(
                {
                    "referrer": 400,
                    "hub": 400,
                    "agency": 403,
                    "manager": 403,
                    "admin": 403,
                }
            ),
        },
        body={},
        api=True,
    ),
    Route(
        "api:referral-list",
        "api/v1/referrals",
        None,
        {
            "GET": api(
                dict.fromkeys(["referrer", "hub", "agency", "manager", "admin"], 200)
            ),
            "POST": api_method_not_allowed(),
        },
        api=True,
    ),
    Route(
        "api:referral-detail",
        "api/v1/referrals/<uuid:referral_id>",
        "referral",
        {
            "GET": api(
                {
                    "referrer": SCOPED,
                    "hub": SCHEME,
                    "agency": SCOPED,
                    "manager": SCHEME,
                    "admin": SCHEME,
                }
            ),
            "POST": api_method_not_allowed(),
        },
        api=True,
    ),
    Route(
        "api:referral-action",
        "api/v1/referrals/<uuid:referral_id>/<slug:action>",
        "referral",
        {
            "GET": api_method_not_allowed(),
            # Tokens without referrals:write get 403 before any lookup.
            "POST": api(
                {
                    "referrer": 403,
                    "hub": {"own": 403, "other": 403, "none": 404},
                    "agency": {"own": 200, "other": 404, "none": 404},
                    "manager": 403,
                    "admin": 403,
                }
            ),
        },
        kwargs={"action": "accept"},
        body={"version": 2},
        api=True,
    ),
]
ROUTES = {route.name: route for route in MATRIX}


# The routes the project serves


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern)


def served_routes() -> dict[str, str]:
    """Return {view name: URL pattern} for every route of the project."""
    return dict(_walk(get_resolver().url_patterns))


def test_every_route_is_in_the_matrix():
    missing = sorted(set(served_routes()) - set(ROUTES))

    assert missing == [], "add these routes to MATRIX with their expected statuses"


def test_matrix_lists_no_route_that_is_gone():
    gone = sorted(set(ROUTES) - set(served_routes()))

    assert gone == [], "remove these routes from MATRIX"


def test_matrix_patterns_match_the_routes():
    served = served_routes()
    changed = {
        name: (route.pattern, served[name])
        for name, route in ROUTES.items()
        if name in served and served[name] != route.pattern
    }

    assert changed == {}, "update the patterns (and expectations) in MATRIX"


def test_every_route_has_a_name():
    assert None not in {name.rsplit(":", 1)[-1] for name in served_routes()}


def test_matrix_covers_every_role_and_method():
    incomplete = [
        (route.name, method)
        for route in MATRIX
        for method in METHODS
        if set(route.expected.get(method, {})) != set(ROLES)
    ]

    assert incomplete == []


# The records each relation points at, built once for the module


@dataclass
class World:
    users: dict
    tokens: dict
    records: dict = field(default_factory=dict)


def _submit(context, user, external_id, answers, given_name):
    payload = checklist_payload(external_id=external_id, answers=answers)
    payload["referrer"]["agency"] = user.agency.code
    payload["person"]["given_name"] = given_name
    return submit_checklist(payload, context, channel="api", user=user)


def _referral(result, service) -> Referral:
    return Referral.objects.get(
        checklist_id=result["checklist_id"], service__code=service
    )


def _failed_message(referral) -> OutboxMessage:
    return OutboxMessage.objects.create(
        scheme=referral.scheme,
        event="referral.requested",
        channel=Channel.WEBHOOK,
        agency=referral.agency,
        referral=referral,
        status=MessageStatus.FAILED,
        next_attempt_at=referral.created_at,
    )


def build_world() -> World:
    scheme = load_bundled_scheme()
    context = SchemeContext.load(scheme)

    def user(username, role, agency=None):
        return create_user(username, role=role, scheme=scheme, agency_code=agency)

    users = {
        "referrer": user("matrix.referrer", "referrer", "fire-rescue"),
        "hub": user("matrix.hub", "hub", "victim-support"),
        "agency": user("matrix.agency", "agency", "pension-service"),
        "manager": user("matrix.manager", "manager"),
        "executive": user("matrix.executive", "executive"),
        "admin": user("matrix.admin", "admin"),
    }
    other_referrer = user("matrix.police", "referrer", "police")
    hub = users["hub"]

    # "own": the referrer's checklist; its benefits check goes to the agency user.
    own = _submit(
        context, users["referrer"], "M-OWN", {"benefits": "yes", "lonely": "yes"}, "Ada"
    )
    own_referral = forward_referral(_referral(own, "benefits-check").pk, hub)
    # "other": another agency's checklist, and a referral to another agency.
    other = _submit(
        context, other_referrer, "M-OTHER", {"lonely": "yes", "money": "yes"}, "Edna"
    )
    other_referral = forward_referral(_referral(other, "befriending").pk, hub)
    # Each person has one referral held for want of consent.
    withdraw_consent(own_referral.person_id, hub, agency_code="age-concern")
    withdraw_consent(other_referral.person_id, hub, agency_code="citizens-advice")
    own_held = _referral(own, "befriending")
    other_held = _referral(other, "money-advice")

    tokens = {}
    for role, account in users.items():
        try:
            tokens[role] = create_token(account)
        except AccountError:
            tokens[role] = None
    records = {
        "referral": {"own": own_referral.pk, "other": other_referral.pk},
        "checklist": {"own": own["checklist_id"], "other": other["checklist_id"]},
        "person": {"own": own_referral.person_id, "other": other_referral.person_id},
        "held": {
            "own": (own_held.person_id, own_held.pk),
            "other": (other_held.person_id, other_held.pk),
        },
        "message": {
            "own": _failed_message(own_referral).pk,
            "other": _failed_message(other_referral).pk,
        },
        "user": {"own": users["agency"].pk, "other": other_referrer.pk},
    }
    return World(users=users, tokens=tokens, records=records)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Build the records once for the module.

    The module's transaction is rolled back at the end, and each test runs in
    a savepoint inside it, so the tests see the records as built.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# The requests


def url_for(route: Route, world: World, relation: str) -> str:
    kwargs = dict(route.kwargs)
    if route.record is not None:
        names = [
            name
            for name in re.findall(r"<(?:[^:>]+:)?([^>]+)>", route.pattern)
            if name not in kwargs
        ]
        if relation == "none":
            ids = [uuid.uuid4() for _ in names]
        else:
            found = world.records[route.record][relation]
            ids = list(found) if isinstance(found, tuple) else [found]
        kwargs.update(zip(names, ids, strict=True))
    return reverse(route.name, kwargs=kwargs)


def client_for(route: Route, world: World, role: str) -> Client:
    if route.api:
        secret = world.tokens.get(role)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}") if secret else Client()
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def send(client, route: Route, method: str, url: str):
    if method == "GET":
        return client.get(url)
    if route.api:
        return client.post(url, route.body or {}, content_type="application/json")
    return client.post(url, route.body or {})


def relations_of(route: Route) -> list[str]:
    return RELATIONS if route.record is not None else ["-"]


def expected_status(route: Route, method: str, role: str, relation: str) -> int:
    expected = route.expected[method][role]
    if isinstance(expected, dict):
        return expected[relation]
    return expected


CASES = [
    pytest.param(route, method, role, id=f"{route.name}-{method}-{role}")
    for route in MATRIX
    for method in METHODS
    for role in ROLES
]


@pytest.mark.parametrize(("route", "method", "role"), CASES)
def test_route_answers_as_the_matrix_says(world, db, route, method, role):
    client = client_for(route, world, role)
    answered, expected = {}, {}
    for relation in relations_of(route):
        # Each relation starts from the module's records as built.
        with transaction.atomic():
            response = send(client, route, method, url_for(route, world, relation))
            answered[relation] = response.status_code
            expected[relation] = expected_status(route, method, role, relation)
            transaction.set_rollback(True)

    assert answered == expected
