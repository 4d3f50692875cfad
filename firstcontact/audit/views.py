"""The audit search: who viewed, exported, created or changed which record.

Scheme managers and administrators search their scheme's trail by person, by
user, by action and by date, as in "who saw this person's file last month".
"""

import datetime
import functools
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from firstcontact.accounts.scoping import (
    audit_events_for,
    can_search_audit,
    checklists_for,
    referrals_for,
)
from firstcontact.audit.forms import AuditSearchForm
from firstcontact.audit.services import record_event


def audit_only(view):
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_search_audit(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def person_ids_for(user, form) -> list:
    """Return the person ids the "person" filter names: an id or a reference."""
    value = form.cleaned_data["person"]
    if form.is_reference():
        return [
            *checklists_for(user)
            .filter(reference=value)
            .values_list("person_id", flat=True),
            *referrals_for(user)
            .filter(reference=value)
            .values_list("person_id", flat=True),
        ]
    try:
        return [uuid.UUID(value)]
    except ValueError:
        return []


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_events(user, form):
    events = audit_events_for(user)
    data = form.cleaned_data
    if data["person"]:
        events = events.filter(person_id__in=person_ids_for(user, form))
    if data["user"]:
        events = events.filter(actor__username=data["user"].strip())
    if data["action"]:
        events = events.filter(action__startswith=data["action"].strip())
    if data["date_from"]:
        events = events.filter(at__gte=_start_of(data["date_from"]))
    if data["date_to"]:
        next_day = data["date_to"] + datetime.timedelta(days=1)
        events = events.filter(at__lt=_start_of(next_day))
    return events.select_related("actor__agency").order_by("-at", "-id")


def _query_without_page(request) -> str:
    query = {key: value for key, value in request.GET.items() if key != "page"}
    encoded = urlencode(query)
    return f"{encoded}&" if encoded else ""


@audit_only
@require_GET
def search(request):
    """List the audit events that match the filters, newest first."""
    form = AuditSearchForm(request.GET or None)
    context = {"form": form, "searched": False}
    if request.GET and form.is_valid():
        page = Paginator(
            filter_events(request.user, form), settings.FIRSTCONTACT_PAGE_SIZE
        ).get_page(request.GET.get("page"))
        record_event(
            "audit.searched",
            request.user,
            actor=request.user,
            data={
                "filters": sorted(k for k, v in form.cleaned_data.items() if v),
                "page": page.number,
            },
        )
        context.update(
            searched=True,
            page_obj=page,
            page_range=list(
                page.paginator.get_elided_page_range(
                    page.number, on_each_side=2, on_ends=1
                )
            ),
            page_query=_query_without_page(request),
        )
    status = 400 if request.GET and not form.is_valid() else 200
    return render(request, "audit/search.html", context, status=status)
