"""The referrals a user may see one by one, with personal details, for export.

Only `accounts.scoping.referrals_for` supplies the records, so an agency user's
export holds their agency's referrals and nothing else. Executives, who see no
personal records, get none.
"""

from collections.abc import Iterator

from firstcontact.accounts.scoping import referrals_for
from firstcontact.referrals.models import Status
from firstcontact.reports.dashboard import filter_referrals
from firstcontact.reports.tables import Column

KEY = "referrals"
TITLE = "Referrals"
COLUMNS = [
    Column("reference", "Referral"),
    Column("checklist", "Checklist"),
    Column("visit_date", "Visit date", "date"),
    Column("given_name", "Given name"),
    Column("family_name", "Family name"),
    Column("date_of_birth", "Date of birth", "date"),
    Column("phone", "Phone", "phone"),
    Column("address", "Address"),
    Column("postcode", "Postcode"),
    Column("district", "District"),
    Column("service", "Service"),
    Column("receiving_agency", "Receiving agency"),
    Column("referring_agency", "Referring agency"),
    Column("priority", "Priority"),
    Column("status", "Status"),
    Column("reason", "Reason"),
    Column("outcome", "Outcome"),
    Column("created_at", "Created", "datetime"),
    Column("forwarded_at", "Sent to agency", "datetime"),
    Column("closed_at", "Closed", "datetime"),
]
STATUS_LABELS = dict(Status.choices)


def referrals_to_list(user, filters):
    return (
        filter_referrals(referrals_for(user), filters)
        .select_related("checklist__agency")
        .order_by("checklist__visit_date", "reference")
    )


def referral_rows(referrals) -> Iterator[dict]:
    for referral in referrals.iterator(chunk_size=2000):
        person = referral.person
        yield {
            "reference": referral.reference,
            "checklist": referral.checklist.reference,
            "visit_date": referral.checklist.visit_date,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth,
            "phone": person.phone,
            "address": person.address_line_1,
            "postcode": person.postcode,
            "district": referral.district.name,
            "service": referral.service.name,
            "receiving_agency": referral.agency.name,
            "referring_agency": referral.checklist.agency.name,
            "priority": referral.priority,
            "status": STATUS_LABELS.get(referral.status, referral.status),
            "reason": referral.status_reason,
            "outcome": referral.outcome,
            "created_at": referral.created_at,
            "forwarded_at": referral.forwarded_at,
            "closed_at": referral.closed_at,
        }
