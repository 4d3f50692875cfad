"""The hub queue: what needs the hub's action, first things first."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from firstcontact.accounts.scoping import (
    checklists_for,
    consent_records_for,
    referrals_for,
)
from firstcontact.audit.services import record_event
from firstcontact.checklists.hub_views import describe_ineligibility, hub_only
from firstcontact.checklists.models import Checklist
from firstcontact.consent.models import Decision
from firstcontact.delivery.services import with_failed_delivery
from firstcontact.directory.models import District, Question, Service
from firstcontact.referrals.forms import QueueFilterForm
from firstcontact.referrals.models import Status
from firstcontact.referrals.views import (
    PRIORITY_ORDER,
    describe_status_reason,
    pagination_context,
)

# Rows of each section shown on the overview, which links to the full list.
PREVIEW_ROWS = 10
# How long a withdrawal of consent stays in the queue.
WITHDRAWALS_SHOWN_FOR = datetime.timedelta(days=30)


@dataclass(frozen=True)
class QueueSection:
    key: str
    title: str
    # "referral", "checklist" or "consent": which records the section lists.
    kind: str
    empty_text: str


# In the order the hub should work through them.
SECTIONS = [
    QueueSection(
        "safeguarding",
        "Safeguarding concerns",
        "checklist",
        "No new checklists raise a safeguarding concern.",
    ),
    QueueSection(
        "failed-delivery",
        "Delivery failed",
        "referral",
        "Every referral sent has reached its agency.",
    ),
    QueueSection(
        "overdue",
        "Overdue with agencies",
        "referral",
        "No agency is late in answering a referral.",
    ),
    QueueSection(
        "consent-withdrawn",
        "Consent withdrawn",
        "consent",
        "No one has withdrawn consent in the last 30 days.",
    ),
    QueueSection(
        "declined",
        "Declined by agencies",
        "referral",
        "No referrals are waiting to be re-routed.",
    ),
    QueueSection(
        "to-forward",
        "Waiting to be sent",
        "referral",
        "No referrals are waiting to be sent.",
    ),
    QueueSection("on-hold", "On hold", "referral", "No referrals are on hold."),
    QueueSection(
        "new-checklists",
        "New checklists",
        "checklist",
        "No new checklists are waiting for review.",
    ),
    QueueSection(
        "ineligible",
        "Ineligible checklists",
        "checklist",
        "No new checklists are ineligible.",
    ),
]
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


@dataclass(frozen=True)
class QueueFilters:
    district: str
    service: str
    sort: str


def asks_for_service(scheme_id, service_code) -> Q:
    """Match checklists whose answers ask for the service, referred or not.

    A checklist's questions depend on its version, so the condition names the
    version with each question's answer.
    """
    condition = Q(pk__in=[])
    questions = Question.objects.filter(
        checklist_version__scheme_id=scheme_id, service__code=service_code
    )
    for question in questions:
        condition |= Q(
            checklist_version_id=question.checklist_version_id,
            **{f"answers__{question.code}": question.refer_on},
        )
    return condition


def filter_referrals(referrals, filters: QueueFilters):
    if filters.district:
        referrals = referrals.filter(district__code=filters.district)
    if filters.service:
        referrals = referrals.filter(service__code=filters.service)
    if filters.sort == "newest":
        return referrals.order_by("-created_at", "-id")
    if filters.sort == "oldest":
        return referrals.order_by("created_at", "id")
    return referrals.order_by(PRIORITY_ORDER, "created_at", "id")


def filter_checklists(checklists, filters: QueueFilters, scheme_id):
    if filters.district:
        checklists = checklists.filter(district__code=filters.district)
    if filters.service:
        checklists = checklists.filter(asks_for_service(scheme_id, filters.service))
    if filters.sort == "newest":
        return checklists.order_by("-received_at", "-id")
    # Checklists have no priority, so "urgent first" lists them oldest first.
    return checklists.order_by("received_at", "id")


def build_sections(user, filters: QueueFilters) -> dict:
    """Return each section's queryset. A record appears in one section at most."""
    referrals = filter_referrals(referrals_for(user), filters)
    new_checklists = filter_checklists(
        checklists_for(user)
        .filter(hub_status=Checklist.HubStatus.NEW)
        .select_related("scheme"),
        filters,
        user.scheme_id,
    )
    without_concern = new_checklists.filter(safeguarding_concern="")
    failed = with_failed_delivery(referrals)
    return {
        "safeguarding": new_checklists.exclude(safeguarding_concern=""),
        "failed-delivery": failed,
        "overdue": referrals.filter(
            status=Status.REQUESTED, due_at__lte=timezone.now()
        ).exclude(pk__in=failed.values("pk")),
        "consent-withdrawn": recent_withdrawals(user, filters),
        "declined": referrals.filter(status=Status.REJECTED).exclude(
            pk__in=failed.values("pk")
        ),
        "to-forward": referrals.filter(status=Status.DRAFT),
        "on-hold": referrals.filter(status=Status.ON_HOLD),
        "new-checklists": without_concern.filter(eligible=True),
        "ineligible": without_concern.filter(eligible=False),
    }


