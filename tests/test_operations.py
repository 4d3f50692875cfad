"""Named operations on referrals and checklists: transitions, permissions, audit."""

import re

import pytest

from firstcontact.accounts.services import create_user
from firstcontact.audit.models import AuditEvent
from firstcontact.checklists import operations as checklist_operations
from firstcontact.checklists.intake import submit_checklist
from firstcontact.checklists.models import Checklist
from firstcontact.directory.loading import BUNDLED_SCHEME, load_scheme, read_scheme_file
from firstcontact.referrals import operations
from firstcontact.referrals.models import HoldReason, Referral, Status
from tests.conftest import PASSWORD, checklist_payload

HUB_OPERATIONS = {
    "forward": (operations.forward_referral, {}),
    "hold": (operations.hold_referral, {"reason": "awaiting-information"}),
    "reroute": (operations.reroute_referral, {"agency_code": "citizens-advice"}),
    "cancel": (operations.cancel_referral, {"note": "Sent twice"}),
}
AGENCY_OPERATIONS = {
    "accept": (operations.accept_referral, {}),
    "decline": (operations.decline_referral, {"reason": "no-capacity"}),
    "start": (operations.start_referral, {}),
    "complete": (operations.complete_referral, {"outcome": "helped"}),
}
# The statuses each operation may start from, and the status it leaves.
TRANSITIONS = {
    "forward": ({Status.DRAFT, Status.ON_HOLD}, Status.REQUESTED),
    "hold": ({Status.DRAFT, Status.REQUESTED, Status.REJECTED}, Status.ON_HOLD),
    "reroute": (
        {Status.DRAFT, Status.REQUESTED, Status.REJECTED, Status.ON_HOLD},
        Status.REQUESTED,
    ),
    "cancel": (
        {Status.DRAFT, Status.REQUESTED, Status.REJECTED, Status.ON_HOLD},
        Status.CANCELLED,
    ),
    "accept": ({Status.REQUESTED}, Status.ACCEPTED),
    "decline": ({Status.REQUESTED, Status.ACCEPTED}, Status.REJECTED),
    "start": ({Status.ACCEPTED}, Status.IN_PROGRESS),
    "complete": ({Status.ACCEPTED, Status.IN_PROGRESS}, Status.COMPLETED),
}
AUDIT_ACTIONS = {
    "forward": "referral.forwarded",
    "hold": "referral.held",
    "reroute": "referral.rerouted",
    "cancel": "referral.cancelled",
    "accept": "referral.accepted",
    "decline": "referral.declined",
    "start": "referral.started",
    "complete": "referral.completed",
}


@pytest.fixture
def referral(context):
    """A draft benefits-check referral for pension-service."""
    submit_checklist(checklist_payload(), context, channel="api")
    return Referral.objects.get(service__code="benefits-check")


@pytest.fixture
def actors(hub_user, agency_user):
    return {"hub": hub_user, "agency": agency_user}


def run(name, referral, user, **changes):
    operation, arguments = {**HUB_OPERATIONS, **AGENCY_OPERATIONS}[name]
    return operation(referral.pk, user, **(arguments | changes))


def actor_for(name, actors):
    return actors["hub"] if name in HUB_OPERATIONS else actors["agency"]


