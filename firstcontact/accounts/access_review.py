"""The access review: every user by agency, with how and when they sign in."""

import csv
import io
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

NO_AGENCY = "No agency"
CSV_COLUMNS = [
    "agency",
    "username",
    "name",
    "role",
    "two_factor",
    "last_login",
    "status",
    "live_tokens",
    "token_last_used",
]


@dataclass(frozen=True)
class ReviewRow:
    user_id: str
    agency: str
    username: str
    name: str
    role: str
    two_factor: bool
    last_login: object
    active: bool
    live_tokens: int
    token_last_used: object

    @property
    def status(self) -> str:
        return "active" if self.active else "deactivated"


def review_rows(users) -> list[ReviewRow]:
    """Return one row per user, ordered by agency name and then username."""
    live = Q(api_tokens__revoked_at__isnull=True)
    users = (
        users.select_related("agency")
        .annotate(
            has_authenticator=Exists(
                TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
            ),
            live_tokens=Count("api_tokens", filter=live),
            token_last_used=Max("api_tokens__last_used_at", filter=live),
        )
        .order_by("agency__name", "username")
    )
    rows = [
        ReviewRow(
            user_id=str(user.pk),
            agency=user.agency.name if user.agency else NO_AGENCY,
            username=user.username,
            name=user.get_full_name(),
            role=user.get_role_display(),
            two_factor=user.has_authenticator,
            last_login=user.last_login,
            active=user.is_active,
            live_tokens=user.live_tokens,
            token_last_used=user.token_last_used,
        )
        for user in users
    ]
    # Users without an agency, such as administrators, come last.
    return sorted(rows, key=lambda row: (row.agency == NO_AGENCY, row.agency))


def _when(moment) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).isoformat(timespec="minutes")


def review_csv(rows: list[ReviewRow]) -> str:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.agency,
                row.username,
                row.name,
                row.role,
                "yes" if row.two_factor else "no",
                _when(row.last_login),
                row.status,
                row.live_tokens,
                _when(row.token_last_used),
            ]
        )
    return output.getvalue()


def review_text(rows: list[ReviewRow]) -> str:
    """Return the rows as a plain table, one agency heading per group."""
    lines = []
    agency = None
    for row in rows:
        if row.agency != agency:
            if lines:
                lines.append("")
            lines.append(row.agency)
            agency = row.agency
        last_login = _when(row.last_login) or "never"
        lines.append(
            f"  {row.username:<28} {row.role:<16} "
            f"2FA {'yes' if row.two_factor else 'no ':<3}  "
            f"last login {last_login:<22} {row.status:<11} "
            f"tokens {row.live_tokens}"
        )
    return "\n".join(lines) + "\n" if lines else "No users.\n"
