"""Breakdowns of a settlement exposure: by admin-1 region, country and region, any polygons."""

from __future__ import annotations

import geopandas
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import naturalearth_path
from pyproj import Geod

import layers
from geo.errors import CRSError, InputError
from layers.analysis.breakdown import UNASSIGNED, assign, breakdown

GEOD = Geod(ellps="WGS84")


def _towns(xy, country, population, name=None):
    n = len(xy)
    return geopandas.GeoDataFrame(
        {
            "name": name or [f"t{i}" for i in range(n)],
            "country": country,
            "population": population,
        },
        geometry=shapely.points(np.asarray(xy, dtype=float)),
        crs="EPSG:4326",
    )


def _sums_equal_total(result, total_by_radius):
    key = "radius_m"
    sums = result.table.groupby(key)["population"].sum()
    for r, total in total_by_radius.items():
        assert sums.loc[r] == total


# -- admin-1 --------------------------------------------------------------------


@pytest.fixture(scope="module")
def cn_kr_05():
    """GeoNames admin1 '05' in China (Jilin) and in South Korea (Gangwon): the same code."""
    towns = layers.settlements(country=["CN", "KR"], bbox=(124, 35, 131.5, 44.5))
    return towns[towns["admin1"] == "05"].reset_index(drop=True)


def test_admin1_never_merges_cn_and_kr_that_share_a_geonames_code(cn_kr_05):
    assert set(cn_kr_05["country"]) == {"CN", "KR"}
    result = layers.exposure((127.5, 40.0), cn_kr_05, "600km", by="admin1", exclude_source=False)
    table = result.table
    assert {"country", "admin1", "admin1_name"} <= set(table.columns)
    pairs = set(zip(table["country"], table["admin1"], strict=True))
    assert ("CN", "CN-JL") in pairs
    assert {a for c, a in pairs if c == "KR"} and all(
        a.startswith("KR-") or a == UNASSIGNED for c, a in pairs if c == "KR"
    )
    assert not any(a == "05" for a in table["admin1"])
    assert table.loc[table["admin1"] == "CN-JL", "admin1_name"].iloc[0] == "Jilin"
    # independent sums: the people of each country within 600 km (Geod.inv on every town)
    lon, lat = shapely.get_coordinates(cn_kr_05.geometry).T
    d = GEOD.inv(np.full(len(lon), 127.5), np.full(len(lon), 40.0), lon, lat)[2]
    for c in ("CN", "KR"):
        want = cn_kr_05.loc[(d <= 600_000) & (cn_kr_05["country"] == c), "population"].sum()
        assert table.loc[table["country"] == c, "population"].sum() == want
        assert result.population(country=c) == want


def test_country_and_admin1_is_the_admin1_table_and_not_empty(cn_kr_05):
    a = layers.exposure((127.5, 40.0), cn_kr_05, ["300km", "600km"], by="admin1")
    b = layers.exposure((127.5, 40.0), cn_kr_05, ["300km", "600km"], by=["country", "admin1"])
    assert len(b.table) > 0
    pd.testing.assert_frame_equal(a.table, b.table)
    assert b.by == "admin1"


def test_every_admin1_breakdown_sums_to_the_total():
    towns = layers.settlements(bbox=(17, 52.5, 25.5, 57))
    radii = ["50km", "100km", "200km"]
    total = layers.exposure("Kaliningrad Oblast", towns, radii, by=None)
    split = layers.exposure("Kaliningrad Oblast", towns, radii, by="admin1")
    _sums_equal_total(
        split, dict(zip(total.table["radius_m"], total.table["population"], strict=True))
    )
    band_sums = split.bands.groupby("distance_max_m")["population"].sum()
    assert band_sums.tolist() == total.bands["population"].tolist()
    assert (split.table["country"] != "RU").all() or "RU-KGD" not in set(split.table["admin1"])
    lt = split.table[(split.table["country"] == "LT") & (split.table["radius_m"] == 200_000)]
    assert set(lt["admin1"]) >= {"LT-KL", "LT-KU", "LT-TA"}  # Klaipėda, Kaunas, Tauragė
    assert split.places["admin1_key"].notna().all()


def test_a_place_in_no_region_goes_to_the_unassigned_row_of_its_country():
    # one town on land in Lithuania, one at sea 60 km off the coast, one on an islet
    towns = _towns([(21.14, 55.71), (20.2, 55.9), (23.9, 54.9)], ["LT", "LT", "LT"], [10, 20, 40])
    result = layers.exposure((21.0, 55.5), towns, "400km", by="admin1", exclude_source=False)
    rows = result.table.set_index("admin1")["population"]
    assert rows[UNASSIGNED] == 20 and rows.sum() == 70
    assert result.table.loc[result.table["admin1"] == UNASSIGNED, "country"].tolist() == ["LT"]


