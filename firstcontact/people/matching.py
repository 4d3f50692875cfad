"""Find the person a checklist is about, or build a new record for them.

Names match despite case, accents, apostrophe style, hyphens and spacing:
"O’Brien", "o'brien" and "OBRIEN" share one key. A record that agrees on name
and date of birth and postcode is the same person. One that agrees on name and
date of birth only is a possible match for the hub to review: it is linked by a
person, never merged silently.
"""

import datetime
import hashlib
import re
import unicodedata

from django.db import connection

from firstcontact.people.models import Person

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


MatchKey = tuple[str, str, datetime.date]


def match_key(submission) -> MatchKey:
    """Return the (family key, given key, date of birth) that candidates share."""
    return (
        name_key(submission.family_name),
        name_key(submission.given_name),
        submission.date_of_birth,
    )


def _lock_match_keys(scheme, keys) -> None:
    """Make concurrent intakes of one name and date of birth wait for each other.

    Without the lock, two checklists about a new person that arrive at once on
    PostgreSQL each find no record and create one. The advisory locks last until
    the transaction ends, and are taken in ascending order so that two
    transactions locking several keys cannot deadlock on them. SQLite needs no lock,
    because its IMMEDIATE transactions already admit one writer at a time.
    """
    if connection.vendor != "postgresql" or not keys:
        return
    lock_ids = set()
    for family_key, given_key, date_of_birth in keys:
        identity = f"{scheme.pk}|{given_key}|{family_key}|{date_of_birth.isoformat()}"
        digest = hashlib.blake2b(identity.encode(), digest_size=8).digest()
        lock_ids.add(int.from_bytes(digest, "big", signed=True))
    with connection.cursor() as cursor:
        cursor.executemany(
            "SELECT pg_advisory_xact_lock(%s)", [[i] for i in sorted(lock_ids)]
        )


def find_candidates(scheme, keys) -> dict[MatchKey, list[Person]]:
    """Lock the match keys and return the stored people that share each one.

    Call it inside a transaction, which holds the PostgreSQL locks until commit.
    """
    keys = set(keys)
    found: dict[MatchKey, list[Person]] = {key: [] for key in keys}
    if not keys:
        return found
    _lock_match_keys(scheme, keys)
    people = Person.objects.filter(
        scheme=scheme,
        family_key__in={family for family, _, _ in keys},
        given_key__in={given for _, given, _ in keys},
        date_of_birth__in={born for _, _, born in keys},
    )
    for person in people:
        key = (person.family_key, person.given_key, person.date_of_birth)
        # The three IN lists also admit mixed keys, such as one person's family
        # name with another's given name; those are no candidates.
        if key in found:
            found[key].append(person)
    return found


def find_match(candidates, postcode: str) -> Person | None:
    """Return the candidate at the same postcode, or None."""
    compact = postcode.replace(" ", "")
    for candidate in candidates:
        if candidate.postcode.replace(" ", "") == compact:
            return candidate
    return None


def new_person(scheme, submission, district, key: MatchKey) -> Person:
    """Return an unsaved person record for a submission that matched no one."""
    family_key, given_key, _ = key
    return Person(
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
