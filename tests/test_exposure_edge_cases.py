"""Exposure beyond the summit: settlement coverage, border sources, nobody in range,
numbers of any kind, and the boundary printed with the answer.

References are independent of the exposure engine: the packaged settlements summed
per country and divided by the GeoNames country table (coverage), geo.distance_to
from the border line (borders), pyproj's Geod.inv (points).
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

import geo
import layers
from geo.errors import InputError, InputTypeError
from layers.analysis import exposure, exposure_variants

GEOD = Geod(ellps="WGS84")


def _towns(lon, lat, country, population):
    return gpd.GeoDataFrame(
        {"name": [f"t{i}" for i in range(len(lon))], "country": country, "population": population},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def packaged():
    return layers.settlements()


# -- item 6: coverage of the settlement data, per country of the table -------------------


def _reference_coverage(code: str) -> float:
    """Sum of the packaged settlements of a country ÷ its population (GeoNames table)."""
    places = layers.settlements(country=code)
    return float(places["population"].sum()) / layers.country(code).population


def _note(ratio: float) -> str:
    return "overcount" if ratio > 1.2 else "undercount" if ratio < 0.6 else ""


@pytest.fixture(scope="module")
def all_ratios(packaged):
    """Every country's coverage, from one groupby over the packaged settlements."""
    sums = packaged.groupby("country")["population"].sum()
    people = pd.Series({c: layers.country(c).population for c in sums.index}, dtype=float)
    return (sums / people[people > 0]).dropna()


def test_coverage_is_in_the_table_with_a_warning_where_it_is_off(packaged):
    res = exposure((131.0, 43.5), packaged, "150km")  # Primorsky Krai, Jilin, North Korea
    table = res.table.set_index("country")
    assert set(table.index) >= {"RU", "CN", "KP"}
    reference = {c: _reference_coverage(c) for c in table.index.unique()}
    for code, ratio in reference.items():
        assert table.loc[[code], "coverage"].tolist() == pytest.approx([ratio], rel=1e-12)
        assert table.loc[[code], "coverage_note"].tolist() == [_note(ratio)]
        assert res.coverage[code] == pytest.approx(ratio, rel=1e-12)
    flagged = sorted(c for c, r in reference.items() if _note(r))
    assert "CN" in flagged  # the points hold about half of China's people
    assert [w[:2] for w in res.warnings] == flagged
    (cn,) = [w for w in res.warnings if w.startswith("CN:")]
    assert f"{reference['CN']:.0%} of the population of China" in cn and "undercount" in cn
    out = json.loads(res.to_json())
    assert out["warnings"] == list(res.warnings)
    assert out["coverage"]["CN"] == pytest.approx(reference["CN"], rel=1e-12)


def test_a_country_whose_places_sum_to_more_than_its_people_is_an_overcount(packaged, all_ratios):
    over = all_ratios[all_ratios > 1.2]
    if over.empty:
        pytest.skip("no country of the packaged settlements sums to more than 1.2 x its people")
    code = over.idxmax()
    biggest = packaged[packaged["country"] == code].sort_values("population").iloc[-1]
    res = exposure(biggest.geometry, packaged, "20km", by=[code])
    row = res.table.iloc[0]
    assert row["coverage"] == pytest.approx(over[code], rel=1e-12)
    assert row["coverage_note"] == "overcount"
    (warning,) = [w for w in res.warnings if w.startswith(f"{code}:")]
    assert f"{over[code]:.2f} ×" in warning and "overcount" in warning
    assert f"coverage warning for {code}" in repr(res)


def test_coverage_of_a_user_table_is_unknown():
    towns = _towns([131.9, 132.0], [43.1, 43.2], ["RU", "RU"], [1000, 2000])
    res = exposure((131.9, 43.1), towns, "50km")
    row = res.table.iloc[0]
    assert row["country"] == "RU" and math.isnan(row["coverage"])
    assert row["coverage_note"] == "unknown"
    assert res.coverage == {"RU": None}
    assert any("unknown" in w for w in res.warnings)
    assert json.loads(res.to_json())["coverage"] == {"RU": None}


# -- item 8: a border excludes nobody by default ----------------------------------------


@pytest.fixture(scope="module")
def india_pakistan(packaged):
    line = layers.border("IN", "PK")
    minx, miny, maxx, maxy = line.total_bounds
    near = packaged.cx[minx - 2 : maxx + 2, miny - 2 : maxy + 2]
    return line, near


