import json
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from firstcontact.checklists.intake import rejected_result, submit_checklist
from firstcontact.checklists.validation import FieldError
from firstcontact.directory.context import SchemeContext
from firstcontact.directory.services import get_current_scheme


class Command(BaseCommand):
    help = (
        "Import a JSON Lines file of checklists typed up from paper. Writes one "
        "result object per line to --results. Safe to run again on the same file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="JSON Lines file, one checklist a line"
        )
        parser.add_argument(
            "--results",
            type=Path,
            required=True,
            help="where to write the result objects, one JSON line each",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="hide the progress bar"
        )

    def handle(self, *args, file, results, no_progress, **options):
        try:
            # utf-8-sig drops the byte order mark that some Windows editors write,
            # which would otherwise make line 1 invalid JSON.
            lines = file.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                f"{file}: cannot be read as UTF-8 text ({error})."
            ) from None
        try:
            context = SchemeContext.load(get_current_scheme())
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        counts = {"processed": 0, "duplicate": 0, "rejected": 0}
        rows = [(number, line) for number, line in enumerate(lines, 1) if line.strip()]
        try:
            out = results.open("w", encoding="utf-8")
        except OSError as error:
            raise CommandError(
                f"{results}: cannot be written ({error.strerror})."
            ) from None
        with out:
            progress = tqdm(
                rows, unit="checklist", disable=no_progress, file=self.stderr._out
            )
            for number, line in progress:
                result = self._import_line(number, line, context)
                counts[result["status"]] += 1
                out.write(json.dumps(result, ensure_ascii=False) + "\n")
        self.stdout.write(
            f"{len(rows)} checklists: {counts['processed']} processed, "
            f"{counts['duplicate']} duplicate, {counts['rejected']} rejected. "
            f"Results in {results}."
        )

    def _import_line(self, number, line, context) -> dict:
        try:
            payload = json.loads(line)
        except json.JSONDecodeError as error:
            message = (
                f"line {number} is not valid JSON ({error.msg}, column {error.colno})."
            )
            return rejected_result(None, [FieldError("", message)])
        return submit_checklist(payload, context, channel="batch")
