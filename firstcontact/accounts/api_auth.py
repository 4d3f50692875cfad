"""Bearer-token authentication, scopes and JSON error responses for the API."""

import functools

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from firstcontact.accounts import lockout
from firstcontact.accounts.models import AttemptKind, Scope
from firstcontact.accounts.services import note_token_used, token_for_secret
from firstcontact.jsonparse import InvalidJSON, parse_json

MAX_BODY_BYTES = 1_000_000


def api_error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _bearer_secret(request) -> str:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def _authentication_failed() -> JsonResponse:
    response = api_error(
        401, "Authentication failed; send Authorization: Bearer TOKEN."
    )
    response["WWW-Authenticate"] = 'Bearer realm="firstcontact"'
    return response


def _too_many_failures(until) -> JsonResponse:
    response = api_error(
        429,
        "Too many requests with invalid tokens from this address; "
        f"try again in {lockout.retry_after_seconds(until)} seconds.",
    )
    response["Retry-After"] = str(lockout.retry_after_seconds(until))
    return response


def _missing_scope(scope: str) -> JsonResponse:
    response = api_error(
        403,
        f"This token does not have the {scope} scope; ask an administrator "
        "for a token with it.",
        required_scope=scope,
    )
    response["WWW-Authenticate"] = (
        f'Bearer realm="firstcontact", error="insufficient_scope", scope="{scope}"'
    )
    return response


def authenticate_token(request):
    """Return (token, None) for a valid bearer token, or (None, error response).

    A valid token works even from an address locked for invalid ones, so one
    misconfigured client behind a shared proxy cannot stop every partner's
    system. Guessing gains nothing from this: a token holds 256 random bits.
    """
    address = lockout.client_address(request)
    secret = _bearer_secret(request)
    token = token_for_secret(secret) if secret else None
    if token is None:
        until = lockout.api_locked_until(address)
        if until is not None:
            return None, _too_many_failures(until)
        lockout.record_attempt(AttemptKind.API_TOKEN, succeeded=False, address=address)
        return None, _authentication_failed()
    note_token_used(token)
    return token, None


def api_view(methods: set[str], *, scope: Scope | dict[str, Scope]):
    """Wrap an API view: method check, bearer token, scope, JSON errors.

    `scope` is the scope every method needs, or a scope for each method.
    A record outside the user's scope gets a 404 response.
    """
    needed = scope if isinstance(scope, dict) else dict.fromkeys(methods, scope)
    if set(needed) != set(methods):
        raise ValueError(f"api_view needs a scope for each of {sorted(methods)}.")

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                response = api_error(405, f"Method {request.method} is not allowed.")
                response["Allow"] = ", ".join(sorted(methods))
                return response
            token, error = authenticate_token(request)
            if error is not None:
                return error
            if not token.allows(needed[request.method]):
                return _missing_scope(needed[request.method])
            request.user = token.user
            request.api_token = token
            try:
                return view(request, *args, **kwargs)
            except Http404:
                return api_error(404, "Not found.")

        return wrapper

    return decorator


def read_json_body(request):
    """Return (payload, None) or (None, error response)."""
    too_large = api_error(413, "The request body is larger than 1 MB.")
    try:
        body = request.body
    except RequestDataTooBig:
        return None, too_large
    if len(body) > MAX_BODY_BYTES:
        return None, too_large
    try:
        return parse_json(body.decode("utf-8")), None
    except UnicodeDecodeError:
        return None, api_error(400, "The request body is not UTF-8 text.")
    except InvalidJSON as error:
        return None, api_error(400, f"The request body is not valid JSON: {error}.")