def test_a_border_counts_both_sides(india_pakistan):
    line, near = india_pakistan
    res = exposure(line, near, "100km")
    assert res.excluded["countries"] == [] and res.excluded["population"] == 0
    assert "both sides" in res.excluded["rule"]
    # reference: each place's distance to the line, one geo.distance_to call
    d = np.asarray(geo.distance_to(near.geometry, shapely.union_all(line.geometry.values)))
    for code in ("IN", "PK"):
        expected = near["population"][(d <= 100_000) & (near["country"] == code).to_numpy()].sum()
        assert res.population(country=code) == expected > 1_000_000
    named = exposure("IN-PK", near, "100km", by=["IN", "PK"])
    assert named.population(country="IN") == res.population(country="IN")
    pd.testing.assert_frame_equal(
        exposure(line, near, "100km", exclude_source=False).table, res.table
    )
    # a territory still leaves out its own residents
    assert exposure("India", near, "100km").excluded["countries"] == ["IN"]


def test_a_border_says_what_its_line_includes(india_pakistan):
    line, near = india_pakistan
    res = exposure(line, near, "100km")
    lengths = line.set_index("kind")["length_m"]
    parts = res.provenance.details["border_parts"]
    assert {p["kind"]: p["length_m"] for p in parts} == pytest.approx(lengths.to_dict())
    text = res.provenance.details["border_line"]
    assert f"land {lengths['land'] / 1000:,.1f} km" in text
    assert f"sea {lengths['sea'] / 1000:,.1f} km" in text


def test_variants_of_a_border_count_both_sides(india_pakistan):
    line, near = india_pakistan
    res = exposure_variants({"osm border": line}, near, "100km", country="India")
    assert res.low == exposure(line, near, "100km").population(country="IN") > 0


def test_the_summit_border_claim_counts_russians_only():
    """Claim 3 of the summit: with by=['RU'] leaving North Koreans out changed nothing."""
    line = layers.border("KP", "RU")
    places = layers.settlements(bbox=(125, 38, 137, 48))
    now = exposure_variants({"osm border": line}, places, "200km", country="RU")
    before = exposure_variants(
        {"osm border": line}, places, "200km", country="RU", exclude_source="KP"
    )
    pd.testing.assert_frame_equal(now.table, before.table)
    assert now.low > 1_000_000  # the claim: more than a million Russians


# -- item 11: nobody in range -----------------------------------------------------------


@pytest.mark.parametrize("by", ["country", ["RU", "Japan"], None])
def test_nobody_in_range_reads_as_zeros(packaged, by):
    pacific = (-140.0, 0.0)  # 1,000 km from the nearest atoll
    near = packaged.cx[-150:-130, -10:10]
    res = exposure(pacific, near, ["100km", "200km"], by=by)
    groups = ["RU", "JP"] if isinstance(by, list) else ["total"]
    assert sorted(set(res.table["country"])) == sorted(groups)
    assert len(res.table) == 2 * len(groups) and (res.table["population"] == 0).all()
    assert (res.table["places"] == 0).all() and (res.bands["population"] == 0).all()
    assert res.population() == 0 and res.population("100km") == 0
    assert res.population(country="RU") == 0
    assert "0 people within 200km" in repr(res)
    curve = res.curve(50_000)
    assert curve["distance_km"].tolist() == [0, 50, 100, 150, 200]
    assert (curve["population"] == 0).all() and (curve["places"] == 0).all()
    out = json.loads(res.to_json())
    assert out["places"] == [] and all(row["population"] == 0 for row in out["table"])
    with pytest.raises(InputError, match="not one of this result's radii"):
        res.population("150km")


# -- item 16: numbers of any kind, units everywhere ------------------------------------


@pytest.fixture(scope="module")
def ring():
    rng = np.random.default_rng(7)
    az = rng.uniform(-180, 180, 200)
    dist = rng.uniform(0, 120_000, 200)
    lon, lat, _ = GEOD.fwd(np.full(200, 131.9), np.full(200, 43.1), az, dist)
    return _towns(lon, lat, np.where(az > 0, "RU", "CN"), rng.integers(1, 10_000, 200))


@pytest.mark.parametrize(
    "radius", [np.int64(50_000), np.float32(5e4), np.array(50_000.0), [np.int32(50_000)]]
)
def test_numpy_radii_are_metres(ring, radius):
    res = exposure((131.9, 43.1), ring, radius)
    _, _, d = GEOD.inv(
        np.full(len(ring), 131.9), np.full(len(ring), 43.1), ring.geometry.x, ring.geometry.y
    )
    assert res.population() == ring["population"][d <= 50_000].sum()
    assert res.population(np.int64(50_000)) == res.population(np.float32(5e4)) == res.population()


