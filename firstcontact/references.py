"""Human-facing references such as FC-7KQ3-M9XD.

They are random, so a reference tells nobody how many records exist or when
one was made; records are still addressed by UUID in URLs and the API.
"""

import secrets

# No 0/O, 1/I/L or U, so a reference read out over the phone is unambiguous.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference(prefix: str) -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"
