"""Loading ONS population figures, bundled or newer."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from firstcontact.reports.models import PopulationFigure, PopulationTable
from firstcontact.reports.population import (
    PopulationFileError,
    load_population_file,
)

HEADER = (
    "ons_code,district,total_population,"
    "60-64,65-69,70-74,75-79,80-84,85-89,90+,aged_60_plus"
)


@pytest.fixture
def loaded(db):
    call_command("load_population", stdout=io.StringIO())


def people(kind, category=None):
    figures = PopulationFigure.objects.filter(table__kind=kind)
    if category:
        figures = figures.filter(category=category)
    return figures.exclude(category="all-ages").aggregate(n=Sum("people"))["n"]


def test_bundled_figures_give_county_aged_60_plus(loaded):
    assert people(PopulationTable.Kind.AGE_60_PLUS) == 189_557


def test_bundled_figures_give_county_total(loaded):
    total = PopulationFigure.objects.filter(category="all-ages").aggregate(
        n=Sum("people")
    )["n"]
    assert total == 713_085


def test_bundled_ethnic_groups_cover_seven_districts(loaded):
    figures = PopulationFigure.objects.filter(table__kind="ethnic-group")
    assert figures.values("ons_code").distinct().count() == 7


def test_loading_twice_keeps_one_copy(loaded):
    call_command("load_population", stdout=io.StringIO())
    assert PopulationFigure.objects.filter(table__kind="age-60-plus").count() == 56


def test_newer_file_replaces_older(loaded, tmp_path):
    newer = tmp_path / "population-mid2023.csv"
    newer.write_text(
        HEADER + "\nE07000129,Blaby,100,10,10,10,10,10,10,10,70\n", encoding="utf-8"
    )
    call_command(
        "load_population",
        str(newer),
        source="ONS mid-2023 estimates",
        stdout=io.StringIO(),
    )
    table = PopulationTable.objects.get(kind="age-60-plus")
    assert (table.source, people("age-60-plus")) == ("ONS mid-2023 estimates", 70)


def write(tmp_path, text):
    path = tmp_path / "figures.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, message",
    [
        ("E07000129,Blaby,100,10,10,10,10,10,10,10,71", "add up to 70"),
        ("E07000129,Blaby,100,10,ten,10,10,10,10,10,70", "65-69"),
        ("X1,Blaby,100,10,10,10,10,10,10,10,70", "not an ONS area code"),
        ("E07000129,Blaby,10,10,10,10,10,10,10,10,70", "more than total_population"),
        ("E07000129,Blaby,100,10", "columns"),
    ],
)
def test_invalid_age_file_names_the_problem(db, tmp_path, body, message):
    with pytest.raises(PopulationFileError, match=message):
        load_population_file(write(tmp_path, f"{HEADER}\n{body}\n"))


def test_invalid_file_loads_nothing(loaded, tmp_path):
    path = write(tmp_path, f"{HEADER}\nE07000129,Blaby,100,1,1,1,1,1,1,1,99\n")
    with pytest.raises(PopulationFileError):
        load_population_file(path)
    assert people("age-60-plus") == 189_557


def test_unknown_ethnic_group_is_rejected(db, tmp_path):
    path = write(
        tmp_path,
        "ons_code,district,ethnic_group,people_all_ages\nE07000129,Blaby,Martian,5\n",
    )
    with pytest.raises(PopulationFileError, match="19 Census 2021 ethnic groups"):
        load_population_file(path)


def test_unknown_columns_are_rejected(db, tmp_path):
    with pytest.raises(PopulationFileError, match="unknown columns"):
        load_population_file(write(tmp_path, "a,b\n1,2\n"))


def test_command_reports_missing_path(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_population", str(tmp_path / "missing.csv"))
