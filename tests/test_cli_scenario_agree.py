"""The command line and a scenario file give the same numbers for the same question."""

from __future__ import annotations

import json

import pytest
from test_cli import riskmap

from geo.errors import InputError
from maps.scenario import run_scenario


def _cli(*args: str) -> list[dict]:
    proc = riskmap("exposure", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["table"]


def _scenario(entry: dict):
    result = run_scenario({"exposure": [entry]}, out_dir=None, png=False)
    return result.exposures[0]


def _row(check, label: str) -> tuple[int, int]:
    rows = check.variants.set_index("label")
    return int(rows.loc[label, "population"]), int(rows.loc[label, "places"])


@pytest.mark.parametrize(
    "args, entry, label",
    [
        pytest.param(
            ["--around", "FJ", "--radius", "300km"],
            {"around": "FJ", "radius": "300km"},
            "OSM, land only",
            marks=pytest.mark.slow,
        ),
        (
            ["--around", "141.03,37.42", "--radius", "30km"],
            {"around": "141.03,37.42", "radius": "30km"},
            "the point",
        ),
        pytest.param(  # a border's line takes a few seconds to draw
            ["--around", "IN-PK", "--radius", "100km"],
            {"around": "IN-PK", "radius": "100km"},
            "OSM border line",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_the_same_question_gives_the_same_numbers(args, entry, label):
    rows = _cli(*args)
    cli = (sum(r["population"] for r in rows), sum(r["places"] for r in rows))
    assert _row(_scenario(entry), label) == cli


def test_a_countrys_own_residents_around_it_are_refused_in_both():
    # Left out by rule, their count would be a 0 that reads as "nobody": both refuse it.
    proc = riskmap("exposure", "--around", "FJ", "--country", "FJ", "--radius", "50km")
    assert proc.returncode == 1
    assert "residents of FJ are asked for, but they are the source's own" in proc.stderr
    assert "ask about a border, a region or a point instead" in proc.stderr
    entry = {"around": "FJ", "country": "FJ", "radius": "50km", "boundaries": ["osm-land"]}
    with pytest.raises(InputError, match="residents of FJ are asked for"):
        _scenario(entry)


@pytest.mark.slow
def test_a_border_counts_both_sides_in_both():
    rows = {r["country"]: r["population"] for r in _cli("--around", "IN-PK", "--radius", "100km")}
    assert set(rows) == {"IN", "PK"} and min(rows.values()) > 1_000_000


def test_regions_of_a_countrys_residents_agree():
    # --country RU --by admin1 is the regions of Russia's residents, as country + by in a file
    # (before, the CLI dropped --by admin1 when --country was given, and the file counted its
    # table on the territorial-sea variant while the CLI counts on land only).
    rows = _cli("--around", "KP", "--country", "RU", "--radius", "200km", "--by", "admin1")
    cli = {(r["admin1"], r["population"], r["places"]) for r in rows}
    check = _scenario({"around": "KP", "country": "RU", "radius": "200km", "by": "admin1"})
    ((title, table),) = check.tables
    assert title == "residents of RU by admin-1 region (OSM, land only)"
    assert set(zip(table["admin1"], table["population"], table["places"], strict=True)) == cli
    assert {r["country"] for r in rows} == {"RU"}
    assert sum(p for _, p, _ in cli) == _row(check, "OSM, land only")[0]
