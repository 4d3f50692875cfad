"""`firstcontact apply_retention`: erase people whose records closed long ago."""

from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

from firstcontact.rights.retention import apply_retention, retention_cutoff


class Command(BaseCommand):
    help = (
        "Erase the personal details of people whose referrals are all closed and "
        "who have had no checklist or referral change for the retention period. "
        "Safe to run twice: an erased person is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the people due without erasing anyone.",
        )
        parser.add_argument(
            "--years",
            type=float,
            default=None,
            help="Retention period in years (default: the RETENTION_YEARS "
            f"setting, now {settings.FIRSTCONTACT_RETENTION_YEARS}).",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="Do not draw a progress bar (for cron and logs).",
        )

    def handle(self, *args, dry_run, years, no_progress, **options):
        cutoff = retention_cutoff(years=years)
        self.stdout.write(
            f"Looking for people with nothing open or changed since {cutoff:%Y-%m-%d}."
        )

        def progress(people):
            return tqdm(
                people, desc="Erasing", unit="person", disable=no_progress or None
            )

        result = apply_retention(years=years, dry_run=dry_run, progress=progress)
        if dry_run:
            self.stdout.write(f"{result.due} people are due; none erased (dry run).")
            return
        self.stdout.write(
            f"{result.erased} people erased, {result.skipped} skipped because a "
            f"referral opened since, of {result.due} due."
        )
