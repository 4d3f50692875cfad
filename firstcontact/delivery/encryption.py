"""Encrypt webhook secrets at rest.

The keys are derived from SECRET_KEY and SECRET_KEY_FALLBACKS, so rotating
SECRET_KEY (with the old key moved to the fallbacks) keeps stored secrets
readable. Fernet is AES-128-CBC with an HMAC-SHA256 tag (the `cryptography`
package).
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

KEY_SALT = "firstcontact.delivery.encryption"


class SecretUnreadable(ValueError):
    """A stored secret that no current or fallback key can decrypt."""


def _fernet_for(secret_key: str) -> Fernet:
    digest = salted_hmac(
        KEY_SALT, "webhook-secrets", secret=secret_key, algorithm="sha256"
    ).digest()
    return Fernet(base64.urlsafe_b64encode(digest[:32]))


def _keys() -> MultiFernet:
    secret_keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(key) for key in secret_keys])


def encrypt_secret(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "The stored webhook secret cannot be decrypted with SECRET_KEY or "
            "SECRET_KEY_FALLBACKS; set the agency's webhook secret again."
        ) from None
