"""Sites tables with their own ranges, files as sources, and PointIndex.around.

References: pyproj Geod.inv from each site to every settlement (no index), the sums of
those sets, and geopandas' own readers for the files written here.
"""

from __future__ import annotations

import geopandas
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

import geo
import layers
from layers.sites import read_sites
from layers.sites_exposure import sites_exposure

GEOD = Geod(ellps="WGS84")

PLANTS = pd.DataFrame(
    {
        "name": ["Fukushima Daiichi", "Zaporizhzhia", "Kursk"],
        "lon": [141.0329, 34.5858, 35.3117],
        "lat": [37.4213, 47.5119, 51.6753],
        "zones": ["20km;30km;80km", "30 km, 80 km", "50 mi"],
    }
)


@pytest.fixture(scope="module")
def towns():
    # the settlements near the three plants: enough for references by brute force
    parts = [layers.settlements(bbox=b) for b in ((138, 35, 144, 40), (30, 45, 40, 54))]
    return pd.concat(parts, ignore_index=True).pipe(geopandas.GeoDataFrame, crs="EPSG:4326")


def _reference(lon, lat, towns, radius):
    xy = towns.geometry.get_coordinates().to_numpy()
    d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])[2]
    return d <= radius, d


def test_every_site_and_range_counts_the_geod_inv_set(towns):
    sites = read_sites(PLANTS, range="zones", crs="EPSG:4326")
    assert list(sites["ranges_m"]) == [(2e4, 3e4, 8e4), (3e4, 8e4), (50 * 1609.344,)]
    result = sites_exposure(sites, towns, by=["country", "admin1"])
    for row in result.table.itertuples():
        site = PLANTS[PLANTS["name"] == row.site].iloc[0]
        inside, _ = _reference(site.lon, site.lat, towns, row.radius_m)
        assert row.places == inside.sum()
        assert row.population == towns["population"][inside].sum()
        assert row.places > 0
    # the breakdown sums to the total, and admin-1 codes stay with their country
    sums = result.groups.groupby(["site", "radius_m"])[["population", "places"]].sum()
    totals = result.table.set_index(["site", "radius_m"])[["population", "places"]]
    pd.testing.assert_frame_equal(sums.sort_index(), totals.sort_index())
    assert set(result.groups["country"]) == {"JP", "UA", "RU"}
    assert result.population("Zaporizhzhia", "80km") == result.table.iloc[4]["population"]
    # the places carry the exact distance
    fuku = result.places[result.places["site"] == "Fukushima Daiichi"]
    _, d = _reference(141.0329, 37.4213, towns, 80_000)
    np.testing.assert_array_equal(fuku["distance_m"].to_numpy(), d[fuku["position"].to_numpy()])


def test_admin1_alone_is_split_by_country_too(towns):
    sites = read_sites(PLANTS.iloc[:1], radius="80km", crs="EPSG:4326")
    result = sites_exposure(sites, towns, by="admin1")
    assert result.by == ("country", "admin1", "admin1_name")
    assert result.groups["population"].sum() == result.table["population"].sum()


def test_admin1_rows_are_iso_3166_2_regions_as_for_any_source(towns):
    """GeoNames' division number is not an ISO code: Fukushima is JP-07 ("08" in GeoNames).

    The rows must be the regions layers.exposure gives for the same point, which assigns
    places to the shipped admin-1 polygons.
    """
    sites = read_sites(PLANTS.iloc[:1], radius="80km", crs="EPSG:4326")
    groups = sites_exposure(sites, towns, by="admin1").groups
    assert groups.loc[groups["population"].idxmax(), "admin1"] == "JP-07"
    assert groups.loc[groups["population"].idxmax(), "admin1_name"] == "Fukushima Prefecture"
    same = layers.exposure("141.0329,37.4213", towns, "80km", by="admin1").to_frame()
    same = same[same["places"] > 0]
    got = groups.set_index("admin1")[["population", "places"]].sort_index()
    want = same.set_index("admin1")[["population", "places"]].sort_index()
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_the_union_counts_each_place_once(towns):
    # two sites 40 km apart share places; the union counts them once
    close = pd.DataFrame({"name": ["A", "B"], "lon": [140.9, 140.45], "lat": [37.5, 37.5]})
    sites = read_sites(close, radius=["30km", "60km"], crs="EPSG:4326")
    result = sites_exposure(sites, towns, union=True)
    for row in result.union.itertuples():
        a, _ = _reference(140.9, 37.5, towns, row.radius_m)
        b, _ = _reference(140.45, 37.5, towns, row.radius_m)
        assert row.places == (a | b).sum() < a.sum() + b.sum()
        assert row.population == towns["population"][a | b].sum()
    rings = result.rings(union=True)
    assert list(rings["distance_max"]) == [30_000.0, 60_000.0]
    assert rings.geometry.iloc[0].geom_type == "Polygon"  # the two discs overlap


