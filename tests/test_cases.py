"""The reference cases in tests/data, through the batch import and the API."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from firstcontact.audit.models import AuditEvent
from firstcontact.checklists.models import Checklist
from firstcontact.people.models import Person, PossibleMatch
from firstcontact.referrals.models import Referral
from tests.conftest import DATA, checklist_payload, read_jsonl

CASES = DATA / "checklists.jsonl"
ROW_MODELS = [Checklist, Person, PossibleMatch, Referral, AuditEvent]


def import_file(path, out) -> list[dict]:
    call_command("import_checklists", str(path), "--results", str(out), "--no-progress")
    return read_jsonl(out)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


def assert_matches_expected(actual: dict, expected: dict):
    for key, value in expected.items():
        assert actual[key] == value, f"{expected['external_id']}: {key}"
    assert set(actual) == set(expected) | {"checklist_id", "reference"}


def test_batch_gives_expected_results(scheme, cases, tmp_path):
    results = import_file(CASES, tmp_path / "results.jsonl")

    assert len(results) == len(cases)
    for actual, (_, expected) in zip(results, cases, strict=True):
        assert_matches_expected(actual, expected)


def test_api_gives_expected_results(cases, hub_user, api_client_for):
    client = api_client_for(hub_user)

    for payload, expected in cases:
        response = client.post(
            "/api/v1/checklists", payload, content_type="application/json"
        )

        assert response.status_code == 201, expected["external_id"]
        assert_matches_expected(response.json(), expected)


def test_batch_stores_one_checklist_per_line(scheme, cases, tmp_path):
    results = import_file(CASES, tmp_path / "results.jsonl")

    stored = set(map(str, Checklist.objects.values_list("pk", flat=True)))
    assert stored == {result["checklist_id"] for result in results}


def test_batch_reimport_is_all_duplicates(scheme, tmp_path):
    first = import_file(CASES, tmp_path / "first.jsonl")

    second = import_file(CASES, tmp_path / "second.jsonl")

    assert [r["status"] for r in second] == ["duplicate"] * len(first)
    assert [r["checklist_id"] for r in second] == [r["checklist_id"] for r in first]


def test_batch_reimport_creates_nothing(scheme, tmp_path):
    import_file(CASES, tmp_path / "first.jsonl")
    before = row_counts()

    import_file(CASES, tmp_path / "second.jsonl")

    assert row_counts() == before


def test_duplicate_repeats_first_result(scheme, tmp_path):
    first = import_file(CASES, tmp_path / "first.jsonl")

    second = import_file(CASES, tmp_path / "second.jsonl")

    for original, repeat in zip(first, second, strict=True):
        assert repeat == original | {"status": "duplicate"}


def test_api_resend_is_duplicate(cases, hub_user, api_client_for):
    client = api_client_for(hub_user)
    payload = cases[0][0]
    first = client.post("/api/v1/checklists", payload, content_type="application/json")

    second = client.post("/api/v1/checklists", payload, content_type="application/json")

    assert second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert second.json()["checklist_id"] == first.json()["checklist_id"]


def test_batch_then_api_is_duplicate(scheme, cases, hub_user, api_client_for, tmp_path):
    import_file(CASES, tmp_path / "results.jsonl")

    response = api_client_for(hub_user).post(
        "/api/v1/checklists", cases[2][0], content_type="application/json"
    )

    assert response.json()["status"] == "duplicate"


def test_bad_lines_do_not_stop_batch(scheme, tmp_path):
    lines = [
        json.dumps(checklist_payload(external_id="B-1")),
        json.dumps(checklist_payload(external_id="B-2", source="other")),
        '{"external_id": "B-3", ',
        json.dumps(checklist_payload(external_id="B-4")),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    results = import_file(path, tmp_path / "results.jsonl")

    assert [r["status"] for r in results] == [
        "processed",
        "rejected",
        "rejected",
        "processed",
    ]
    assert [r["external_id"] for r in results] == ["B-1", "B-2", None, "B-4"]


def test_bad_json_line_is_reported(scheme, tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text(
        json.dumps(checklist_payload()) + "\n{not json}\n", encoding="utf-8"
    )

    results = import_file(path, tmp_path / "results.jsonl")

    assert results[1]["errors"][0]["field"] == ""
    assert results[1]["errors"][0]["message"].startswith("line 2 is not valid JSON")


def test_invalid_line_saves_nothing(scheme, tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(checklist_payload(source="other")), encoding="utf-8")

    import_file(path, tmp_path / "results.jsonl")

    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_batch_summary_counts_statuses(scheme, tmp_path, capsys):
    lines = [
        json.dumps(checklist_payload(external_id="B-1")),
        json.dumps(checklist_payload(external_id="B-1")),
        "[]",
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")

    import_file(path, tmp_path / "results.jsonl")

    output = capsys.readouterr().out
    assert "3 checklists: 1 processed, 1 duplicate, 1 rejected." in output


@pytest.mark.django_db
def test_batch_without_scheme_fails_cleanly(tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(checklist_payload()), encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        import_file(path, tmp_path / "results.jsonl")

    assert "run `firstcontact load_scheme` first" in str(raised.value)


def test_byte_order_mark_is_ignored(scheme, tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(checklist_payload()), encoding="utf-8-sig")

    results = import_file(path, tmp_path / "results.jsonl")

    assert results[0]["status"] == "processed"


def test_unwritable_results_path_is_rejected(scheme, tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(checklist_payload()), encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        import_file(path, tmp_path / "missing" / "results.jsonl")

    assert "cannot be written" in str(raised.value)
    assert Checklist.objects.count() == 0


def test_unreadable_batch_is_rejected(scheme, tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\xff\xfe not utf-8")

    with pytest.raises(CommandError) as raised:
        import_file(path, tmp_path / "results.jsonl")

    assert "cannot be read as UTF-8 text" in str(raised.value)
