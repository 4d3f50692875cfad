from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from firstcontact.directory.loading import (
    BUNDLED_SCHEME,
    SchemeFileError,
    load_scheme,
    read_scheme_file,
)


class Command(BaseCommand):
    help = (
        "Load a scheme file (districts, agencies, services, checklist). Without "
        "PATH, loads the bundled Leicestershire scheme. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=BUNDLED_SCHEME)

    def handle(self, *args, path, **options):
        try:
            summary = load_scheme(read_scheme_file(path))
        except SchemeFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Loaded scheme {summary.scheme.code}: {summary.districts} districts, "
            f"{summary.agencies} agencies, {summary.services} services, "
            f"{summary.questions} questions."
        )
