"""District populations and ethnic mix, from the ONS tables the reports ship.

The tables are in firstcontact/reports/data, described in SOURCES.md there. The
demo draws where people live, how old they are and their ethnic group
from these figures, so its mix of people resembles the county's.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "reports" / "data"
POPULATION_FILE = DATA_DIR / "population-60-plus-mid2020.csv"
ETHNIC_GROUP_FILE = DATA_DIR / "ethnic-group-census2021.csv"
# Column names of the five-year bands, with the ages each one covers. The
# ONS table stops at "90+"; the demo spreads that band over 90 to 99.
AGE_BANDS = {
    "60-64": (60, 64),
    "65-69": (65, 69),
    "70-74": (70, 74),
    "75-79": (75, 79),
    "80-84": (80, 84),
    "85-89": (85, 89),
    "90+": (90, 99),
}


@dataclass
class DistrictPopulation:
    ons_code: str
    aged_60_plus: int
    # People in each band of AGE_BANDS, by the band's column name.
    age_bands: dict[str, int] = field(default_factory=dict)
    # Usual residents of all ages by Census 2021 ethnic group label.
    ethnic_groups: dict[str, int] = field(default_factory=dict)


def read_district_populations() -> dict[str, DistrictPopulation]:
    """Return each district's figures by ONS code.

    Raises OSError if a file is missing.
    """
    districts = {}
    with POPULATION_FILE.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            districts[row["ons_code"]] = DistrictPopulation(
                ons_code=row["ons_code"],
                aged_60_plus=int(row["aged_60_plus"]),
                age_bands={band: int(row[band]) for band in AGE_BANDS},
            )
    with ETHNIC_GROUP_FILE.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            district = districts.get(row["ons_code"])
            if district is not None:
                district.ethnic_groups[row["ethnic_group"]] = int(
                    row["people_all_ages"]
                )
    return districts
