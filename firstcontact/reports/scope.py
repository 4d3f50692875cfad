"""What a user's reports count, and which report pages each role may open."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from firstcontact.accounts.models import Role
from firstcontact.accounts.scoping import (
    WHOLE_SCHEME_FIGURES_ROLES,
    checklists_counted_for,
    referrals_counted_for,
)
from firstcontact.directory.models import Agency, Scheme

# Roles that may open the reach, equality and executive report pages.
SCHEME_REPORT_ROLES = WHOLE_SCHEME_FIGURES_ROLES
# Roles whose report pages and exports never show a personal record.
AGGREGATE_ONLY_ROLES = {Role.EXECUTIVE}


@dataclass
class ReportScope:
    """The records one user's reports count, with what the user may see of them."""

    user: object
    scheme: Scheme
    # Set for agency users (their agency receives) and referrers (theirs refers).
    receiving_agency: Agency | None
    referring_agency: Agency | None

    @classmethod
    def for_user(cls, user) -> "ReportScope":
        if not user.is_authenticated or user.scheme_id is None:
            raise PermissionDenied
        agency = user.agency if user.agency_id else None
        return cls(
            user=user,
            scheme=user.scheme,
            receiving_agency=agency if user.role == Role.AGENCY else None,
            referring_agency=agency if user.role == Role.REFERRER else None,
        )

    @property
    def referrals(self):
        return referrals_counted_for(self.user)

    @property
    def checklists(self):
        return checklists_counted_for(self.user)

    @property
    def is_scheme_wide(self) -> bool:
        return self.user.role in WHOLE_SCHEME_FIGURES_ROLES

    @property
    def counts_checklists(self) -> bool:
        return self.is_scheme_wide or self.referring_agency is not None

    @property
    def shows_personal_records(self) -> bool:
        return self.user.role not in AGGREGATE_ONLY_ROLES

    @property
    def description(self) -> str:
        if self.receiving_agency is not None:
            return f"Referrals sent to {self.receiving_agency.name}"
        if self.referring_agency is not None:
            return f"Checklists from {self.referring_agency.name} and their referrals"
        return f"Every checklist and referral of {self.scheme.name}"


def scope_for_dashboard(user) -> ReportScope:
    scope = ReportScope.for_user(user)
    if not (
        scope.is_scheme_wide
        or scope.receiving_agency is not None
        or scope.referring_agency is not None
    ):
        raise PermissionDenied
    return scope


def scope_for_scheme_reports(user) -> ReportScope:
    """The scope of the reach, equality and executive pages: scheme-wide roles."""
    scope = ReportScope.for_user(user)
    if not scope.is_scheme_wide:
        raise PermissionDenied
    return scope
