"""The executive report as HTML, PDF (WeasyPrint) and JSON."""

import datetime
import json
from decimal import Decimal

from django.template.loader import render_to_string

from firstcontact.reports.executive import ExecutiveReport, long_date
from firstcontact.reports.tables import Suppressed, Table

DOCUMENT_TEMPLATE = "reports/executive_document.html"


def report_context(report: ExecutiveReport) -> dict:
    return {
        "report": report,
        "sections": [
            {"table": table, "heading_id": f"section-{table.key}"}
            for table in report.tables
        ],
        "as_of_text": long_date(report.as_of),
        "period_text": f"{long_date(report.period_start)} to {long_date(report.as_of)}",
        "year_text": f"{long_date(report.year_start)} to {long_date(report.as_of)}",
    }


def render_html(report: ExecutiveReport) -> str:
    """Render the report as one self-contained HTML document, ready to print."""
    return render_to_string(
        DOCUMENT_TEMPLATE, {**report_context(report), "printable": True}
    )


def render_pdf(report: ExecutiveReport) -> bytes:
    # WeasyPrint loads Pango when imported, so only the PDF path pays for it.
    from weasyprint import HTML

    return HTML(string=render_html(report)).write_pdf()


def _json_value(value):
    if isinstance(value, Suppressed):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def table_as_json(table: Table) -> dict:
    return {
        "key": table.key,
        "title": table.title,
        "columns": [
            {"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns
        ],
        "rows": [
            {c.key: _json_value(row.get(c.key)) for c in table.columns}
            for row in table.all_rows()
        ],
        "notes": table.notes,
    }


def render_json(report: ExecutiveReport) -> str:
    document = {
        **report.facts,
        "summary": report.funding_summary,
        "tables": [table_as_json(t) for t in report.tables],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
