"""Administrators' pages: the access review and deactivating a user."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from firstcontact.accounts.access_review import review_csv, review_rows
from firstcontact.accounts.lockout import client_address
from firstcontact.accounts.scoping import (
    accounts_for,
    can_manage_accounts,
    get_account_for,
)
from firstcontact.accounts.services import AccountError, deactivate_user
from firstcontact.audit.services import record_event


@login_required
def access_review_page(request):
    """List every user of the scheme by agency; ?format=csv downloads it."""
    if not can_manage_accounts(request.user):
        raise PermissionDenied
    rows = review_rows(accounts_for(request.user))
    wants_csv = request.GET.get("format") == "csv"
    record_event(
        "user.access_review_viewed",
        request.user,
        actor=request.user,
        remote_addr=client_address(request),
        data={"format": "csv" if wants_csv else "html", "users": len(rows)},
    )
    if wants_csv:
        response = HttpResponse(review_csv(rows), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="access-review.csv"'
        return response
    return render(request, "accounts/access_review.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def deactivate_user_page(request, user_id):
    """Confirm, then deactivate a user: sessions end and tokens stop at once."""
    if not can_manage_accounts(request.user):
        raise PermissionDenied
    account = get_account_for(request.user, user_id)
    if request.method == "GET":
        return render(request, "accounts/deactivate.html", {"account": account})
    try:
        deactivate_user(
            account, actor=request.user, remote_addr=client_address(request)
        )
    except AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{account.username} is deactivated. Their sessions have ended and "
            "their API tokens no longer work.",
        )
    return redirect("accounts:access-review")
