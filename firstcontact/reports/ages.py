"""Age in whole years on a day, computed in the database."""

from django.db.models import Case, CharField, Func, IntegerField, Value, When

from firstcontact.reports.census import AGE_BANDS

SQLITE_YEARS = (
    "(CAST(strftime('%%Y', {end}) AS INTEGER) - CAST(strftime('%%Y', {start}) "
    "AS INTEGER) - (strftime('%%m-%%d', {end}) < strftime('%%m-%%d', {start})))"
)
POSTGRESQL_YEARS = (
    "(CAST(EXTRACT(YEAR FROM {end}) AS INTEGER) - CAST(EXTRACT(YEAR FROM {start}) "
    "AS INTEGER) - CASE WHEN to_char({end}, 'MM-DD') < to_char({start}, 'MM-DD') "
    "THEN 1 ELSE 0 END)"
)


class YearsBetween(Func):
    """Whole years from the date `start` to the date `end`, as an age is counted.

    Someone born on 29 February is a year older from 1 March in a common year,
    the scheme's default leap-day rule.
    """

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        template = (
            POSTGRESQL_YEARS if connection.vendor == "postgresql" else SQLITE_YEARS
        )
        # Each date appears twice in the template: end, start, end, start.
        params = (*end_params, *start_params, *end_params, *start_params)
        return template.format(start=start_sql, end=end_sql), params


def age_band_of(age_expression) -> Case:
    """The five-year band of an age from 60, or null below 60."""
    whens = []
    for band in reversed(list(AGE_BANDS)):
        lowest = int(band.rstrip("+").split("-")[0])
        whens.append(When(**{f"{age_expression}__gte": lowest}, then=Value(band)))
    return Case(*whens, default=None, output_field=CharField())
