"""CSV and XLSX downloads: scope, spreadsheet safety, types and the audit trail."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from firstcontact.audit.models import AuditEvent
from firstcontact.people.models import Person
from firstcontact.referrals.models import AGENCY_VISIBLE_STATUSES, Referral
from firstcontact.reports.exports import (
    neutralise_formula,
    readable_phone,
    table_csv,
    tables_xlsx,
)
from firstcontact.reports.tables import SUPPRESSED, Column, Table


def csv_rows(response) -> list[list[str]]:
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


@pytest.fixture
def awkward_person(activity):
    """A person whose details a spreadsheet could mangle or run."""
    referral = next(r for r in activity.referrals if r.status == "completed")
    Person.objects.filter(pk=referral.person_id).update(
        given_name='=HYPERLINK("http://example.invalid")',
        family_name="Ólafsdóttir-Nuñez",
        phone="01164960000",
    )
    return referral


def test_csv_starts_with_byte_order_mark(client_for, manager, activity):
    response = client_for(manager).get("/reports/export/referrals.csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")


def test_csv_keeps_accented_names(client_for, manager, awkward_person):
    rows = csv_rows(client_for(manager).get("/reports/export/referrals.csv"))
    assert any("Ólafsdóttir-Nuñez" in row for row in rows)


def test_csv_neutralises_formulas(client_for, manager, awkward_person):
    rows = csv_rows(client_for(manager).get("/reports/export/referrals.csv"))
    given_names = [row[3] for row in rows[1:]]
    assert '\'=HYPERLINK("http://example.invalid")' in given_names


def test_csv_has_no_cell_that_starts_a_formula(client_for, manager, awkward_person):
    rows = csv_rows(client_for(manager).get("/reports/export/referrals.csv"))
    assert not [cell for row in rows for cell in row if cell and cell[0] in "=+-@"]


def test_csv_keeps_leading_zero_of_phone(client_for, manager, awkward_person):
    rows = csv_rows(client_for(manager).get("/reports/export/referrals.csv"))
    phones = {row[6] for row in rows[1:]}
    assert "01164 960000" in phones


def test_csv_writes_dates_as_iso(client_for, manager, activity):
    rows = csv_rows(client_for(manager).get("/reports/export/referrals.csv"))
    header = rows[0]
    visit = rows[1][header.index("Visit date")]
    assert datetime.date.fromisoformat(visit)


def test_xlsx_writes_dates_as_date_cells(client_for, manager, activity):
    sheet = workbook(client_for(manager).get("/reports/export/referrals.xlsx")).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Visit date") + 1)
    assert (cell.is_date, type(cell.value)) == (True, datetime.datetime)


def test_xlsx_keeps_phone_as_text(client_for, manager, awkward_person):
    sheet = workbook(client_for(manager).get("/reports/export/referrals.xlsx")).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("Phone") + 1
    phones = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    cell = next(c for c in phones if c.value == "01164960000")
    assert cell.data_type == "s"


def test_xlsx_writes_formula_text_as_string(client_for, manager, awkward_person):
    sheet = workbook(client_for(manager).get("/reports/export/referrals.xlsx")).active
    formulas = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_xlsx_keeps_accented_names(client_for, manager, awkward_person):
    sheet = workbook(client_for(manager).get("/reports/export/referrals.xlsx")).active
    values = {c.value for row in sheet.iter_rows() for c in row}
    assert "Ólafsdóttir-Nuñez" in values


def test_table_xlsx_holds_numbers(client_for, manager, activity):
    response = client_for(manager).get("/reports/export/dashboard/funnel.xlsx")
    sheet = workbook(response).active
    assert isinstance(sheet.cell(row=2, column=2).value, int)


def test_all_tables_xlsx_has_a_sheet_per_table(client_for, manager, activity):
    response = client_for(manager).get("/reports/export/dashboard/all.xlsx")
    assert len(workbook(response).sheetnames) >= 10


def test_table_csv_matches_page_table(client_for, manager, activity):
    response = client_for(manager).get("/reports/export/dashboard/funnel.csv")
    rows = csv_rows(response)
    made = Referral.objects.exclude(status="entered-in-error").count()
    assert rows[1][:2] == ["Referrals made", str(made)]


def test_unknown_table_is_not_found(client_for, manager, activity):
    response = client_for(manager).get("/reports/export/dashboard/nothing.csv")
    assert response.status_code == 404


def test_export_records_audit_event(client_for, manager, activity):
    client_for(manager).get("/reports/export/dashboard/funnel.csv")
    event = AuditEvent.objects.get(action="export.downloaded")
    assert (event.actor, event.data["table"], event.data["format"]) == (
        manager,
        "dashboard.funnel",
        "csv",
    )


def test_referral_export_records_audit_event(client_for, manager, activity):
    client_for(manager).get("/reports/export/referrals.xlsx")
    event = AuditEvent.objects.get(action="export.downloaded")
    assert (event.data["table"], event.data["rows"]) == (
        "referrals",
        Referral.objects.exclude(status="entered-in-error").count(),
    )


def test_agency_export_holds_only_its_referrals(client_for, make_user, activity):
    user = make_user("fire.agency", "agency", "fire-rescue")
    rows = csv_rows(client_for(user).get("/reports/export/referrals.csv"))
    expected = set(
        Referral.objects.filter(
            agency__code="fire-rescue", status__in=AGENCY_VISIBLE_STATUSES
        ).values_list("reference", flat=True)
    )
    assert {row[0] for row in rows[1:]} == expected


def test_agency_export_names_no_other_agency(client_for, make_user, activity):
    user = make_user("fire.agency", "agency", "fire-rescue")
    rows = csv_rows(client_for(user).get("/reports/export/referrals.csv"))
    header = rows[0]
    receiving = {row[header.index("Receiving agency")] for row in rows[1:]}
    assert receiving == {"Leicestershire Fire and Rescue Service"}


def test_agency_table_exports_name_no_other_agency(client_for, make_user, activity):
    user = make_user("fire.agency", "agency", "fire-rescue")
    response = client_for(user).get("/reports/export/dashboard/all.xlsx")
    book = workbook(response)
    sheet = book["Referrals by receiving agency"]
    names = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert names == {"Leicestershire Fire and Rescue Service", "Total"}


def test_agency_export_leaves_out_people_of_other_agencies(
    client_for, make_user, activity
):
    user = make_user("fire.agency", "agency", "fire-rescue")
    body = b"".join(
        client_for(user).get("/reports/export/referrals.csv").streaming_content
    ).decode()
    others = Referral.objects.exclude(person__referrals__agency__code="fire-rescue")
    addresses = {r.person.address_line_1 for r in others.select_related("person")}
    assert not [a for a in addresses if f",{a}," in body]


def test_executive_cannot_export_referrals(client_for, executive, activity):
    response = client_for(executive).get("/reports/export/referrals.csv")
    assert response.status_code == 403


def test_neutralise_formula_prefixes_each_trigger():
    triggers = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1"]
    assert [neutralise_formula(t)[0] for t in triggers] == ["'"] * len(triggers)


def test_neutralise_formula_leaves_plain_text():
    assert neutralise_formula("Smith") == "Smith"


def test_readable_phone_keeps_spaced_number():
    assert readable_phone("0116 496 0000") == "0116 496 0000"


def test_suppressed_cell_exports_as_text():
    table = Table(
        "t", "T", [Column("name", "Name"), Column("people", "People", "count")]
    )
    table.rows = [{"name": "Melton", "people": SUPPRESSED}]
    assert table_csv(table).splitlines()[1] == "Melton,fewer than 5"


def test_sheet_names_stay_unique_and_short():
    tables = [
        Table(
            f"t{n}", "A title much longer than Excel's thirty-one", [Column("a", "A")]
        )
        for n in range(2)
    ]
    book = load_workbook(io.BytesIO(tables_xlsx(tables)))
    assert [len(name) <= 31 for name in book.sheetnames] == [True, True]
