"""Routing: which referrals a checklist makes, to which agency, with what consent."""

import itertools

import pytest

from firstcontact.checklists.intake import submit_checklist
from firstcontact.checklists.models import Checklist
from firstcontact.referrals.models import HoldReason, Referral, Status
from firstcontact.referrals.routing import plan_referrals
from tests.conftest import checklist_payload

_numbers = itertools.count(1)

POSTCODES = {
    "nwl": "LE65 2JH",
    "hinckley": "LE10 0JU",
    "blaby": "LE8 4ED",
    "harborough": "LE7 9RA",
    "charnwood": "LE11 1PW",
    "oadby": "LE18 3TE",
    "melton": "LE13 0JL",
}
COUNCILS = {
    "nwl": "nwl-dc",
    "hinckley": "hinckley-bosworth-bc",
    "blaby": "blaby-dc",
    "harborough": "harborough-dc",
    "charnwood": "charnwood-bc",
    "oadby": "oadby-wigston-bc",
    "melton": "melton-bc",
}


def submit(context, answers, *, district="hinckley", consent=None, **person):
    """Submit a checklist for Margaret Ellison with only the answers given."""
    payload = {
        "external_id": f"R-{next(_numbers):04d}",
        "checklist_version": 1,
        "visit_date": "2026-11-02",
        "referrer": {"agency": "fire-rescue", "worker": "Alex Visitor"},
        "source": "partner",
        "person": {
            "given_name": "Margaret",
            "family_name": "Ellison",
            "date_of_birth": "1941-03-14",
            "address_line_1": "1 Example Street",
            "postcode": POSTCODES[district],
            **person,
        },
        "consent": consent or {"share": True},
        "answers": answers,
    }
    result = submit_checklist(payload, context, channel="api")
    assert result["status"] == "processed", result
    return result


def plan(context, answers, district="hinckley", **consent):
    district = next(d for d in context.districts_by_ons.values() if d.code == district)
    return plan_referrals(
        context,
        context.questions[1],
        answers,
        district,
        consent_share=consent.get("share", True),
        consent_except=consent.get("except_agencies", []),
    )


@pytest.mark.parametrize(
    ("question", "district", "agency"),
    [
        ("home-security", "blaby", "ssc-blaby"),
        ("home-security", "hinckley", "police"),
        ("money", "nwl", "nwl-cab"),
        ("money", "charnwood", "citizens-advice"),
        ("transport", "blaby", "va-blaby"),
        ("transport", "melton", "val"),
        ("activities", "blaby", "va-blaby"),
    ],
)
def test_district_override_picks_provider(context, question, district, agency):
    result = submit(context, {question: "yes"}, district=district)

    assert [r["agency"] for r in result["referrals"]] == [agency]


@pytest.mark.parametrize("district", sorted(COUNCILS))
def test_council_service_goes_to_district_council(context, district):
    planned = plan(context, {"warmth": "yes", "alarm": "yes"}, district)

    assert [p.agency.code for p in planned] == [COUNCILS[district]] * 2


@pytest.mark.parametrize("district", sorted(COUNCILS))
def test_council_referral_is_created(context, district):
    result = submit(context, {"alarm": "yes"}, district=district)

    assert result["referrals"] == [
        {
            "service": "community-alarm",
            "agency": COUNCILS[district],
            "priority": "routine",
        }
    ]


def test_two_answers_make_one_referral(context):
    result = submit(context, {"smoke-alarm": "no", "fire-risk": "yes"})

    assert result["referrals"] == [
        {"service": "fire-safety-check", "agency": "fire-rescue", "priority": "urgent"}
    ]


def test_one_referral_carries_both_reasons(context):
    submit(context, {"smoke-alarm": "no", "fire-risk": "yes"})

    referral = Referral.objects.get()
    assert [r["question"] for r in referral.reasons] == ["smoke-alarm", "fire-risk"]


def test_urgent_answer_alone_is_urgent(context):
    result = submit(context, {"smoke-alarm": "yes", "fire-risk": "yes"})

    assert result["referrals"][0]["priority"] == "urgent"


def test_routine_answer_alone_is_routine(context):
    result = submit(context, {"smoke-alarm": "no", "fire-risk": "no"})

    assert result["referrals"][0]["priority"] == "routine"


def test_refer_on_no_answer_refers(context):
    result = submit(context, {"smoke-alarm": "no"})

    assert [r["service"] for r in result["referrals"]] == ["fire-safety-check"]


def test_other_answer_makes_no_referral(context):
    result = submit(context, {"smoke-alarm": "yes", "benefits": "no"})

    assert result["referrals"] == []


def test_unanswered_question_makes_no_referral(context):
    result = submit(context, {"benefits": "yes"})

    assert [r["service"] for r in result["referrals"]] == ["benefits-check"]
    assert Referral.objects.count() == 1


def test_referrals_are_sorted_by_service(context):
    answers = {"lonely": "yes", "benefits": "yes", "alarm": "yes", "falls": "yes"}

    result = submit(context, answers)

    assert [r["service"] for r in result["referrals"]] == [
        "befriending",
        "benefits-check",
        "community-alarm",
        "falls-prevention",
    ]


def test_referral_records_answer_and_rule(context):
    submit(context, {"fire-risk": "yes"})

    referral = Referral.objects.get()
    assert referral.reasons == [
        {
            "question": "fire-risk",
            "answer": "yes",
            "rule": 'answer "yes" to fire-risk refers to fire-safety-check (urgent)',
        }
    ]


