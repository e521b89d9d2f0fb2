"""Scenario files with every kind of source, claim and breakdown, against independent sums.

Each source kind is written in TOML (a point, a place, an admin-1 region, a file, a sites
table), run through ``run_scenario`` or ``riskmap run``, and its numbers are checked
against ``Geod.inv`` to every settlement (points, sites) or the brute-force reference
distance of ``tests/reference.py`` (a region), not against riskmap itself.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import reference
import shapely
from pyproj import Geod

import geo
import layers
from maps import run_scenario
from maps.cli import main as riskmap_main
from maps.report import DEPENDS, DOES_NOT_HOLD, HOLDS
from maps.scenario_config import parse_scenario

GEOD = Geod(ellps="WGS84")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PLANT = (141.0329, 37.4213)  # Fukushima Daiichi, lon/lat degrees


@pytest.fixture(scope="module")
def towns():
    """All the packaged settlements (for the slow tests), with their coordinates."""
    s = layers.settlements()
    return s, s.geometry.get_coordinates().to_numpy()


@pytest.fixture(scope="module")
def tohoku():
    """The settlements of a box holding the plants' zones (well beyond 80 km of them)."""
    s = layers.settlements(bbox=(138.5, 35.5, 143.5, 40.5))
    return s, s.geometry.get_coordinates().to_numpy()


def _metres_from(towns, lon: float, lat: float) -> np.ndarray:
    _, xy = towns
    n = len(xy)
    return GEOD.inv(np.full(n, lon), np.full(n, lat), xy[:, 0], xy[:, 1])[2]


def _table(check, start: str) -> pd.DataFrame:
    """The table of a check whose title starts with ``start``."""
    (frame,) = [t for title, t in check.tables if title.startswith(start)]
    return frame


def test_the_nuclear_plant_scenario_counts_a_point_by_zone_and_prefecture(tmp_path, tohoku):
    towns = tohoku
    result = run_scenario(
        EXAMPLES / "nuclear_plant.toml", out_dir=tmp_path, png=False, settlements=towns[0]
    )
    zones, over, under = result.exposures
    metres = _metres_from(towns, *PLANT)
    pop = towns[0]["population"].to_numpy()
    per_radius = _table(zones, "people within each radius")
    assert list(per_radius["within (km)"]) == [20.0, 30.0, 80.0]
    for row in per_radius.itertuples(index=False):
        inside = metres <= row[0] * 1000
        assert row.population == pop[inside].sum() and row.places == inside.sum()
    by_region = _table(zones, "people by country and admin-1 region")
    at_80 = by_region[by_region["within (km)"] == 80.0].set_index("admin1")["population"]
    inside = metres <= 80_000
    reference_80 = towns[0][inside].groupby("admin1")["population"].sum()  # GeoNames codes
    assert sorted(at_80) == sorted(reference_80) and at_80.sum() == pop[inside].sum()
    assert set(at_80.index) == {"JP-04", "JP-07", "JP-08"}  # Miyagi, Fukushima, Ibaraki
    assert zones.verdict == "" and zones.claimed is None  # numbers only, no claim
    # the claims: more than 1 million within 80 km, fewer than 100,000 within 30 km
    assert over.low == pop[metres <= 80_000].sum()
    assert over.verdict == (HOLDS if over.low > 1_000_000 else DOES_NOT_HOLD)
    assert under.low == pop[metres <= 30_000].sum()
    assert under.verdict == (HOLDS if under.low < 100_000 else DOES_NOT_HOLD)
    text = result.to_text()
    assert "verdict: holds" in text and "people within 80 km of Fukushima Daiichi" in text


