"""The referrer's pages: the checklist form, its confirmation, and their checklists.

The hub may use the form too, to type up a paper checklist for any agency.
Every record is fetched through firstcontact.accounts.scoping, so a checklist
outside the user's scope is a 404 like one that does not exist.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from firstcontact.accounts import scoping
from firstcontact.accounts.models import Role
from firstcontact.audit.services import record_event
from firstcontact.checklists import eligibility
from firstcontact.checklists.forms import ChecklistForm
from firstcontact.checklists.intake import submit_checklist, today_in_london
from firstcontact.directory.context import SchemeContext
from firstcontact.directory.models import Service
from firstcontact.referrals.models import Referral
from firstcontact.referrals.routing import DUPLICATE_OPEN_REFERRAL, NO_CONSENT


def _remote_addr(request):
    return request.META.get("REMOTE_ADDR") or None


def _require_submitter(user):
    """Only referrers (with an agency) and the hub may send checklists."""
    if not scoping.can_submit_checklists(user) or user.scheme_id is None:
        raise PermissionDenied("Only referrers and the hub can send checklists.")
    if user.role == Role.REFERRER and not user.agency_id:
        raise PermissionDenied("Your account has no agency; ask the hub to set it.")


def _version_to_show(request, context: SchemeContext) -> int:
    """The checklist version of the form: the one it was opened on, if it was
    posted and still exists, so a new version never loses typed answers;
    otherwise the scheme's highest version."""
    posted = request.POST.get("checklist_version", "")
    if posted.isdigit() and int(posted) in context.versions:
        return int(posted)
    return max(context.versions)


@login_required
@require_http_methods(["GET", "POST"])
def new_checklist(request):
    """The checklist form, then check your answers, then send.

    The form posts to itself three ways: with no action it is checked and the
    answers are shown for the user to check; action=change shows the form
    again with every answer; action=send sends it.
    """
    user = request.user
    _require_submitter(user)
    context = SchemeContext.load(user.scheme)
    if not context.versions:
        return render(request, "checklists/no_checklist.html", status=503)
    version = _version_to_show(request, context)
    today = today_in_london()
    form_options = {
        "questions": context.questions[version],
        "checklist_version": version,
        "agencies": context.agencies.values(),
        "choose_agency": user.role == Role.HUB,
        "today": today,
    }
    if request.method != "POST":
        form = ChecklistForm(initial={"visit_date": today}, **form_options)
        return render(request, "checklists/new.html", {"form": form})

    form = ChecklistForm(request.POST, **form_options)
    action = request.POST.get("action")
    if not form.is_valid() or action == "change":
        return render(request, "checklists/new.html", {"form": form})
    if action != "send":
        # Check your answers: everything posted goes round again as hidden fields.
        hidden = [
            (name, value)
            for name in request.POST
            if name not in ("csrfmiddlewaretoken", "action")
            for value in request.POST.getlist(name)
        ]
        return render(
            request,
            "checklists/check.html",
            {"form": form, "sections": form.summary(), "hidden": hidden},
        )

    payload = form.payload(
        agency_code=user.agency.code if user.agency_id else "",
        worker=user.get_full_name() or user.username,
    )
    result = submit_checklist(
        payload, context, channel="web", user=user, remote_addr=_remote_addr(request)
    )
    if result["status"] == "rejected":
        form.add_intake_errors(result["errors"])
        return render(request, "checklists/new.html", {"form": form})
    if result["status"] == "duplicate":
        messages.info(
            request,
            "You had already sent this checklist, so it was not sent again. This "
            "is what happened to it.",
        )
    return redirect("checklists:sent", pk=result["checklist_id"])


# ---------------------------------------------------------------------------
# Plain-English descriptions of what became of a checklist.
# ---------------------------------------------------------------------------


def eligibility_reason_texts(checklist) -> list[str]:
    """Why a checklist is not eligible, one sentence per reason."""
    scheme = checklist.scheme
    district = checklist.district.name if checklist.district else "their district"
    texts = {
        eligibility.UNDER_MINIMUM_AGE: (
            f"They were under {scheme.minimum_age} on the day of the visit."
        ),
        eligibility.OUT_OF_AREA: "They live outside the area the scheme covers.",
        eligibility.POSTCODE_NOT_FOUND: (
            f"Their postcode, {checklist.person.postcode}, was not found, so we "
            "could not tell which district they live in."
        ),
        eligibility.DISTRICT_NOT_LIVE: (
            f"The scheme had not started in {district} on the day of the visit."
        ),
        eligibility.SELF_REFERRAL_NOT_ACCEPTED: (
            "The scheme only takes checklists from partner agencies' workers."
        ),
    }
    return [
        texts.get(code, code.replace("_", " ").capitalize() + ".")
        for code in checklist.ineligibility_reasons
    ]


