"""The hub's checklist page: review a checklist and override its eligibility."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from firstcontact.accounts.scoping import (
    can_work_hub_queue,
    get_checklist_for,
    referrals_for,
)
from firstcontact.audit.services import record_event
from firstcontact.checklists import eligibility
from firstcontact.checklists.hub_forms import OverrideEligibilityForm
from firstcontact.checklists.operations import (
    mark_checklist_reviewed,
    override_eligibility,
)
from firstcontact.directory.models import Agency, District, Question, Service
from firstcontact.referrals import operations
from firstcontact.referrals.models import Status
from firstcontact.referrals.routing import DUPLICATE_OPEN_REFERRAL, NO_CONSENT


def hub_only(view):
    """Send anonymous users to sign in and return 403 to users outside the hub."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_work_hub_queue(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def describe_ineligibility(checklist) -> list[str]:
    """Return the checklist's ineligibility reasons as plain-English sentences."""
    scheme = checklist.scheme
    district = checklist.district.name if checklist.district else "The district"
    texts = {
        eligibility.UNDER_MINIMUM_AGE: (
            f"The person was under {scheme.minimum_age} on the visit date"
        ),
        eligibility.POSTCODE_NOT_FOUND: (
            "The postcode was not found in the ONS Postcode Directory"
        ),
        eligibility.OUT_OF_AREA: "The postcode is outside the scheme's districts",
        eligibility.DISTRICT_NOT_LIVE: (
            f"{district} had not joined the scheme on the visit date"
        ),
        eligibility.SELF_REFERRAL_NOT_ACCEPTED: (
            "The scheme does not accept self-referrals"
        ),
    }
    return [texts.get(code, code) for code in checklist.ineligibility_reasons]


NOT_REFERRED_TEXTS = {
    NO_CONSENT: "The person did not consent to sharing with the agency that "
    "provides this service, so the referral is held",
    DUPLICATE_OPEN_REFERRAL: "The person already has an open referral for this service",
}


def describe_not_referred(checklist) -> list[dict]:
    codes = [entry.get("service") for entry in checklist.not_referred]
    names = dict(
        Service.objects.filter(
            scheme_id=checklist.scheme_id, code__in=codes
        ).values_list("code", "name")
    )
    return [
        {
            "service": names.get(entry.get("service"), entry.get("service")),
            "reason": NOT_REFERRED_TEXTS.get(entry.get("reason"), entry.get("reason")),
        }
        for entry in checklist.not_referred
    ]


def describe_answers(checklist) -> list[dict]:
    """Return every question of the checklist's own version with its answer."""
    questions = Question.objects.filter(
        checklist_version_id=checklist.checklist_version_id
    ).select_related("service")
    rows = []
    for question in questions:
        answer = checklist.answers.get(question.code)
        rows.append(
            {
                "code": question.code,
                "text": question.text,
                "answer": answer.capitalize() if answer else "Not answered",
                "service": question.service.name if answer == question.refer_on else "",
            }
        )
    return rows


def build_override_form(checklist, data=None):
    return OverrideEligibilityForm(
        data,
        auto_id="override-%s",
        districts=District.objects.filter(scheme_id=checklist.scheme_id),
        needs_district=checklist.district_id is None,
    )


def render_detail(request, checklist, *, override_form=None, errors=(), status=200):
    """Render the checklist page and record a "checklist.viewed" event."""
    record_event(
        "checklist.viewed",
        checklist,
        actor=request.user,
        person_id=checklist.person_id,
        remote_addr=client_address(request),
        data={"channel": "web"},
    )
    consent_except = dict(
        Agency.objects.filter(
            scheme_id=checklist.scheme_id, code__in=checklist.consent_except
        ).values_list("code", "name")
    )
    referrals = (
        referrals_for(request.user)
        .filter(checklist=checklist)
        .order_by("service__name", "id")
    )
    context = {
        "checklist": checklist,
        "person": checklist.person,
        "answers": describe_answers(checklist),
        "ineligibility": describe_ineligibility(checklist),
        "consent_except": [
            consent_except.get(code, code) for code in checklist.consent_except
        ],
        "referrals": referrals,
        "not_referred": describe_not_referred(checklist),
        "override_form": override_form or build_override_form(checklist),
        "errors": list(errors),
        "is_new": checklist.hub_status == checklist.HubStatus.NEW,
    }
    return render(request, "checklists/hub/detail.html", context, status=status)


@hub_only
@require_GET
def detail(request, checklist_id):
    """Show a checklist with its answers, eligibility, consent and referrals."""
    checklist = get_checklist_for(request.user, checklist_id)
    return render_detail(request, checklist)


@hub_only
@require_POST
def review(request, checklist_id):
    checklist = get_checklist_for(request.user, checklist_id)
    try:
        mark_checklist_reviewed(
            checklist.pk, request.user, remote_addr=client_address(request)
        )
    except operations.PermissionDenied:
        raise PermissionDenied from None
    messages.success(request, f"Checklist {checklist.reference} is marked as reviewed.")
    return redirect("checklists_hub:detail", checklist_id=checklist.pk)


@hub_only
@require_POST
def override(request, checklist_id):
    """Treat an ineligible checklist as eligible, which creates its referrals."""
    checklist = get_checklist_for(request.user, checklist_id)
    form = build_override_form(checklist, request.POST)
    if not form.is_valid():
        errors = [
            {"text": error, "href": f"#override-{name}"}
            for name, field_errors in form.errors.items()
            for error in field_errors
        ]
        return render_detail(
            request, checklist, override_form=form, errors=errors, status=400
        )
    try:
        override_eligibility(
            checklist.pk,
            request.user,
            reason=form.cleaned_data["reason"],
            district_code=form.cleaned_data["district_code"] or None,
            remote_addr=client_address(request),
        )
    except operations.PermissionDenied:
        raise PermissionDenied from None
    except operations.OperationError as failure:
        errors = [{"text": str(failure), "href": "#override-reason"}]
        return render_detail(
            request, checklist, override_form=form, errors=errors, status=400
        )
    waiting = (
        referrals_for(request.user)
        .filter(checklist_id=checklist.pk, status=Status.DRAFT)
        .count()
    )
    messages.success(
        request,
        f"Checklist {checklist.reference} is now treated as eligible. "
        f"{waiting} {'referral is' if waiting == 1 else 'referrals are'} "
        "waiting to be sent.",
    )
    return redirect("checklists_hub:detail", checklist_id=checklist.pk)
