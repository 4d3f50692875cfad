from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import JsonResponse
from django.urls import reverse

from firstcontact.accounts.api_auth import api_error, api_view, read_json_body
from firstcontact.accounts.models import Scope
from firstcontact.accounts.scoping import get_referral_for, referrals_for
from firstcontact.audit.services import record_event
from firstcontact.consent.services import current_consent
from firstcontact.referrals import operations
from firstcontact.referrals.models import Referral, Status


def referral_summary(referral: Referral) -> dict:
    return {
        "id": str(referral.pk),
        "reference": referral.reference,
        "service": referral.service.code,
        "agency": referral.agency.code,
        "district": referral.district.code,
        "status": referral.status,
        "status_reason": referral.status_reason or None,
        "priority": referral.priority,
        "outcome": referral.outcome or None,
        "checklist_id": str(referral.checklist_id),
        "created_at": referral.created_at.isoformat(),
        "updated_at": referral.updated_at.isoformat(),
        "version": referral.version,
    }


def referral_detail(referral: Referral) -> dict:
    person = referral.person
    return {
        **referral_summary(referral),
        "reasons": referral.reasons,
        "status_note": referral.status_note,
        # "given", "refused" or "withdrawn": may the agency have the details now.
        "consent": current_consent(person, referral.agency).decision,
        "person": {
            "id": str(person.pk),
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "address_line_1": person.address_line_1,
            "postcode": person.postcode,
            "phone": person.phone,
        },
    }


@api_view({"GET"}, scope=Scope.REFERRALS_READ)
def list_referrals_api(request):
    referrals = referrals_for(request.user).order_by("-created_at", "id")
    status = request.GET.get("status")
    if status and status not in Status.values:
        return api_error(400, f"status must be one of: {', '.join(Status.values)}.")
    if status:
        referrals = referrals.filter(status=status)
    paginator = Paginator(referrals, settings.FIRSTCONTACT_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (EmptyPage, PageNotAnInteger):
        return api_error(404, "That page does not exist.")
    next_url = None
    if page.has_next():
        query = request.GET.copy()
        query["page"] = page.next_page_number()
        next_url = request.build_absolute_uri(
            f"{reverse('api:referral-list')}?{query.urlencode()}"
        )
    results = [referral_summary(r) for r in page.object_list]
    record_event(
        "referral.listed",
        request.user,
        actor=request.user,
        remote_addr=request.META.get("REMOTE_ADDR"),
        data={"count": len(results), "page": page.number},
    )
    return JsonResponse(
        {"count": paginator.count, "next": next_url, "results": results}
    )


@api_view({"GET"}, scope=Scope.REFERRALS_READ)
def referral_detail_api(request, referral_id):
    referral = get_referral_for(request.user, referral_id)
    record_event(
        "referral.viewed",
        referral,
        actor=request.user,
        person_id=referral.person_id,
        remote_addr=request.META.get("REMOTE_ADDR"),
        data={"channel": "api"},
    )
    return JsonResponse(referral_detail(referral))


ACTIONS = {
    "accept": (operations.accept_referral, []),
    "decline": (operations.decline_referral, ["reason", "note"]),
    "start": (operations.start_referral, []),
    "complete": (operations.complete_referral, ["outcome", "note"]),
    "forward": (operations.forward_referral, []),
}


@api_view({"POST"}, scope=Scope.REFERRALS_WRITE)
def referral_action_api(request, referral_id, action):
    referral = get_referral_for(request.user, referral_id)
    if action not in ACTIONS:
        return api_error(404, "Not found.")
    payload, error = read_json_body(request) if request.body else ({}, None)
    if error:
        return error
    if not isinstance(payload, dict):
        return api_error(400, "The request body must be a JSON object.")
    operation, fields = ACTIONS[action]
    arguments = {name: str(payload.get(name, "")) for name in fields}
    try:
        referral = operation(
            referral.pk,
            request.user,
            version=payload.get("version"),
            remote_addr=request.META.get("REMOTE_ADDR"),
            **arguments,
        )
    except operations.PermissionDenied as denied:
        return api_error(403, str(denied))
    except operations.StaleReferral as stale:
        return api_error(409, str(stale))
    except operations.OperationError as failure:
        return api_error(400, str(failure))
    referral = get_referral_for(request.user, referral.pk)
    return JsonResponse(referral_summary(referral))
