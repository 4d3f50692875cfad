import json
import logging
from itertools import batched
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from firstcontact.checklists.intake import (
    rejected_result,
    submit_checklist,
    submit_checklists,
)
from firstcontact.checklists.validation import FieldError
from firstcontact.directory.context import SchemeContext
from firstcontact.directory.services import get_current_scheme
from firstcontact.jsonparse import InvalidJSON, parse_json

logger = logging.getLogger(__name__)

# Input lines imported per transaction. A larger chunk saves commits but holds
# SQLite's write lock longer, and other writers wait for it.
CHUNK_SIZE = 200


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
            # A first pass checks the encoding before anything is stored, and
            # counts the lines for the progress bar.
            total = sum(1 for _ in read_lines(file))
        except OSError as error:
            raise CommandError(
                f"{file}: cannot be read ({error.strerror}); check the path."
            ) from None
        except UnicodeDecodeError:
            raise CommandError(
                f"{file}: cannot be read as UTF-8 text ({utf8_error(file)})."
            ) from None
        try:
            context = SchemeContext.load(get_current_scheme())
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        counts = {"processed": 0, "duplicate": 0, "rejected": 0}
        try:
            out = results.open("w", encoding="utf-8")
        except OSError as error:
            raise CommandError(
                f"{results}: cannot be written ({error.strerror})."
            ) from None
        with (
            out,
            tqdm(
                total=total,
                unit="checklist",
                disable=no_progress,
                file=self.stderr._out,
            ) as progress,
        ):
            for chunk in batched(read_lines(file), CHUNK_SIZE, strict=False):
                chunk_results, failure = self._import_chunk(chunk, context)
                for result in chunk_results:
                    counts[result["status"]] += 1
                    out.write(json.dumps(result, ensure_ascii=False) + "\n")
                if failure is not None:
                    raise failure
                progress.update(len(chunk))
        self.stdout.write(
            f"{total} checklists: {counts['processed']} processed, "
            f"{counts['duplicate']} duplicate, {counts['rejected']} rejected. "
            f"Results in {results}."
        )

    def _import_chunk(self, chunk, context) -> tuple[list[dict], Exception | None]:
        """Import (number, line) pairs in one transaction; return results in order.

        If the chunk fails as a whole, it is imported again one line at a time,
        each line in its own savepoint. The lines before a failing one are kept,
        and the failure is returned for the caller to raise, as when each line
        had its own transaction.
        """
        parsed = [parse_line(number, line) for number, line in chunk]
        payloads = [payload for payload, rejected in parsed if rejected is None]
        try:
            with transaction.atomic():
                stored = submit_checklists(payloads, context, channel="batch")
        except Exception:
            logger.warning(
                "Importing lines %d to %d in one transaction failed; importing "
                "them one at a time.",
                chunk[0][0],
                chunk[-1][0],
                exc_info=True,
            )
            return self._import_one_at_a_time(parsed, context)
        stored = iter(stored)
        return [rejected or next(stored) for _, rejected in parsed], None

    def _import_one_at_a_time(self, parsed, context):
        results = []
        with transaction.atomic():
            for payload, rejected in parsed:
                if rejected is not None:
                    results.append(rejected)
                    continue
                try:
                    with transaction.atomic():
                        result = submit_checklist(payload, context, channel="batch")
                except Exception as error:
                    return results, error
                results.append(result)
        return results, None


def read_lines(path: Path):
    """Yield (line number, line) for each line of a UTF-8 file that is not blank.

    Reads one line at a time. Lines are split and numbered as str.splitlines()
    does, which also breaks at form feeds and Unicode line separators.
    """
    number = 0
    # utf-8-sig drops the byte order mark that some Windows editors write,
    # which would otherwise make line 1 invalid JSON.
    with path.open(encoding="utf-8-sig") as source:
        for physical_line in source:
            for line in physical_line.splitlines():
                number += 1
                if line.strip():
                    yield number, line


def utf8_error(path: Path) -> UnicodeDecodeError | None:
    """Return the error that decoding the whole file raises, with its offset."""
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return error
    return None


def parse_line(number, line) -> tuple[object, dict | None]:
    """Return (JSON value, None), or (None, rejected result) for invalid JSON."""
    try:
        return parse_json(line), None
    except InvalidJSON as error:
        message = f"line {number} is not valid JSON: {error}."
        return None, rejected_result(None, [FieldError("", message)])
