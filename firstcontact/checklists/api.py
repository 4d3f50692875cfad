from django.http import JsonResponse

from firstcontact.accounts.api_auth import api_error, api_view, read_json_body
from firstcontact.accounts.models import Role, Scope
from firstcontact.accounts.scoping import can_submit_checklists
from firstcontact.checklists.intake import submit_checklist
from firstcontact.directory.context import SchemeContext

STATUS_CODES = {"processed": 201, "duplicate": 200, "rejected": 400}


@api_view({"POST"}, scope=Scope.CHECKLISTS_WRITE)
def submit_checklist_api(request):
    user = request.user
    if not can_submit_checklists(user):
        return api_error(403, "Only referrers and the hub can submit checklists.")
    payload, error = read_json_body(request)
    if error:
        return error
    if user.role == Role.REFERRER and isinstance(payload, dict):
        referrer = payload.get("referrer")
        agency = referrer.get("agency") if isinstance(referrer, dict) else None
        if agency is not None and agency != user.agency.code:
            return JsonResponse(
                {
                    "external_id": payload.get("external_id"),
                    "status": "rejected",
                    "errors": [
                        {
                            "field": "referrer.agency",
                            "message": f"must be your own agency, {user.agency.code}.",
                        }
                    ],
                },
                status=400,
            )
    context = SchemeContext.load(user.scheme)
    result = submit_checklist(
        payload,
        context,
        channel="api",
        user=user,
        remote_addr=request.META.get("REMOTE_ADDR"),
    )
    return JsonResponse(result, status=STATUS_CODES[result["status"]])