def recent_withdrawals(user, filters: QueueFilters):
    """Withdrawals of consent in the last 30 days, newest first.

    The service filter does not apply: a withdrawal is about agencies.
    """
    records = (
        consent_records_for(user)
        .filter(
            decision=Decision.WITHDRAWN,
            recorded_at__gte=timezone.now() - WITHDRAWALS_SHOWN_FOR,
        )
        .select_related("person", "agency", "recorded_by")
    )
    if filters.district:
        records = records.filter(person__district__code=filters.district)
    return records.order_by("-recorded_at", "id")


def build_rows(section: QueueSection, records) -> list[dict]:
    if section.kind == "consent":
        return [{"record": record} for record in records]
    if section.kind == "referral":
        return [
            {"referral": referral, "reason": describe_status_reason(referral)}
            for referral in records
        ]
    return [
        {"checklist": checklist, "reasons": describe_ineligibility(checklist)}
        for checklist in records
    ]


@hub_only
@require_GET
def queue(request):
    """List what needs the hub's action, filtered by district and service.

    Without `section` the page shows the first rows of every section. With it,
    the page shows that section in full, one page at a time.
    """
    scheme_id = request.user.scheme_id
    form = QueueFilterForm(
        request.GET,
        districts=District.objects.filter(scheme_id=scheme_id),
        services=Service.objects.filter(scheme_id=scheme_id),
    )
    filters = QueueFilters(
        district=form.value_of("district"),
        service=form.value_of("service"),
        sort=form.value_of("sort") or "priority",
    )
    querysets = build_sections(request.user, filters)
    selected = SECTIONS_BY_KEY.get(request.GET.get("section", ""))
    record_event(
        "hub.queue_viewed",
        request.user,
        actor=request.user,
        data={"section": selected.key if selected else "overview"},
    )
    filter_query = form_query(filters)
    context = {
        "filter_form": form,
        "filters": filters,
        "filter_query": filter_query,
        "selected": selected,
        "navigation": [
            (section, querysets[section.key].count()) for section in SECTIONS
        ],
    }
    if selected is None:
        context["sections"] = [
            (
                section,
                count,
                build_rows(section, querysets[section.key][:PREVIEW_ROWS]),
            )
            for section, count in context["navigation"]
        ]
    else:
        page = Paginator(
            querysets[selected.key], settings.FIRSTCONTACT_PAGE_SIZE
        ).get_page(request.GET.get("page"))
        context["selected_count"] = page.paginator.count
        context["rows"] = build_rows(selected, page.object_list)
        context.update(
            pagination_context(page, f"section={selected.key}&{filter_query}")
        )
    return render(request, "hub/queue.html", context)


def form_query(filters: QueueFilters) -> str:
    """Return the filters as query parameters ending in "&", or "" for none."""
    parameters = {
        "district": filters.district,
        "service": filters.service,
        "sort": filters.sort if filters.sort != "priority" else "",
    }
    query = urlencode({name: value for name, value in parameters.items() if value})
    return f"{query}&" if query else ""
