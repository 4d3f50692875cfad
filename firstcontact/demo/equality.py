"""Equality monitoring answers for demo people, in the 2021 Census codes."""

import random

from firstcontact.reports.census import ETHNIC_GROUPS, PREFER_NOT_TO_SAY

ETHNIC_GROUP_CODES = {label: code for code, label in ETHNIC_GROUPS.items()}
# Shares of people who skip the optional questions, or who answer them but
# prefer not to give their ethnic group. Invented for the demo.
UNANSWERED_SHARE = 0.12
ETHNIC_GROUP_WITHHELD_SHARE = 0.05
# Rough weights of the census disability answers by age: day-to-day
# activities are limited more often at greater ages. Each entry applies below
# its age.
DISABILITY_WEIGHTS = (
    (75, {"limited-a-lot": 12, "limited-a-little": 18, "not-limited": 70}),
    (85, {"limited-a-lot": 25, "limited-a-little": 25, "not-limited": 50}),
    (200, {"limited-a-lot": 40, "limited-a-little": 25, "not-limited": 35}),
)


def invent_monitoring(rng: random.Random, ethnic_group: str, sex: str, age: int):
    """Return a person's answers on ethnic group, sex and disability, or {}.

    `ethnic_group` is the census label, as in the ONS tables.
    """
    if rng.random() < UNANSWERED_SHARE:
        return {}
    weights = next(w for limit, w in DISABILITY_WEIGHTS if age < limit)
    answers = {
        "sex": sex,
        "disability": rng.choices(list(weights), weights=list(weights.values()))[0],
    }
    code = ETHNIC_GROUP_CODES.get(ethnic_group)
    if rng.random() < ETHNIC_GROUP_WITHHELD_SHARE:
        answers["ethnic_group"] = PREFER_NOT_TO_SAY
    elif code is not None:
        answers["ethnic_group"] = code
    return answers
