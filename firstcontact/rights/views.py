"""The hub's and administrators' pages for a person's rights.

Find a person, see what is held about them, download it (subject access),
correct it, or erase it. Records come only from accounts.scoping, and every
change calls a named operation in rights.operations.
"""

import functools
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from firstcontact.accounts.scoping import (
    can_serve_rights,
    can_work_hub_queue,
    checklists_for,
    get_person_for,
    people_for,
    referrals_for,
)
from firstcontact.audit.services import record_event
from firstcontact.people.matching import name_key
from firstcontact.referrals import operations as referral_operations
from firstcontact.referrals.models import OPEN_STATUSES
from firstcontact.rights import operations
from firstcontact.rights.forms import CorrectionForm, ErasureForm, PersonSearchForm
from firstcontact.rights.models import Erasure
from firstcontact.rights.subject_access import subject_access_data

MAX_RESULTS = 50


def rights_only(view):
    """Send anonymous users to sign in; return 403 to all but the hub and admins."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_serve_rights(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _form_errors(form) -> list[dict]:
    return [
        {"text": error, "href": f"#{form[name].auto_id}" if name in form.fields else ""}
        for name, field_errors in form.errors.items()
        for error in field_errors
    ]


def find_people(user, form):
    """Return the people in the user's scope who match the search form."""
    people = people_for(user)
    reference = form.cleaned_data["reference"]
    if reference:
        checklists = checklists_for(user).filter(reference=reference)
        referrals = referrals_for(user).filter(reference=reference)
        return people.filter(
            pk__in=[
                *checklists.values_list("person_id", flat=True),
                *referrals.values_list("person_id", flat=True),
            ]
        )
    people = people.filter(family_key=name_key(form.cleaned_data["family_name"]))
    if form.cleaned_data["given_name"]:
        people = people.filter(given_key=name_key(form.cleaned_data["given_name"]))
    if form.cleaned_data["date_of_birth"]:
        people = people.filter(date_of_birth=form.cleaned_data["date_of_birth"])
    return people


@rights_only
@require_http_methods(["GET", "POST"])
def search(request):
    """Find a person; the search is posted so names stay out of URLs and logs."""
    if request.method != "POST":
        return render(request, "rights/search.html", {"form": PersonSearchForm()})
    form = PersonSearchForm(request.POST)
    if not form.is_valid():
        return render(request, "rights/search.html", {"form": form}, status=400)
    people = list(
        find_people(request.user, form)
        .select_related("district", "erasure")
        .order_by("family_name", "given_name", "date_of_birth")[:MAX_RESULTS]
    )
    record_event(
        "person.searched",
        request.user,
        actor=request.user,
        data={
            "by": sorted(name for name, value in form.cleaned_data.items() if value),
            "results": len(people),
        },
    )
    return render(
        request,
        "rights/search.html",
        {"form": form, "people": people, "searched": True},
    )


def _person_context(request, person) -> dict:
    return {
        "person": person,
        "erasure": Erasure.objects.filter(person=person).first(),
        "checklists": checklists_for(request.user)
        .filter(person=person)
        .order_by("-received_at"),
        "referrals": referrals_for(request.user)
        .filter(person=person)
        .order_by("-created_at"),
        "is_hub": can_work_hub_queue(request.user),
    }


@rights_only
@require_GET
def person_page(request, person_id):
    person = get_person_for(request.user, person_id)
    record_event("person.viewed", person, actor=request.user, person_id=person.pk)
    return render(request, "rights/person.html", _person_context(request, person))


def _record_subject_access(request, person, file_format):
    record_event(
        "person.subject_access_exported",
        person,
        actor=request.user,
        person_id=person.pk,
        data={"format": file_format},
    )


@rights_only
@require_GET
def subject_access_json(request, person_id):
    """Download everything held about the person as JSON."""
    person = get_person_for(request.user, person_id)
    data = subject_access_data(person)
    _record_subject_access(request, person, "json")
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="firstcontact-subject-access-{person.pk}.json"'
    )
    return response


@rights_only
@require_GET
def subject_access_page(request, person_id):
    """Show everything held about the person as a page to print and send."""
    person = get_person_for(request.user, person_id)
    data = subject_access_data(person)
    _record_subject_access(request, person, "html")
    return render(request, "rights/subject_access.html", {"data": data})


@rights_only
@require_http_methods(["GET", "POST"])
def correct(request, person_id):
    person = get_person_for(request.user, person_id)
    if request.method != "POST":
        form = CorrectionForm.for_person(person)
        return render(request, "rights/correct.html", {"person": person, "form": form})
    form = CorrectionForm.for_person(person, request.POST)
    if not form.is_valid():
        return render(
            request, "rights/correct.html", {"person": person, "form": form}, status=400
        )
    try:
        changed = operations.correct_person(
            person.pk, request.user, changes=form.changes()
        )
    except referral_operations.PermissionDenied:
        raise PermissionDenied from None
    except referral_operations.OperationError as failure:
        return render(
            request,
            "rights/correct.html",
            {"person": person, "form": form, "errors": [{"text": str(failure)}]},
            status=400,
        )
    if changed:
        messages.success(request, f"Corrected: {', '.join(changed)}.")
    else:
        messages.info(request, "Nothing was changed.")
    return redirect("rights:person", person_id=person.pk)


@rights_only
@require_http_methods(["GET", "POST"])
def erase(request, person_id):
    person = get_person_for(request.user, person_id)
    context = {
        "person": person,
        "open_referrals": referrals_for(request.user).filter(
            person=person, status__in=OPEN_STATUSES
        ),
    }
    if request.method != "POST":
        form = ErasureForm(auto_id="erase-%s")
        return render(request, "rights/erase.html", {**context, "form": form})
    form = ErasureForm(request.POST, auto_id="erase-%s")
    if not form.is_valid():
        return render(
            request, "rights/erase.html", {**context, "form": form}, status=400
        )
    try:
        operations.erase_person(person.pk, request.user)
    except referral_operations.PermissionDenied:
        raise PermissionDenied from None
    except referral_operations.OperationError as failure:
        errors = [{"text": str(failure)}]
        return render(
            request,
            "rights/erase.html",
            {**context, "form": form, "errors": errors},
            status=400,
        )
    messages.success(request, "The person's details are erased.")
    return redirect("rights:person", person_id=person.pk)