def test_every_referral_records_its_reasons(context):
    answers = {"smoke-alarm": "no", "benefits": "yes", "warmth": "yes"}

    submit(context, answers)

    for referral in Referral.objects.select_related("service"):
        assert referral.reasons, referral.service.code
        for reason in referral.reasons:
            assert answers[reason["question"]] == reason["answer"]
            assert referral.service.code in reason["rule"]


def test_new_referral_waits_for_hub(context):
    submit(context, {"benefits": "yes"})

    assert Referral.objects.get().status == Status.DRAFT


def test_no_consent_holds_every_referral(context):
    result = submit(
        context, {"benefits": "yes", "lonely": "yes"}, consent={"share": False}
    )

    assert result["referrals"] == []
    assert result["not_referred"] == [
        {"service": "befriending", "reason": "no_consent"},
        {"service": "benefits-check", "reason": "no_consent"},
    ]


def test_held_referrals_are_on_hold(context):
    submit(context, {"benefits": "yes", "lonely": "yes"}, consent={"share": False})

    statuses = set(Referral.objects.values_list("status", "status_reason"))
    assert statuses == {(Status.ON_HOLD, HoldReason.NO_CONSENT)}


def test_excepted_agency_alone_is_held(context):
    answers = {"home-security": "yes", "crime-victim": "yes", "doorstep": "yes"}

    result = submit(
        context, answers, consent={"share": True, "except_agencies": ["police"]}
    )

    assert [r["service"] for r in result["referrals"]] == [
        "doorstep-crime",
        "victim-support",
    ]
    assert result["not_referred"] == [
        {"service": "home-security-check", "reason": "no_consent"}
    ]


def test_excepted_agency_not_serving_district(context):
    consent = {"share": True, "except_agencies": ["police"]}

    result = submit(
        context, {"home-security": "yes"}, district="blaby", consent=consent
    )

    assert result["referrals"][0]["agency"] == "ssc-blaby"
    assert result["not_referred"] == []


def test_open_referral_blocks_second_referral(context):
    submit(context, {"benefits": "yes"})

    result = submit(context, {"benefits": "yes", "lonely": "yes"})

    assert [r["service"] for r in result["referrals"]] == ["befriending"]
    assert result["not_referred"] == [
        {"service": "benefits-check", "reason": "duplicate_open_referral"}
    ]


def test_closed_referral_allows_new_one(context):
    submit(context, {"benefits": "yes"})
    Referral.objects.update(status=Status.COMPLETED)

    result = submit(context, {"benefits": "yes"})

    assert [r["service"] for r in result["referrals"]] == ["benefits-check"]


def test_other_person_is_not_duplicate(context):
    submit(context, {"benefits": "yes"})

    result = submit(context, {"benefits": "yes"}, given_name="Harold")

    assert [r["service"] for r in result["referrals"]] == ["benefits-check"]


def test_consent_later_supersedes_hold(context):
    submit(context, {"benefits": "yes"}, consent={"share": False})
    held = Referral.objects.get()

    result = submit(context, {"benefits": "yes"})

    held.refresh_from_db()
    assert [r["service"] for r in result["referrals"]] == ["benefits-check"]
    assert held.status == Status.CANCELLED
    assert held.status_reason == "superseded"


def test_superseded_hold_is_closed(context):
    submit(context, {"benefits": "yes"}, consent={"share": False})
    held = Referral.objects.get()

    submit(context, {"benefits": "yes"})

    held.refresh_from_db()
    assert held.closed_at is not None
    assert held.version == 2


def test_consent_later_sends_one_referral(context):
    submit(context, {"benefits": "yes"}, consent={"share": False})

    submit(context, {"benefits": "yes"})

    sent = Referral.objects.filter(status=Status.DRAFT)
    assert sent.count() == 1


def test_second_refusal_keeps_holding(context):
    submit(context, {"benefits": "yes"}, consent={"share": False})

    result = submit(context, {"benefits": "yes"}, consent={"share": False})

    assert result["not_referred"] == [
        {"service": "benefits-check", "reason": "no_consent"}
    ]


def test_resent_refusal_keeps_its_result(context):
    refusal = submit(context, {"benefits": "yes"}, consent={"share": False})
    submit(context, {"benefits": "yes"})
    payload = checklist_payload(external_id=refusal["external_id"])
    payload["consent"] = {"share": False}
    payload["answers"] = {"benefits": "yes"}

    repeat = submit_checklist(payload, context, channel="api")

    assert repeat == refusal | {"status": "duplicate"}


def test_concern_is_kept_without_consent(context):
    payload = checklist_payload(safeguarding_concern="Unexplained bruising")
    payload["consent"] = {"share": False}

    result = submit_checklist(payload, context, channel="api")

    checklist = Checklist.objects.get(pk=result["checklist_id"])
    assert checklist.safeguarding_concern == "Unexplained bruising"


def test_concern_is_kept_when_ineligible(context):
    payload = checklist_payload(safeguarding_concern="Unexplained bruising")
    payload["person"]["postcode"] = "LE1 5FB"

    result = submit_checklist(payload, context, channel="api")

    checklist = Checklist.objects.get(pk=result["checklist_id"])
    assert result["eligible"] is False
    assert checklist.safeguarding_concern == "Unexplained bruising"