def test_coastal_place_just_outside_the_simplified_polygon_falls_back_to_its_region():
    bd = breakdown("admin1")
    kgd = layers.region("RU-KGD").geometry.iloc[0]
    # a point 1 km outside Kaliningrad Oblast's simplified coast, out to sea
    outside = shapely.Point(19.93, 54.96)
    assert not kgd.contains(outside)
    keys, labels = assign([outside], ["RU"], bd)
    assert keys.tolist() == ["RU-KGD"] and labels.tolist() == ["Kaliningrad"]


def test_near_a_region_border_the_geonames_division_decides():
    """Jurbarkas (GeoNames LT.62, Tauragė) is on the Neman; the simplified border puts it south."""
    towns = layers.settlements(country="LT")
    jurbarkas = towns[towns["name"] == "Jurbarkas"]
    bd = breakdown("admin1")
    points, country = np.asarray(jurbarkas.geometry), jurbarkas["country"].to_numpy(object)
    by_polygon, _ = assign(points, country, bd)
    by_division, _ = assign(
        points, country, bd, geonames_admin1=jurbarkas["admin1"].to_numpy(object)
    )
    assert jurbarkas["admin1"].tolist() == ["62"]
    assert by_polygon.tolist() == ["LT-MR"] and by_division.tolist() == ["LT-TA"]
    # a division code that names no region changes nothing
    same, _ = assign(points, country, bd, geonames_admin1=["99"])
    assert same.tolist() == ["LT-MR"]


def test_admin1_assignment_agrees_with_the_natural_earth_50m_reference():
    """Independent file: point in ne_50m_admin_1 polygon for the US, BR, CA, AU towns."""
    ref = geopandas.read_file(naturalearth_path("ne_50m_admin_1_states_provinces.gpkg"))
    towns = layers.settlements(country=["US", "BR", "CA", "AU"], min_population=5000)
    keys, _ = assign(
        np.asarray(towns.geometry), towns["country"].to_numpy(object), breakdown("admin1")
    )
    joined = geopandas.sjoin(
        towns[["geometry"]], ref[["iso_3166_2", "geometry"]], predicate="within"
    )
    joined = joined[~joined.index.duplicated()]
    pos = towns.index.get_indexer(joined.index)
    agree = (keys[pos] == joined["iso_3166_2"].to_numpy()).mean()
    assert len(pos) > 10_000 and agree > 0.99, agree


# -- any polygon layer ----------------------------------------------------------


def _zones():
    return geopandas.GeoDataFrame(
        {"name": ["west", "east"]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )


def test_any_polygon_layer_with_outside_places_in_their_own_row():
    towns = _towns(
        [(0.5, 0.5), (1.5, 0.5), (1.6, 0.2), (3.0, 0.5), (0.2, 0.9)],
        ["AA", "AA", "BB", "BB", "AA"],
        [1, 10, 100, 1000, 10000],
    )
    result = layers.exposure((1.0, 0.5), towns, "500km", by=_zones(), exclude_source=False)
    t = result.table.set_index(["country", "name"])["population"]
    assert t[("AA", "west")] == 10001 and t[("AA", "east")] == 10
    assert t[("BB", "east")] == 100 and t[("BB", UNASSIGNED)] == 1000
    assert t.sum() == towns["population"].sum()
    assert result.by == "name"
    named = layers.exposure((1.0, 0.5), towns, "500km", by=(_zones(), "name"))
    assert named.table["population"].sum() == result.table["population"].sum()


def test_polygon_layer_in_another_crs_is_reprojected():
    zones = _zones().to_crs("EPSG:3857")
    towns = _towns([(0.5, 0.5), (1.5, 0.5)], ["AA", "AA"], [1, 2])
    result = layers.exposure((1.0, 0.5), towns, "500km", by=zones, exclude_source=False)
    assert result.table.set_index("name")["population"].to_dict() == {"east": 2, "west": 1}


def test_bad_polygon_layers_are_refused_with_the_fix():
    towns = _towns([(0.5, 0.5)], ["AA"], [1])
    nokey = _zones().rename(columns={"name": "label"})
    with pytest.raises(InputError, match=r"no key column.*by=\(layer, 'COLUMN'\)"):
        layers.exposure((1.0, 0.5), towns, "50km", by=nokey)
    with pytest.raises(CRSError, match="no CRS"):
        layers.exposure((1.0, 0.5), towns, "50km", by=_zones().set_crs(None, allow_override=True))
    points = geopandas.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(0, 0)], crs=4326)
    with pytest.raises(InputError, match="must hold polygons"):
        layers.exposure((1.0, 0.5), towns, "50km", by=points)
    with pytest.raises(InputError, match="mixes 'admin1'"):
        layers.exposure((1.0, 0.5), towns, "50km", by=["admin1", "name"])
