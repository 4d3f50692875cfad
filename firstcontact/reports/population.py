"""Read ONS population tables from CSV and load them into the database.

Two layouts are understood, told apart by their header:

- people aged 60 and over by age band: `ons_code, district, total_population,
  60-64, ..., 90+, aged_60_plus`, one row per district;
- people of all ages by ethnic group: `ons_code, district, ethnic_group,
  people_all_ages`, one row per district and group, with the 2021 census labels.

Loading a table replaces every figure of that kind, so a manager can load newer
estimates over older ones. Nothing is loaded unless the whole file is valid.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from firstcontact.reports.census import AGE_BANDS, ETHNIC_GROUPS
from firstcontact.reports.models import PopulationFigure, PopulationTable

BUNDLED_DATA = Path(__file__).parent / "data"
BUNDLED_FILES = {
    "population-60-plus-mid2020.csv": (
        "ONS mid-2020 population estimates (local authority districts, 2021 boundaries)"
    ),
    "ethnic-group-census2021.csv": "ONS Census 2021, usual residents by ethnic group",
}
ONS_CODE = re.compile(r"^[ENSW]\d{8}$")
ALL_AGES = "all-ages"
AGED_60_PLUS = "60+"
AGE_COLUMNS = ["ons_code", "district", "total_population", *AGE_BANDS, "aged_60_plus"]
ETHNIC_COLUMNS = ["ons_code", "district", "ethnic_group", "people_all_ages"]
ETHNIC_LABELS = set(ETHNIC_GROUPS.values())


class PopulationFileError(ValueError):
    """A population file that cannot be loaded; the message names row and column."""


@dataclass
class ParsedTable:
    kind: str
    # (ons_code, area_name, category, people)
    figures: list[tuple[str, str, str, int]]


@dataclass
class LoadedTable:
    kind: str
    file_name: str
    figures: int
    districts: int


def bundled_files() -> list[Path]:
    return [BUNDLED_DATA / name for name in BUNDLED_FILES]


def files_at(path: Path) -> list[Path]:
    """The CSV files to load from a file or a folder of them."""
    if path.is_dir():
        files = sorted(path.glob("*.csv"))
        if not files:
            raise PopulationFileError(f"{path}: the folder has no .csv files.")
        return files
    if not path.is_file():
        raise PopulationFileError(f"{path}: no such file or folder.")
    return [path]


def read_population_file(path: Path) -> ParsedTable:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise PopulationFileError(f"{path}: cannot be read ({error}).") from None
    if not rows:
        raise PopulationFileError(f"{path}: the file is empty.")
    header = [name.strip() for name in rows[0]]
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if not body:
        raise PopulationFileError(f"{path}: the file has a header but no figures.")
    if header == AGE_COLUMNS:
        return ParsedTable(PopulationTable.Kind.AGE_60_PLUS, _age_figures(path, body))
    if header == ETHNIC_COLUMNS:
        return ParsedTable(
            PopulationTable.Kind.ETHNIC_GROUP, _ethnic_figures(path, body)
        )
    raise PopulationFileError(
        f"{path}: unknown columns {','.join(header)}. Expected either "
        f"{','.join(AGE_COLUMNS)} or {','.join(ETHNIC_COLUMNS)}."
    )


def _count(path, line, column, text) -> int:
    cleaned = text.strip().replace(",", "")
    if not cleaned.isdigit():
        raise PopulationFileError(
            f"{path}, line {line}, {column}: {text!r} is not a whole number of people."
        )
    return int(cleaned)


def _area(path, line, row, width) -> tuple[str, str]:
    if len(row) != width:
        raise PopulationFileError(
            f"{path}, line {line}: {len(row)} columns, expected {width}."
        )
    ons_code, name = row[0].strip(), row[1].strip()
    if not ONS_CODE.match(ons_code):
        raise PopulationFileError(
            f"{path}, line {line}, ons_code: {ons_code!r} is not an ONS area code "
            "such as E07000129."
        )
    if not name:
        raise PopulationFileError(f"{path}, line {line}, district: is empty.")
    return ons_code, name


def _age_figures(path, body) -> list[tuple[str, str, str, int]]:
    figures, seen = [], set()
    for line, row in enumerate(body, start=2):
        ons_code, name = _area(path, line, row, len(AGE_COLUMNS))
        if ons_code in seen:
            raise PopulationFileError(f"{path}, line {line}: {ons_code} is repeated.")
        seen.add(ons_code)
        counts = {
            column: _count(path, line, column, text)
            for column, text in zip(AGE_COLUMNS[2:], row[2:], strict=True)
        }
        bands = sum(counts[band] for band in AGE_BANDS)
        if bands != counts["aged_60_plus"]:
            raise PopulationFileError(
                f"{path}, line {line}: the age bands add up to {bands}, but "
                f"aged_60_plus is {counts['aged_60_plus']}."
            )
        if counts["aged_60_plus"] > counts["total_population"]:
            raise PopulationFileError(
                f"{path}, line {line}: aged_60_plus is more than total_population."
            )
        figures.append((ons_code, name, ALL_AGES, counts["total_population"]))
        figures.extend((ons_code, name, band, counts[band]) for band in AGE_BANDS)
    return figures


def _ethnic_figures(path, body) -> list[tuple[str, str, str, int]]:
    figures, seen = [], set()
    for line, row in enumerate(body, start=2):
        ons_code, name = _area(path, line, row, len(ETHNIC_COLUMNS))
        group = row[2].strip()
        if group not in ETHNIC_LABELS:
            raise PopulationFileError(
                f"{path}, line {line}, ethnic_group: {group!r} is not one of the "
                "19 Census 2021 ethnic groups."
            )
        if (ons_code, group) in seen:
            raise PopulationFileError(
                f"{path}, line {line}: {ons_code} {group!r} is repeated."
            )
        seen.add((ons_code, group))
        people = _count(path, line, "people_all_ages", row[3])
        figures.append((ons_code, name, group, people))
    return figures


@transaction.atomic
def load_population_file(path: Path, source: str | None = None) -> LoadedTable:
    """Replace the figures of the file's kind with the file's figures."""
    parsed = read_population_file(path)
    table, _ = PopulationTable.objects.update_or_create(
        kind=parsed.kind,
        defaults={
            "source": source or BUNDLED_FILES.get(path.name, path.name),
            "file_name": path.name,
        },
    )
    table.figures.all().delete()
    PopulationFigure.objects.bulk_create(
        PopulationFigure(
            table=table, ons_code=code, area_name=name, category=category, people=n
        )
        for code, name, category, n in parsed.figures
    )
    return LoadedTable(
        parsed.kind,
        path.name,
        len(parsed.figures),
        len({code for code, *_ in parsed.figures}),
    )
