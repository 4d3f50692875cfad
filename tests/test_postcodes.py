"""Postcodes: normalisation, validation and lookup in the ONS Postcode Directory.

The edge postcodes below were found by scanning the directory for DE, CV, NG, NN
and B postcodes whose district is one of the seven county districts.
"""

import pytest

from firstcontact.checklists.intake import submit_checklist
from firstcontact.directory.postcodes import (
    InvalidPostcode,
    _districts_for_letter,
    lookup_district_code,
    normalise_postcode,
)
from tests.conftest import checklist_payload

LEICESTER = "E06000016"
RUTLAND = "E06000017"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("LE10 0JU", "LE10 0JU"),
        ("le100ju", "LE10 0JU"),
        ("  le10   0ju ", "LE10 0JU"),
        ("Le1 5fB", "LE1 5FB"),
        ("LE11PW", "LE1 1PW"),
        ("b79 0pj", "B79 0PJ"),
        ("W1A 1AA", "W1A 1AA"),
        ("le10\t0ju", "LE10 0JU"),
    ],
)
def test_normalise_postcode_standard_form(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "LE10", "LE10 0", "10 0JU", "LE10 0JUX", "LEE10 0JU", "LE10 0CU", "LE10-0JU"],
)
def test_malformed_postcode_is_rejected(raw):
    with pytest.raises(InvalidPostcode) as raised:
        normalise_postcode(raw)

    assert "is not a UK postcode" in str(raised.value)


@pytest.mark.parametrize(
    ("postcode", "district"),
    [
        ("LE65 2JH", "E07000134"),  # North West Leicestershire
        ("LE10 0JU", "E07000132"),  # Hinckley and Bosworth
        ("LE8 4ED", "E07000129"),  # Blaby
        ("LE7 9RA", "E07000131"),  # Harborough
        ("LE11 1PW", "E07000130"),  # Charnwood
        ("LE18 3TE", "E07000135"),  # Oadby and Wigston
        ("LE13 0JL", "E07000133"),  # Melton
    ],
)
def test_county_postcode_finds_its_district(postcode, district):
    assert lookup_district_code(postcode) == district


@pytest.mark.parametrize(
    ("postcode", "district"),
    [
        ("DE11 7BS", "E07000134"),
        ("DE12 7DE", "E07000132"),
        ("CV10 0RY", "E07000132"),
        ("NG13 0AA", "E07000133"),
        ("NG10 3AD", "E07000134"),
        ("NN6 6JQ", "E07000131"),
        ("B79 0PJ", "E07000134"),
    ],
)
def test_edge_postcode_finds_county_district(postcode, district):
    assert lookup_district_code(postcode) == district


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("LE1 5FB", LEICESTER), ("LE1 1AA", LEICESTER), ("LE15 0AA", RUTLAND)],
)
def test_leicester_and_rutland_resolve_outside(postcode, district):
    assert lookup_district_code(postcode) == district


def test_unknown_postcode_finds_nothing():
    assert lookup_district_code("LE99 9AA") is None


def test_unknown_area_letter_finds_nothing():
    assert lookup_district_code("Q1 1AA") is None


def test_lookup_reuses_loaded_letter():
    lookup_district_code("LE10 0JU")
    before = _districts_for_letter.cache_info()

    for _ in range(5):
        lookup_district_code("LE11 1PW")

    after = _districts_for_letter.cache_info()
    assert after.misses == before.misses
    assert after.hits == before.hits + 5


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("DE11 7BS", "nwl"), ("NN6 6JQ", "harborough"), ("B79 0PJ", "nwl")],
)
def test_edge_postcode_checklist_is_eligible(context, postcode, district):
    person = checklist_payload()["person"] | {"postcode": postcode}

    result = submit_checklist(checklist_payload(person=person), context, channel="api")

    assert result["district"] == district
    assert result["eligible"] is True


@pytest.mark.parametrize("postcode", ["LE1 5FB", "LE15 0AA"])
def test_leicester_or_rutland_is_out_of_area(context, postcode):
    person = checklist_payload()["person"] | {"postcode": postcode}

    result = submit_checklist(checklist_payload(person=person), context, channel="api")

    assert result["ineligibility_reasons"] == ["out_of_area"]
    assert result["district"] is None


def test_unknown_postcode_is_not_found(context):
    person = checklist_payload()["person"] | {"postcode": "le99 9aa"}

    result = submit_checklist(checklist_payload(person=person), context, channel="api")

    assert result["ineligibility_reasons"] == ["postcode_not_found"]


def test_checklist_stores_standard_postcode(context):
    person = checklist_payload()["person"] | {"postcode": "le100ju"}

    submit_checklist(checklist_payload(person=person), context, channel="api")

    assert context.scheme.people.get().postcode == "LE10 0JU"
