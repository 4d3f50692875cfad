"""Real postcodes for each district, drawn from the ONS Postcode Directory.

Demo people live at real postcodes so that intake resolves their district
exactly as it would for a real checklist. Only the postcode is real: the house
number and street are invented.
"""

import random
import re

from firstcontact.directory.postcodes import _districts_for_letter

# Postcode areas that cover Leicestershire and Leicester: most addresses are
# LE, with some DE (North West Leicestershire), CV (Hinckley and Bosworth),
# NG (Melton) and NN (Harborough).
POSTCODE_AREAS = ("LE", "DE", "CV", "NG", "NN")
LEICESTER_ONS_CODE = "E06000016"
_AREA = re.compile(r"^[A-Z]+")


class PostcodeBook:
    """Postcodes by ONS district code, sorted so that a seeded draw repeats."""

    def __init__(self, ons_codes: set[str]):
        found: dict[str, list[str]] = {code: [] for code in ons_codes}
        for letter in sorted({area[0] for area in POSTCODE_AREAS}):
            for compact, ons_code in _districts_for_letter(letter).items():
                if ons_code not in found:
                    continue
                if _AREA.match(compact).group() in POSTCODE_AREAS:
                    found[ons_code].append(f"{compact[:-3]} {compact[-3:]}")
        self.postcodes = {code: sorted(rows) for code, rows in found.items()}

    def missing(self) -> list[str]:
        """Return the ONS codes for which no postcode was found."""
        return sorted(code for code, rows in self.postcodes.items() if not rows)

    def draw(self, rng: random.Random, ons_code: str) -> str:
        return rng.choice(self.postcodes[ons_code])
