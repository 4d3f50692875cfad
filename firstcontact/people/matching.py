"""Find the person a checklist is about, or create them.

Names match despite case, accents, apostrophe style, hyphens and spacing:
"O’Brien", "o'brien" and "OBRIEN" share one key. A record that agrees on name
and date of birth and postcode is the same person. One that agrees on name and
date of birth only is a possible match for the hub to review: it is linked by a
person, never merged silently.
"""

import re
import unicodedata

from firstcontact.people.models import Person, PossibleMatch

# Apostrophes, hyphens, dots and spaces carry no identity in a name key.
_IGNORED = re.compile(r"[\s'’‘`´ʼ‛\-‐‑‒–—.]+")


def name_key(name: str) -> str:
    """Return the matching form of a name: no accents, case or punctuation."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _IGNORED.sub("", without_marks).casefold()


def match_or_create_person(scheme, submission, district) -> tuple[Person, bool]:
    """Return (person, created) for a validated submission."""
    given_key = name_key(submission.given_name)
    family_key = name_key(submission.family_name)
    candidates = list(
        Person.objects.filter(
            scheme=scheme,
            family_key=family_key,
            given_key=given_key,
            date_of_birth=submission.date_of_birth,
        )
    )
    compact = submission.postcode.replace(" ", "")
    for candidate in candidates:
        if candidate.postcode.replace(" ", "") == compact:
            return candidate, False

    person = Person.objects.create(
        scheme=scheme,
        given_name=submission.given_name,
        family_name=submission.family_name,
        given_key=given_key,
        family_key=family_key,
        date_of_birth=submission.date_of_birth,
        address_line_1=submission.address_line_1,
        postcode=submission.postcode,
        district=district,
        phone=submission.phone,
        lives_alone=submission.lives_alone,
    )
    PossibleMatch.objects.bulk_create(
        PossibleMatch(person=person, candidate=candidate) for candidate in candidates
    )
    return person, True
