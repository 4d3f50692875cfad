"""The exact words a person is asked or told when their consent is recorded.

Each version's text is stored on every consent record made with it, so a
record keeps the words the person heard even after the form changes. Never
edit a published version: add a new one and point the `*_VERSION` name at it.
tests/consent/test_wording.py pins the digest of every published version.
"""

SHARE_QUESTION = (
    "Does the person agree to their details being shared with the agencies that "
    "can help them?"
)
EXCEPT_AGENCIES_LABEL = (
    "Agencies the person does not want their details sent to (optional)"
)
EXCEPT_AGENCIES_HINT = (
    "Only if they agreed to share. Leave every box unticked if any agency that "
    "can help may have their details."
)

WORDINGS = {
    # The checklist form's consent questions, as the worker reads them out.
    1: f"{SHARE_QUESTION}\n{EXCEPT_AGENCIES_LABEL}\n{EXCEPT_AGENCIES_HINT}",
    # The hub's statement when the person withdraws consent.
    2: (
        "The person has told us that they no longer agree to their details being "
        "shared with the agency named in this record (or with any agency, if "
        "none is named). Nothing more about them will be sent there."
    ),
    # The hub's statement when the person gives consent after the visit.
    3: (
        "The person has told us that they agree to their details being shared "
        "with the agency named in this record (or with every agency that can "
        "help them, if none is named)."
    ),
}

CHECKLIST_VERSION = 1
WITHDRAWAL_VERSION = 2
GIVEN_TO_HUB_VERSION = 3
