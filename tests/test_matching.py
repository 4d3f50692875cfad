"""Person matching: one record per person, possible matches for the hub."""

import itertools

import pytest

from firstcontact.checklists.intake import submit_checklist
from firstcontact.people.matching import name_key
from firstcontact.people.models import Person, PossibleMatch
from tests.conftest import checklist_payload

_numbers = itertools.count(1)


def submit(context, **person):
    """Submit a new checklist (fresh external_id) about the person given."""
    payload = checklist_payload(external_id=f"M-{next(_numbers):04d}")
    payload["person"] |= person
    result = submit_checklist(payload, context, channel="api")
    assert result["status"] == "processed", result
    return result


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Zoë", "Zoe"),
        ("Zoë", "ZOE"),
        ("Zoë", "Zoe\u0308"),  # the same letter, decomposed
        ("Mary Anne", "Mary-Anne"),
        ("Mary Anne", "MaryAnne"),
        ("Mary Anne", "  mary   anne "),
        ("Mary-Anne", "Mary–Anne"),  # en dash
    ],
)
def test_given_name_variants_match(context, first, second):
    submit(context, given_name=first)

    submit(context, given_name=second)

    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    "variant", ["O’Brien", "OBrien", "o'brien", "O BRIEN", "O‘Brien", "O`Brien"]
)
def test_family_name_variants_match(context, variant):
    submit(context, family_name="O'Brien")

    submit(context, family_name=variant)

    assert Person.objects.count() == 1


def test_postcode_spacing_matches(context):
    submit(context, postcode="LE10 0JU")

    submit(context, postcode="le100ju")

    assert Person.objects.count() == 1


def test_matched_person_keeps_first_spelling(context):
    submit(context, family_name="O'Brien")

    submit(context, family_name="OBRIEN")

    assert Person.objects.get().family_name == "O'Brien"


def test_different_birth_date_is_new_person(context):
    submit(context, date_of_birth="1941-03-14")

    submit(context, date_of_birth="1941-03-15")

    assert Person.objects.count() == 2
    assert PossibleMatch.objects.count() == 0


def test_different_name_is_new_person(context):
    submit(context, given_name="Margaret")

    submit(context, given_name="Marjorie")

    assert Person.objects.count() == 2


def test_other_postcode_is_possible_match(context):
    submit(context, postcode="LE10 0JU")
    first = Person.objects.get()

    submit(context, family_name="ELLISON", postcode="LE11 1PW")

    second = Person.objects.exclude(pk=first.pk).get()
    match = PossibleMatch.objects.get()
    assert match.person == second
    assert match.candidate == first
    assert match.status == PossibleMatch.Status.OPEN


def test_possible_match_keeps_both_checklists(context):
    submit(context, postcode="LE10 0JU")

    submit(context, postcode="LE11 1PW")

    people = Person.objects.all()
    assert [person.checklists.count() for person in people] == [1, 1]


def test_return_to_first_postcode_matches_first(context):
    submit(context, postcode="LE10 0JU")
    first = Person.objects.get()
    submit(context, postcode="LE11 1PW")

    submit(context, postcode="LE10 0JU")

    assert Person.objects.count() == 2
    assert first.checklists.count() == 2


def test_new_person_lists_every_candidate(context):
    submit(context, postcode="LE10 0JU")
    submit(context, postcode="LE11 1PW")

    submit(context, postcode="LE8 4ED")

    assert PossibleMatch.objects.count() == 3


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("O’Brien", "obrien"),
        ("Zoë", "zoe"),
        ("Ångström-Smith", "angstromsmith"),
        ("St. John", "stjohn"),
        ("Strauß", "strauss"),
        ("王", "王"),
    ],
)
def test_name_key_drops_marks_and_punctuation(name, key):
    assert name_key(name) == key


def test_name_key_fits_its_column(context):
    # NFKD turns each U+FDFA ligature into 18 characters.
    submit(context, given_name="\ufdfa" * 100)

    person = Person.objects.get()
    assert person.given_name == "\ufdfa" * 100
    assert len(person.given_key) <= Person._meta.get_field("given_key").max_length