@dataclass
class NotReferred:
    service: str
    reason: str


def _held_services(checklist) -> set[str]:
    """Codes of the services held because the person did not consent.

    They stay out of the referrals made even after a later checklist has
    superseded the hold, as in intake's result object.
    """
    return {
        entry.get("service")
        for entry in checklist.not_referred
        if entry.get("reason") == NO_CONSENT
    }


def referrals_made(checklist, referrals) -> list:
    held = _held_services(checklist)
    return [r for r in referrals if r.service.code not in held]


def split_referrals(checklist):
    """The checklist's referrals that were made, and the services not referred.

    A referral held because the person did not consent to its agency was not
    made: it is listed, with the reason, among the services not referred.
    """
    referrals = list(
        checklist.referrals.select_related("service", "agency").order_by(
            "service__name"
        )
    )
    made = referrals_made(checklist, referrals)
    held_by_service = {r.service.code: r for r in referrals if r not in made}
    service_names = dict(
        Service.objects.filter(
            scheme_id=checklist.scheme_id,
            code__in=[item.get("service") for item in checklist.not_referred],
        ).values_list("code", "name")
    )
    not_referred = []
    for item in checklist.not_referred:
        code = item.get("service", "")
        reason = item.get("reason")
        if reason == NO_CONSENT:
            referral = held_by_service.get(code)
            if not checklist.consent_share:
                text = "The person did not agree to their details being shared."
            elif referral is not None:
                text = (
                    "The person did not want their details sent to "
                    f"{referral.agency.name}, which provides this service."
                )
            else:
                text = (
                    "The person did not want their details sent to the agency "
                    "that provides this service."
                )
        elif reason == DUPLICATE_OPEN_REFERRAL:
            text = "The person already has an open referral for this service."
        else:
            text = str(reason or "")
        not_referred.append(NotReferred(service_names.get(code, code), text))
    return made, not_referred


def _decision_context(checklist) -> dict:
    made, not_referred = split_referrals(checklist)
    return {
        "checklist": checklist,
        "ineligibility_reasons": eligibility_reason_texts(checklist),
        "referrals": made,
        "not_referred": not_referred,
    }


@login_required
@require_GET
def checklist_sent(request, pk):
    """The confirmation after sending a checklist (and after sending it twice)."""
    checklist = scoping.get_checklist_for(request.user, pk)
    record_event(
        "checklist.viewed",
        checklist,
        actor=request.user,
        person_id=checklist.person_id,
        remote_addr=_remote_addr(request),
        data={"page": "sent"},
    )
    return render(request, "checklists/sent.html", _decision_context(checklist))


@login_required
@require_GET
def my_checklists(request):
    user = request.user
    _require_submitter(user)
    checklists = (
        scoping.checklists_for(user)
        .filter(submitted_by=user)
        .order_by("-received_at")
        .prefetch_related(
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("service", "agency").order_by(
                    "service__name"
                ),
            )
        )
    )
    page = Paginator(checklists, settings.FIRSTCONTACT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for checklist in page:
        checklist.referrals_made = referrals_made(checklist, checklist.referrals.all())
    return render(request, "checklists/mine.html", {"page": page})


@login_required
@require_GET
def checklist_detail(request, pk):
    user = request.user
    checklist = scoping.get_checklist_for(user, pk)
    record_event(
        "checklist.viewed",
        checklist,
        actor=user,
        person_id=checklist.person_id,
        remote_addr=_remote_addr(request),
    )
    context = _decision_context(checklist)
    questions = checklist.checklist_version.questions.all()
    context["answers"] = [
        (question.text, checklist.answers.get(question.code)) for question in questions
    ]
    except_codes = set(checklist.consent_except)
    context["except_agencies"] = (
        list(
            checklist.scheme.agencies.filter(code__in=except_codes).values_list(
                "name", flat=True
            )
        )
        if except_codes
        else []
    )
    return render(request, "checklists/detail.html", context)
