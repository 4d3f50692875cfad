"""The quarterly progress report: figures, formats and the command."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from firstcontact.audit.models import AuditEvent
from firstcontact.checklists.models import Checklist
from firstcontact.referrals.models import Referral
from firstcontact.reports.executive import (
    build_executive_report,
    financial_year_name,
    quarter_start,
)
from firstcontact.reports.rendering import render_html, render_json, render_pdf
from tests.reports.conftest import build_activity

AS_OF = datetime.date(2009, 11, 25)
# The county council's November 2009 figures, as the report must state them.
REPORT_FIGURES = ["55,000", "30,760", "54,489", "120,000", "10,909", "10,000"]


@pytest.fixture
def report(scheme):
    return build_executive_report(
        scheme,
        AS_OF,
        Checklist.objects.filter(scheme=scheme),
        Referral.objects.filter(scheme=scheme),
    )


@pytest.fixture
def pdf_text(report) -> str:
    reader = PdfReader(io.BytesIO(render_pdf(report)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_quarter_starts_in_october():
    assert quarter_start(AS_OF) == datetime.date(2009, 10, 1)


def test_financial_year_of_january_is_previous_year():
    assert financial_year_name(datetime.date(2010, 1, 15)) == "2009/10"


@pytest.mark.parametrize("figure", REPORT_FIGURES)
def test_pdf_states_report_figure(pdf_text, figure):
    assert figure in pdf_text


def test_pdf_says_eleven_partners(pdf_text):
    assert "eleven partners" in pdf_text


def test_pdf_names_harborough_contribution(pdf_text):
    assert "Harborough District Council" in pdf_text


def test_pdf_has_rollout_dates(pdf_text):
    assert "Live since 1 July 2009" in pdf_text


def test_pdf_starts_with_pdf_header(report):
    assert render_pdf(report).startswith(b"%PDF-")


@pytest.mark.parametrize("figure", REPORT_FIGURES)
def test_html_states_report_figure(report, figure):
    assert figure in render_html(report)


def test_rollout_shows_districts_not_yet_live(report):
    states = {r["district"]: r["state"] for r in report.table("rollout").rows}
    assert states["Melton"] == "Goes live 1 March 2010"


def test_rollout_shows_pilot_turned_live(report):
    states = {r["district"]: r["state"] for r in report.table("rollout").rows}
    assert states["North West Leicestershire"] == "Live since 1 July 2009"


def test_json_gives_budget_in_pounds(report):
    funding = json.loads(render_json(report))["funding"]
    assert (funding[0]["budget"], funding[0]["spent"]["amount"]) == (
        "55000.00",
        "30760.00",
    )


def test_json_gives_share_per_partner(report):
    funding = json.loads(render_json(report))["funding"]
    assert (
        funding[1]["expected_contributors"],
        funding[1]["share_per_contributor"],
    ) == (
        11,
        "10909.09",
    )


def test_json_leaves_out_spending_reported_after_date(scheme):
    early = build_executive_report(
        scheme,
        datetime.date(2009, 10, 15),
        Checklist.objects.filter(scheme=scheme),
        Referral.objects.filter(scheme=scheme),
    )
    assert json.loads(render_json(early))["funding"][0]["spent"]["amount"] is None


def test_volumes_count_quarter_and_year(scheme):
    build_activity(scheme, checklists=40, first_visit=datetime.date(2009, 5, 1))
    report = build_executive_report(
        scheme,
        AS_OF,
        Checklist.objects.filter(scheme=scheme),
        Referral.objects.filter(scheme=scheme),
    )
    in_year = Checklist.objects.filter(
        visit_date__gte="2009-04-01", visit_date__lte=AS_OF
    )
    total = report.table("volumes").total
    assert (total["checklists_year"], total["checklists_period"]) == (
        in_year.count(),
        in_year.filter(visit_date__gte="2009-10-01").count(),
    )


def test_outcomes_count_completed_in_year(scheme):
    build_activity(scheme, checklists=40, first_visit=datetime.date(2009, 5, 1))
    report = build_executive_report(
        scheme,
        AS_OF,
        Checklist.objects.filter(scheme=scheme),
        Referral.objects.filter(scheme=scheme),
    )
    completed = Referral.objects.filter(
        status="completed",
        checklist__visit_date__gte="2009-04-01",
        checklist__visit_date__lte=AS_OF,
    ).count()
    row = next(r for r in report.table("outcomes").rows if r["stage"] == "Completed")
    assert row["year"] == completed


def test_command_writes_pdf(scheme, tmp_path):
    output = tmp_path / "report.pdf"
    call_command(
        "report",
        "executive",
        "--as-of",
        "2009-11-25",
        "--format",
        "pdf",
        "--output",
        str(output),
        stderr=io.StringIO(),
    )
    text = "\n".join(p.extract_text() for p in PdfReader(output).pages)
    assert "54,489" in text


def test_command_writes_json_to_standard_output(scheme, capsysbinary):
    call_command("report", "executive", "--as-of", "2009-11-25", "--format", "json")
    document = json.loads(capsysbinary.readouterr().out)
    assert document["as_of"] == "2009-11-25"


def test_command_records_export(scheme, tmp_path):
    call_command(
        "report",
        "executive",
        "--as-of",
        "2009-11-25",
        "--output",
        str(tmp_path / "r"),
        stderr=io.StringIO(),
    )
    assert AuditEvent.objects.filter(action="export.downloaded").count() == 1


def test_command_rejects_bad_date(scheme):
    with pytest.raises(CommandError):
        call_command("report", "executive", "--as-of", "25/11/2009")
