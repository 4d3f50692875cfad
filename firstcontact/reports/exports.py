"""CSV and XLSX exports of report tables, and of the referrals a user may see.

Both formats are safe to open in a spreadsheet: text that a spreadsheet would
run as a formula is written as text. CSV files are UTF-8 with a byte order mark,
so Excel reads accented names correctly. XLSX files hold real numbers, dates
and text cells, so phone numbers keep their leading zero.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from firstcontact.audit.services import record_event
from firstcontact.reports.tables import Column, Suppressed, Table

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BYTE_ORDER_MARK = "\ufeff"
# Characters that make Excel, LibreOffice or Google Sheets read a cell as a
# formula (or as the start of one), including the full-width forms.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# The most rows below the header that one XLSX sheet holds.
XLSX_MAX_ROWS = 1_048_575
XLSX_FORMATS = {
    "count": "#,##0",
    "number": "#,##0",
    "days": "#,##0.0",
    "rate": "#,##0.0",
    "percent": "0.0",
    "money": '"£"#,##0.00',
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
    "phone": "@",
    "text": "@",
}
INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


class ExportTooLarge(ValueError):
    """An export with more rows than a spreadsheet holds."""


def neutralise_formula(text: str) -> str:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def readable_phone(phone: str) -> str:
    """Group an all-digit UK number (01164960000 -> 01164 960000).

    A spreadsheet opening a CSV reads a run of digits as a number and drops
    the leading zero; a space keeps it as text.
    """
    digits = phone.strip()
    if digits.isdigit() and digits.startswith("0") and len(digits) > 6:
        return f"{digits[:5]} {digits[5:]}"
    return phone


def header_label(column: Column) -> str:
    return f"{column.label} (%)" if column.kind == "percent" else column.label


def csv_value(value, kind: str):
    if value is None:
        return ""
    if isinstance(value, Suppressed):
        return str(value)
    if kind == "datetime":
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if kind == "percent" or (kind == "days" and isinstance(value, float)):
        return f"{value:.1f}"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if kind == "phone":
        text = readable_phone(text)
    return neutralise_formula(text)


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value):
        return value


def csv_lines(columns: list[Column], rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BYTE_ORDER_MARK + writer.writerow([header_label(c) for c in columns])
    for row in rows:
        yield writer.writerow([csv_value(row.get(c.key), c.kind) for c in columns])


def table_csv(table: Table) -> str:
    return "".join(csv_lines(table.columns, table.all_rows()))


def _xlsx_cell(sheet, value, kind: str) -> WriteOnlyCell:
    if isinstance(value, Suppressed):
        value = str(value)
    elif kind == "datetime" and value is not None:
        # Excel has no time zones: write the London wall-clock time.
        value = timezone.localtime(value).replace(tzinfo=None)
    elif kind == "percent" and value is not None:
        value = round(value, 1)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # A string cell is never evaluated, even when it starts with "=".
        cell.data_type = "s"
    cell.number_format = XLSX_FORMATS.get(kind, "General")
    return cell


def sheet_title(title: str, taken: set[str]) -> str:
    base = INVALID_SHEET_CHARACTERS.sub(" ", title)[:31].strip() or "Sheet"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def _write_sheet(workbook, title, columns, rows, taken) -> None:
    sheet = workbook.create_sheet(sheet_title(title, taken))
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=header_label(column))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for count, row in enumerate(rows, start=1):
        if count > XLSX_MAX_ROWS:
            raise ExportTooLarge(
                f"More than {XLSX_MAX_ROWS:,} rows: choose a shorter period or "
                "download CSV."
            )
        sheet.append([_xlsx_cell(sheet, row.get(c.key), c.kind) for c in columns])


def workbook_bytes(sheets: list[tuple[str, list[Column], Iterable[dict]]]) -> bytes:
    """An XLSX file with one sheet per (title, columns, rows)."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for title, columns, rows in sheets:
        _write_sheet(workbook, title, columns, rows, taken)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def tables_xlsx(tables: list[Table]) -> bytes:
    return workbook_bytes([(t.title, t.columns, t.all_rows()) for t in tables])


def record_export(user, scheme, *, table, file_format, filters, rows, remote_addr):
    """Write the audit event every download writes: who took which table."""
    return record_event(
        "export.downloaded",
        scheme,
        actor=user,
        remote_addr=remote_addr,
        data={
            "table": table,
            "format": file_format,
            "filters": filters,
            "rows": rows,
        },
    )
