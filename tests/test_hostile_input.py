"""Hostile and odd input: each gets a clear rejection, never a server error."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from firstcontact.checklists.models import Checklist
from firstcontact.people.models import Person
from tests.conftest import checklist_payload

CHECKLISTS = "/api/v1/checklists"


@pytest.fixture
def hub_client(hub_user, api_client_for):
    return api_client_for(hub_user)


def post_text(client, body: str):
    return client.post(CHECKLISTS, body, content_type="application/json")


def person(**changes) -> dict:
    details = {
        "given_name": "Margaret",
        "family_name": "Ellison",
        "date_of_birth": "1941-03-14",
        "address_line_1": "1 Example Street",
        "postcode": "LE10 0JU",
    }
    details.update(changes)
    return details


def error_fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    "field, value",
    [
        ("given_name", "Ann\u0000e"),
        ("family_name", "Ellison\u0007"),
        ("address_line_1", "1 \u202eTset\u202c Road"),
        ("given_name", "Ann\ud800"),
    ],
)
def test_forbidden_character_is_rejected(hub_client, field, value):
    payload = checklist_payload(person=person(**{field: value}))
    response = post_text(hub_client, json.dumps(payload))
    assert response.status_code == 400
    assert error_fields(response) == [f"person.{field}"]
    assert Checklist.objects.count() == 0


def test_invisible_name_is_empty(hub_client):
    payload = checklist_payload(person=person(given_name="\u200b\u200b"))
    response = post_text(hub_client, json.dumps(payload))
    assert response.status_code == 400
    assert error_fields(response) == ["person.given_name"]


def test_names_in_other_scripts_are_kept(hub_client):
    payload = checklist_payload(person=person(given_name="زينب", family_name="Kaur"))
    response = post_text(hub_client, json.dumps(payload))
    assert response.status_code == 201
    assert Person.objects.get().given_name == "زينب"


def test_implausible_birth_date_is_rejected(hub_client):
    payload = checklist_payload(person=person(date_of_birth="1800-01-01"))
    response = post_text(hub_client, json.dumps(payload))
    assert error_fields(response) == ["person.date_of_birth"]


def test_deep_nesting_is_bad_request(hub_client):
    response = post_text(hub_client, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]


def test_nesting_inside_a_field_is_rejected(hub_client):
    nested = {}
    for _ in range(50):
        nested = {"inner": nested}
    response = post_text(hub_client, json.dumps(checklist_payload(equality=nested)))
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["errors"][0]["message"]


def test_repeated_key_is_bad_request(hub_client):
    body = '{"external_id": "A", "external_id": "B"}'
    response = post_text(hub_client, body)
    assert response.status_code == 400
    assert "appears twice" in response.json()["error"]


def test_nan_is_bad_request(hub_client):
    response = post_text(hub_client, '{"checklist_version": NaN}')
    assert response.status_code == 400


def test_body_over_upload_limit_answers_json(hub_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_text(hub_client, json.dumps({"padding": "x" * 5000}))
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]


def test_unknown_status_filter_is_bad_request(hub_client):
    response = hub_client.get("/api/v1/referrals", {"status": "<script>"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]


def test_batch_rejects_deep_line_and_goes_on(scheme, tmp_path):
    source = tmp_path / "batch.jsonl"
    good = json.dumps(checklist_payload())
    source.write_text("[" * 100_000 + "]" * 100_000 + "\n" + good + "\n")
    results = tmp_path / "results.jsonl"
    call_command("import_checklists", source, "--results", results, "--no-progress")
    statuses = [json.loads(line)["status"] for line in results.read_text().splitlines()]
    assert statuses == ["rejected", "processed"]


def test_batch_of_missing_file_says_so(scheme, tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        call_command(
            "import_checklists",
            tmp_path / "missing.jsonl",
            "--results",
            tmp_path / "out.jsonl",
        )