def reset(referral, status):
    Referral.objects.filter(pk=referral.pk).update(
        status=status, status_reason="", agency=referral.agency, closed_at=None
    )


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_operation_allowed_only_from_its_statuses(referral, actors, name):
    allowed_from, _ = TRANSITIONS[name]
    outcomes = {}

    for status in Status.values:
        reset(referral, status)
        try:
            run(name, referral, actor_for(name, actors))
            outcomes[status] = "changed"
        except operations.OperationError:
            outcomes[status] = "rejected"

    expected = {
        status: "changed" if status in allowed_from else "rejected"
        for status in Status.values
    }
    assert outcomes == expected


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_operation_sets_its_status(referral, actors, name):
    allowed_from, result = TRANSITIONS[name]
    reset(referral, sorted(allowed_from)[0])

    changed = run(name, referral, actor_for(name, actors))

    assert changed.status == result
    referral.refresh_from_db()
    assert referral.status == result


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_operation_raises_version(referral, actors, name):
    allowed_from, _ = TRANSITIONS[name]
    reset(referral, sorted(allowed_from)[0])

    run(name, referral, actor_for(name, actors))

    referral.refresh_from_db()
    assert referral.version == 2


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_operation_writes_audit_event(referral, actors, name):
    allowed_from, result = TRANSITIONS[name]
    reset(referral, sorted(allowed_from)[0])
    user = actor_for(name, actors)

    run(name, referral, user, remote_addr="127.0.0.1")

    event = AuditEvent.objects.get(target_id=referral.pk)
    assert event.action == AUDIT_ACTIONS[name]
    assert re.fullmatch(r"[a-z]+\.[a-z_]+", event.action)
    assert event.actor == user
    assert event.person_id == referral.person_id
    assert event.remote_addr == "127.0.0.1"
    assert event.data["status"] == result


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_stale_version_changes_nothing(referral, actors, name):
    allowed_from, _ = TRANSITIONS[name]
    status = sorted(allowed_from)[0]
    reset(referral, status)

    with pytest.raises(operations.StaleReferral):
        run(name, referral, actor_for(name, actors), version=7)

    referral.refresh_from_db()
    assert referral.status == status
    assert referral.version == 1
    assert not AuditEvent.objects.filter(target_id=referral.pk).exists()


def test_current_version_as_text_is_accepted(referral, hub_user):
    changed = operations.forward_referral(referral.pk, hub_user, version="1")

    assert changed.version == 2


@pytest.mark.parametrize("name", sorted(HUB_OPERATIONS))
@pytest.mark.parametrize("role", ["agency", "referrer", "manager", "executive"])
def test_hub_operation_needs_hub_role(referral, make_user, name, role):
    user = make_user(f"someone.{role}", role, "pension-service")

    with pytest.raises(operations.PermissionDenied):
        run(name, referral, user)


@pytest.mark.parametrize("name", sorted(AGENCY_OPERATIONS))
@pytest.mark.parametrize("role", ["hub", "referrer", "manager"])
def test_agency_operation_needs_agency_role(referral, make_user, name, role):
    reset(referral, Status.ACCEPTED if name in {"start", "complete"} else "requested")
    user = make_user(f"someone.{role}", role, "pension-service")

    with pytest.raises(operations.PermissionDenied):
        run(name, referral, user)


@pytest.mark.parametrize("name", sorted(AGENCY_OPERATIONS))
def test_other_agency_is_denied(referral, outsider_agency_user, name):
    reset(referral, Status.ACCEPTED if name in {"start", "complete"} else "requested")

    with pytest.raises(operations.PermissionDenied):
        run(name, referral, outsider_agency_user)


@pytest.fixture
def other_scheme_hub(scheme):
    data = read_scheme_file(BUNDLED_SCHEME)
    data["scheme"] = data["scheme"] | {"code": "elsewhere", "name": "Elsewhere"}
    other = load_scheme(data).scheme
    return create_user(
        "elsewhere.hub",
        role="hub",
        scheme=other,
        agency_code="victim-support",
        password=PASSWORD,
    )


def test_other_scheme_hub_is_denied(referral, other_scheme_hub):
    with pytest.raises(operations.PermissionDenied):
        operations.forward_referral(referral.pk, other_scheme_hub)


def test_other_scheme_agency_is_denied(referral, hub_user, other_scheme_hub):
    operations.forward_referral(referral.pk, hub_user)
    other = create_user(
        "elsewhere.pension",
        role="agency",
        scheme=other_scheme_hub.scheme,
        agency_code="pension-service",
    )

    with pytest.raises(operations.PermissionDenied):
        operations.accept_referral(referral.pk, other)


