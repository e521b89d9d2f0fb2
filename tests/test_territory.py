"""Territories and borders, against Natural Earth (an independent second source) and
published border lengths.
"""

from __future__ import annotations

import geopandas
import numpy as np
import pytest
import shapely
from pyproj import Geod

from geo.errors import CRSError, InputError, RepairWarning
from layers.provenance import Provenance
from layers.territory import FILE_CODE_COLUMNS, border, territory, time_zones

GEOD = Geod(ellps="WGS84")  # the reference's own ellipsoid, not riskmap's


def area_km2(geometry) -> float:
    # Densified first: edges are straight in lon/lat (RFC 7946), not geodesics.
    return abs(GEOD.geometry_area_perimeter(shapely.segmentize(geometry, 0.01))[0]) / 1e6


def length_km(geometry) -> float:
    return GEOD.geometry_length(shapely.segmentize(geometry, 0.01)) / 1000


def km_between(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000


# -- territories -------------------------------------------------------------


def test_osm_north_korea_land_matches_natural_earth_50m(ne_north_korea):
    kp = territory("KP")
    assert area_km2(kp.geometry.iloc[0]) == pytest.approx(area_km2(ne_north_korea), rel=0.02)


@pytest.mark.parametrize(
    "iso3",
    [
        "PRK",
        "CHN",
        "JPN",
        "KOR",
        "RUS",  # crosses the antimeridian
        "USA",  # Aleutians cross it too
        "FRA",  # ISO_A3 is -99 in Natural Earth
        "NOR",  # ISO_A3 is -99 in Natural Earth
        "ATA",  # circles the South Pole
    ],
)
def test_packaged_natural_earth_matches_shared_50m(ne_countries, iso3):
    ours = territory(iso3, source="naturalearth").geometry.iloc[0]
    ref = ne_countries.loc[ne_countries["ADM0_A3"] == iso3].geometry.iloc[0]
    assert ours.is_valid
    xmin, ymin, xmax, ymax = ours.bounds
    assert -180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90
    # 1:10m (ours) against 1:50m (shared, Natural Earth 4.0.0): same source, two scales.
    assert area_km2(ours) == pytest.approx(area_km2(ref), rel=0.02)


def test_osm_variants_columns_and_provenance():
    sea = territory("KP", land_only=False)
    land = territory("KP")
    assert sea.crs.to_epsg() == 4326 and land.crs.to_epsg() == 4326
    assert list(land.columns[:5]) == ["iso2", "iso3", "name", "source", "variant"]
    assert land.iloc[0][["iso2", "iso3", "name", "source", "variant"]].tolist() == [
        "KP",
        "PRK",
        "North Korea",
        "osm",
        "osm-land",
    ]
    assert sea["variant"].iloc[0] == "osm-sea"
    # the land variant is the sea variant clipped: inside it, and smaller by the sea
    assert sea.geometry.iloc[0].buffer(1e-9).contains(land.geometry.iloc[0])
    assert area_km2(sea.geometry.iloc[0]) > 1.1 * area_km2(land.geometry.iloc[0])
    prov = Provenance.of(sea)
    osm = prov.sources[0]
    assert osm.licence == "ODbL 1.0"
    assert osm.attribution == "© OpenStreetMap contributors"
    assert "timezone-boundary-builder" in osm.name and "timezonefinder-data" in osm.version
    assert prov.details["zones"] == ["Asia/Pyongyang"]
    assert "Made with Natural Earth" in Provenance.of(land).attribution()


def test_capitals_fall_in_their_territories():
    # GeoNames points are independent of the boundary data.
    from layers.settlements import settlements

    places = settlements(min_population=1_000_000).set_index("name")
    kp = territory("KP").geometry.iloc[0]
    kr = territory("KR").geometry.iloc[0]
    assert kp.contains(places.geometry["Pyongyang"])
    assert not kp.contains(places.geometry["Seoul"])
    assert kr.contains(places.geometry["Seoul"])


def test_zone_tab_join():
    assert time_zones("KP") == ("Asia/Pyongyang",)
    ru = time_zones("Russia")
    assert "Asia/Vladivostok" in ru and "Europe/Kaliningrad" in ru and len(ru) == 26
    # zone.tab gives each zone one country; zone1970.tab would give Simferopol to RU and UA
    assert "Europe/Simferopol" not in ru
    assert "Europe/Simferopol" in time_zones("UA")


def test_osm_territory_is_built_once_per_process():
    first = territory("RU", land_only=False)
    again = territory("RU", land_only=False)
    # the second call reuses the geometry built by the first (speed is for benchmarks/)
    assert again.geometry.iloc[0] is first.geometry.iloc[0]


def test_country_without_zone_is_refused():
    with pytest.raises(
        InputError, match=r"no time zone in tzdata's zone.tab is assigned to Kosovo"
    ):
        territory("XK")
    assert territory("XK", source="naturalearth")["iso2"].iloc[0] == "XK"


def test_unknown_country_in_territory():
    with pytest.raises(InputError, match="did you mean 'North Korea'"):
        territory("Nort Korea")


def test_unknown_source_is_refused():
    with pytest.raises(InputError, match=r"source 'gadm' is neither 'osm' nor 'naturalearth'"):
        territory("KP", source="gadm")


# -- user files ----------------------------------------------------------------


def test_file_source_picks_rows_by_iso_code(ne_countries):
    from conftest import naturalearth_path

    path = naturalearth_path("ne_50m_admin_0_countries.gpkg")
    fr = territory("France", source=path)
    ref = ne_countries.loc[ne_countries["ADM0_A3"] == "FRA"].geometry.iloc[0]
    assert fr["variant"].iloc[0] == "file"
    # ISO_A3 is -99 for France: the row comes from ADM0_A3
    assert Provenance.of(fr).details["code_column"] == "ADM0_A3"
    assert area_km2(fr.geometry.iloc[0]) == pytest.approx(area_km2(ref), rel=1e-9)
    kp = territory("KP", source=ne_countries)
    assert Provenance.of(kp).details["code_column"] == "ISO_A3"
    assert FILE_CODE_COLUMNS[:2] == ("ISO_A3", "ADM0_A3")


def test_file_source_is_reprojected(ne_countries):
    kp = ne_countries.loc[ne_countries["ADM0_A3"] == "PRK", ["ADM0_A3", "geometry"]]
    projected = kp.to_crs("EPSG:32652")
    back = territory("KP", source=projected).geometry.iloc[0]
    assert area_km2(back) == pytest.approx(area_km2(kp.geometry.iloc[0]), rel=1e-3)
    assert back.bounds[0] == pytest.approx(kp.geometry.iloc[0].bounds[0], abs=1e-6)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_file_without_crs_is_refused(tmp_path):
    frame = geopandas.GeoDataFrame({"ISO_A3": ["PRK"]}, geometry=[shapely.box(125, 38, 129, 42)])
    path = tmp_path / "nocrs.shp"
    frame.to_file(path)
    assert geopandas.read_file(path).crs is None
    with pytest.raises(CRSError, match="has no CRS"):
        territory("KP", source=path)


def test_invalid_user_polygon_is_repaired_with_a_warning():
    bowtie = shapely.Polygon([(125, 38), (129, 42), (129, 38), (125, 42)])
    frame = geopandas.GeoDataFrame({"ISO_A3": ["PRK"]}, geometry=[bowtie], crs="EPSG:4326")
    with pytest.warns(RepairWarning, match="was invalid"):
        kp = territory("KP", source=frame)
    assert kp.geometry.iloc[0].is_valid


def test_package_data_is_repaired_silently(recwarn):
    territory("RU", source="naturalearth")
    assert not [w for w in recwarn if issubclass(w.category, RepairWarning)]


def test_file_without_code_column_or_row(ne_countries):
    frame = geopandas.GeoDataFrame(
        {"label": ["x"]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326"
    )
    with pytest.raises(
        InputError, match=r"no ISO code column; expected one of ISO_A3, ADM0_A3.*'label'"
    ):
        territory("KP", source=frame)
    with pytest.raises(InputError, match=r"has no row for Tokelau \(TK, TKL\) in columns"):
        territory("TK", source=ne_countries)


# -- borders -------------------------------------------------------------------


@pytest.fixture(scope="module")
def kp_ru():
    return border("KP", "RU")


@pytest.fixture(scope="module")
def kp_cn():
    return border("North Korea", "China")


def test_kp_ru_land_border_length(kp_ru):
    # Reference: 17.5 km (OSM-based, measured outside riskmap); most atlases say ~19 km
    # and Natural Earth's 1:10m line overshoots to 31.5 km. Tolerance 0.5 km: the land
    # end at the Tumen mouth is set by the 1:10m land layer, quantized to ~300 m.
    land = kp_ru.set_index("kind").loc["land"]
    assert land["length_m"] / 1000 == pytest.approx(17.5, abs=0.5)
    assert length_km(land.geometry) == pytest.approx(land["length_m"] / 1000, rel=1e-6)


def test_kp_ru_land_border_end_points(kp_ru):
    line = shapely.line_merge(kp_ru.set_index("kind").geometry["land"])
    assert line.geom_type == "LineString"
    ends = [line.coords[0], line.coords[-1]]
    tripoint = min(ends, key=lambda p: km_between(p, (130.6, 42.4)))
    mouth = max(ends, key=lambda p: km_between(p, (130.6, 42.4)))
    # the references are given to 0.1 degree: within 5 km
    assert km_between(tripoint, (130.6, 42.4)) < 5
    assert km_between(mouth, (130.7, 42.3)) < 5
    # the tripoint is where China begins
    cn = territory("CN", land_only=False).geometry.iloc[0]
    assert cn.boundary.distance(shapely.Point(tripoint)) < 1e-7
    assert cn.boundary.distance(shapely.Point(mouth)) > 0.05


def test_kp_ru_sea_part_runs_out_to_the_territorial_sea(kp_ru):
    sea = kp_ru.set_index("kind").loc["sea"]
    # 12 nautical miles (22.2 km) offshore, plus the estuary: a few tens of km at most
    assert 12 < sea["length_m"] / 1000 < 40


def test_kp_cn_land_border_length(kp_cn):
    # Reference: 1,398 km (OSM-based). Tolerance 0.5 %, for the river-mouth ends.
    land = kp_cn.set_index("kind").loc["land", "length_m"]
    assert land / 1000 == pytest.approx(1398, rel=0.005)


def test_border_frame_shape_and_provenance(kp_ru):
    assert kp_ru.crs.to_epsg() == 4326
    assert list(kp_ru.columns) == ["a", "b", "kind", "length_m", "source", "geometry"]
    assert kp_ru["kind"].tolist() == ["land", "sea"]
    assert set(kp_ru["a"]) == {"KP"} and set(kp_ru["b"]) == {"RU"}
    prov = Provenance.of(kp_ru)
    assert prov.details["snap_tolerance_deg"] == 0.0
    assert "© OpenStreetMap contributors" in prov.attribution()


def test_shared_edge_needs_no_snapping(kp_cn):
    # Neighbouring zone polygons share vertices exactly: snapping one boundary to the
    # other within 1e-5 degree (about 1 m) finds no more shared edge.
    a = territory("KP", land_only=False).geometry.iloc[0].boundary
    b = territory("CN", land_only=False).geometry.iloc[0].boundary
    b = shapely.clip_by_rect(b, *a.buffer(0.01).bounds)
    snapped = shapely.intersection(a, shapely.snap(b, a, 1e-5))
    lines = [p for p in shapely.get_parts(snapped) if p.geom_type == "LineString"]
    assert sum(GEOD.geometry_length(p) for p in lines) == pytest.approx(
        kp_cn["length_m"].sum(), abs=1.0
    )


def test_natural_earth_border_matches_its_boundary_lines():
    # Natural Earth's own 1:10m boundary lines (shared data) against the shared edge of
    # its 1:10m polygons (package data): same source, different products.
    from conftest import naturalearth_path

    lines = geopandas.read_file(naturalearth_path("ne_10m_admin_0_boundary_lines_land.gpkg"))
    for other, a3 in (("RU", "RUS"), ("CN", "CHN")):
        pair = {"PRK", a3}
        rows = lines[
            [
                {l_, r_} == pair
                for l_, r_ in zip(lines["adm0_a3_l"], lines["adm0_a3_r"], strict=True)
            ]
        ]
        reference = sum(length_km(g) for g in rows.geometry)
        ours = border("KP", other, source="naturalearth")
        assert ours["kind"].tolist() == ["land"]
        assert ours["length_m"].sum() / 1000 == pytest.approx(reference, rel=0.02)


def test_countries_sharing_no_edge_are_refused():
    with pytest.raises(
        InputError, match=r"North Korea \(KP, PRK\) and Japan \(JP, JPN\) share no border"
    ):
        border("KP", "JP")


def test_border_with_itself_or_unknown_source_is_refused():
    with pytest.raises(InputError, match="with itself"):
        border("KP", "PRK")
    with pytest.raises(InputError, match="border source 'gadm' is not supported"):
        border("KP", "RU", source="gadm")


def test_border_lengths_add_up(kp_ru):
    total = kp_ru["length_m"].sum()
    merged = shapely.union_all(np.asarray(kp_ru.geometry))
    assert length_km(merged) * 1000 == pytest.approx(total, rel=1e-6)
