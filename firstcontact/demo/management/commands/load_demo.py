import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from firstcontact.accounts.two_factor import readable_key
from firstcontact.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_KEY
from firstcontact.demo.services import (
    DEFAULT_CHECKLISTS,
    DEFAULT_SEED,
    DemoError,
    load_demo,
)
from firstcontact.directory.services import get_current_scheme


class Command(BaseCommand):
    help = (
        "Load demo accounts and a year of invented checklists and referrals into "
        "the current scheme, for trying the product out. Does nothing if the demo "
        "accounts exist. Refuses to run with FIRSTCONTACT_ENV=production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checklists",
            type=int,
            default=DEFAULT_CHECKLISTS,
            help=(
                "number of checklists to create over the last 12 months "
                f"(default {DEFAULT_CHECKLISTS}, an estimate of a year's volume; "
                "each takes roughly 40 ms of CPU on SQLite)"
            ),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=(
                "seed for the random choices: the same seed, volume and day give "
                f"the same people, visits and answers (default {DEFAULT_SEED})"
            ),
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="hide the progress bar"
        )

    def handle(self, *args, checklists, seed, no_progress, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "load_demo creates accounts with a published password, so it does "
                "not run with FIRSTCONTACT_ENV=production. Use a development or "
                "demo database instead."
            )
        if checklists < 0:
            raise CommandError(f"--checklists must be 0 or more, not {checklists}.")
        try:
            scheme = get_current_scheme()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        try:
            result = load_demo(
                scheme,
                checklists=checklists,
                seed=seed,
                progress=lambda visits: tqdm(
                    visits,
                    unit="checklist",
                    desc="Demo checklists",
                    disable=no_progress,
                    file=self.stderr._out,
                ),
            )
        except DemoError as error:
            raise CommandError(str(error)) from None
        if result.created:
            self.stdout.write(
                f"Created {result.checklists} demo checklists with "
                f"{result.referrals} referrals, and {len(result.accounts)} accounts."
            )
        else:
            self.stdout.write("The demo data is already loaded; nothing was created.")
        self._write_accounts(result.accounts)

    def _write_accounts(self, accounts) -> None:
        width = max(len(account.username) for account in accounts)
        self.stdout.write("")
        self.stdout.write(f"Demo accounts, all with the password {DEMO_PASSWORD}:")
        self.stdout.write(f"  {'username':<{width}}  {'role':<9}  agency")
        for account in accounts:
            agency = account.agency_code or "-"
            self.stdout.write(
                f"  {account.username:<{width}}  {account.role:<9}  {agency}"
            )
        self.stdout.write("")
        self.stdout.write(
            "Each sign-in also asks for a code from an authenticator app. The demo "
            f"accounts share the key {readable_key(DEMO_TOTP_KEY)}: type it into "
            "an authenticator app, or print the current code with "
            "`.venv/bin/firstcontact totp_code USERNAME`. A code works once per "
            "account, so wait for the next one to sign in to the same account again."
        )
        url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/"
        self.stdout.write("")
        self.stdout.write(
            f"To try it: sign in at {url} as referrer-fire-rescue and complete a "
            "checklist. Then sign in as hub to forward its referrals, and as the "
            "receiving agency (for a benefits check, agency-pension-service) to "
            "accept and complete one."
        )