def test_rings_are_drawn_without_an_overview_and_the_map_opens_on_the_subject(tmp_path):
    result = run_scenario(
        {
            "map": {"tiles": "", "rings": ["20km", "80km"]},
            "exposure": [{"around": f"{PLANT[0]},{PLANT[1]}", "radius": "30km"}],
        },
        out_dir=None,
        settlements=layers.settlements(bbox=(139, 36, 143, 39)),
    )
    desc = result.map.describe()
    ring_layers = [layer for layer in desc.layers if "20 km" in layer.name or "80 km" in layer.name]
    assert ring_layers, [layer.name for layer in desc.layers]
    west, south, east, north = desc.bounds
    # the view holds the 80 km ring around the plant, and is not the world
    _, _, half_width = GEOD.inv(west, PLANT[1], PLANT[0], PLANT[1])
    assert west < PLANT[0] < east and south < PLANT[1] < north
    assert 0.95 * 80_000 <= half_width < 400_000 and north - south < 5
    assert desc.radius is not None  # the settlements and the radius control are on the page


@pytest.mark.slow
def test_a_sites_scenario_counts_each_range_and_the_union_once(tmp_path, towns):
    assert riskmap_main(["run", str(EXAMPLES / "launch_sites.toml"), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "launch_sites.html").stat().st_size > 10_000
    result = run_scenario(EXAMPLES / "launch_sites.toml", out_dir=None)
    (check,) = result.exposures
    table = pd.read_csv(EXAMPLES / "launch_sites.csv")
    pop = towns[0]["population"].to_numpy()
    union = np.zeros(len(pop), bool)
    per_site = _table(check, "people within each range of each site")
    assert len(per_site) == 2 * len(table)
    for row in per_site.itertuples(index=False):
        site = table[table["name"] == row.site].iloc[0]
        inside = _metres_from(towns, site.lon, site.lat) <= row[1] * 1000
        union |= inside
        assert row.population == pop[inside].sum() and row.places == inside.sum()
    assert check.low == check.high == pop[union].sum()
    assert check.verdict == (HOLDS if pop[union].sum() > 500_000_000 else DOES_NOT_HOLD)
    by_country = _table(check, "people by country")
    for (site, km), rows in by_country.groupby(["site", "within (km)"]):
        expected = per_site[(per_site["site"] == site) & (per_site["within (km)"] == km)]
        assert rows["population"].sum() == expected["population"].iloc[0]


def test_sites_at_one_radius_and_a_file_source_relative_to_the_scenario(tmp_path, tohoku):
    towns = tohoku
    plants = tmp_path / "data" / "plants.csv"
    plants.parent.mkdir()
    pd.DataFrame(
        {"name": ["Daiichi", "Onagawa"], "lon": [141.0329, 141.4994], "lat": [37.4213, 38.4011]}
    ).to_csv(plants, index=False)
    zone = tmp_path / "data" / "zone.geojson"
    gpd.GeoDataFrame(geometry=[shapely.Point(PLANT)], crs="EPSG:4326").to_file(zone)
    scenario = tmp_path / "two.toml"
    scenario.write_text(
        'name = "two"\n[map]\ntiles = ""\n'
        '[[exposure]]\nsites = "data/plants.csv"\nradius = ["20km", "30km"]\ncrs = "EPSG:4326"\n'
        '[[exposure]]\naround = "data/zone.geojson"\nradius = "30km"\n'
        "about = 95_000\ntolerance = 100\n",
        encoding="utf-8",
    )
    result = run_scenario(scenario, out_dir=tmp_path, png=False, settlements=towns[0])
    sites, file = result.exposures
    pop = towns[0]["population"].to_numpy()
    d1, d2 = _metres_from(towns, *PLANT), _metres_from(towns, 141.4994, 38.4011)
    shared = _table(sites, "people within range of at least one site")
    for row in shared.itertuples(index=False):
        within = (d1 <= row[0] * 1000) | (d2 <= row[0] * 1000)
        assert row.population == pop[within].sum()
    assert file.low == pop[d1 <= 30_000].sum()
    assert file.verdict == (HOLDS if abs(file.low - 95_000) <= 100 else DOES_NOT_HOLD)
    assert (tmp_path / "two.html").stat().st_size > 10_000


def test_an_admin1_region_against_the_brute_force_reference():
    towns = layers.settlements(bbox=(18.0, 53.5, 24.5, 56.5))
    result = run_scenario(
        {
            "map": {"tiles": ""},
            "exposure": [
                {"around": "RU-KGD", "radius": "30km", "by": ["country", "admin1"]},
            ],
        },
        out_dir=None,
        settlements=towns,
    )
    (check,) = result.exposures
    region = layers.region("Kaliningrad Oblast").geometry.union_all()
    xy = towns.geometry.get_coordinates().to_numpy()
    near = shapely.dwithin(shapely.points(xy), region, 0.6)  # a box well beyond 30 km
    metres = np.full(len(xy), np.inf)
    metres[near] = reference.distance_to(xy[near], region)
    # a region's own residents are left out: those inside it (distance 0), and those
    # of its coast and border that its simplified outline leaves just outside
    own = (towns["country"] == "RU").to_numpy() & (towns["admin1"] == "23").to_numpy()
    counted = (metres <= 30_000) & (metres > 0) & ~own
    pop = towns["population"].to_numpy()
    assert check.low == pytest.approx(pop[counted].sum())
    groups = _table(check, "people by country and admin-1 region")
    assert groups["population"].sum() == pytest.approx(check.low)
    assert set(groups["country"]) <= {"LT", "PL", "RU"} and "LT" in set(groups["country"])


def test_a_place_by_name():
    towns = layers.settlements(bbox=(130, 42, 134, 45))
    result = run_scenario(
        {
            "map": {"tiles": ""},
            "exposure": [{"around": "Vladivostok,RU", "radius": "50km", "less_than": 1_000_000}],
        },
        out_dir=None,
        settlements=towns,
    )
    (check,) = result.exposures
    place = layers.resolve_place("Vladivostok,RU", towns)
    xy = towns.geometry.get_coordinates().to_numpy()
    d = GEOD.inv(np.full(len(xy), place.lon), np.full(len(xy), place.lat), xy[:, 0], xy[:, 1])[2]
    assert check.low == towns["population"].to_numpy()[d <= 50_000].sum()
    assert check.source == "Vladivostok, RU"


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ({"less_than": "700km"}, HOLDS),
        ({"more_than": "700km"}, DOES_NOT_HOLD),
        ({"about": "700km"}, HOLDS),  # 5 % by default: 35 km
        ({"about": "700km", "tolerance": "10km"}, DOES_NOT_HOLD),  # 15.5 km off
        ({"about": "700km", "tolerance": "20km"}, HOLDS),
        ({"more_than": "650km", "less_than": "700km"}, HOLDS),
        ({"more_than": "690km", "less_than": "700km"}, DOES_NOT_HOLD),
    ],
)
def test_distance_verdicts_of_every_kind(claim, expected):
    towns = layers.settlements(bbox=(124, 38, 133, 44))
    entry = {"from": "Vladivostok,RU", "to": "Pyongyang,KP", **claim}
    result = run_scenario({"distance": [entry]}, out_dir=None, settlements=towns)
    (check,) = result.distances
    a = layers.resolve_place("Vladivostok,RU", towns)
    b = layers.resolve_place("Pyongyang,KP", towns)
    d = GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2]
    assert check.distance_m == pytest.approx(d, abs=1e-6)
    ok = True
    if "about" in claim:
        tol = geo.parse_distance(claim.get("tolerance", "35km"))
        ok = abs(d - 700_000) <= tol
    if "more_than" in claim:
        ok &= d > geo.parse_distance(claim["more_than"])
    if "less_than" in claim:
        ok &= d < geo.parse_distance(claim["less_than"])
    assert (HOLDS if ok else DOES_NOT_HOLD) == expected == check.verdict
    assert f"verdict: {expected}" in result.to_text()


