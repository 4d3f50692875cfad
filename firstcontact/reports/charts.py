"""Bar charts as inline SVG, drawn on the server so pages need no JavaScript.

A chart draws one or two count columns of a report table. The table sits beside
it with the same numbers, so the chart is an image with a short description and
the table is what screen readers read.
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from firstcontact.reports.tables import Table, format_value

WIDTH = 460
LABEL_WIDTH = 170
VALUE_WIDTH = 56
BAR_HEIGHT = 18
ROW_GAP = 10
LEGEND_HEIGHT = 28
# GOV.UK Design System colours: dark blue and light blue.
SERIES_COLOURS = ["#1d70b8", "#5694ca"]
MAX_LABEL_CHARACTERS = 24


def _short(label: str) -> str:
    if len(label) <= MAX_LABEL_CHARACTERS:
        return label
    return label[: MAX_LABEL_CHARACTERS - 1] + "…"


def _number(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return value


def _legend(keys, labels) -> list[str]:
    parts = []
    for index, key in enumerate(keys):
        x = LABEL_WIDTH + index * 130
        parts.append(
            format_html(
                '<rect x="{}" y="4" width="14" height="14" fill="{}"/>'
                '<text x="{}" y="16" class="fc-chart__legend">{}</text>',
                x,
                SERIES_COLOURS[index],
                x + 20,
                labels[key],
            )
        )
    return parts


def _row(table, row, keys, y, largest) -> list[str]:
    """Draw one row: its label, then a bar and its value for each column."""
    label = str(row.get(table.columns[0].key, ""))
    parts = [
        format_html(
            '<text x="{}" y="{}" text-anchor="end" class="fc-chart__label">'
            "<title>{}</title>{}</text>",
            LABEL_WIDTH - 8,
            y + BAR_HEIGHT * len(keys) / 2 + 5,
            label,
            _short(label),
        )
    ]
    bar_area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    for index, key in enumerate(keys):
        value = row.get(key)
        width = bar_area * _number(value) / largest
        bar_y = y + index * BAR_HEIGHT
        column = next(c for c in table.columns if c.key == key)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" class="fc-chart__value">{}</text>',
                LABEL_WIDTH,
                bar_y,
                f"{width:.1f}",
                BAR_HEIGHT - 2,
                SERIES_COLOURS[index],
                f"{LABEL_WIDTH + width + 6:.1f}",
                bar_y + BAR_HEIGHT - 4,
                format_value(value, column.kind),
            )
        )
    return parts


def bar_chart(table: Table, chart_id: str) -> SafeString:
    """Draw the table's chart column (and second column) as horizontal bars."""
    keys = [k for k in (table.chart_column, table.chart_second_column) if k]
    if not keys or table.is_empty():
        return mark_safe("")  # nosec B308
    labels = {c.key: c.label for c in table.columns}
    largest = max([_number(row.get(k)) for row in table.rows for k in keys] + [1])
    row_height = BAR_HEIGHT * len(keys) + ROW_GAP
    top = LEGEND_HEIGHT if len(keys) > 1 else 4

    parts = _legend(keys, labels) if len(keys) > 1 else []
    for index, row in enumerate(table.rows):
        parts.extend(_row(table, row, keys, top + index * row_height, largest))

    height = top + row_height * len(table.rows)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    series = " and ".join(labels[k].lower() for k in keys)
    return format_html(
        '<svg class="fc-chart" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-labelledby="{} {}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}">{}</title><desc id="{}">{}</desc>'
        "<style>text{{font-family:Arial,Helvetica,sans-serif;font-size:14px;"
        "fill:#0b0c0c}}</style>{}</svg>",
        WIDTH,
        height,
        title_id,
        desc_id,
        title_id,
        table.title,
        desc_id,
        f"Bar chart of {series}. The table beside it gives the same figures.",
        # Each part was built by format_html, which escaped its values.
        mark_safe("".join(parts)),  # nosec B308 B703
    )