def test_rings_per_site_at_its_own_ranges():
    sites = read_sites(PLANTS, range="zones", crs="EPSG:4326")
    from layers.sites_exposure import site_rings

    rings = site_rings(sites)
    assert list(rings["site"]) == ["Fukushima Daiichi"] * 3 + ["Zaporizhzhia"] * 2 + ["Kursk"]
    for row in rings.itertuples():
        site = PLANTS[PLANTS["name"] == row.site].iloc[0]
        ring = shapely.get_coordinates(shapely.get_exterior_ring(row.geometry))
        d = GEOD.inv(np.full(len(ring), site.lon), np.full(len(ring), site.lat), *ring.T)[2]
        assert np.abs(d - row.distance_max).max() <= row.error_m + 1e-6


@pytest.mark.parametrize(
    ("table", "kwargs", "message"),
    [
        (PLANTS.rename(columns={"zones": "z"}), {}, "no range column .*radius='30km'"),
        (PLANTS.assign(zones=["20", "30", "80"]), {"range": "zones"}, "without a unit"),
        (PLANTS.assign(range=[20, 30, 80]).drop(columns="zones"), {}, "'range_km'"),
        (PLANTS.assign(zones=["-5km", "3km", "1km"]), {"range": "zones"}, "negative"),
        (PLANTS.assign(zones=["", "3km", "1km"]), {"range": "zones"}, "no range"),
        (PLANTS.assign(range_km=["30km", 3, 1]), {"range": "range_km"}, "whose name gives"),
        (PLANTS.assign(name=["A", "A", "B"]), {"range": "zones"}, "same name twice: 'A'"),
        (PLANTS, {"range": "zone"}, "no range column 'zone'"),
        (PLANTS, {"range": "zones", "radius": "5km"}, "not both"),
        (PLANTS.drop(columns="name"), {"range": "zones"}, "no 'name' column"),
        (PLANTS.assign(lat=[95.0, 47.5, 51.7]), {"range": "zones"}, "90"),
    ],
)
def test_bad_sites_are_refused_by_name(table, kwargs, message):
    with pytest.raises(geo.InputError, match=message):
        read_sites(table, crs="EPSG:4326", **kwargs)


def test_a_unit_in_the_column_name(tmp_path):
    table = PLANTS.drop(columns="zones").assign(**{"radius (nmi)": [10, 20, 30]})
    sites = read_sites(table, crs="EPSG:4326")
    assert list(sites["range_max_m"]) == [18_520.0, 37_040.0, 55_560.0]


def test_sites_without_crs_are_refused(tmp_path):
    with pytest.raises(geo.CRSError, match="crs='EPSG:4326'"):
        read_sites(PLANTS, range="zones")
    path = tmp_path / "plants.geojson"
    frame = geopandas.GeoDataFrame(
        PLANTS.drop(columns=["lon", "lat"]),
        geometry=geopandas.points_from_xy(PLANTS["lon"], PLANTS["lat"]),
    )
    frame.to_file(path)  # written without a CRS
    with pytest.raises(geo.CRSError, match="no CRS"):
        read_sites(geopandas.read_file(path).set_crs(None, allow_override=True), range="zones")


@pytest.mark.parametrize("suffix", ["geojson", "gpkg", "shp", "fgb", "parquet"])
def test_a_file_is_a_source_with_its_crs(tmp_path, suffix, towns):
    zone = shapely.box(140.5, 37.0, 141.0, 37.5)
    frame = geopandas.GeoDataFrame({"name": ["zone"]}, geometry=[zone], crs="EPSG:4326")
    projected = frame.to_crs("EPSG:3857")  # the reader must honour the file's CRS
    path = tmp_path / f"zone.{suffix}"
    if suffix == "parquet":
        projected.to_parquet(path)
    else:
        projected.to_file(path)
    source = layers.resolve_source(str(path))
    assert source.kind == "file" and source.data.crs == "EPSG:4326"
    assert source.data.geometry.iloc[0].symmetric_difference(zone).area < 1e-12
    exp = layers.exposure(source, towns, "20km", by=None, exclude_source=False)
    reference = geo.distance_to(towns.geometry, zone)
    assert exp.population() == towns["population"][reference <= 20_000].sum()


def test_a_csv_file_source_needs_its_crs(tmp_path):
    path = tmp_path / "points.csv"
    PLANTS.to_csv(path, index=False)
    with pytest.raises(geo.CRSError, match="riskmap does not guess one"):
        layers.resolve_source(str(path))


def test_point_index_around_matches_geod_inv(towns):
    index = geo.PointIndex(towns.geometry)
    centres = PLANTS[["lon", "lat"]].to_numpy()
    radii = np.array([25_000.0, 60_000.0, 90_000.0])
    centre, position, metres = index.around(centres, radii)
    for i, (lon, lat) in enumerate(centres):
        inside, d = _reference(lon, lat, towns, radii[i])
        assert position[centre == i].tolist() == np.flatnonzero(inside).tolist()
        np.testing.assert_array_equal(metres[centre == i], d[inside])
    with pytest.raises(ValueError, match="2 values for 3 centres"):
        index.around(centres, radii[:2])
