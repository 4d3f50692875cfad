"""Equality monitoring categories, as the 2021 Census of England and Wales asked them.

A checklist's optional `equality` object takes these codes; the labels are the
census wording, and the ethnic group labels match the ONS tables in
firstcontact/reports/data exactly, so the reach view can join the two.
"""

PREFER_NOT_TO_SAY = "prefer-not-to-say"
PREFER_NOT_TO_SAY_LABEL = "Prefer not to say"

# The 19 ethnic groups of the 2021 census, by high-level group.
ETHNIC_GROUPS = {
    "asian-bangladeshi": "Asian, Asian British or Asian Welsh: Bangladeshi",
    "asian-chinese": "Asian, Asian British or Asian Welsh: Chinese",
    "asian-indian": "Asian, Asian British or Asian Welsh: Indian",
    "asian-pakistani": "Asian, Asian British or Asian Welsh: Pakistani",
    "asian-other": "Asian, Asian British or Asian Welsh: Other Asian",
    "black-african": "Black, Black British, Black Welsh, Caribbean or African: African",
    "black-caribbean": (
        "Black, Black British, Black Welsh, Caribbean or African: Caribbean"
    ),
    "black-other": (
        "Black, Black British, Black Welsh, Caribbean or African: Other Black"
    ),
    "mixed-white-asian": "Mixed or Multiple ethnic groups: White and Asian",
    "mixed-white-black-african": (
        "Mixed or Multiple ethnic groups: White and Black African"
    ),
    "mixed-white-black-caribbean": (
        "Mixed or Multiple ethnic groups: White and Black Caribbean"
    ),
    "mixed-other": (
        "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups"
    ),
    "white-british": "White: English, Welsh, Scottish, Northern Irish or British",
    "white-irish": "White: Irish",
    "white-gypsy-irish-traveller": "White: Gypsy or Irish Traveller",
    "white-roma": "White: Roma",
    "white-other": "White: Other White",
    "other-arab": "Other ethnic group: Arab",
    "other-any": "Other ethnic group: Any other ethnic group",
}

# The census's five high-level groups; each code above starts with its key.
HIGH_LEVEL_ETHNIC_GROUPS = {
    "asian": "Asian, Asian British or Asian Welsh",
    "black": "Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Mixed or Multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
}

SEXES = {"female": "Female", "male": "Male"}

# "Are your day-to-day activities limited because of a health problem or
# disability which has lasted, or is expected to last, at least 12 months?"
DISABILITY = {
    "limited-a-lot": "Yes, limited a lot",
    "limited-a-little": "Yes, limited a little",
    "not-limited": "No",
}

# Five-year bands from 60, as the ONS population estimates in
# firstcontact/reports/data give them.
AGE_BANDS = {
    "60-64": "60 to 64",
    "65-69": "65 to 69",
    "70-74": "70 to 74",
    "75-79": "75 to 79",
    "80-84": "80 to 84",
    "85-89": "85 to 89",
    "90+": "90 and over",
}

# The keys of the `equality` object and the categories each one takes.
EQUALITY_QUESTIONS = {
    "ethnic_group": ETHNIC_GROUPS,
    "sex": SEXES,
    "disability": DISABILITY,
    "age_band": AGE_BANDS,
}


def allowed_codes(question: str) -> list[str]:
    """The codes a question accepts, "prefer-not-to-say" included."""
    return [*EQUALITY_QUESTIONS[question], PREFER_NOT_TO_SAY]


def label_for(question: str, code: str | None) -> str:
    if code == PREFER_NOT_TO_SAY:
        return PREFER_NOT_TO_SAY_LABEL
    if code is None:
        return "Not recorded"
    return EQUALITY_QUESTIONS[question].get(code, code)


def high_level_group(ethnic_group_code: str) -> str:
    return ethnic_group_code.split("-", 1)[0]


def age_band_for(age: int) -> str | None:
    """The band of an age in whole years; None below 60."""
    if age < 60:
        return None
    if age >= 90:
        return "90+"
    start = age - age % 5
    return f"{start}-{start + 4}"
