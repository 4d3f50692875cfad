"""Find the person a checklist is about, or create them.

Names match despite case, accents, apostrophe style, hyphens and spacing:
"O’Brien", "o'brien" and "OBRIEN" share one key. A record that agrees on name
and date of birth and postcode is the same person. One that agrees on name and
date of birth only is a possible match for the hub to review: it is linked by a
person, never merged silently.
"""

import hashlib
import re
import unicodedata

from django.db import connection

from firstcontact.people.models import Person, PossibleMatch

# Apostrophes, hyphens, dots and spaces carry no identity in a name key.
_IGNORED = re.compile(r"[\s'’‘`´ʼ‛\-‐‑‒–—.]+")
# NFKD and casefold can make a key longer than the name ("ﷺ" becomes 18
# characters), so keys are cut to fit their columns.
KEY_LENGTH = Person._meta.get_field("given_key").max_length


def name_key(name: str) -> str:
    """Return the matching form of a name: no accents, case or punctuation."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _IGNORED.sub("", without_marks).casefold()[:KEY_LENGTH]


def _lock_name_and_birth_date(scheme, given_key, family_key, date_of_birth) -> None:
    """Make concurrent intakes of one name and date of birth wait for each other.

    Without the lock, two checklists about a new person that arrive at once on
    PostgreSQL each find no record and create one. The advisory lock lasts until
    the transaction ends. SQLite needs no lock, because its IMMEDIATE
    transactions already admit one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    identity = f"{scheme.pk}|{given_key}|{family_key}|{date_of_birth.isoformat()}"
    digest = hashlib.blake2b(identity.encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)",
            [int.from_bytes(digest, "big", signed=True)],
        )


def match_or_create_person(scheme, submission, district) -> tuple[Person, bool]:
    """Return (person, created) for a validated submission.

    Call it inside a transaction, which holds the PostgreSQL lock until commit.
    """
    given_key = name_key(submission.given_name)
    family_key = name_key(submission.family_name)
    _lock_name_and_birth_date(scheme, given_key, family_key, submission.date_of_birth)
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