@pytest.mark.slow
def test_an_exposure_verdict_depends_on_the_variant():
    towns = layers.settlements(bbox=(36.5, 55.0, 38.5, 56.5))  # Moscow, with its districts
    base = {"around": "37.6176,55.7558", "radius": "30km", "with_sections": True}
    result = run_scenario({"exposure": [base]}, out_dir=None, settlements=towns)
    (check,) = result.exposures
    low, high = check.low, check.high
    assert low < high  # the raw GeoNames sum counts districts again
    xy = towns.geometry.get_coordinates().to_numpy()
    d = GEOD.inv(np.full(len(xy), 37.6176), np.full(len(xy), 55.7558), xy[:, 0], xy[:, 1])[2]
    assert low == towns["population"].to_numpy()[d <= 30_000].sum()
    middle = (low + high) / 2
    claims = [
        ({"less_than": middle}, DEPENDS),
        ({"more_than": middle}, DEPENDS),
        ({"less_than": high + 1}, HOLDS),
        ({"about": middle, "tolerance": (high - low) / 2 + 1}, HOLDS),
        ({"about": high, "tolerance": "0%"}, DEPENDS),
        ({"more_than": high}, DOES_NOT_HOLD),
        ({"more_than": low - 1, "less_than": high + 1}, HOLDS),
    ]
    entries = [dict(base, **claim) for claim, _ in claims]
    result = run_scenario({"exposure": entries}, out_dir=None, settlements=towns)
    assert [c.verdict for c in result.exposures] == [v for _, v in claims]
    assert all((c.low, c.high) == (low, high) for c in result.exposures)


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ({"around": "KP", "radius": "200km", "radus": "1km"}, r"unknown key 'radus'.*'radius'"),
        ({"around": "KP", "radius": "-30km"}, r"radius = \"-30km\".*negative"),
        (
            {"sites": "launch_sites.csv", "crs": "EPSG:4326"},
            r"needs its ranges, once.*neither is given",
        ),
        ({"sites": "plants.csv", "radius": "30km"}, r"there is no file '.*plants\.csv'"),
        ({"around": "KP", "range": "range_km", "radius": "1km"}, r"'range' column but no"),
        ({"around": "KP", "radius": ["20km", "30km"], "more_than": 1}, r"claim at 2 radii"),
        ({"around": "KP", "radius": "1km", "about": 1, "more_than": 1}, r"has 'about' and"),
        ({"around": "KP", "radius": "1km", "tolerance": "5%"}, r"'tolerance' but no 'about'"),
        ({"around": "KP", "radius": "1km", "more_than": 5, "less_than": 2}, r"not below"),
        ({"around": "KP"}, r"has no 'radius'"),
        ({"around": "KP", "radius": "1km", "by": "province"}, r'"country", "admin1"'),
        ({"around": "KP", "radius": "1km", "crs": "EPSG:4326"}, r"has a 'crs' for"),
    ],
)
def test_bad_exposure_entries_are_refused_before_anything_runs(entry, match):
    with pytest.raises(geo.InputError, match=match):
        parse_scenario({"exposure": [entry]}, folder=EXAMPLES)


def test_a_distance_claim_needs_a_claim():
    with pytest.raises(geo.InputError, match=r"claims nothing; add about"):
        parse_scenario({"distance": [{"from": "A", "to": "B"}]})


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ({"around": "Kaliningrad Oblst", "radius": "10km"}, r"entry 1.*Kaliningrad"),
        ({"around": "1,2", "radius": "1km", "boundaries": ["osm-sea"]}, r"not a country"),
        (
            {"sites": str(EXAMPLES / "launch_sites.csv"), "range": "name", "crs": "EPSG:4326"},
            r"Baikonur",
        ),
    ],
)
def test_bad_sources_are_refused_with_the_entry_and_the_fix(entry, match):
    towns = layers.settlements(bbox=(19, 54, 23, 56))
    with pytest.raises(geo.InputError, match=match):
        run_scenario({"exposure": [entry]}, out_dir=None, settlements=towns)
