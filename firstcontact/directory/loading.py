"""Load a scheme file (YAML) into the directory, idempotently.

Loading the same file twice changes nothing; loading an edited file updates the
records in place. A checklist version that already has answers is never
rewritten: changed questions need a new version number.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from firstcontact.directory.models import (
    Agency,
    ChecklistVersion,
    District,
    Question,
    Scheme,
    Service,
    ServiceOverride,
)
from firstcontact.funding.loading import FundingFileError, load_funding

BUNDLED_SCHEME = Path(__file__).parent / "data" / "leicestershire.yaml"
AGENCY_ROLES = {"lead", "hub", "provider", "referrer"}
DEFAULT_RESPONSE_DAYS = 5


class SchemeFileError(ValueError):
    """A scheme file that cannot be loaded; the message names the field."""


@dataclass
class LoadSummary:
    scheme: Scheme
    districts: int
    agencies: int
    services: int
    questions: int


class _SchemeLoader(yaml.SafeLoader):
    """A safe loader that leaves dates as strings.

    PyYAML's own date parsing raises a bare ValueError for an impossible date such
    as 2009-02-30, so the error could not name the field. `_date_or_none` parses
    the strings instead.
    """


_SchemeLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_scheme_file(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise SchemeFileError(f"{path}: cannot be read ({error.strerror}).") from None
    except UnicodeDecodeError:
        raise SchemeFileError(f"{path}: cannot be read as UTF-8 text.") from None
    try:
        # _SchemeLoader is a SafeLoader, which builds no arbitrary objects.
        data = yaml.load(text, Loader=_SchemeLoader)  # nosec B506
    except yaml.YAMLError as error:
        raise SchemeFileError(f"{path}: is not valid YAML ({error}).") from None
    if not isinstance(data, dict):
        raise SchemeFileError(f"{path}: the top level must be a mapping.")
    return data


def _require(mapping: dict, key: str, where: str):
    if not isinstance(mapping, dict) or mapping.get(key) in (None, ""):
        raise SchemeFileError(f"{where}.{key} is missing.")
    return mapping[key]


def _date_or_none(value, where: str) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise SchemeFileError(
            f"{where}: {value!r} is not a date; write it as YYYY-MM-DD."
        ) from None


def _integer(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SchemeFileError(f"{where}: {value!r} is not a whole number.")
    try:
        return int(value)
    except ValueError:
        raise SchemeFileError(f"{where}: {value!r} is not a whole number.") from None


def _mapping(value, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SchemeFileError(f"{where} must be a mapping of codes.")
    return value


def _check_unique(rows: list, key: str, section: str) -> None:
    seen = {}
    for index, row in enumerate(rows):
        value = row.get(key) if isinstance(row, dict) else None
        if not isinstance(value, str | int):
            continue
        if value in seen:
            raise SchemeFileError(
                f"{section}[{index}].{key}: {value!r} is also used by "
                f"{section}[{seen[value]}]; each must be different."
            )
        seen[value] = index


def _check_fields(model, values: dict, where: str, paths=None) -> None:
    """Raise SchemeFileError for the first value that its model field rejects.

    This catches what the database would reject, or silently store: text over
    its max_length, a code that is not a slug, an invalid email address, a
    negative age. `paths` names a field whose place in the file differs.
    """
    checked = [field.name for field in model._meta.fields if field.name in values]
    exclude = [field.name for field in model._meta.fields if field.name not in values]
    try:
        model(**values).clean_fields(exclude=exclude)
    except ValidationError as error:
        field = next(name for name in checked if name in error.message_dict)
        path = (paths or {}).get(field, f"{where}.{field}")
        raise SchemeFileError(f"{path}: {error.message_dict[field][0]}") from None


def _list(data: dict, key: str) -> list:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise SchemeFileError(f"{key} is missing or empty; it must be a list.")
    return value


@transaction.atomic
def load_scheme(data: dict) -> LoadSummary:
    """Create or update one scheme and everything in it from parsed YAML."""
    header = _require(data, "scheme", "file")
    eligibility = header.get("eligibility") or {}
    leap_rule = str(eligibility.get("leap_day_birthday", "march-1"))
    if leap_rule not in {"march-1", "february-28"}:
        raise SchemeFileError(
            "scheme.eligibility.leap_day_birthday must be march-1 or february-28."
        )
    code = _require(header, "code", "scheme")
    defaults = {
        "name": _require(header, "name", "scheme"),
        "minimum_age": _integer(
            eligibility.get("minimum_age", 60), "scheme.eligibility.minimum_age"
        ),
        "leap_day_birthday": leap_rule,
        "accept_self_referrals": bool(eligibility.get("accept_self_referrals", False)),
    }
    _check_fields(
        Scheme,
        {"code": code, **defaults},
        "scheme",
        paths={"minimum_age": "scheme.eligibility.minimum_age"},
    )
    scheme, _ = Scheme.objects.update_or_create(code=code, defaults=defaults)

    agencies = _load_agencies(scheme, _list(data, "agencies"))
    lead_code = header.get("lead_organisation")
    if lead_code:
        if lead_code not in agencies:
            raise SchemeFileError(
                f"scheme.lead_organisation: {lead_code!r} is not an agency code."
            )
        scheme.lead_agency = agencies[lead_code]
        scheme.save(update_fields=["lead_agency"])

    councils = _mapping(data.get("district_councils"), "district_councils")
    districts = _load_districts(scheme, _list(data, "districts"), councils, agencies)
    services = _load_services(scheme, _list(data, "services"), agencies, districts)
    checklist = _require(data, "checklist", "file")
    questions = _load_checklist(scheme, checklist, services)
    try:
        load_funding(scheme, data.get("funding"), agencies)
    except FundingFileError as error:
        raise SchemeFileError(str(error)) from None
    return LoadSummary(scheme, len(districts), len(agencies), len(services), questions)


def _load_agencies(scheme: Scheme, rows: list) -> dict[str, Agency]:
    _check_unique(rows, "code", "agencies")
    agencies = {}
    for index, row in enumerate(rows):
        where = f"agencies[{index}]"
        code = _require(row, "code", where)
        roles = row.get("role") or []
        if not isinstance(roles, list):
            raise SchemeFileError(
                f"{where}.role must be a list, such as [referrer, provider]."
            )
        unknown = set(roles) - AGENCY_ROLES
        if unknown:
            raise SchemeFileError(
                f"{where}.role: unknown role {sorted(unknown)[0]!r}; "
                f"use {', '.join(sorted(AGENCY_ROLES))}."
            )
        kind = row.get("kind", Agency.Kind.STATUTORY)
        if kind not in Agency.Kind.values:
            raise SchemeFileError(f"{where}.kind must be statutory or voluntary.")
        fields = {"code": code, "name": _require(row, "name", where)}
        if row.get("email"):
            fields["email"] = row["email"]
        _check_fields(Agency, fields, where)
        agency, created = Agency.objects.get_or_create(
            scheme=scheme,
            code=code,
            defaults={
                "name": _require(row, "name", where),
                "kind": kind,
                "roles": list(roles),
                "email": row.get("email") or f"{code}@example.org",
            },
        )
        if not created:
            # The email address is the scheme manager's to change, so a reload
            # keeps it unless the file names one.
            agency.name = _require(row, "name", where)
            agency.kind = kind
            agency.roles = list(roles)
            if row.get("email"):
                agency.email = row["email"]
            agency.save()
        agencies[code] = agency
    return agencies


def _load_districts(scheme, rows, councils, agencies) -> dict[str, District]:
    _check_unique(rows, "code", "districts")
    _check_unique(rows, "ons_code", "districts")
    districts = {}
    for index, row in enumerate(rows):
        where = f"districts[{index}]"
        code = _require(row, "code", where)
        _check_fields(
            District,
            {
                "code": code,
                "ons_code": _require(row, "ons_code", where),
                "name": _require(row, "name", where),
            },
            where,
        )
        council_code = councils.get(code)
        if council_code is not None and council_code not in agencies:
            raise SchemeFileError(
                f"district_councils.{code}: {council_code!r} is not an agency code."
            )
        district, _ = District.objects.update_or_create(
            scheme=scheme,
            code=code,
            defaults={
                "ons_code": _require(row, "ons_code", where),
                "name": _require(row, "name", where),
                "pilot_from": _date_or_none(
                    row.get("pilot_from"), f"{where}.pilot_from"
                ),
                "live_from": _date_or_none(row.get("live_from"), f"{where}.live_from"),
                "council": agencies.get(council_code),
            },
        )
        districts[code] = district
    return districts


def _agency_for(code, agencies, where) -> Agency:
    if code not in agencies:
        raise SchemeFileError(f"{where}: {code!r} is not an agency code.")
    return agencies[code]


def _load_services(scheme, rows, agencies, districts) -> dict[str, Service]:
    _check_unique(rows, "code", "services")
    services = {}
    for index, row in enumerate(rows):
        where = f"services[{index}]"
        code = _require(row, "code", where)
        _check_fields(
            Service, {"code": code, "name": _require(row, "name", where)}, where
        )
        provider_code = _require(row, "provider", where)
        provider = None
        if provider_code != Service.DISTRICT_COUNCIL:
            provider = _agency_for(provider_code, agencies, f"{where}.provider")
        service, _ = Service.objects.update_or_create(
            scheme=scheme,
            code=code,
            defaults={
                "name": _require(row, "name", where),
                "provider": provider,
                "response_days": _response_days(row, where),
            },
        )
        overrides = _mapping(row.get("by_district"), f"{where}.by_district")
        for district_code, agency_code in overrides.items():
            if district_code not in districts:
                raise SchemeFileError(
                    f"{where}.by_district: {district_code!r} is not a district code."
                )
            ServiceOverride.objects.update_or_create(
                service=service,
                district=districts[district_code],
                defaults={
                    "provider": _agency_for(
                        agency_code, agencies, f"{where}.by_district.{district_code}"
                    )
                },
            )
        service.overrides.exclude(district__code__in=list(overrides)).delete()
        if provider is None:
            _check_councils(where, districts, overrides)
        services[code] = service
    return services


def _response_days(row: dict, where: str) -> int:
    value = row.get("response_days", DEFAULT_RESPONSE_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 60:
        raise SchemeFileError(
            f"{where}.response_days must be a whole number of working days "
            f"from 1 to 60, not {value!r}."
        )
    return value


def _check_councils(where, districts, overrides) -> None:
    """Every district needs a council for a service its council provides."""
    for code, district in districts.items():
        if code not in overrides and district.council is None:
            raise SchemeFileError(
                f"{where}.provider: district-council, but district {code!r} has no "
                "entry in district_councils."
            )


def _question_rows(checklist: dict, services: dict) -> list[dict]:
    rows = []
    codes = set()
    for position, row in enumerate(_list(checklist, "questions")):
        where = f"checklist.questions[{position}]"
        code = _require(row, "code", where)
        if code in codes:
            raise SchemeFileError(
                f"{where}.code: {code!r} is a duplicate; "
                "give each question its own code."
            )
        codes.add(code)
        service_code = _require(row, "service", where)
        if service_code not in services:
            raise SchemeFileError(
                f"{where}.service: {service_code!r} is not a service code."
            )
        refer_on = str(_require(row, "refer_on", where))
        if refer_on not in {"yes", "no"}:
            raise SchemeFileError(f'{where}.refer_on must be "yes" or "no".')
        priority = row.get("priority", Question.Priority.ROUTINE)
        if priority not in Question.Priority.values:
            raise SchemeFileError(f"{where}.priority must be routine or urgent.")
        _check_fields(
            Question, {"code": code, "text": _require(row, "text", where)}, where
        )
        rows.append(
            {
                "position": position,
                "code": code,
                "text": _require(row, "text", where),
                "refer_on": refer_on,
                "service": services[service_code],
                "priority": priority,
            }
        )
    return rows


def _question_signature(rows) -> list[tuple]:
    return [
        (r["code"], r["text"], r["refer_on"], r["service"].pk, r["priority"])
        for r in rows
    ]


def _load_checklist(scheme, checklist: dict, services) -> int:
    number = _integer(_require(checklist, "version", "checklist"), "checklist.version")
    rows = _question_rows(checklist, services)
    version, created = ChecklistVersion.objects.get_or_create(
        scheme=scheme, version=number
    )
    if not created:
        stored = [
            {
                "code": q.code,
                "text": q.text,
                "refer_on": q.refer_on,
                "service": q.service,
                "priority": q.priority,
            }
            for q in version.questions.select_related("service")
        ]
        if _question_signature(stored) == _question_signature(rows):
            return len(rows)
        if version.checklists.exists():
            raise SchemeFileError(
                f"checklist version {number} already has answers and its questions "
                "differ from the file; give the changed questions a new version number."
            )
        version.questions.all().delete()
    Question.objects.bulk_create(
        Question(checklist_version=version, **row) for row in rows
    )
    return len(rows)
