"""The agency inbox and the referral page, with the actions on a referral.

Views fetch referrals only through accounts.scoping, so a referral outside the
user's scope is a 404 exactly like a missing one. Every change goes through a
named operation in referrals/operations.py.
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from firstcontact.accounts.scoping import (
    can_act_for_agency,
    can_work_hub_queue,
    get_referral_for,
    referrals_for,
)
from firstcontact.audit.services import events_for, record_event
from firstcontact.delivery.messages import format_due
from firstcontact.directory.models import Agency, Question
from firstcontact.referrals import forms, operations
from firstcontact.referrals.models import (
    DeclineReason,
    HoldReason,
    Outcome,
    Priority,
    Status,
)

LONDON = ZoneInfo("Europe/London")

# Urgent referrals sort before routine ones.
PRIORITY_ORDER = Case(
    When(priority=Priority.URGENT, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def pagination_context(page, query: str) -> dict:
    """Return what referrals/_pagination.html needs for one page of a list.

    `query` is the list's other query parameters, ending in "&" when not empty.
    """
    return {
        "page_obj": page,
        "page_range": list(
            page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ),
        "page_query": query,
    }


# The agency inbox


@dataclass(frozen=True)
class InboxTab:
    key: str
    label: str
    statuses: frozenset
    ordering: tuple


INBOX_TABS = [
    InboxTab(
        "new",
        "New",
        frozenset({Status.REQUESTED}),
        (PRIORITY_ORDER, "forwarded_at", "id"),
    ),
    InboxTab(
        "active",
        "Accepted and in progress",
        frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
        (PRIORITY_ORDER, "forwarded_at", "id"),
    ),
    InboxTab(
        "closed",
        "Closed",
        frozenset({Status.COMPLETED, Status.REJECTED}),
        ("-updated_at", "id"),
    ),
]


@login_required
@require_GET
def inbox(request):
    """List the referrals sent to the user's agency, one status tab at a time."""
    if not can_act_for_agency(request.user):
        raise PermissionDenied
    tabs = {tab.key: tab for tab in INBOX_TABS}
    selected = tabs.get(request.GET.get("status", ""), INBOX_TABS[0])
    referrals = referrals_for(request.user)
    counts = {
        tab.key: referrals.filter(status__in=tab.statuses).count() for tab in INBOX_TABS
    }
    listed = referrals.filter(status__in=selected.statuses).order_by(*selected.ordering)
    page = Paginator(listed, settings.FIRSTCONTACT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    record_event(
        "referral.listed",
        request.user,
        actor=request.user,
        remote_addr=client_address(request),
        data={"channel": "web", "count": len(page.object_list), "page": page.number},
    )
    return render(
        request,
        "referrals/inbox.html",
        {
            "tabs": [(tab, counts[tab.key]) for tab in INBOX_TABS],
            "selected": selected,
            "rows": [
                {"referral": referral, "response": describe_response_due(referral)}
                for referral in page.object_list
            ],
            **pagination_context(page, f"status={selected.key}&"),
        },
    )


def describe_response_due(referral) -> dict | None:
    """Return when the agency must accept or decline the referral, if it still must.

    Returns None unless the referral waits for the agency and has a due date.
    """
    if referral.status != Status.REQUESTED or referral.due_at is None:
        return None
    return {
        "last_day": format_due(referral.due_at),
        "overdue": referral.due_at <= timezone.now(),
    }


# Actions on a referral


@dataclass(frozen=True)
class Action:
    """One button on the referral page, the form behind it and its operation."""

    name: str
    form_class: type
    operation: object
    for_hub: bool
    # Statuses in which the button is offered; the operation has the last word.
    statuses: frozenset
    success: str
    # False for actions that cannot apply to a referral held for want of consent.
    allowed_without_consent: bool = True

    def is_offered(self, user, referral) -> bool:
        if self.for_hub:
            may_act = can_work_hub_queue(user)
        else:
            may_act = can_act_for_agency(user) and referral.agency_id == user.agency_id
        held_without_consent = referral.status_reason == HoldReason.NO_CONSENT
        return (
            may_act
            and referral.status in self.statuses
            and (self.allowed_without_consent or not held_without_consent)
        )

    def is_permitted(self, user) -> bool:
        return can_work_hub_queue(user) if self.for_hub else can_act_for_agency(user)


ACTIONS = [
    Action(
        "accept",
        forms.ReferralActionForm,
        operations.accept_referral,
        for_hub=False,
        statuses=frozenset({Status.REQUESTED}),
        success="You accepted referral {reference}.",
    ),
    Action(
        "decline",
        forms.DeclineForm,
        operations.decline_referral,
        for_hub=False,
        statuses=frozenset({Status.REQUESTED, Status.ACCEPTED}),
        success="You declined referral {reference}. It has gone back to the hub.",
    ),
    Action(
        "start",
        forms.ReferralActionForm,
        operations.start_referral,
        for_hub=False,
        statuses=frozenset({Status.ACCEPTED}),
        success="Referral {reference} is now in progress.",
    ),
    Action(
        "complete",
        forms.CompleteForm,
        operations.complete_referral,
        for_hub=False,
        statuses=frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
        success="Referral {reference} is completed.",
    ),
    Action(
        "forward",
        forms.ReferralActionForm,
        operations.forward_referral,
        for_hub=True,
        statuses=frozenset({Status.DRAFT, Status.ON_HOLD}),
        success="Referral {reference} was sent to {agency}.",
        allowed_without_consent=False,
    ),
    Action(
        "hold",
        forms.HoldForm,
        operations.hold_referral,
        for_hub=True,
        statuses=frozenset({Status.DRAFT, Status.REQUESTED, Status.REJECTED}),
        success="Referral {reference} is on hold.",
    ),
    Action(
        "reroute",
        forms.RerouteForm,
        operations.reroute_referral,
        for_hub=True,
        statuses=frozenset(
            {Status.DRAFT, Status.REQUESTED, Status.REJECTED, Status.ON_HOLD}
        ),
        success="Referral {reference} was re-routed to {agency}.",
        allowed_without_consent=False,
    ),
    Action(
        "cancel",
        forms.CancelForm,
        operations.cancel_referral,
        for_hub=True,
        statuses=frozenset(
            {Status.DRAFT, Status.REQUESTED, Status.REJECTED, Status.ON_HOLD}
        ),
        success="Referral {reference} is cancelled.",
    ),
]
ACTIONS_BY_NAME = {action.name: action for action in ACTIONS}


def reroute_choices(referral) -> list[Agency]:
    """Return the provider agencies the referral could be re-routed to.

    The current agency is left out unless it declined the referral, because
    reroute_referral only sends a referral back to the same agency after a
    decline.
    """
    agencies = Agency.objects.filter(scheme_id=referral.scheme_id).order_by("name")
    return [
        agency
        for agency in agencies
        if agency.has_role("provider")
        and (agency.pk != referral.agency_id or referral.status == Status.REJECTED)
    ]


def build_action_form(action, referral, data=None):
    kwargs = {"auto_id": f"{action.name}-%s", "initial": {"version": referral.version}}
    if action.form_class is forms.RerouteForm:
        kwargs["agencies"] = reroute_choices(referral)
    return action.form_class(data, **kwargs)


def error_summary_items(action, form) -> list[dict]:
    """Return the form's errors as error summary items that link to the fields.

    The field partials in includes/fields/ give each field's first input the
    field's auto_id, which build_action_form prefixes with the action name.
    """
    items = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        if field is None or field.widget.is_hidden:
            anchor = f"{action.name}-form"
        else:
            anchor = form[name].auto_id
        items.extend({"text": error, "href": f"#{anchor}"} for error in errors)
    return items


@login_required
@require_POST
def act(request, referral_id, action_name):
    """Parse an action's form, call its operation and redirect on success."""
    referral = get_referral_for(request.user, referral_id)
    action = ACTIONS_BY_NAME.get(action_name)
    if action is None:
        raise Http404
    if not action.is_permitted(request.user):
        raise PermissionDenied
    form = build_action_form(action, referral, request.POST)
    if not form.is_valid():
        return render_detail(
            request,
            referral,
            failed=(action, form),
            errors=error_summary_items(action, form),
            status=400,
        )
    try:
        changed = action.operation(
            referral.pk,
            request.user,
            version=form.cleaned_data["version"],
            remote_addr=client_address(request),
            **form.operation_arguments(),
        )
    except operations.PermissionDenied:
        raise PermissionDenied from None
    except operations.StaleReferral as stale:
        # Show the referral as it is now, with fresh forms, so the user decides
        # again on what is current instead of resubmitting the stale page.
        current = get_referral_for(request.user, referral.pk)
        errors = [{"text": str(stale), "href": "#referral-summary"}]
        return render_detail(request, current, errors=errors, status=409)
    except operations.OperationError as failure:
        errors = [{"text": str(failure), "href": f"#{action.name}-form"}]
        return render_detail(
            request, referral, failed=(action, form), errors=errors, status=400
        )
    messages.success(
        request,
        action.success.format(reference=changed.reference, agency=changed.agency.name),
    )
    return redirect("referrals:detail", referral_id=changed.pk)


# The referral page


@login_required
@require_GET
def detail(request, referral_id):
    """Show one referral with its reasons, timeline and the user's actions."""
    referral = get_referral_for(request.user, referral_id)
    return render_detail(request, referral)


def render_detail(request, referral, *, failed=None, errors=(), status=200):
    """Render the referral page and record a "referral.viewed" event.

    `failed` is the (action, bound form) pair to show again with its errors.
    """
    record_event(
        "referral.viewed",
        referral,
        actor=request.user,
        person_id=referral.person_id,
        remote_addr=client_address(request),
        data={"channel": "web"},
    )
    action_forms = [
        (action, build_action_form(action, referral))
        for action in ACTIONS
        if action.is_offered(request.user, referral)
    ]
    if failed is not None:
        failed_action, failed_form = failed
        action_forms = [
            (action, failed_form if action is failed_action else form)
            for action, form in action_forms
        ]
    context = {
        "referral": referral,
        "person": referral.person,
        "checklist": referral.checklist,
        "status_reason": describe_status_reason(referral),
        "outcome": choice_label(Outcome, referral.outcome),
        "response": describe_response_due(referral),
        "reasons": describe_reasons(referral),
        "timeline": build_timeline(referral),
        "actions": {action.name: form for action, form in action_forms},
        "open_action": failed[0].name if failed else "",
        "errors": list(errors),
        "is_hub": can_work_hub_queue(request.user),
        "is_agency": can_act_for_agency(request.user),
        "hold_without_consent": referral.status_reason == HoldReason.NO_CONSENT,
    }
    return render(request, "referrals/detail.html", context, status=status)


def choice_label(choices, value) -> str:
    """Return the label of a value of a TextChoices class, or "" if it has none."""
    return choices(value).label if value in choices.values else ""


def describe_status_reason(referral) -> str:
    """Return the plain-English reason for a decline or a hold, if any."""
    reason = referral.status_reason
    if referral.status == Status.REJECTED:
        return choice_label(DeclineReason, reason)
    if referral.status == Status.ON_HOLD:
        return choice_label(HoldReason, reason)
    if reason == "superseded":
        return "A later checklist made a new referral for this service"
    return ""


def describe_reasons(referral) -> list[dict]:
    """Return the answers and rules behind the referral, with each question's text.

    The text comes from the checklist's own version, so an old referral keeps
    the wording the person was asked.
    """
    codes = [reason.get("question") for reason in referral.reasons]
    questions = {
        question.code: question.text
        for question in Question.objects.filter(
            checklist_version_id=referral.checklist.checklist_version_id,
            code__in=codes,
        )
    }
    return [
        {
            "question": questions.get(reason.get("question"), reason.get("question")),
            "answer": str(reason.get("answer", "")).capitalize(),
            "rule": reason.get("rule", ""),
        }
        for reason in referral.reasons
    ]


def describe_event(event, agency_names) -> str:
    """Return one audit event of a referral as a line of its history."""
    data = event.data or {}
    match event.action:
        case "referral.forwarded":
            return "Sent to the agency"
        case "referral.held":
            label = choice_label(HoldReason, data.get("reason"))
            return f"Put on hold: {label}" if label else "Put on hold"
        case "referral.rerouted":
            source = agency_names.get(data.get("from_agency"), data.get("from_agency"))
            target = agency_names.get(data.get("to_agency"), data.get("to_agency"))
            return f"Re-routed from {source} to {target}"
        case "referral.cancelled":
            return "Cancelled"
        case "referral.accepted":
            return "Accepted"
        case "referral.declined":
            label = choice_label(DeclineReason, data.get("reason"))
            return f"Declined: {label}" if label else "Declined"
        case "referral.started":
            return "Work started"
        case "referral.completed":
            label = choice_label(Outcome, data.get("outcome"))
            return f"Completed: {label}" if label else "Completed"
        case "referral.reminded":
            return "The agency was reminded that its response is overdue"
        case "referral.escalated":
            return "Overdue, so the hub was told"
        case "referral.released":
            return "The person gave consent, so it is back with the hub"
        case "consent.overridden":
            return "Sent without the person's consent; the reason is recorded"
    return event.action


def describe_actor(actor) -> str:
    if actor is None:
        return "First Contact"
    name = actor.get_full_name() or actor.username
    return f"{name}, {actor.agency.name}" if actor.agency else name


def build_timeline(referral) -> list[dict]:
    """Return the referral's changes, oldest first, with times in Europe/London.

    Views of the page are audited too but left out here, because every visit
    would add a line.
    """
    agency_names = dict(
        Agency.objects.filter(scheme_id=referral.scheme_id).values_list("code", "name")
    )
    checklist = referral.checklist
    created = {
        "at": referral.created_at.astimezone(LONDON),
        "what": f"Created from checklist {checklist.reference}",
        "who": f"{checklist.worker_name}, {checklist.agency.name}",
    }
    events = (
        events_for(referral)
        .exclude(action="referral.viewed")
        .select_related("actor__agency")
        .order_by("at", "id")
    )
    return [created] + [
        {
            "at": event.at.astimezone(LONDON),
            "what": describe_event(event, agency_names),
            "who": describe_actor(event.actor),
        }
        for event in events
    ]
