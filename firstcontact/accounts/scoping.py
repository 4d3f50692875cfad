"""What each user may see: the one way records are fetched for a user.

A record outside the user's scope is answered exactly like one that does not
exist, so `get_*_for` raises Http404 in both cases; a record that exists but
is out of scope is also written to the audit trail as "access.denied".
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404

from firstcontact.accounts.models import Role, User
from firstcontact.audit.models import AuditEvent
from firstcontact.audit.services import record_denied_access
from firstcontact.checklists.models import Checklist
from firstcontact.consent.models import ConsentRecord
from firstcontact.consent.services import shareable_referrals
from firstcontact.people.models import Person
from firstcontact.referrals.models import AGENCY_VISIBLE_STATUSES, Referral

# Roles that see every personal record in their scheme.
WHOLE_SCHEME_ROLES = {Role.HUB, Role.MANAGER, Role.ADMIN}
# Roles that serve a person's rights: subject access, correction and erasure.
RIGHTS_ROLES = {Role.HUB, Role.ADMIN}
# Roles that may search the audit trail of their scheme.
AUDIT_ROLES = {Role.MANAGER, Role.ADMIN}


def referrals_for(user):
    referrals = Referral.objects.select_related(
        "service", "agency", "district", "person", "checklist"
    )
    if not user.is_authenticated or user.scheme_id is None:
        return referrals.none()
    referrals = referrals.filter(scheme_id=user.scheme_id)
    if user.role in WHOLE_SCHEME_ROLES:
        return referrals
    if user.role == Role.AGENCY and user.agency_id:
        # Once the person withdraws consent to the agency, it sees none of
        # their referrals, closed ones included.
        return shareable_referrals(
            referrals.filter(
                agency_id=user.agency_id, status__in=AGENCY_VISIBLE_STATUSES
            )
        )
    if user.role == Role.REFERRER:
        return referrals.filter(checklist__submitted_by=user)
    return referrals.none()


def checklists_for(user):
    checklists = Checklist.objects.select_related("person", "district", "agency")
    if not user.is_authenticated or user.scheme_id is None:
        return checklists.none()
    checklists = checklists.filter(scheme_id=user.scheme_id)
    if user.role in WHOLE_SCHEME_ROLES:
        return checklists
    if user.role == Role.REFERRER:
        return checklists.filter(submitted_by=user)
    return checklists.none()


# Roles whose reports count the whole scheme; executives see no personal records.
WHOLE_SCHEME_FIGURES_ROLES = WHOLE_SCHEME_ROLES | {Role.EXECUTIVE}


def referrals_counted_for(user):
    """Referrals that the user's reports count, for aggregates only.

    Wider than `referrals_for` in two ways: an executive's reports count the
    whole scheme, and a referrer's count every checklist of their agency. List
    records one by one only from `referrals_for`.
    """
    if not user.is_authenticated or user.scheme_id is None:
        return Referral.objects.none()
    referrals = Referral.objects.filter(scheme_id=user.scheme_id)
    if user.role in WHOLE_SCHEME_FIGURES_ROLES:
        return referrals
    if user.role == Role.AGENCY and user.agency_id:
        return referrals.filter(
            agency_id=user.agency_id, status__in=AGENCY_VISIBLE_STATUSES
        )
    if user.role == Role.REFERRER and user.agency_id:
        return referrals.filter(checklist__agency_id=user.agency_id)
    return referrals.none()


def checklists_counted_for(user):
    """Checklists that the user's reports count, for aggregates only."""
    if not user.is_authenticated or user.scheme_id is None:
        return Checklist.objects.none()
    checklists = Checklist.objects.filter(scheme_id=user.scheme_id)
    if user.role in WHOLE_SCHEME_FIGURES_ROLES:
        return checklists
    if user.role == Role.REFERRER and user.agency_id:
        return checklists.filter(agency_id=user.agency_id)
    return checklists.none()


def people_for(user):
    """People whose records the user may open as a whole: the hub and admins."""
    if not can_serve_rights(user) or user.scheme_id is None:
        return Person.objects.none()
    return Person.objects.filter(scheme_id=user.scheme_id)


def consent_records_for(user):
    if not can_serve_rights(user) or user.scheme_id is None:
        return ConsentRecord.objects.none()
    return ConsentRecord.objects.filter(scheme_id=user.scheme_id)


def audit_events_for(user):
    """Audit events of the user's scheme: by its users, or about its people."""
    if not can_search_audit(user) or user.scheme_id is None:
        return AuditEvent.objects.none()
    people = Person.objects.filter(scheme_id=user.scheme_id).values("pk")
    return AuditEvent.objects.filter(
        Q(actor__scheme_id=user.scheme_id) | Q(person_id__in=people)
    )


def _get_or_404(queryset, pk, user=None):
    try:
        return queryset.get(pk=pk)
    except (ValueError, ValidationError):
        # A malformed UUID raises ValidationError; it is not found either.
        raise Http404 from None
    except queryset.model.DoesNotExist:
        if user is not None:
            _record_denied_if_exists(queryset.model, pk, user)
        raise Http404 from None


def _record_denied_if_exists(model, pk, user) -> None:
    """Write "access.denied" when the record exists outside the user's scope."""
    record = model._base_manager.filter(pk=pk).first()
    if record is None:
        return
    if isinstance(record, Person):
        person_id = record.pk
    else:
        person_id = getattr(record, "person_id", None)
    record_denied_access(
        user,
        "access.denied",
        target_type=model._meta.model_name,
        target_id=record.pk,
        person_id=person_id,
    )


def get_referral_for(user, pk) -> Referral:
    return _get_or_404(referrals_for(user), pk, user)


def get_checklist_for(user, pk) -> Checklist:
    return _get_or_404(checklists_for(user), pk, user)


def get_person_for(user, pk) -> Person:
    return _get_or_404(people_for(user), pk, user)


def can_submit_checklists(user) -> bool:
    return user.is_authenticated and user.role in {Role.REFERRER, Role.HUB}


def can_work_hub_queue(user) -> bool:
    return user.is_authenticated and user.role == Role.HUB


def can_act_for_agency(user) -> bool:
    return user.is_authenticated and user.role == Role.AGENCY and bool(user.agency_id)


def can_serve_rights(user) -> bool:
    return user.is_authenticated and user.role in RIGHTS_ROLES


def can_search_audit(user) -> bool:
    return user.is_authenticated and user.role in AUDIT_ROLES


def can_manage_accounts(user) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def accounts_for(user):
    """Users an administrator may review and deactivate: those of their scheme."""
    if not can_manage_accounts(user) or user.scheme_id is None:
        return User.objects.none()
    return User.objects.filter(scheme_id=user.scheme_id)


def get_account_for(user, pk) -> User:
    return _get_or_404(accounts_for(user), pk, user)
