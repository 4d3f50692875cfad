"""The referrer's checklist form: from the form to the confirmation."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from firstcontact.checklists import views as checklist_views
from firstcontact.checklists.forms import ChecklistForm, DateInputField
from firstcontact.checklists.models import Checklist
from firstcontact.directory.models import ChecklistVersion, Question, Service

pytestmark = pytest.mark.django_db

NEW = "/checklists/new/"


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def token_of(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, "the form has no token"
    return match.group(1)


def form_data(token: str, **changes) -> dict:
    """A valid form for an invented person in Hinckley, as a browser posts it
    from the check-your-answers page."""
    visit = days_ago(3)
    data = {
        "action": "send",
        "token": token,
        "checklist_version": "1",
        "visit_date_day": str(visit.day),
        "visit_date_month": str(visit.month),
        "visit_date_year": str(visit.year),
        "given_name": "Margaret",
        "family_name": "Ellison",
        "date_of_birth_day": "14",
        "date_of_birth_month": "3",
        "date_of_birth_year": "1941",
        "address_line_1": "1 Example Street",
        "postcode": "le10 0ju",
        "phone": "01455 000000",
        "lives_alone": "yes",
        "consent_share": "yes",
        "answer_benefits": "yes",
        "answer_lonely": "yes",
        "answer_smoke-alarm": "no",
        "answer_fire-risk": "no",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def referrer_client(client, referrer):
    client.force_login(referrer)
    return client


def test_form_asks_the_schemes_current_questions(referrer_client, scheme):
    response = referrer_client.get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    questions = Question.objects.filter(checklist_version__scheme=scheme)
    assert questions.count() == 18
    for question in questions:
        assert question.text.replace("'", "&#x27;") in html
        assert f'name="answer_{question.code}"' in html
    # Dates are GOV.UK date inputs; the visit date starts as today.
    today = timezone.localdate()
    assert 'name="date_of_birth_day"' in html
    assert (
        f'name="visit_date_year" type="text" inputmode="numeric" value="{today.year}"'
        in html
    )
    # A referrer's agency comes from their account, not from the form.
    assert 'name="referrer_agency"' not in html
    assert 'name="checklist_version" value="1"' in html


def test_valid_checklist_is_sent_and_confirmed(referrer_client, referrer):
    token = token_of(referrer_client.get(NEW))
    response = referrer_client.post(NEW, form_data(token))
    assert response.status_code == 302

    checklist = Checklist.objects.get()
    assert response["Location"] == reverse("checklists:sent", args=[checklist.pk])
    assert checklist.external_id == f"WEB-{token}"
    assert checklist.channel == "web"
    assert checklist.agency.code == "fire-rescue"
    assert checklist.submitted_by == referrer
    assert checklist.worker_name == referrer.username
    assert checklist.person.postcode == "LE10 0JU"
    assert checklist.person.lives_alone is True
    assert checklist.answers == {
        "benefits": "yes",
        "lonely": "yes",
        "smoke-alarm": "no",
        "fire-risk": "no",
    }
    assert checklist.eligible

    html = referrer_client.get(response["Location"]).content.decode()
    assert "Checklist sent" in html
    assert "govuk-panel--confirmation" in html
    assert checklist.reference in html
    assert "The person is eligible for First Contact." in html
    # Referrals in plain English, with the agencies' names.
    assert "Benefits entitlement check" in html
    assert "The Pension Service (local)" in html
    assert "Befriending" in html
    assert "Age Concern Leicestershire and Rutland" in html
    assert "Home fire safety check" in html
    assert "Leicestershire Fire and Rescue Service" in html


def test_answers_are_checked_before_sending(referrer_client):
    token = token_of(referrer_client.get(NEW))
    data = form_data(
        token,
        action=None,
        except_agencies=["police"],
        safeguarding_concern="Line one\nLine <two>",
    )
    response = referrer_client.post(NEW, data)
    assert response.status_code == 200
    assert Checklist.objects.count() == 0
    html = response.content.decode()
    assert "Check your answers before sending the checklist" in html
    assert "Margaret Ellison" in html
    assert "14 March 1941" in html
    assert "LE10 0JU" in html
    assert "Leicestershire Constabulary" in html
    assert "Line one\nLine &lt;two&gt;" in html
    assert "Would you like a check that you receive all the benefits" in html
    assert 'formaction="/checklists/new/#id_date_of_birth"' in html
    # Everything posted goes round again, and sending it makes the checklist.
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert hidden["token"] == token
    assert hidden["given_name"] == "Margaret"
    assert 'name="except_agencies" value="police"' in html
    assert 'name="action" value="send"' in html

    changed = referrer_client.post(NEW, dict(data, action="change"))
    assert changed.status_code == 200
    changed_html = changed.content.decode()
    assert "New checklist" in changed_html
    assert 'value="Margaret"' in changed_html
    assert token_of(changed) == token
    assert Checklist.objects.count() == 0

    sent = referrer_client.post(NEW, dict(data, action="send"))
    assert sent.status_code == 302
    assert Checklist.objects.get().safeguarding_concern == "Line one\nLine <two>"


def test_invalid_form_goes_back_to_the_form_not_to_checking(referrer_client):
    token = token_of(referrer_client.get(NEW))
    response = referrer_client.post(NEW, form_data(token, action=None, postcode=""))
    html = response.content.decode()
    assert "Enter the person&#x27;s postcode" in html
    assert "Check your answers before sending the checklist" not in html


def test_agency_in_the_form_is_ignored_for_a_referrer(referrer_client):
    token = token_of(referrer_client.get(NEW))
    referrer_client.post(NEW, form_data(token, referrer_agency="police", worker="X"))
    checklist = Checklist.objects.get()
    assert checklist.agency.code == "fire-rescue"
    assert checklist.worker_name == "fire.referrer"


def test_services_not_referred_are_explained(referrer_client):
    token = token_of(referrer_client.get(NEW))
    response = referrer_client.post(
        NEW,
        form_data(token, except_agencies=["pension-service"]),
        follow=True,
    )
    html = response.content.decode()
    assert "Services not referred" in html
    assert (
        "The person did not want their details sent to The Pension Service (local)"
        in html
    )


def test_ineligible_checklist_says_why(referrer_client):
    token = token_of(referrer_client.get(NEW))
    response = referrer_client.post(
        NEW, form_data(token, date_of_birth_year="1990"), follow=True
    )
    html = response.content.decode()
    assert Checklist.objects.get().eligible is False
    assert "The person is not eligible for First Contact" in html
    assert "They were under 60 on the day of the visit." in html
    assert "Referrals made" not in html


def test_unanswered_questions_are_allowed(referrer_client):
    token = token_of(referrer_client.get(NEW))
    data = {k: v for k, v in form_data(token).items() if not k.startswith("answer_")}
    response = referrer_client.post(NEW, data, follow=True)
    assert Checklist.objects.get().answers == {}
    assert "None of the answers asked for help" in response.content.decode()


def test_invalid_form_keeps_every_value_and_saves_nothing(referrer_client):
    token = token_of(referrer_client.get(NEW))
    data = form_data(
        token,
        given_name="",
        family_name="O'Brien-Smith",
        date_of_birth_month="",
        postcode="LE1",
        consent_share=None,
        except_agencies=["police", "nhs-lcr"],
        safeguarding_concern="Worried about <b>money</b>",
        **{"answer_home-security": "yes"},
    )
    response = referrer_client.post(NEW, data)
    assert response.status_code == 200
    assert Checklist.objects.count() == 0
    html = response.content.decode()

    assert html.count("<title>Error: New checklist - First Contact</title>") == 1
    # The error summary links to each field with an error.
    assert '<a href="#id_given_name">Enter the person&#x27;s first name</a>' in html
    assert '<a href="#id_date_of_birth">Date of birth must include a month</a>' in html
    assert '<a href="#id_postcode">Enter a real postcode, such as LE10 0JU</a>' in html
    assert '<a href="#id_consent_share">Select yes if the person agrees' in html
    assert 'id="id_given_name-error"' in html
    assert "govuk-form-group--error" in html
    # Everything typed is shown again, escaped.
    assert 'value="O&#x27;Brien-Smith"' in html
    assert 'name="date_of_birth_day" type="text" inputmode="numeric" value="14"' in html
    assert (
        'name="date_of_birth_year" type="text" inputmode="numeric" value="1941"' in html
    )
    assert 'value="LE1"' in html
    assert 'value="01455 000000"' in html
    assert re.search(
        r'name="answer_home-security" type="radio" value="yes" checked', html
    )
    assert re.search(r'name="answer_benefits" type="radio" value="yes" checked', html)
    assert re.search(
        r'name="except_agencies" type="checkbox" value="police" checked', html
    )
    assert re.search(
        r'name="except_agencies" type="checkbox" value="nhs-lcr" checked', html
    )
    assert "Worried about &lt;b&gt;money&lt;/b&gt;" in html
    # The same token goes round again, so a later send is still one checklist.
    assert token_of(response) == token


def test_dates_are_checked(referrer_client):
    token = token_of(referrer_client.get(NEW))
    tomorrow = days_ago(-1)
    response = referrer_client.post(
        NEW,
        form_data(
            token,
            date_of_birth_day="30",
            date_of_birth_month="2",
            visit_date_day=str(tomorrow.day),
            visit_date_month=str(tomorrow.month),
            visit_date_year=str(tomorrow.year),
        ),
    )
    html = response.content.decode()
    assert "Date of birth must be a real date" in html
    assert "Date of the visit must be today or in the past" in html
    assert Checklist.objects.count() == 0


def test_refusing_consent_with_agencies_ticked_is_an_error(referrer_client):
    token = token_of(referrer_client.get(NEW))
    response = referrer_client.post(
        NEW, form_data(token, consent_share="no", except_agencies=["police"])
    )
    assert 'href="#id_except_agencies"' in response.content.decode()
    assert Checklist.objects.count() == 0


def test_sending_the_same_form_twice_makes_one_checklist(referrer_client):
    token = token_of(referrer_client.get(NEW))
    first = referrer_client.post(NEW, form_data(token))
    second = referrer_client.post(NEW, form_data(token, given_name="Changed"))
    assert Checklist.objects.count() == 1
    assert first["Location"] == second["Location"]
    html = referrer_client.get(second["Location"]).content.decode()
    assert Checklist.objects.get().reference in html
    assert "You had already sent this checklist" in html
    assert Checklist.objects.get().person.given_name == "Margaret"


def test_each_new_form_has_its_own_token(referrer_client):
    assert token_of(referrer_client.get(NEW)) != token_of(referrer_client.get(NEW))


def test_mangled_token_is_replaced(referrer_client):
    response = referrer_client.post(NEW, form_data("not a token!"))
    assert response.status_code == 200
    assert Checklist.objects.count() == 0
    assert "This form could not be sent" in response.content.decode()
    new_token = token_of(response)
    assert new_token != "not a token!"
    assert referrer_client.post(NEW, form_data(new_token)).status_code == 302


def test_intake_errors_land_on_their_fields(referrer_client, monkeypatch):
    def reject(payload, *args, **kwargs):
        return {
            "external_id": payload["external_id"],
            "status": "rejected",
            "errors": [
                {"field": "person.date_of_birth", "message": "is after the visit."},
                {"field": "answers.smoke-alarm", "message": 'must be "yes" or "no".'},
                {"field": "checklist_version", "message": "version 9 does not exist."},
            ],
        }

    monkeypatch.setattr(checklist_views, "submit_checklist", reject)
    token = token_of(referrer_client.get(NEW))
    html = referrer_client.post(NEW, form_data(token)).content.decode()
    assert '<a href="#id_date_of_birth">Date of birth is after the visit</a>' in html
    assert 'href="#id_answer_smoke-alarm"' in html
    assert "checklist_version version 9 does not exist" in html
    assert 'value="Margaret"' in html


def test_field_paths_map_to_form_fields(scheme, context):
    form = ChecklistForm(
        questions=context.questions[1],
        checklist_version=1,
        agencies=context.agencies.values(),
        choose_agency=True,
    )
    assert form.field_for_path("person.given_name") == "given_name"
    assert form.field_for_path("person.date_of_birth") == "date_of_birth"
    assert form.field_for_path("visit_date") == "visit_date"
    assert form.field_for_path("consent.share") == "consent_share"
    assert form.field_for_path("consent.except_agencies[1]") == "except_agencies"
    assert form.field_for_path("answers.fire-risk") == "answer_fire-risk"
    assert form.field_for_path("answers.no-such-question") is None
    assert form.field_for_path("referrer.agency") == "referrer_agency"
    assert form.field_for_path("external_id") is None


def test_hub_chooses_the_agency_and_worker(client, hub_user):
    client.force_login(hub_user)
    response = client.get(NEW)
    assert 'name="referrer_agency"' in response.content.decode()
    token = token_of(response)
    missing = client.post(NEW, form_data(token))
    assert "Select the agency of the worker who visited" in missing.content.decode()
    client.post(
        NEW, form_data(token, referrer_agency="police", worker="PC Jane Example")
    )
    checklist = Checklist.objects.get()
    assert checklist.agency.code == "police"
    assert checklist.worker_name == "PC Jane Example"
    assert checklist.submitted_by == hub_user


def test_agency_user_cannot_use_the_form(client, agency_user):
    client.force_login(agency_user)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data("a" * 22)).status_code == 403
    assert Checklist.objects.count() == 0


def test_anonymous_users_are_sent_to_sign_in(client, scheme):
    response = client.get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/checklists/new/" in response["Location"]
    response = client.post(NEW, form_data("a" * 22))
    assert response.status_code == 302
    assert Checklist.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (["14", "3", "1941"], datetime.date(1941, 3, 14)),
        ([" 14 ", "03", "1941"], datetime.date(1941, 3, 14)),
        (["14", "March", "1941"], datetime.date(1941, 3, 14)),
        (["14", "mar", "1941"], datetime.date(1941, 3, 14)),
    ],
)
def test_date_input_reads_what_people_type(typed, expected):
    assert DateInputField(label="Date of birth").clean(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (["", "", ""], "Enter the date"),
        (["14", "", ""], "Date of birth must include a month and a year"),
        (["31", "4", "1941"], "Date of birth must be a real date"),
        (["1", "1", "41"], "Year must include 4 numbers"),
        (["1st", "1", "1941"], "Date of birth must be a real date"),
    ],
)
def test_date_input_explains_what_is_wrong(typed, message):
    field = DateInputField(
        label="Date of birth", error_messages={"required": "Enter the date"}
    )
    with pytest.raises(ValidationError) as error:
        field.clean(typed)
    assert error.value.messages == [message]


def test_form_uses_the_highest_checklist_version(referrer_client, scheme):
    version = ChecklistVersion.objects.create(scheme=scheme, version=2)
    Question.objects.create(
        checklist_version=version,
        position=1,
        code="version-two",
        text="Is this the second version?",
        refer_on="yes",
        service=Service.objects.get(scheme=scheme, code="befriending"),
    )
    html = referrer_client.get(NEW).content.decode()
    assert 'name="checklist_version" value="2"' in html
    assert "Is this the second version?" in html
    assert "Do you often feel lonely" not in html


def test_form_opened_on_an_older_version_keeps_its_questions(referrer_client, scheme):
    token = token_of(referrer_client.get(NEW))
    ChecklistVersion.objects.create(scheme=scheme, version=2)
    response = referrer_client.post(NEW, form_data(token, postcode=""))
    html = response.content.decode()
    assert 'name="checklist_version" value="1"' in html
    assert re.search(r'name="answer_lonely" type="radio" value="yes" checked', html)
    assert referrer_client.post(NEW, form_data(token)).status_code == 302
    assert Checklist.objects.get().checklist_version.version == 1
