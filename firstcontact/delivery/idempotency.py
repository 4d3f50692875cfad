"""Idempotency-Key for the API's POST endpoints that change data.

A client that sends `Idempotency-Key: K` with POST /api/v1/checklists or a
referral action may send the same request again (after a timeout, say) and
gets the stored response, marked `Idempotent-Replayed: true`, without the
request running twice. Keys belong to one user and last 24 hours. The status
codes follow the IETF draft "The Idempotency-Key HTTP Header Field":
the same key with another body answers 422; the same key while the first
request is still running answers 409. Server errors are not stored, so the
client may retry them with the same key.
"""

import datetime
import hashlib
import logging

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from firstcontact.accounts.api_auth import api_error
from firstcontact.accounts.services import user_for_token
from firstcontact.delivery.models import IdempotencyRecord

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
IDEMPOTENT_VIEWS = {"api:checklist-submit", "api:referral-action"}
MAX_KEY_LENGTH = 255
# A record left "in progress" this long belongs to a request that died.
ABANDONED_AFTER = datetime.timedelta(minutes=5)


class IdempotencyKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not _is_idempotent(request):
            return self.get_response(request)
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return api_error(
                400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters."
            )
        user = _bearer_user(request)
        if user is None:
            return self.get_response(request)
        fingerprint = _fingerprint(request)
        record, replay = _claim_key(user, key, fingerprint)
        if replay is not None:
            return replay
        try:
            response = self.get_response(request)
        except Exception:
            record.delete()
            raise
        _store_response(record, response)
        return response


def _is_idempotent(request) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in IDEMPOTENT_VIEWS


def _bearer_user(request):
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return user_for_token(secret.strip())


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.path.encode() + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def _claim_key(user, key, fingerprint):
    """Return (new record, None), or (None, response) for a key already used."""
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=user, key=key, fingerprint=fingerprint
            )
        return record, None
    except IntegrityError:
        pass
    existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if existing is None:
        return _claim_key(user, key, fingerprint)
    if existing.fingerprint != fingerprint:
        return None, api_error(
            422,
            f"This {HEADER} was already used for a different request; "
            "use a new key for a new request.",
        )
    if existing.status_code is None:
        if timezone.now() - existing.created_at > ABANDONED_AFTER:
            existing.delete()
            return _claim_key(user, key, fingerprint)
        return None, api_error(
            409, f"A request with this {HEADER} is still being processed; retry later."
        )
    return None, _replay(existing)


def _replay(record) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _store_response(record, response) -> None:
    if response.status_code >= 500 or response.streaming:
        record.delete()
        return
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")
    record.body = response.content
    record.save(update_fields=["status_code", "content_type", "body"])
