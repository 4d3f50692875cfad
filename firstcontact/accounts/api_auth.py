"""Bearer-token authentication and JSON error answers for the API."""

import functools
import json

from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from firstcontact.accounts.services import user_for_token

MAX_BODY_BYTES = 1_000_000


def api_error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def api_view(methods: set[str]):
    """Wrap an API view: method check, bearer token, JSON errors, 404 for scope."""

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                response = api_error(405, f"Method {request.method} is not allowed.")
                response["Allow"] = ", ".join(sorted(methods))
                return response
            header = request.headers.get("Authorization", "")
            scheme, _, secret = header.partition(" ")
            user = None
            if scheme.lower() == "bearer" and secret.strip():
                user = user_for_token(secret.strip())
            if user is None:
                response = api_error(
                    401, "Authentication failed; send Authorization: Bearer TOKEN."
                )
                response["WWW-Authenticate"] = 'Bearer realm="firstcontact"'
                return response
            request.user = user
            try:
                return view(request, *args, **kwargs)
            except Http404:
                return api_error(404, "Not found.")

        return wrapper

    return decorator


def read_json_body(request):
    """Return (payload, None) or (None, error response)."""
    if len(request.body) > MAX_BODY_BYTES:
        return None, api_error(413, "The request body is larger than 1 MB.")
    try:
        return json.loads(request.body.decode("utf-8")), None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, api_error(400, f"The request body is not valid JSON ({error}).")