def test_denied_operation_changes_nothing(referral, outsider_agency_user):
    reset(referral, Status.REQUESTED)

    with pytest.raises(operations.PermissionDenied):
        operations.accept_referral(referral.pk, outsider_agency_user)

    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED
    assert referral.version == 1
    assert not AuditEvent.objects.filter(target_id=referral.pk).exists()


def test_forward_sets_forwarded_at(referral, hub_user):
    changed = operations.forward_referral(referral.pk, hub_user)

    assert changed.forwarded_at is not None


@pytest.mark.parametrize(
    ("name", "start"), [("cancel", Status.DRAFT), ("complete", Status.ACCEPTED)]
)
def test_closing_sets_closed_at(referral, actors, name, start):
    reset(referral, start)

    changed = run(name, referral, actor_for(name, actors))

    assert changed.closed_at is not None


def test_no_consent_hold_cannot_be_forwarded(referral, hub_user):
    Referral.objects.filter(pk=referral.pk).update(
        status=Status.ON_HOLD, status_reason=HoldReason.NO_CONSENT
    )

    with pytest.raises(operations.OperationError) as raised:
        operations.forward_referral(referral.pk, hub_user)

    assert "did not consent" in str(raised.value)


def test_no_consent_hold_cannot_be_rerouted(referral, hub_user):
    Referral.objects.filter(pk=referral.pk).update(
        status=Status.ON_HOLD, status_reason=HoldReason.NO_CONSENT
    )

    with pytest.raises(operations.OperationError):
        operations.reroute_referral(
            referral.pk, hub_user, agency_code="citizens-advice"
        )


def test_reroute_to_excepted_agency_is_rejected(context, hub_user):
    payload = checklist_payload(answers={"money": "yes"})
    payload["consent"]["except_agencies"] = ["age-concern"]
    submit_checklist(payload, context, channel="api")
    referral = Referral.objects.get()

    with pytest.raises(operations.OperationError) as raised:
        operations.reroute_referral(referral.pk, hub_user, agency_code="age-concern")

    assert "did not consent" in str(raised.value)
    referral.refresh_from_db()
    assert referral.agency.code == "citizens-advice"


def test_reroute_records_both_agencies(referral, hub_user):
    operations.reroute_referral(referral.pk, hub_user, agency_code="citizens-advice")

    event = AuditEvent.objects.get(action="referral.rerouted")
    assert event.data["from_agency"] == "pension-service"
    assert event.data["to_agency"] == "citizens-advice"


def test_reroute_to_non_provider_is_rejected(referral, hub_user):
    with pytest.raises(operations.OperationError):
        operations.reroute_referral(referral.pk, hub_user, agency_code="customer-first")


def test_reroute_to_same_agency_is_rejected(referral, hub_user):
    with pytest.raises(operations.OperationError):
        operations.reroute_referral(
            referral.pk, hub_user, agency_code="pension-service"
        )


def test_declined_referral_can_return_to_agency(referral, hub_user):
    reset(referral, Status.REJECTED)

    changed = operations.reroute_referral(
        referral.pk, hub_user, agency_code="pension-service"
    )

    assert changed.status == Status.REQUESTED


def test_hold_for_no_consent_is_rejected(referral, hub_user):
    with pytest.raises(operations.OperationError):
        operations.hold_referral(referral.pk, hub_user, reason=HoldReason.NO_CONSENT)


def test_cancel_needs_a_note(referral, hub_user):
    with pytest.raises(operations.OperationError):
        operations.cancel_referral(referral.pk, hub_user, note="  ")


def test_decline_needs_known_reason(referral, agency_user):
    reset(referral, Status.REQUESTED)

    with pytest.raises(operations.OperationError):
        operations.decline_referral(referral.pk, agency_user, reason="busy")


def test_complete_needs_known_outcome(referral, agency_user):
    reset(referral, Status.ACCEPTED)

    with pytest.raises(operations.OperationError):
        operations.complete_referral(referral.pk, agency_user, outcome="done")


