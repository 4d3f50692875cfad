"""load_scheme: the bundled scheme, reloads, edited copies and bad files."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from firstcontact.checklists.intake import submit_checklist
from firstcontact.directory.context import SchemeContext
from firstcontact.directory.loading import BUNDLED_SCHEME
from firstcontact.directory.models import (
    Agency,
    ChecklistVersion,
    District,
    Question,
    Scheme,
    Service,
    ServiceOverride,
)
from tests.conftest import checklist_payload

MODELS = [
    Scheme,
    District,
    Agency,
    Service,
    ServiceOverride,
    ChecklistVersion,
    Question,
]


def bundled_data() -> dict:
    return yaml.safe_load(BUNDLED_SCHEME.read_text(encoding="utf-8"))


def write_scheme(tmp_path, data: dict):
    path = tmp_path / "scheme.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def load(path=None) -> str:
    out = StringIO()
    arguments = [] if path is None else [str(path)]
    call_command("load_scheme", *arguments, stdout=out)
    return out.getvalue()


def all_ids() -> dict[str, set]:
    return {
        model.__name__: set(model.objects.values_list("pk", flat=True))
        for model in MODELS
    }


def load_error(tmp_path, data: dict) -> str:
    with pytest.raises(CommandError) as raised:
        load(write_scheme(tmp_path, data))
    return str(raised.value)


@pytest.mark.django_db
def test_bundled_scheme_loads_districts():
    load()

    assert District.objects.count() == 7


@pytest.mark.django_db
def test_bundled_scheme_loads_agencies():
    load()

    assert Agency.objects.count() == 24


@pytest.mark.django_db
def test_bundled_scheme_loads_services():
    load()

    assert Service.objects.count() == 17


@pytest.mark.django_db
def test_bundled_scheme_loads_questions():
    load()

    assert Question.objects.count() == 18


@pytest.mark.django_db
def test_load_scheme_reports_counts():
    output = load()

    assert output.strip() == (
        "Loaded scheme leicestershire: 7 districts, 24 agencies, 17 services, "
        "18 questions."
    )


@pytest.mark.django_db
def test_bundled_scheme_sets_lead_and_councils():
    load()
    scheme = Scheme.objects.get(code="leicestershire")

    assert scheme.lead_agency.code == "lcc-asc"
    assert District.objects.get(code="blaby").council.code == "blaby-dc"
    assert scheme.minimum_age == 60
    assert scheme.leap_day_birthday == "march-1"
    assert scheme.accept_self_referrals is False


@pytest.mark.django_db
def test_loading_twice_keeps_same_ids():
    load()
    first = all_ids()

    load()

    assert all_ids() == first


@pytest.mark.django_db
def test_modified_copy_updates_in_place(tmp_path):
    load()
    before = all_ids()
    data = bundled_data()
    data["districts"][2]["name"] = "Blaby District"
    data["agencies"][0]["name"] = "Adult Social Care"
    data["services"][6]["by_district"] = {"melton": "age-concern"}

    load(write_scheme(tmp_path, data))

    assert all_ids()["District"] == before["District"]
    assert District.objects.get(code="blaby").name == "Blaby District"
    assert Agency.objects.get(code="lcc-asc").name == "Adult Social Care"
    override = ServiceOverride.objects.get(service__code="affordable-warmth")
    assert override.provider.code == "age-concern"


@pytest.mark.django_db
def test_removed_override_is_deleted(tmp_path):
    load()
    data = bundled_data()
    del data["services"][1]["by_district"]

    load(write_scheme(tmp_path, data))

    assert not ServiceOverride.objects.filter(
        service__code="home-security-check"
    ).exists()


@pytest.mark.django_db
def test_unknown_provider_agency_is_rejected(tmp_path):
    data = bundled_data()
    data["services"][3]["provider"] = "polise"

    message = load_error(tmp_path, data)

    assert message == "services[3].provider: 'polise' is not an agency code."


@pytest.mark.django_db
def test_unknown_override_agency_is_rejected(tmp_path):
    data = bundled_data()
    data["services"][1]["by_district"] = {"blaby": "nobody"}

    message = load_error(tmp_path, data)

    assert message.startswith("services[1].by_district.blaby:")


@pytest.mark.django_db
def test_unknown_override_district_is_rejected(tmp_path):
    data = bundled_data()
    data["services"][1]["by_district"] = {"leicester": "police"}

    message = load_error(tmp_path, data)

    assert message.startswith("services[1].by_district:")


@pytest.mark.django_db
def test_impossible_date_is_rejected(tmp_path):
    path = tmp_path / "scheme.yaml"
    text = BUNDLED_SCHEME.read_text(encoding="utf-8")
    path.write_text(text.replace("pilot_from: 2009-04-01", "pilot_from: 2009-02-30"))

    with pytest.raises(CommandError) as raised:
        load(path)

    assert str(raised.value).startswith("districts[0].pilot_from:")


@pytest.mark.django_db
def test_malformed_date_is_rejected(tmp_path):
    data = bundled_data()
    data["districts"][1]["live_from"] = "1 October 2009"

    message = load_error(tmp_path, data)

    assert message.startswith("districts[1].live_from:")


@pytest.mark.django_db
def test_missing_key_is_rejected(tmp_path):
    data = bundled_data()
    del data["districts"][1]["ons_code"]

    message = load_error(tmp_path, data)

    assert message == "districts[1].ons_code is missing."


@pytest.mark.django_db
def test_missing_section_is_rejected(tmp_path):
    data = bundled_data()
    del data["services"]

    message = load_error(tmp_path, data)

    assert message.startswith("services is missing")


@pytest.mark.django_db
def test_non_integer_minimum_age_is_rejected(tmp_path):
    data = bundled_data()
    data["scheme"]["eligibility"]["minimum_age"] = "sixty"

    message = load_error(tmp_path, data)

    assert message.startswith("scheme.eligibility.minimum_age:")


@pytest.mark.django_db
def test_non_integer_checklist_version_is_rejected(tmp_path):
    data = bundled_data()
    data["checklist"]["version"] = "one"

    message = load_error(tmp_path, data)

    assert message.startswith("checklist.version:")


@pytest.mark.django_db
def test_duplicate_question_code_is_rejected(tmp_path):
    data = bundled_data()
    data["checklist"]["questions"][1]["code"] = "smoke-alarm"

    message = load_error(tmp_path, data)

    assert message.startswith("checklist.questions[1].code:")


@pytest.mark.django_db
def test_council_service_needs_every_council(tmp_path):
    data = bundled_data()
    del data["district_councils"]["melton"]

    message = load_error(tmp_path, data)

    assert "'melton'" in message


@pytest.mark.django_db
def test_invalid_yaml_is_rejected(tmp_path):
    path = tmp_path / "scheme.yaml"
    path.write_text("scheme: {code: broken\n", encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        load(path)

    assert "is not valid YAML" in str(raised.value)


@pytest.mark.django_db
def test_unreadable_path_is_rejected(tmp_path):
    with pytest.raises(CommandError) as raised:
        load(tmp_path / "missing.yaml")

    assert "cannot be read" in str(raised.value)


@pytest.mark.django_db
def test_rejected_file_changes_nothing(tmp_path):
    load()
    data = bundled_data()
    data["districts"][2]["name"] = "Renamed"
    data["services"][3]["provider"] = "polise"

    with pytest.raises(CommandError):
        load(write_scheme(tmp_path, data))

    assert District.objects.get(code="blaby").name == "Blaby"


@pytest.mark.django_db
def test_version_without_checklists_is_rewritten(tmp_path):
    load()
    data = bundled_data()
    data["checklist"]["questions"][0]["text"] = "Do you have a smoke alarm?"

    load(write_scheme(tmp_path, data))

    assert Question.objects.get(code="smoke-alarm").text == (
        "Do you have a smoke alarm?"
    )


@pytest.mark.django_db
def test_answered_version_cannot_be_rewritten(tmp_path):
    load()
    scheme = Scheme.objects.get(code="leicestershire")
    submit_checklist(checklist_payload(), SchemeContext.load(scheme), channel="api")
    data = bundled_data()
    data["checklist"]["questions"][0]["text"] = "Do you have a smoke alarm?"

    message = load_error(tmp_path, data)

    assert message.startswith("checklist version 1 already has answers")
    assert Question.objects.get(code="smoke-alarm").text.startswith(
        "Do you have a working smoke alarm"
    )


@pytest.mark.django_db
def test_answered_version_reloads_unchanged():
    load()
    scheme = Scheme.objects.get(code="leicestershire")
    submit_checklist(checklist_payload(), SchemeContext.load(scheme), channel="api")
    question_ids = all_ids()["Question"]

    load()

    assert all_ids()["Question"] == question_ids


@pytest.mark.django_db
def test_new_version_number_adds_questions(tmp_path):
    load()
    data = bundled_data()
    data["checklist"]["version"] = 2
    data["checklist"]["questions"] = data["checklist"]["questions"][:5]

    load(write_scheme(tmp_path, data))

    assert ChecklistVersion.objects.count() == 2
    assert Question.objects.filter(checklist_version__version=2).count() == 5


@pytest.mark.django_db
def test_edited_agency_email_survives_reload():
    load()
    Agency.objects.filter(code="police").update(email="referrals@police.example")

    load()

    assert Agency.objects.get(code="police").email == "referrals@police.example"


@pytest.mark.django_db
def test_email_in_file_replaces_edited_email(tmp_path):
    load()
    Agency.objects.filter(code="police").update(email="referrals@police.example")
    data = bundled_data()
    data["agencies"][5]["email"] = "first-contact@police.example"

    load(write_scheme(tmp_path, data))

    assert Agency.objects.get(code="police").email == "first-contact@police.example"


@pytest.mark.django_db
def test_duplicate_ons_code_is_rejected(tmp_path):
    data = bundled_data()
    data["districts"][1]["ons_code"] = data["districts"][0]["ons_code"]

    message = load_error(tmp_path, data)

    assert message.startswith("districts[1].ons_code: 'E07000134' is also used by")


@pytest.mark.django_db
def test_duplicate_agency_code_is_rejected(tmp_path):
    data = bundled_data()
    data["agencies"].append(data["agencies"][0] | {"name": "Another"})

    message = load_error(tmp_path, data)

    assert message.startswith("agencies[24].code: 'lcc-asc' is also used by")


@pytest.mark.django_db
def test_role_must_be_a_list(tmp_path):
    data = bundled_data()
    data["agencies"][0]["role"] = "provider"

    message = load_error(tmp_path, data)

    assert message.startswith("agencies[0].role must be a list")


@pytest.mark.django_db
def test_negative_minimum_age_is_rejected(tmp_path):
    data = bundled_data()
    data["scheme"]["eligibility"]["minimum_age"] = -5

    message = load_error(tmp_path, data)

    assert message.startswith("scheme.eligibility.minimum_age:")


@pytest.mark.django_db
def test_over_long_name_is_rejected(tmp_path):
    data = bundled_data()
    data["agencies"][0]["name"] = "x" * 201

    message = load_error(tmp_path, data)

    assert message.startswith("agencies[0].name: Ensure this value has at most 200")


@pytest.mark.django_db
def test_code_must_be_a_slug(tmp_path):
    data = bundled_data()
    data["services"][0]["code"] = "fire safety check"

    message = load_error(tmp_path, data)

    assert message.startswith("services[0].code:")


@pytest.mark.django_db
def test_invalid_agency_email_is_rejected(tmp_path):
    data = bundled_data()
    data["agencies"][5]["email"] = "police at example"

    message = load_error(tmp_path, data)

    assert message.startswith("agencies[5].email:")


@pytest.mark.django_db
def test_councils_must_be_a_mapping(tmp_path):
    data = bundled_data()
    data["district_councils"] = ["nwl-dc"]

    message = load_error(tmp_path, data)

    assert message == "district_councils must be a mapping of codes."


@pytest.mark.django_db
def test_by_district_must_be_a_mapping(tmp_path):
    data = bundled_data()
    data["services"][1]["by_district"] = ["blaby"]

    message = load_error(tmp_path, data)

    assert message == "services[1].by_district must be a mapping of codes."
