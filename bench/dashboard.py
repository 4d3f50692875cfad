"""Benchmark the main dashboard on a million referrals, against raw SQL.

Usage: .venv/bin/python bench/dashboard.py [--referrals 1000000] [--repeat 3]
           [--database-url postgres://postgres@127.0.0.1:5432/firstcontact_bench]

One run does all of this:

1. Makes a fresh benchmark database: a SQLite file in a temporary folder, or,
   with --database-url, the named PostgreSQL database, dropped and created
   again (never use a database that contains anything you want to keep).
   Migrates it and loads the bundled scheme.
2. Generates invented people, checklists (one per 2.5 referrals), referrals and
   their "referral.accepted" audit events with INSERT ... SELECT statements over
   a generated series, so a million referrals take seconds, not hours of intake.
   Visits spread over the last 365 days; statuses follow a fixed mix.
3. Times, as the median of --repeat runs after one warm-up run, the three
   taking turns:
   - product queries: `build_dashboard` for a scheme manager over the whole
     year, which runs every aggregate the dashboard shows;
   - raw SQL: the same aggregates written by hand, through the same connection;
   - page: GET /reports/ for the same manager and period, queries and
     templates and charts included.
   The ratios product/raw and page/raw measure what the ORM and the page add to the
   cost of the aggregates themselves; the aim is 1.3 or less.

Prints a table and writes the results as JSON to bench/results/.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
AIM = 1.3

# Referral statuses by (referral number % 20): 8 completed, 3 in progress, ...
STATUS_BY_REMAINDER = (
    ["completed"] * 8
    + ["in-progress"] * 3
    + ["accepted"] * 2
    + ["requested"] * 2
    + ["draft", "rejected", "on-hold", "cancelled", "failed"]
)
ACCEPTED_REMAINDERS = 13  # remainders 0-12 were accepted
REFERRALS_PER_CHECKLIST = 2.5


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to drop, create and fill; default: a new "
        "SQLite file in a temporary folder",
    )
    return parser.parse_args()


def prepare_postgres(url: str) -> None:
    """Drop and create the benchmark database on its server."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.startswith("firstcontact_bench"):
        sys.exit(f"Refusing to drop {name!r}: name the database firstcontact_bench…")
    server = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def configure(args) -> str:
    data_dir = tempfile.mkdtemp(prefix="firstcontact-bench-")
    os.environ["FIRSTCONTACT_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "firstcontact.settings"
    if args.database_url:
        prepare_postgres(args.database_url)
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    import django

    django.setup()
    return data_dir


class Dialect:
    """The few SQL expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, vendor: str, first_day: datetime.date):
        self.vendor = vendor
        self.first_day = first_day

    def uuid(self, prefix: str, number: str) -> str:
        if self.vendor == "postgresql":
            return f"CAST('{prefix}' || lpad(to_hex({number}), 31, '0') AS uuid)"
        return f"('{prefix}' || printf('%031x', {number}))"

    def literal_id(self, value) -> str:
        if self.vendor == "postgresql":
            return f"CAST('{value}' AS uuid)"
        return f"'{value.hex}'"

    def day(self, days: str) -> str:
        if self.vendor == "postgresql":
            return f"(DATE '{self.first_day}' + ({days}))"
        return f"date('{self.first_day}', ({days}) || ' days')"

    def moment(self, days: str) -> str:
        if self.vendor == "postgresql":
            return (
                f"(TIMESTAMPTZ '{self.first_day} 12:00:00+00' "
                f"+ ({days}) * INTERVAL '1 day')"
            )
        return f"datetime('{self.first_day} 12:00:00', ({days}) || ' days')"

    def json(self, text: str) -> str:
        if self.vendor == "postgresql":
            return f"CAST('{text}' AS jsonb)"
        return f"'{text}'"

    def series(self, count: int) -> str:
        if self.vendor == "postgresql":
            return f"generate_series(0, {count - 1}) AS seq(i)"
        return "seq"

    def with_series(self, count: int) -> str:
        if self.vendor == "postgresql":
            return ""
        return (
            "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq "
            f"WHERE i < {count - 1}) "
        )


def choose(expression: str, values: list[str]) -> str:
    whens = " ".join(f"WHEN {n} THEN {v}" for n, v in enumerate(values))
    return f"CASE ({expression}) % {len(values)} {whens} END"


def default_expression(field, dialect: Dialect) -> str:
    """Return SQL for a column the generator does not set: NULL or its default."""
    if field.null:
        return "NULL"
    if field.get_internal_type() == "JSONField":
        return dialect.json(json.dumps(field.get_default()))
    text_field = field.get_internal_type() in {"CharField", "TextField"}
    if text_field and not (field.has_default() and callable(field.default)):
        return "'" + str(field.get_default() or "") + "'"
    if field.get_internal_type() == "BooleanField" and field.has_default():
        return "TRUE" if field.default else "FALSE"
    if field.get_internal_type() in {"PositiveIntegerField", "IntegerField"}:
        return str(field.get_default() or 0)
    raise SystemExit(f"bench/dashboard.py does not know how to fill {field}.")


def insert_select(model, values: dict[str, str], count: int, dialect, where="1=1"):
    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        columns.append(field.column)
        expressions.append(
            values.get(field.column) or default_expression(field, dialect)
        )
    return (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"{dialect.with_series(count)}SELECT {', '.join(expressions)} "
        f"FROM {dialect.series(count)} WHERE {where}"
    )


def generate(referral_count: int, dialect: Dialect) -> dict:
    from django.db import connection, transaction

    from firstcontact.audit.models import AuditEvent
    from firstcontact.checklists.models import Checklist
    from firstcontact.directory.models import (
        Agency,
        ChecklistVersion,
        District,
        Scheme,
        Service,
        ServiceOverride,
    )
    from firstcontact.people.models import Person
    from firstcontact.referrals.models import Referral

    scheme = Scheme.objects.get(code="leicestershire")
    districts = list(District.objects.filter(scheme=scheme).order_by("code"))
    services = list(Service.objects.filter(scheme=scheme).order_by("code"))
    agencies = {a.pk: a for a in Agency.objects.filter(scheme=scheme)}
    referrers = sorted(
        (a for a in agencies.values() if a.has_role("referrer")), key=lambda a: a.code
    )
    overrides = {
        (o.service_id, o.district_id): o.provider_id
        for o in ServiceOverride.objects.filter(service__scheme=scheme)
    }
    version = ChecklistVersion.objects.get(scheme=scheme, version=1)
    checklist_count = int(referral_count / REFERRALS_PER_CHECKLIST)
    ids = dialect.literal_id
    district_of = choose("i", [ids(d.pk) for d in districts])
    visit_days = "((i * 37) % 365)"

    people = insert_select(
        Person,
        {
            "id": dialect.uuid("1", "i"),
            "scheme_id": ids(scheme.pk),
            "given_name": "'Bench'",
            "family_name": "'Person'",
            "given_key": "'bench'",
            "family_key": "'person'",
            "date_of_birth": dialect.day("-(21915 + (i % 9000))"),
            "address_line_1": "'1 Bench Road'",
            "postcode": "'LE1 1AA'",
            "district_id": district_of,
            "created_at": dialect.moment(visit_days),
            "updated_at": dialect.moment(visit_days),
        },
        checklist_count,
        dialect,
    )
    checklists = insert_select(
        Checklist,
        {
            "id": dialect.uuid("2", "i"),
            "reference": "'FB' || i",
            "scheme_id": ids(scheme.pk),
            "checklist_version_id": ids(version.pk),
            "agency_id": choose("i * 7", [ids(a.pk) for a in referrers]),
            "external_id": "'B' || i",
            "worker_name": "'Bench'",
            "channel": "'batch'",
            "source": "'partner'",
            "visit_date": dialect.day(visit_days),
            "person_id": dialect.uuid("1", "i"),
            "district_id": district_of,
            "consent_share": "TRUE",
            "eligible": "(i % 25 <> 0)",
            "hub_status": "'reviewed'",
            "received_at": dialect.moment(visit_days),
        },
        checklist_count,
        dialect,
    )
    # Referral number i belongs to checklist i % checklist_count.
    checklist_of = f"(i % {checklist_count})"
    referral_visit = f"(({checklist_of} * 37) % 365)"
    service_number = f"((i / {checklist_count} + {checklist_of}) % {len(services)})"
    routes = [
        overrides.get((s.pk, d.pk)) or s.provider_id or d.council_id
        for s in services
        for d in districts
    ]
    route = f"({service_number} * {len(districts)} + {checklist_of} % {len(districts)})"
    status = choose("i % 20", [f"'{s}'" for s in STATUS_BY_REMAINDER])
    status_number = "(i % 20)"
    referrals = insert_select(
        Referral,
        {
            "id": dialect.uuid("3", "i"),
            "reference": "'RB' || i",
            "scheme_id": ids(scheme.pk),
            "checklist_id": dialect.uuid("2", checklist_of),
            "person_id": dialect.uuid("1", checklist_of),
            "service_id": choose(service_number, [ids(s.pk) for s in services]),
            "agency_id": choose(route, [ids(a) for a in routes]),
            "district_id": choose(checklist_of, [ids(d.pk) for d in districts]),
            "priority": "'routine'",
            "status": status,
            "status_reason": f"CASE {status_number} WHEN 16 THEN 'no-capacity' "
            "WHEN 17 THEN 'awaiting-information' ELSE '' END",
            "outcome": f"CASE WHEN {status_number} < 8 THEN 'helped' ELSE '' END",
            "created_at": dialect.moment(referral_visit),
            "updated_at": dialect.moment(f"{referral_visit} + 2"),
            "forwarded_at": f"CASE WHEN {status_number} IN (15, 17) THEN NULL "
            f"ELSE {dialect.moment(f'{referral_visit} + 1')} END",
            "closed_at": f"CASE WHEN {status_number} < 8 OR {status_number} > 17 "
            f"THEN {dialect.moment(f'{referral_visit} + 5 + i % 40')} END",
            "version": "1",
        },
        referral_count,
        dialect,
    )
    events = insert_select(
        AuditEvent,
        {
            "id": dialect.uuid("4", "i"),
            "at": dialect.moment(f"{referral_visit} + 1 + i % 30"),
            "action": "'referral.accepted'",
            "target_type": "'referral'",
            "target_id": dialect.uuid("3", "i"),
            "person_id": dialect.uuid("1", checklist_of),
        },
        referral_count,
        dialect,
        where=f"{status_number} < {ACCEPTED_REMAINDERS}",
    )
    timings = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for name, sql in [
            ("people", people),
            ("checklists", checklists),
            ("referrals", referrals),
            ("audit events", events),
        ]:
            started = time.perf_counter()
            cursor.execute(sql)
            timings[name] = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "checklists": checklist_count,
        "referrals": referral_count,
        "insert_seconds": timings,
    }


def raw_queries(vendor: str, scheme_id, date_from, date_to, now) -> list[tuple]:
    """Write the dashboard's aggregates for a scheme manager by hand."""
    period = (
        "r.scheme_id = %(scheme)s AND c.visit_date >= %(date_from)s "
        "AND c.visit_date <= %(date_to)s AND r.status <> 'entered-in-error'"
    )
    referrals = (
        "FROM referrals_referral r JOIN checklists_checklist c "
        f"ON c.id = r.checklist_id WHERE {period}"
    )
    checklist_period = (
        "c.scheme_id = %(scheme)s AND c.visit_date >= %(date_from)s "
        "AND c.visit_date <= %(date_to)s"
    )
    checklists = f"FROM checklists_checklist c WHERE {checklist_period}"
    outcomes = (
        "COUNT(*), SUM(CASE WHEN r.status IN ('accepted', 'in-progress', "
        "'completed', 'requested', 'rejected', 'failed') OR r.forwarded_at IS NOT "
        "NULL THEN 1 ELSE 0 END), SUM(CASE WHEN r.status IN ('accepted', "
        "'in-progress', 'completed') THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = "
        "'completed' THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = 'rejected' THEN 1 "
        "ELSE 0 END), SUM(CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END)"
    )
    checklist_counts = (
        "COUNT(*), SUM(CASE WHEN c.eligible THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.eligible THEN 0 ELSE 1 END)"
    )
    if vendor == "postgresql":
        month = "date_trunc('month', c.visit_date)"
        accepted_day = "(e.first_at AT TIME ZONE 'Europe/London')::date"
        closed_day = "(r.closed_at AT TIME ZONE 'Europe/London')::date"
        day_difference = "{} - c.visit_date"
    else:
        month = "substr(c.visit_date, 1, 7)"
        # Django registers this function on its SQLite connections; SQLite has
        # no time zone database of its own.
        accepted_day = "django_datetime_cast_date(e.first_at, 'Europe/London', 'UTC')"
        closed_day = "django_datetime_cast_date(r.closed_at, 'Europe/London', 'UTC')"
        day_difference = "CAST(julianday({}) - julianday(c.visit_date) AS INTEGER)"
    first_accepted = (
        "JOIN (SELECT target_id, MIN(at) AS first_at FROM audit_auditevent "
        "WHERE action = 'referral.accepted' GROUP BY target_id) e "
        "ON e.target_id = r.id"
    )
    overdue = (
        "(r.status = 'draft' AND r.created_at < %(hub)s) OR (r.status = 'requested' "
        "AND r.forwarded_at < %(response)s) OR (r.status = 'rejected' AND "
        "r.updated_at < %(hub)s) OR (r.status IN ('accepted', 'in-progress') AND "
        "r.forwarded_at < %(completion)s)"
    )
    overdue_counts = (
        "SUM(CASE WHEN r.status = 'draft' AND r.created_at < %(hub)s THEN 1 ELSE 0 "
        "END), SUM(CASE WHEN r.status = 'requested' AND r.forwarded_at < %(response)s "
        "THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = 'rejected' AND r.updated_at < "
        "%(hub)s THEN 1 ELSE 0 END), SUM(CASE WHEN r.status IN ('accepted', "
        "'in-progress') AND r.forwarded_at < %(completion)s THEN 1 ELSE 0 END)"
    )

    def moment(value: datetime.datetime):
        if vendor == "postgresql":
            return value
        # Django stores SQLite datetimes as naive UTC text.
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")

    params = {
        "scheme": scheme_id,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "hub": moment(now - datetime.timedelta(days=2)),
        "response": moment(now - datetime.timedelta(days=7)),
        "completion": moment(now - datetime.timedelta(days=28)),
    }
    sql = [
        ("summary: referrals", "SELECT COUNT(*), SUM(CASE WHEN r.status = "
         f"'completed' THEN 1 ELSE 0 END) {referrals}"),
        ("summary: checklists",
         f"SELECT COUNT(*), COUNT(DISTINCT c.person_id) {checklists}"),
        ("funnel", f"SELECT {outcomes} {referrals}"),
        ("referrals by month", f"SELECT {month}, COUNT(*) {referrals} GROUP BY 1"),
        ("checklists by month",
         f"SELECT {month}, {checklist_counts} {checklists} GROUP BY 1"),
        ("checklists by district",
         f"SELECT d.code, d.name, {checklist_counts} FROM checklists_checklist c "
         "LEFT JOIN directory_district d ON d.id = c.district_id "
         f"WHERE {checklist_period} GROUP BY d.code, d.name"),
        ("checklists by referring agency",
         f"SELECT a.code, a.name, {checklist_counts} FROM checklists_checklist c "
         "JOIN directory_agency a ON a.id = c.agency_id "
         f"WHERE {checklist_period} GROUP BY a.code, a.name"),
        ("referrals by district",
         f"SELECT d.code, d.name, {outcomes} FROM referrals_referral r "
         "JOIN checklists_checklist c ON c.id = r.checklist_id "
         f"JOIN directory_district d ON d.id = r.district_id WHERE {period} "
         "GROUP BY d.code, d.name"),
        ("referrals by referring agency",
         f"SELECT a.code, a.name, {outcomes} FROM referrals_referral r "
         "JOIN checklists_checklist c ON c.id = r.checklist_id "
         f"JOIN directory_agency a ON a.id = c.agency_id WHERE {period} "
         "GROUP BY a.code, a.name"),
        ("referrals by service",
         f"SELECT s.code, s.name, {outcomes} FROM referrals_referral r "
         "JOIN checklists_checklist c ON c.id = r.checklist_id "
         f"JOIN directory_service s ON s.id = r.service_id WHERE {period} "
         "GROUP BY s.code, s.name"),
        ("referrals by receiving agency",
         f"SELECT a.code, a.name, {outcomes} FROM referrals_referral r "
         "JOIN checklists_checklist c ON c.id = r.checklist_id "
         f"JOIN directory_agency a ON a.id = r.agency_id WHERE {period} "
         "GROUP BY a.code, a.name"),
        ("reasons and outcomes",
         "SELECT r.status, r.status_reason, r.outcome, COUNT(*) "
         f"{referrals} AND r.status IN ('rejected', 'on-hold', 'cancelled', "
         "'failed', 'completed') GROUP BY r.status, r.status_reason, r.outcome"),
        ("days to first contact",
         f"SELECT {day_difference.format(accepted_day)}, COUNT(*) "
         "FROM referrals_referral r JOIN checklists_checklist c "
         f"ON c.id = r.checklist_id {first_accepted} WHERE {period} GROUP BY 1"),
        ("days to completion",
         f"SELECT {day_difference.format(closed_day)}, COUNT(*) {referrals} "
         "AND r.status = 'completed' AND r.closed_at IS NOT NULL GROUP BY 1"),
        ("overdue by agency",
         f"SELECT a.name, {overdue_counts} FROM referrals_referral r "
         "JOIN directory_agency a ON a.id = r.agency_id "
         f"WHERE r.scheme_id = %(scheme)s AND ({overdue}) GROUP BY a.name"),
        ("oldest overdue referrals",
         "SELECT r.reference, r.status, r.created_at, r.forwarded_at, r.updated_at, "
         "s.name, a.name, d.name FROM referrals_referral r "
         "JOIN directory_service s ON s.id = r.service_id "
         "JOIN directory_agency a ON a.id = r.agency_id "
         "JOIN directory_district d ON d.id = r.district_id "
         "JOIN people_person p ON p.id = r.person_id "
         "JOIN checklists_checklist c ON c.id = r.checklist_id "
         f"WHERE r.scheme_id = %(scheme)s AND ({overdue}) "
         "ORDER BY r.created_at LIMIT 50"),
    ]  # fmt: skip
    return [(name, text, params) for name, text in sql]


def timed(function, repeat: int) -> float:
    function()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def timed_in_turn(functions: dict, repeat: int) -> dict[str, float]:
    """Time each function `repeat` times, taking turns, after one warm-up each.

    Taking turns spreads any change in the machine's load over all of them.
    """
    runs = {name: [] for name in functions}
    for function in functions.values():
        function()
    for _ in range(repeat):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            runs[name].append(time.perf_counter() - started)
    return {name: statistics.median(times) for name, times in runs.items()}


def measure(repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from firstcontact.accounts.services import create_user
    from firstcontact.directory.models import Scheme
    from firstcontact.reports.dashboard import build_dashboard
    from firstcontact.reports.filters import ReportFilters
    from firstcontact.reports.scope import ReportScope

    scheme = Scheme.objects.get(code="leicestershire")
    manager = create_user("bench.manager", role="manager", scheme=scheme)
    date_to = timezone.localdate()
    date_from = date_to - datetime.timedelta(days=365)
    filters = ReportFilters(date_from, date_to)
    now = timezone.now()
    scope = ReportScope.for_user(manager)
    scheme_id = scheme.pk.hex if connection.vendor == "sqlite" else scheme.pk
    queries = raw_queries(connection.vendor, scheme_id, date_from, date_to, now)

    def run_raw():
        with connection.cursor() as cursor:
            for _, sql, params in queries:
                cursor.execute(sql, params)
                cursor.fetchall()

    def run_product():
        build_dashboard(scope, filters, now)

    client = Client()
    client.force_login(manager)
    pass_two_factor(client, manager)
    query = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}

    def run_page():
        response = client.get("/reports/", query, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code

    per_query = {}
    with connection.cursor() as cursor:
        for name, sql, params in queries:

            def one(sql=sql, params=params):
                cursor.execute(sql, params)
                cursor.fetchall()

            per_query[name] = timed(one, 1)
    with CaptureQueriesContext(connection) as captured:
        run_product()
    product_queries = [
        {"seconds": float(q["time"]), "sql": q["sql"][:160]} for q in captured
    ]
    medians = timed_in_turn(
        {"raw": run_raw, "product": run_product, "page": run_page}, repeat
    )
    raw, product, page = medians["raw"], medians["product"], medians["page"]
    return {
        "raw_seconds": raw,
        "product_seconds": product,
        "page_seconds": page,
        "product_ratio": product / raw,
        "page_ratio": page / raw,
        "raw_query_seconds": per_query,
        "product_queries": product_queries,
    }


def main() -> None:
    args = parse_arguments()
    configure(args)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_scheme", verbosity=0, stdout=open(os.devnull, "w"))
    first_day = datetime.date.today() - datetime.timedelta(days=364)
    dialect = Dialect(connection.vendor, first_day)
    print(f"Generating {args.referrals:,} referrals on {connection.vendor}…")
    started = time.perf_counter()
    generated = generate(args.referrals, dialect)
    generated["generate_seconds"] = time.perf_counter() - started
    print(f"Generated in {generated['generate_seconds']:.1f} s; measuring…")
    measured = measure(args.repeat)
    result = {
        "benchmark": "dashboard",
        "database": connection.vendor,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "repeat": args.repeat,
        **generated,
        **measured,
    }
    print_table(result)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"dashboard-{connection.vendor}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Results written to {path.relative_to(ROOT)}")


def print_table(result: dict) -> None:
    print(f"\nDashboard on {result['referrals']:,} referrals ({result['database']})")
    for name, seconds in result["raw_query_seconds"].items():
        print(f"  raw SQL {name:<34} {seconds:8.3f} s")
    for query in result["product_queries"]:
        print(f"  product {query['sql'][:34]:<34} {query['seconds']:8.3f} s")
    print(f"  {'raw SQL, all aggregates':<42} {result['raw_seconds']:8.3f} s")
    label = "product queries (build_dashboard)"
    print(
        f"  {label:<42} {result['product_seconds']:8.3f} s"
        f"  ratio {result['product_ratio']:.2f} (aim {AIM})"
    )
    print(
        f"  {'page GET /reports/':<42} {result['page_seconds']:8.3f} s"
        f"  ratio {result['page_ratio']:.2f} (aim {AIM})"
    )


def pass_two_factor(client, user) -> None:
    """Mark the client's session as past two-factor sign-in, as the code page does."""
    import secrets

    from django.http import HttpRequest
    from django_otp import login as otp_login

    from firstcontact.accounts.two_factor import enrol_authenticator

    device = enrol_authenticator(user, secrets.token_hex(20))
    request = HttpRequest()
    request.session = client.session
    request.user = user
    otp_login(request, device)
    request.session.save()


if __name__ == "__main__":
    main()