def test_unit_strings_for_edge_and_curve_step(ring):
    base = exposure((131.9, 43.1), ring, ["50km", "100km"], edge_m=5000)
    res = exposure((131.9, 43.1), ring, ["50km", "100km"], edge_m="5km")
    assert res.edge_m == 5000.0
    pd.testing.assert_frame_equal(res.edge, base.edge)
    pd.testing.assert_frame_equal(res.curve("25km"), base.curve(25_000))
    pd.testing.assert_frame_equal(res.curve(np.int64(25_000)), base.curve(25_000))
    v = exposure_variants({"a": shapely.Point(131.9, 43.1)}, ring, np.float32(5e4), country="RU")
    assert v.low == base.population("50km", country="RU")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda r: exposure((131.9, 43.1), r, 5e4 + 1j), InputTypeError, "complex"),
        (lambda r: exposure((131.9, 43.1), r, np.complex128(5e4)), InputTypeError, "complex"),
        (lambda r: exposure((131.9, 43.1), r, [5e4, 1j]), InputTypeError, "complex"),
        (lambda r: exposure((131.9, 43.1), r, None), InputTypeError, "expected a distance"),
        (lambda r: exposure((131.9, 43.1), r, {"r": 5e4}), InputTypeError, "expected a distance"),
        (lambda r: exposure((131.9, 43.1), r, np.array([])), InputError, "radii is empty"),
        (lambda r: exposure((131.9, 43.1), r, []), InputError, "radii is empty"),
        (lambda r: exposure((131.9, 43.1), r, "50km", edge_m="5"), InputError, "unit"),
        (lambda r: exposure((131.9, 43.1), r, "50km", edge_m=None), InputTypeError, "edge_m"),
        (lambda r: exposure((131.9, 43.1), r, "50km", edge_m=-1), InputError, "negative"),
        (lambda r: exposure((131.9, 43.1), r, "50km").curve("0km"), InputError, "positive"),
        (lambda r: exposure((131.9, 43.1), r, "50km").curve(1j), InputTypeError, "complex"),
        (
            lambda r: exposure((131.9, 43.1), r, "50km").population(None or {}),
            InputTypeError,
            "dict",
        ),
    ],
)
def test_what_is_not_a_distance_is_refused_by_name(ring, call, error, match):
    with pytest.raises(error, match=match):
        call(ring)


# -- item 9: the boundary printed with the answer ---------------------------------------


def test_the_boundary_variant_is_in_the_repr_and_the_json(ring):
    for source in ("North Korea", layers.territory("KP")):
        res = exposure(source, ring, "200km")
        assert "North Korea (OSM, land only)" in repr(res)
        out = json.loads(res.to_json())
        assert out["source"] == "North Korea (OSM, land only)"
        assert out["boundary_variant"] == {"name": "osm-land", "label": "OSM, land only"}
    sea = exposure(layers.territory("KP", land_only=False), ring, "200km")
    assert "North Korea (OSM, with territorial sea)" in repr(sea)


def test_nobody_in_range_of_a_grid_reads_as_zeros(tmp_path):
    import rasterio
    from affine import Affine

    path = tmp_path / "people.tif"
    profile = {
        "driver": "GTiff", "width": 40, "height": 40, "count": 1, "dtype": "float64",
        "crs": "EPSG:4326", "transform": Affine(0.05, 0, 128.0, 0, -0.05, 42.0),
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(np.ones((40, 40)), 1)
    grid = layers.population_grid(path, kind="count")
    res = exposure((-140.0, 0.0), grid, ["100km", "200km"], by=None)
    assert res.table["population"].tolist() == [0.0, 0.0]
    assert res.population() == 0 and "0 people within 200km" in repr(res)
    assert (res.curve(100_000)["population"] == 0).all()
    assert json.loads(res.to_json())["table"][0]["population"] == 0


def test_asking_for_the_sources_own_residents_is_refused_not_a_silent_zero():
    # Belgians within 30 km of Belgium are left out by exclude_source: 0 by rule, not measured.
    towns = layers.settlements(country=["BE", "NL", "FR", "DE", "LU"])
    with pytest.raises(InputError, match=r"residents of BE are asked for.*=False counts them"):
        layers.exposure_variants("BE", towns, "30km", country="Belgium")
    with pytest.raises(InputError, match="residents of BE"):
        layers.exposure("BEL", towns, "30km", by=["NL", "Belgium"])
    result = layers.exposure("BE", towns, "30km")
    with pytest.raises(InputError, match="residents of BE were left out"):
        result.population(country="Belgium")
    # Counted when asked to, and other countries as before
    counted = layers.exposure("BE", towns, "30km", by=["BE"], exclude_source=False)
    inside = towns[towns["country"] == "BE"]["population"].sum()
    assert counted.population() == inside  # every Belgian town is within 30 km of Belgium
    assert result.population(country="NL") > 0
