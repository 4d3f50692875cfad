"""The batch import's chunks: same results and records as one line at a time."""

import json

import pytest
from django.core.management import call_command

from firstcontact.audit.models import AuditEvent
from firstcontact.checklists import intake
from firstcontact.checklists.management.commands import import_checklists
from firstcontact.checklists.models import Checklist
from firstcontact.people.models import Person, PossibleMatch
from firstcontact.referrals.models import Referral, Status
from tests.conftest import DATA, checklist_payload, read_jsonl

CASES = DATA / "checklists.jsonl"


def import_lines(tmp_path, lines, name="batch") -> list[dict]:
    path = tmp_path / f"{name}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / f"{name}.results.jsonl"
    call_command("import_checklists", str(path), "--results", str(out), "--no-progress")
    return read_jsonl(out)


def line(**changes) -> str:
    return json.dumps(checklist_payload(**changes))


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(import_checklists, "CHUNK_SIZE", 3)


def test_cases_across_small_chunks(scheme, cases, tmp_path, small_chunks):
    results = import_lines(tmp_path, CASES.read_text().splitlines())

    for actual, (_, expected) in zip(results, cases, strict=True):
        for key, value in expected.items():
            assert actual[key] == value, (expected["external_id"], key)


def test_repeat_in_chunk_is_duplicate(scheme, tmp_path):
    results = import_lines(tmp_path, [line(external_id="D-1"), line(external_id="D-1")])

    assert results[1] == results[0] | {"status": "duplicate"}
    assert Checklist.objects.count() == 1
    assert AuditEvent.objects.filter(action="checklist.received").count() == 1


def test_repeat_after_rejected_line_is_processed(scheme, tmp_path):
    results = import_lines(
        tmp_path, [line(external_id="D-2", source="other"), line(external_id="D-2")]
    )

    assert [r["status"] for r in results] == ["rejected", "processed"]


def test_same_person_in_chunk_matched(scheme, tmp_path):
    import_lines(tmp_path, [line(external_id="P-1"), line(external_id="P-2")])

    assert Person.objects.count() == 1
    assert set(Checklist.objects.values_list("person", flat=True)) == {
        Person.objects.get().pk
    }


def test_moved_person_in_chunk_possible_match(scheme, tmp_path):
    moved = checklist_payload(external_id="P-4")
    moved["person"]["postcode"] = "LE11 1PW"

    import_lines(tmp_path, [line(external_id="P-3"), json.dumps(moved)])

    assert Person.objects.count() == 2
    assert PossibleMatch.objects.count() == 1


def test_open_referral_in_chunk_not_repeated(scheme, tmp_path):
    results = import_lines(tmp_path, [line(external_id="R-1"), line(external_id="R-2")])

    assert results[1]["referrals"] == []
    assert {n["reason"] for n in results[1]["not_referred"]} == {
        "duplicate_open_referral"
    }
    assert Referral.objects.count() == len(results[0]["referrals"])


def test_consent_in_chunk_supersedes_hold(scheme, tmp_path):
    results = import_lines(
        tmp_path,
        [
            line(external_id="C-1", consent={"share": False}),
            line(external_id="C-2", consent={"share": True}),
        ],
    )

    held = Referral.objects.filter(checklist__external_id="C-1")
    assert held.count() == len(results[0]["not_referred"]) > 0
    for referral in held:
        assert referral.status == Status.CANCELLED
        assert referral.status_reason == "superseded"
        assert referral.closed_at is not None
        assert referral.version == 2
    assert len(results[1]["referrals"]) == held.count()


def test_consent_in_later_chunk_supersedes_hold(scheme, tmp_path):
    import_lines(tmp_path, [line(external_id="C-3", consent={"share": False})], "a")

    import_lines(tmp_path, [line(external_id="C-4", consent={"share": True})], "b")

    held = Referral.objects.filter(checklist__external_id="C-3")
    assert held.exists()
    assert set(held.values_list("status", "status_reason", "version")) == {
        (Status.CANCELLED, "superseded", 2)
    }


def test_failing_line_keeps_earlier_lines(scheme, tmp_path, monkeypatch):
    store = intake._write

    def fail_on_third(intakes):
        if any(i.checklist.external_id == "F-3" for i in intakes):
            raise RuntimeError("cannot store F-3")
        store(intakes)

    monkeypatch.setattr(intake, "_write", fail_on_third)
    lines = [line(external_id=f"F-{n}") for n in range(1, 5)]

    with pytest.raises(RuntimeError, match="cannot store F-3"):
        import_lines(tmp_path, lines)

    stored = set(Checklist.objects.values_list("external_id", flat=True))
    assert stored == {"F-1", "F-2"}
    results = read_jsonl(tmp_path / "batch.results.jsonl")
    assert [r["external_id"] for r in results] == ["F-1", "F-2"]


def test_lines_split_as_splitlines(scheme, tmp_path):
    split = json.dumps(checklist_payload(external_id="S-1"), ensure_ascii=False)
    split = split.replace('"Margaret"', '"Marg\u2028aret"')
    path = tmp_path / "batch.jsonl"
    path.write_text(split + "\r\n" + line(external_id="S-2") + "\n", encoding="utf-8")
    out = tmp_path / "results.jsonl"

    call_command("import_checklists", str(path), "--results", str(out), "--no-progress")

    results = read_jsonl(out)
    assert [r["status"] for r in results] == ["rejected", "rejected", "processed"]
    assert results[1]["errors"][0]["message"].startswith("line 2 is not valid JSON")
