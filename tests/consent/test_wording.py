"""Published consent wordings never change, so stored records stay true."""

import hashlib

from firstcontact.checklists.forms import ChecklistForm
from firstcontact.consent import wording

# SHA-256 of each published version's text. A new wording gets a new version.
PUBLISHED = {
    1: "7d2a2fef089e5294c66a88f270231a28459505bd52c8fa62387e075abd4031b0",
    2: "bf782d6ec8405dc34c7efe3a72439544056b0e6a5773e6c28cb335e2f4ab9ea1",
    3: "248d22f51b9932276a78494954bc2eeccd10e1dd259996e60b71693001eeb860",
}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_published_wordings_are_unchanged():
    for version, expected in PUBLISHED.items():
        assert digest(wording.WORDINGS[version]) == expected, version


def test_checklist_form_shows_the_stored_wording():
    fields = ChecklistForm.base_fields
    shown = "\n".join(
        [
            str(fields["consent_share"].label),
            str(fields["except_agencies"].label),
            str(fields["except_agencies"].help_text),
        ]
    )

    assert shown == wording.WORDINGS[wording.CHECKLIST_VERSION]
