"""Look up the scheme that a request or command works on."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from firstcontact.directory.models import Scheme


def get_current_scheme() -> Scheme:
    code = settings.FIRSTCONTACT_SCHEME
    try:
        return Scheme.objects.get(code=code)
    except Scheme.DoesNotExist:
        raise ImproperlyConfigured(
            f"Scheme {code!r} is not loaded; run `firstcontact load_scheme` first."
        ) from None
