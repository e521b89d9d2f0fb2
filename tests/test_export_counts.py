"""Exports read by a plain reader (json, csv): whole counts are integers, fractions stay floats."""

from __future__ import annotations

import csv
import dataclasses
import json

import geopandas
import numpy as np
import pytest
import shapely

import layers
from layers.analysis.export import read_exposure

CENTRE = (131.9, 43.0)


def _towns(population):
    n = len(population)
    return geopandas.GeoDataFrame(
        {"name": [f"t{i}" for i in range(n)], "country": ["RU"] * n, "population": population},
        geometry=geopandas.points_from_xy(
            CENTRE[0] + 0.05 * np.arange(n), np.full(n, CENTRE[1] + 0.1)
        ),
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def float_counts():
    # Population read as float (as from a CSV or a table with a float column), all whole.
    people = np.array([1234.0, 5.0, 20_000.0, 7.0])
    return layers.exposure(shapely.Point(CENTRE), _towns(people), ["20km", "50km"]), people


def test_geojson_writes_whole_counts_as_integers(tmp_path, float_counts):
    exposure, people = float_counts
    doc = json.loads(exposure.to_file(tmp_path / "x.geojson").read_text(encoding="utf-8"))
    places = [f["properties"] for f in doc["features"] if f["properties"]["layer"] == "places"]
    assert [p["population"] for p in places] == [int(v) for v in people]
    assert all(type(p["population"]) is int for p in places)
    assert all(type(p["distance_m"]) is float for p in places)  # a measure stays a float
    for name in ("table", "bands", "curve"):
        rows = doc["riskmap"][name]
        assert rows and all(type(r["population"]) is int for r in rows), name
        assert all(type(r["places"]) is int for r in rows), name
    # The counts are the sums of the places' people within each radius (the reference).
    by_radius = {r["radius_m"]: r["population"] for r in doc["riskmap"]["table"]}
    for radius, total in by_radius.items():
        within = [p["population"] for p in places if p["distance_m"] <= radius]
        assert total == sum(within)


def test_csv_writes_whole_counts_as_integers(tmp_path, float_counts):
    exposure, _ = float_counts
    with exposure.to_file(tmp_path / "x.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["population"].isdigit() and r["places"].isdigit() for r in rows)


def test_reading_back_restores_the_exposures_dtypes(tmp_path, float_counts):
    exposure, _ = float_counts
    for ext in (".geojson", ".csv"):
        back = read_exposure(exposure.to_file(tmp_path / f"x{ext}"))
        assert back.table["population"].dtype == exposure.table["population"].dtype, ext
        assert back.table["population"].tolist() == exposure.table["population"].tolist()


def test_a_fractional_population_stays_a_float(tmp_path):
    exposure = layers.exposure(shapely.Point(CENTRE), _towns(np.array([2.5, 3.0])), "50km")
    doc = json.loads(exposure.to_file(tmp_path / "x.geojson").read_text(encoding="utf-8"))
    assert [f["properties"]["population"] for f in doc["features"]] == [2.5, 3.0]
    assert doc["riskmap"]["table"][0]["population"] == 5.5
    assert type(doc["riskmap"]["table"][0]["places"]) is int


def test_a_grids_population_stays_a_float_even_when_whole(tmp_path, float_counts):
    exposure, _ = float_counts
    grid = dataclasses.replace(exposure, kind="grid", places=None, edge=None)
    doc = json.loads(grid.to_file(tmp_path / "g.geojson").read_text(encoding="utf-8"))
    rows = doc["riskmap"]["table"]
    assert all(type(r["population"]) is float for r in rows)  # fractional cell shares
    assert all(type(r["places"]) is int for r in rows)
