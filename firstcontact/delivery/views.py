"""The hub's failed-deliveries page and each user's notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from firstcontact.accounts.scoping import can_work_hub_queue
from firstcontact.delivery import services
from firstcontact.referrals.operations import OperationError

MAX_LISTED = 200


@login_required
@require_GET
def failed_deliveries_page(request):
    if not can_work_hub_queue(request.user):
        raise PermissionDenied
    scheme = request.user.scheme
    context = {
        "failed": services.failed_deliveries(scheme)[:MAX_LISTED],
        "overdue": services.overdue_referrals(scheme).select_related(
            "agency", "service"
        )[:MAX_LISTED],
    }
    return render(request, "delivery/failed_deliveries.html", context)


@login_required
@require_POST
def retry_delivery_view(request, message_id):
    if not can_work_hub_queue(request.user):
        raise PermissionDenied
    try:
        services.retry_delivery(
            message_id, request.user, remote_addr=request.META.get("REMOTE_ADDR")
        )
    except OperationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The delivery will be tried again in a moment.")
    return redirect("delivery:failed")


@login_required
@require_GET
def notifications_page(request):
    notifications = services.notifications_for(request.user)[:MAX_LISTED]
    return render(
        request,
        "delivery/notifications.html",
        {
            "notifications": notifications,
            "unread": services.unread_notification_count(request.user),
        },
    )


@login_required
@require_POST
def mark_read_view(request):
    services.mark_notifications_read(request.user)
    return redirect("delivery:notifications")
