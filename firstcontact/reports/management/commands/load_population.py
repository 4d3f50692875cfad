from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from firstcontact.reports.population import (
    PopulationFileError,
    bundled_files,
    files_at,
    load_population_file,
)


class Command(BaseCommand):
    help = (
        "Load ONS population figures for the reach report from a CSV file or a "
        "folder of them. Without PATH, loads the bundled ONS mid-2020 estimates "
        "by age and Census 2021 figures by ethnic group. Each file replaces the "
        "figures of its kind; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path)
        parser.add_argument(
            "--source",
            help="Where the figures come from, as the reach page should cite it, "
            'such as "ONS mid-2022 population estimates". Defaults to the file name.',
        )

    def handle(self, *args, path, source, **options):
        try:
            files = bundled_files() if path is None else files_at(path)
            for file in files:
                loaded = load_population_file(file, source)
                self.stdout.write(
                    f"Loaded {file.name}: {loaded.figures} figures for "
                    f"{loaded.districts} districts ({loaded.kind})."
                )
        except PopulationFileError as error:
            raise CommandError(str(error)) from None
