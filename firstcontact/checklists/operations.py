"""Named operations the hub performs on checklists."""

from django.db import transaction

from firstcontact.accounts.models import Role
from firstcontact.audit.services import record_event
from firstcontact.checklists.intake import create_referrals_for
from firstcontact.checklists.models import Checklist
from firstcontact.directory.context import SchemeContext
from firstcontact.referrals.operations import OperationError, PermissionDenied


def _lock_for_hub(checklist_id, user) -> Checklist:
    if not user.is_authenticated or user.role != Role.HUB:
        raise PermissionDenied("You do not have permission to do this.")
    checklist = Checklist.objects.select_for_update().get(pk=checklist_id)
    if checklist.scheme_id != user.scheme_id:
        raise PermissionDenied("You do not have permission to do this.")
    return checklist


@transaction.atomic
def override_eligibility(
    checklist_id, user, *, reason, district_code=None, remote_addr=None
):
    """Treat an ineligible checklist as eligible and create its referrals.

    A checklist with no district in the scheme needs one chosen by the hub,
    because routing depends on the district.
    """
    if not reason.strip():
        raise OperationError("Give the reason for overriding the eligibility decision.")
    checklist = _lock_for_hub(checklist_id, user)
    if checklist.eligible:
        raise OperationError(f"Checklist {checklist.reference} is already eligible.")
    context = SchemeContext.load(checklist.scheme)
    changed = ["eligibility_override_reason", "eligible", "hub_status"]
    if district_code:
        district = next(
            (d for d in context.districts_by_ons.values() if d.code == district_code),
            None,
        )
        if district is None:
            raise OperationError(f"{district_code!r} is not a district of this scheme.")
        if district.pk != checklist.district_id:
            changed.append("district")
        checklist.district = district
    if checklist.district is None:
        raise OperationError(
            "Choose the district whose agencies should receive the referrals."
        )
    checklist.eligible = True
    checklist.eligibility_override_reason = reason.strip()
    checklist.hub_status = Checklist.HubStatus.REVIEWED
    checklist.save()
    referrals = create_referrals_for(checklist, context)
    record_event(
        "checklist.eligibility_overridden",
        checklist,
        actor=user,
        person_id=checklist.person_id,
        remote_addr=remote_addr,
        data={
            "previous_reasons": checklist.ineligibility_reasons,
            "referrals": len(referrals),
            "fields": sorted(changed),
        },
    )
    return checklist


@transaction.atomic
def mark_checklist_reviewed(checklist_id, user, *, remote_addr=None):
    checklist = _lock_for_hub(checklist_id, user)
    if checklist.hub_status == Checklist.HubStatus.REVIEWED:
        return checklist
    checklist.hub_status = Checklist.HubStatus.REVIEWED
    checklist.save(update_fields=["hub_status"])
    record_event(
        "checklist.reviewed",
        checklist,
        actor=user,
        person_id=checklist.person_id,
        remote_addr=remote_addr,
        data={"fields": ["hub_status"]},
    )
    return checklist
