"""The hub's consent page for one person: current consent, history, changes.

Records are fetched only through accounts.scoping; each change calls one named
operation in consent.operations or referrals.operations.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from firstcontact.accounts.scoping import get_person_for, referrals_for
from firstcontact.audit.services import record_event
from firstcontact.checklists.hub_views import hub_only
from firstcontact.consent import operations
from firstcontact.consent.forms import ConsentChangeForm, SendWithoutConsentForm
from firstcontact.consent.services import consent_by_agency
from firstcontact.directory.models import Agency
from firstcontact.referrals import operations as referral_operations
from firstcontact.referrals.models import HoldReason, Status


def _agencies(person):
    return list(Agency.objects.filter(scheme_id=person.scheme_id).order_by("name"))


def _held_referrals(user, person):
    """Return the person's open referrals that cannot go for want of consent."""
    return (
        referrals_for(user)
        .filter(person=person, status=Status.ON_HOLD)
        .filter(status_reason=HoldReason.NO_CONSENT)
        .order_by("created_at", "id")
    )


def _form_errors(form, prefix):
    return [
        {"text": error, "href": f"#{prefix}-{name}"}
        for name, field_errors in form.errors.items()
        for error in field_errors
    ]


def render_consent_page(request, person, *, forms=None, errors=(), status=200):
    """Render the consent page and record a "consent.viewed" event."""
    record_event("consent.viewed", person, actor=request.user, person_id=person.pk)
    agencies = _agencies(person)
    forms = forms or {}
    held = list(_held_referrals(request.user, person))
    context = {
        "person": person,
        "summary": consent_by_agency(person, agencies),
        "records": person.consent_records.select_related(
            "agency", "recorded_by", "source_checklist"
        ).order_by("-recorded_at"),
        "held": [
            (
                referral,
                forms.get(referral.pk)
                or SendWithoutConsentForm(
                    initial={"version": referral.version},
                    auto_id=f"send-{referral.pk}-%s",
                ),
            )
            for referral in held
        ],
        "withdraw_form": forms.get("withdraw")
        or ConsentChangeForm(agencies=agencies, auto_id="withdraw-%s"),
        "give_form": forms.get("give")
        or ConsentChangeForm(agencies=agencies, auto_id="give-%s"),
        "errors": list(errors),
    }
    return render(request, "consent/page.html", context, status=status)


@hub_only
@require_GET
def consent_page(request, person_id):
    person = get_person_for(request.user, person_id)
    return render_consent_page(request, person)


def _change_consent(request, person_id, key, operation, success):
    person = get_person_for(request.user, person_id)
    form = ConsentChangeForm(
        request.POST, agencies=_agencies(person), auto_id=f"{key}-%s"
    )
    if not form.is_valid():
        return render_consent_page(
            request,
            person,
            forms={key: form},
            errors=_form_errors(form, key),
            status=400,
        )
    try:
        change = operation(
            person.pk,
            request.user,
            agency_code=form.cleaned_data["agency_code"] or None,
            note=form.cleaned_data["note"],
        )
    except referral_operations.PermissionDenied:
        raise PermissionDenied from None
    except referral_operations.OperationError as failure:
        errors = [{"text": str(failure), "href": f"#{key}-agency_code"}]
        return render_consent_page(
            request, person, forms={key: form}, errors=errors, status=400
        )
    messages.success(request, success(change))
    return redirect("consent:page", person_id=person.pk)


def _describe_scope(change) -> str:
    agency = change.record.agency
    return agency.name if agency else "every agency"


@hub_only
@require_POST
def withdraw_view(request, person_id):
    return _change_consent(
        request,
        person_id,
        "withdraw",
        operations.withdraw_consent,
        lambda change: (
            f"Consent to share with {_describe_scope(change)} is withdrawn. "
            f"{len(change.referrals)} open referrals are on hold."
        ),
    )


@hub_only
@require_POST
def give_view(request, person_id):
    return _change_consent(
        request,
        person_id,
        "give",
        operations.give_consent,
        lambda change: (
            f"Consent to share with {_describe_scope(change)} is recorded. "
            f"{len(change.referrals)} held referrals are waiting to be sent."
        ),
    )


@hub_only
@require_POST
def send_without_consent_view(request, person_id, referral_id):
    """Forward a referral held for want of consent, with the hub's reason."""
    person = get_person_for(request.user, person_id)
    referral = _held_referrals(request.user, person).filter(pk=referral_id).first()
    if referral is None:
        return redirect("consent:page", person_id=person.pk)
    form = SendWithoutConsentForm(request.POST, auto_id=f"send-{referral.pk}-%s")
    if not form.is_valid():
        return render_consent_page(
            request,
            person,
            forms={referral.pk: form},
            errors=_form_errors(form, f"send-{referral.pk}"),
            status=400,
        )
    try:
        referral_operations.forward_referral(
            referral.pk,
            request.user,
            version=form.cleaned_data["version"],
            consent_override_reason=form.cleaned_data["reason"],
        )
    except referral_operations.PermissionDenied:
        raise PermissionDenied from None
    except referral_operations.OperationError as failure:
        errors = [{"text": str(failure), "href": f"#send-{referral.pk}-reason"}]
        return render_consent_page(
            request, person, forms={referral.pk: form}, errors=errors, status=400
        )
    messages.success(
        request,
        f"Referral {referral.reference} was sent to {referral.agency.name} "
        "without the person's consent. The reason is recorded.",
    )
    return redirect("consent:page", person_id=person.pk)
