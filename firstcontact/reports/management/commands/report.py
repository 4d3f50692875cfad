import datetime
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from firstcontact.audit.services import record_event
from firstcontact.checklists.models import Checklist
from firstcontact.directory.models import Scheme
from firstcontact.referrals.models import Referral
from firstcontact.reports.executive import build_executive_report
from firstcontact.reports.rendering import render_html, render_json, render_pdf


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of {text!r} is not a date; use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Write a report. `report executive` writes the quarterly progress report "
        "(roll-out, volumes, outcomes, budget and partners' contributions) as HTML, "
        "PDF or JSON, to --output or to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", choices=["executive"], help="the report to write")
        parser.add_argument(
            "--as-of",
            type=_date,
            help="the report's date, YYYY-MM-DD; the quarter and the financial "
            "year to date end on it (default: today, Europe/London)",
        )
        parser.add_argument(
            "--format",
            choices=["html", "pdf", "json"],
            default="html",
            help="the file format (default html)",
        )
        parser.add_argument(
            "--output", type=Path, help="the file to write (default: standard output)"
        )
        parser.add_argument(
            "--scheme",
            default=settings.FIRSTCONTACT_SCHEME,
            help="the scheme's code (default: the FIRSTCONTACT_SCHEME setting)",
        )

    def handle(self, *args, name, as_of, format, output, scheme, **options):
        found = Scheme.objects.filter(code=scheme).first()
        if found is None:
            raise CommandError(
                f"Scheme {scheme!r} not found; load it with `firstcontact load_scheme`."
            )
        as_of = as_of or timezone.localdate()
        report = build_executive_report(
            found,
            as_of,
            Checklist.objects.filter(scheme=found),
            Referral.objects.filter(scheme=found),
        )
        if format == "pdf":
            content = render_pdf(report)
        elif format == "json":
            content = render_json(report).encode("utf-8")
        else:
            content = render_html(report).encode("utf-8")
        self._write(content, output)
        record_event(
            "export.downloaded",
            found,
            data={
                "table": "executive-report",
                "format": format,
                "filters": {"as_of": as_of.isoformat()},
                "via": "command",
            },
        )

    def _write(self, content: bytes, output: Path | None) -> None:
        if output is None:
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        try:
            output.write_bytes(content)
        except OSError as error:
            raise CommandError(
                f"{output}: cannot be written ({error.strerror})."
            ) from None
        self.stderr.write(f"Wrote {output} ({len(content):,} bytes).")
