"""Demo accounts: one per role, and one per referring and providing agency."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from firstcontact.accounts.models import Role, User
from firstcontact.accounts.services import create_user
from firstcontact.accounts.two_factor import enrol_authenticator
from firstcontact.directory.context import SchemeContext

# Printed by load_demo and shared by every demo account. The command refuses
# to run under production settings, so this password never guards real data.
DEMO_PASSWORD = "first-contact-demo"
# The authenticator key of every demo account, published like the password:
# load_demo prints it, and `firstcontact totp_code USERNAME` prints its code.
DEMO_TOTP_KEY = "1ccf7cbfd7ced829301745f3c9604c24a78fc4f2"
HUB_AGENCY = "victim-support"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    agency_code: str | None


def plan_demo_accounts(context: SchemeContext) -> list[DemoAccount]:
    """Return the demo accounts for the scheme: roles first, then agencies."""
    lead = context.scheme.lead_agency
    lead_code = lead.code if lead is not None else None
    accounts = [
        DemoAccount("hub", Role.HUB, _hub_agency_code(context)),
        DemoAccount("manager", Role.MANAGER, lead_code),
        DemoAccount("executive", Role.EXECUTIVE, lead_code),
        DemoAccount("admin", Role.ADMIN, None),
    ]
    agencies = sorted(context.agencies.values(), key=lambda agency: agency.code)
    for agency in agencies:
        if agency.has_role("referrer"):
            accounts.append(
                DemoAccount(f"referrer-{agency.code}", Role.REFERRER, agency.code)
            )
    for agency in agencies:
        if agency.has_role("provider"):
            accounts.append(
                DemoAccount(f"agency-{agency.code}", Role.AGENCY, agency.code)
            )
    return accounts


def _hub_agency_code(context: SchemeContext) -> str | None:
    if HUB_AGENCY in context.agencies:
        return HUB_AGENCY
    hubs = sorted(code for code, a in context.agencies.items() if a.has_role("hub"))
    return hubs[0] if hubs else None


def demo_accounts_exist(accounts: list[DemoAccount]) -> bool:
    usernames = [account.username for account in accounts]
    return User.objects.filter(username__in=usernames).exists()


def create_demo_accounts(scheme, accounts: list[DemoAccount]) -> dict[str, User]:
    """Create the accounts with the demo password and authenticator key.

    Return them by username.
    """
    users = {
        account.username: create_user(
            account.username,
            role=account.role,
            scheme=scheme,
            agency_code=account.agency_code,
        )
        for account in accounts
    }
    # Hashing is slow by design, so the shared password is hashed once.
    password_hash = make_password(DEMO_PASSWORD)
    User.objects.filter(pk__in=[user.pk for user in users.values()]).update(
        password=password_hash
    )
    for user in users.values():
        user.password = password_hash
        enrol_authenticator(user, DEMO_TOTP_KEY)
    return users
