"""Report pages and downloads. Each view reads its figures from a report builder
and never writes, except the audit event that every download records."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from firstcontact.reports import referral_list
from firstcontact.reports.charts import bar_chart
from firstcontact.reports.dashboard import build_dashboard
from firstcontact.reports.equality import equality_tables
from firstcontact.reports.executive import build_executive_report, long_date
from firstcontact.reports.exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    ExportTooLarge,
    csv_lines,
    record_export,
    table_csv,
    tables_xlsx,
    workbook_bytes,
)
from firstcontact.reports.filters import filters_from_request
from firstcontact.reports.reach import build_reach
from firstcontact.reports.rendering import render_json, render_pdf, report_context
from firstcontact.reports.scope import (
    ReportScope,
    scope_for_dashboard,
    scope_for_scheme_reports,
)

FORMATS = {"csv", "xlsx"}


def _period_text(filters) -> str:
    return f"{long_date(filters.date_from)} to {long_date(filters.date_to)}"


def _report_links(user, current: str) -> list[tuple[str, str, bool]]:
    scope = ReportScope.for_user(user)
    pages = [("Dashboard", "dashboard")]
    if scope.is_scheme_wide:
        pages += [
            ("Reach", "reach"),
            ("Equality monitoring", "equality"),
            ("Progress report", "executive"),
        ]
    return [
        (label, reverse(f"reports:{name}"), name == current) for label, name in pages
    ]


def _sections(tables, page: str, query: dict, charts: bool = True) -> list[dict]:
    encoded = urlencode(query)
    sections = []
    for table in tables:
        urls = {
            f"{fmt}_url": reverse("reports:export", args=[page, table.key, fmt])
            + f"?{encoded}"
            for fmt in FORMATS
        }
        sections.append(
            {
                "table": table,
                "heading_id": f"section-{table.key}",
                "chart": bar_chart(table, f"chart-{table.key}") if charts else "",
                **urls,
            }
        )
    return sections


def _dashboard_tables(request, scope):
    form, filters = filters_from_request(request, scope)
    dashboard = build_dashboard(scope, filters, timezone.now())
    return form, filters, dashboard


@login_required
@require_GET
def dashboard(request):
    scope = scope_for_dashboard(request.user)
    form, filters, board = _dashboard_tables(request, scope)
    query = filters.as_query()
    context = {
        "form": form,
        "filters": filters,
        "scope": scope,
        "summary": board.summary,
        "period_text": _period_text(filters),
        "sections": _sections(board.tables, "dashboard", query),
        "all_tables_url": reverse("reports:export", args=["dashboard", "all", "xlsx"])
        + f"?{urlencode(query)}",
        "report_links": _report_links(request.user, "dashboard"),
    }
    if scope.shows_personal_records:
        for fmt in FORMATS:
            context[f"referrals_{fmt}_url"] = (
                reverse("reports:export_referrals", args=[fmt]) + f"?{urlencode(query)}"
            )
    return render(request, "reports/dashboard.html", context)


def _scheme_page_tables(request, page):
    scope = scope_for_scheme_reports(request.user)
    form, filters = filters_from_request(request, scope, by_receiving_agency=False)
    if page == "reach":
        reach = build_reach(scope, filters)
        return scope, form, filters, reach.tables, {"sources": reach.sources}
    return (
        scope,
        form,
        filters,
        equality_tables(_equality_checklists(scope, filters)),
        {},
    )


def _equality_checklists(scope, filters):
    checklists = scope.checklists.filter(
        visit_date__gte=filters.date_from, visit_date__lte=filters.date_to
    )
    if filters.district:
        checklists = checklists.filter(district=filters.district)
    if filters.referring_agency:
        checklists = checklists.filter(agency=filters.referring_agency)
    return checklists


def _scheme_page(request, page: str, template: str):
    scope, form, filters, tables, extra = _scheme_page_tables(request, page)
    query = filters.as_query()
    context = {
        "form": form,
        "filters": filters,
        "scope": scope,
        "period_text": _period_text(filters),
        "sections": _sections(tables, page, query),
        "all_tables_url": reverse("reports:export", args=[page, "all", "xlsx"])
        + f"?{urlencode(query)}",
        "report_links": _report_links(request.user, page),
        **extra,
    }
    return render(request, template, context)


@login_required
@require_GET
def reach(request):
    return _scheme_page(request, "reach", "reports/reach.html")


@login_required
@require_GET
def equality(request):
    return _scheme_page(request, "equality", "reports/equality.html")


class AsOfForm(forms.Form):
    as_of = forms.DateField(required=False, label="Report as of")


def _executive_report(request):
    scope = scope_for_scheme_reports(request.user)
    form = AsOfForm(request.GET)
    form.is_valid()
    as_of = form.cleaned_data.get("as_of") or timezone.localdate()
    report = build_executive_report(
        scope.scheme, as_of, scope.checklists, scope.referrals
    )
    return scope, form, report


@login_required
@require_GET
def executive(request):
    scope, form, report = _executive_report(request)
    query = {"as_of": report.as_of.isoformat()}
    encoded = urlencode(query)
    context = {
        **report_context(report),
        "form": form,
        "sections": _sections(report.tables, "executive", query, charts=False),
        "pdf_url": reverse("reports:executive_download", args=["pdf"]) + f"?{encoded}",
        "json_url": reverse("reports:executive_download", args=["json"])
        + f"?{encoded}",
        "all_tables_url": reverse("reports:export", args=["executive", "all", "xlsx"])
        + f"?{encoded}",
        "report_links": _report_links(request.user, "executive"),
    }
    return render(request, "reports/executive.html", context)


def _remote_addr(request):
    return request.META.get("REMOTE_ADDR")


def _attachment(response, name: str):
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def executive_download(request, file_format):
    scope, _, report = _executive_report(request)
    name = f"firstcontact-progress-report-{report.as_of.isoformat()}.{file_format}"
    if file_format == "pdf":
        response = HttpResponse(render_pdf(report), content_type="application/pdf")
    elif file_format == "json":
        response = HttpResponse(
            render_json(report), content_type="application/json; charset=utf-8"
        )
    else:
        raise Http404
    record_export(
        request.user,
        scope.scheme,
        table="executive-report",
        file_format=file_format,
        filters={"as_of": report.as_of.isoformat()},
        rows=None,
        remote_addr=_remote_addr(request),
    )
    return _attachment(response, name)


def _tables_and_filters(request, page):
    """Build the tables of one report page exactly as the page builds them."""
    if page == "dashboard":
        scope = scope_for_dashboard(request.user)
        _, filters, board = _dashboard_tables(request, scope)
        return scope, board.tables, filters.as_query()
    if page in {"reach", "equality"}:
        scope, _, filters, tables, _ = _scheme_page_tables(request, page)
        return scope, tables, filters.as_query()
    if page == "executive":
        scope, _, report = _executive_report(request)
        return scope, report.tables, {"as_of": report.as_of.isoformat()}
    raise Http404


def _file_name(key: str, query: dict, extension: str) -> str:
    if "date_from" in query:
        return (
            f"firstcontact-{key}-{query['date_from']}-to-{query['date_to']}.{extension}"
        )
    return f"firstcontact-{key}-{query.get('as_of', '')}.{extension}"


@login_required
@require_GET
def export_table(request, page, key, file_format):
    if file_format not in FORMATS:
        raise Http404
    scope, tables, query = _tables_and_filters(request, page)
    if key == "all":
        if file_format != "xlsx":
            raise Http404
        chosen = tables
        body = tables_xlsx(tables)
    else:
        chosen = [t for t in tables if t.key == key]
        if not chosen:
            raise Http404
        body = (
            table_csv(chosen[0]).encode("utf-8")
            if file_format == "csv"
            else tables_xlsx(chosen)
        )
    record_export(
        request.user,
        scope.scheme,
        table=f"{page}.{key}",
        file_format=file_format,
        filters=query,
        rows=sum(len(t.all_rows()) for t in chosen),
        remote_addr=_remote_addr(request),
    )
    content_type = CSV_CONTENT_TYPE if file_format == "csv" else XLSX_CONTENT_TYPE
    response = HttpResponse(body, content_type=content_type)
    return _attachment(response, _file_name(f"{page}-{key}", query, file_format))


@login_required
@require_GET
def export_referrals(request, file_format):
    if file_format not in FORMATS:
        raise Http404
    scope = scope_for_dashboard(request.user)
    if not scope.shows_personal_records:
        raise PermissionDenied
    _, filters = filters_from_request(request, scope)
    referrals = referral_list.referrals_to_list(request.user, filters)
    rows = referrals.count()
    query = filters.as_query()
    if file_format == "xlsx":
        try:
            body = workbook_bytes(
                [
                    (
                        referral_list.TITLE,
                        referral_list.COLUMNS,
                        referral_list.referral_rows(referrals),
                    )
                ]
            )
        except ExportTooLarge as error:
            return HttpResponse(str(error), status=413, content_type="text/plain")
        response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    else:
        response = StreamingHttpResponse(
            csv_lines(referral_list.COLUMNS, referral_list.referral_rows(referrals)),
            content_type=CSV_CONTENT_TYPE,
        )
    record_export(
        request.user,
        scope.scheme,
        table=referral_list.KEY,
        file_format=file_format,
        filters=query,
        rows=rows,
        remote_addr=_remote_addr(request),
    )
    return _attachment(response, _file_name(referral_list.KEY, query, file_format))