def test_full_agency_journey(referral, hub_user, agency_user):
    operations.forward_referral(referral.pk, hub_user, version=1)
    operations.accept_referral(referral.pk, agency_user, version=2)
    operations.start_referral(referral.pk, agency_user, version=3)
    operations.complete_referral(
        referral.pk, agency_user, outcome="advice-given", version=4
    )

    actions = list(
        AuditEvent.objects.filter(target_id=referral.pk)
        .order_by("at")
        .values_list("action", flat=True)
    )
    assert actions == [
        "referral.forwarded",
        "referral.accepted",
        "referral.started",
        "referral.completed",
    ]


# Checklist operations


@pytest.fixture
def ineligible(context):
    """A checklist from Leicester, out of area, asking for a benefits check."""
    payload = checklist_payload(answers={"benefits": "yes"})
    payload["person"]["postcode"] = "LE1 5FB"
    result = submit_checklist(payload, context, channel="api")
    return Checklist.objects.get(pk=result["checklist_id"])


def test_override_creates_referrals(ineligible, hub_user):
    checklist_operations.override_eligibility(
        ineligible.pk, hub_user, reason="Lives on the boundary", district_code="blaby"
    )

    referral = Referral.objects.get()
    assert referral.service.code == "benefits-check"
    assert referral.district.code == "blaby"


def test_override_marks_checklist_eligible(ineligible, hub_user):
    checklist_operations.override_eligibility(
        ineligible.pk, hub_user, reason="Lives on the boundary", district_code="blaby"
    )

    ineligible.refresh_from_db()
    assert ineligible.eligible is True
    assert ineligible.eligibility_override_reason == "Lives on the boundary"
    assert ineligible.ineligibility_reasons == ["out_of_area"]


def test_override_is_audited(ineligible, hub_user):
    checklist_operations.override_eligibility(
        ineligible.pk, hub_user, reason="Lives on the boundary", district_code="blaby"
    )

    event = AuditEvent.objects.get(action="checklist.eligibility_overridden")
    assert event.actor == hub_user
    assert event.data["previous_reasons"] == ["out_of_area"]


def test_override_needs_a_reason(ineligible, hub_user):
    with pytest.raises(operations.OperationError):
        checklist_operations.override_eligibility(
            ineligible.pk, hub_user, reason=" ", district_code="blaby"
        )


def test_override_without_district_is_rejected(ineligible, hub_user):
    with pytest.raises(operations.OperationError):
        checklist_operations.override_eligibility(
            ineligible.pk, hub_user, reason="Boundary"
        )


def test_override_to_unknown_district_is_rejected(ineligible, hub_user):
    with pytest.raises(operations.OperationError):
        checklist_operations.override_eligibility(
            ineligible.pk, hub_user, reason="Boundary", district_code="rutland"
        )


def test_override_of_eligible_is_rejected(context, hub_user):
    result = submit_checklist(checklist_payload(), context, channel="api")

    with pytest.raises(operations.OperationError):
        checklist_operations.override_eligibility(
            result["checklist_id"], hub_user, reason="Boundary"
        )


def test_override_needs_hub_role(ineligible, agency_user):
    with pytest.raises(operations.PermissionDenied):
        checklist_operations.override_eligibility(
            ineligible.pk, agency_user, reason="Boundary", district_code="blaby"
        )


def test_mark_reviewed_is_audited_once(ineligible, hub_user):
    checklist_operations.mark_checklist_reviewed(ineligible.pk, hub_user)
    checklist_operations.mark_checklist_reviewed(ineligible.pk, hub_user)

    ineligible.refresh_from_db()
    assert ineligible.hub_status == Checklist.HubStatus.REVIEWED
    assert AuditEvent.objects.filter(action="checklist.reviewed").count() == 1


def test_mark_reviewed_needs_hub_role(ineligible, referrer):
    with pytest.raises(operations.PermissionDenied):
        checklist_operations.mark_checklist_reviewed(ineligible.pk, referrer)
