"""Parse JSON from partners strictly: one reading for the API and the batch import.

Python's json module accepts repeated keys (the last one wins), NaN and
Infinity, and raises RecursionError on deeply nested input. Each of these gets a
clear InvalidJSON message here instead of a silent guess or a server error.
"""

import json


class InvalidJSON(ValueError):
    pass


def _reject_repeated_keys(pairs):
    mapping = {}
    for key, value in pairs:
        if key in mapping:
            raise InvalidJSON(f"the key {key!r} appears twice in one object")
        mapping[key] = value
    return mapping


def _reject_constant(name):
    raise InvalidJSON(f"{name} is not a JSON number")


def parse_json(text: str):
    """Return the parsed value or raise InvalidJSON with the reason."""
    try:
        return json.loads(
            text,
            object_pairs_hook=_reject_repeated_keys,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as error:
        raise InvalidJSON(
            f"{error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise InvalidJSON("it is nested too deeply") from None
