"""geo.distance, distance_to, DistanceIndex and geodesic_line against independent references.

References live in tests/reference.py (pyproj Geod + brute force, no geo code).
Contract: point-point distances equal Geod.inv; point-geometry distances within 1 cm at every
distance up to half the circumference.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import shapely
from numpy.testing import assert_allclose
from reference import (
    GEOD,
    distance_to_aeqd,
    points_around,
    split_antimeridian,
)
from reference import (
    distance_to as ref_distance_to,
)

import geo

# GeoNames cities500 coordinates (lon, lat).
VLADIVOSTOK = (131.87353, 43.10562)
PYONGYANG = (125.75432, 39.03385)


def contract_tolerance(ref: np.ndarray) -> np.ndarray:
    """Allowed error (metres) of distance_to: 1 cm at every distance."""
    return np.full(np.shape(ref), 0.01)


def assert_distances(got, ref, points, *, what: str) -> None:
    """Assert got ~ ref within the contract; on failure name the worst points."""
    got = np.asarray(got, dtype=float)
    ref = np.asarray(ref, dtype=float)
    assert got.shape == ref.shape, f"{what}: shape {got.shape}, expected {ref.shape}"
    err = np.abs(got - ref)
    err[np.isnan(err)] = np.inf
    bad = err > contract_tolerance(ref)
    if bad.any():
        worst = np.argsort(-np.where(bad, err, -1))[: min(5, int(bad.sum()))]
        lines = [
            f"  point (lon, lat)=({points[i][0]!r}, {points[i][1]!r}): expected {ref[i]:.4f} m, "
            f"got {got[i]:.4f} m (error {err[i]:.4f} m)"
            for i in worst
        ]
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {len(ref)} distances outside the contract; worst:\n"
            + "\n".join(lines)
        )


# --------------------------------------------------------------------------- geo.distance


def test_distance_scalar_is_geod_inv():
    got = geo.distance(VLADIVOSTOK, PYONGYANG)
    expected = GEOD.inv(*VLADIVOSTOK, *PYONGYANG)[2]
    assert isinstance(got, float)
    assert got == pytest.approx(expected, abs=1e-6)
    # PEERS.md measured 684.475 km with the same GeoNames points, outside this project.
    assert got == pytest.approx(684_475, abs=1)


def test_distance_accepts_shapely_points():
    got = geo.distance(shapely.Point(VLADIVOSTOK), shapely.Point(PYONGYANG))
    assert isinstance(got, float)
    assert got == pytest.approx(GEOD.inv(*VLADIVOSTOK, *PYONGYANG)[2], abs=1e-6)


def test_distance_arrays_pairwise():
    rng = np.random.default_rng(10)
    a = np.column_stack([rng.uniform(-180, 180, 500), rng.uniform(-90, 90, 500)])
    b = np.column_stack([rng.uniform(-180, 180, 500), rng.uniform(-90, 90, 500)])
    got = geo.distance(a, b)
    assert isinstance(got, np.ndarray) and got.shape == (500,)
    assert_allclose(got, GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])[2], rtol=0, atol=1e-6)


@pytest.mark.parametrize("one_first", [True, False])
def test_distance_one_to_many_broadcasts(one_first):
    rng = np.random.default_rng(11)
    many = np.column_stack([rng.uniform(-180, 180, 300), rng.uniform(-90, 90, 300)])
    got = geo.distance(PYONGYANG, many) if one_first else geo.distance(many, PYONGYANG)
    n = len(many)
    expected = GEOD.inv(np.full(n, PYONGYANG[0]), np.full(n, PYONGYANG[1]), many[:, 0], many[:, 1])[
        2
    ]
    assert isinstance(got, np.ndarray) and got.shape == (n,)
    assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_distance_sequence_of_pairs():
    pairs = [VLADIVOSTOK, (0.0, 0.0), (-179.5, 89.0)]
    got = geo.distance(pairs, PYONGYANG)
    expected = [GEOD.inv(*p, *PYONGYANG)[2] for p in pairs]
    assert_allclose(got, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "a, b",
    [
        ((0.0, 0.0), (0.0, 0.0)),  # same point
        ((179.9, 10.0), (-179.9, 10.0)),  # across the antimeridian: short way
        ((0.0, 90.0), (123.0, -90.0)),  # pole to pole
        ((0.0, 0.0), (180.0, 0.0)),  # antipodal on the equator
        ((10.0, 20.0), (-170.0, -20.0)),  # antipodal, off the equator
        ((-180.0, 45.0), (180.0, 45.0)),  # the same point written twice
        ((30.0, 89.999999), (-150.0, 89.999999)),  # across the pole
    ],
)
def test_distance_special_pairs(a, b):
    assert geo.distance(a, b) == pytest.approx(GEOD.inv(*a, *b)[2], abs=1e-6)


# --------------------------------------------------------------------------- distance_to, synthetic


# Polygons that cross the antimeridian, before they are split at ±180: their edges are the
# real coastline, the reference for depths inside the split polygon.
UNSPLIT = {
    "antimeridian_polygon": shapely.Polygon(
        [(178.0, -17.0), (182.5, -17.5), (181.0, -15.0), (178.5, -15.5)]
    ),
}


def _synthetic_geometries():
    return {
        "point": shapely.Point(30.0, 10.0),
        "multipoint": shapely.MultiPoint([(30.0, 10.0), (31.0, 12.5), (-45.0, -60.0)]),
        "line": shapely.LineString([(10.0, 45.0), (12.0, 46.5), (13.5, 44.0)]),
        "multiline": shapely.MultiLineString(
            [[(-70.0, -30.0), (-65.0, -31.0)], [(-60.0, -25.0), (-60.5, -20.0)]]
        ),
        "polygon_with_hole": shapely.Polygon(
            [(100.0, 0.0), (104.0, 0.0), (104.0, 4.0), (100.0, 4.0)],
            [[(101.0, 1.0), (103.0, 1.0), (103.0, 3.0), (101.0, 3.0)]],
        ),
        "multipolygon": shapely.MultiPolygon(
            [
                shapely.Polygon([(-5.0, 50.0), (-3.0, 50.0), (-4.0, 52.0)]),
                shapely.Polygon([(2.0, 49.0), (6.0, 49.5), (5.0, 51.5), (2.5, 51.0)]),
            ]
        ),
        # Long coarse edges: edge (0,60)-(40,60) runs along the parallel, not the great circle.
        "coarse_polygon": shapely.Polygon([(0.0, 60.0), (40.0, 60.0), (40.0, 50.0), (0.0, 50.0)]),
        "antimeridian_polygon": split_antimeridian(UNSPLIT["antimeridian_polygon"]),
        "antimeridian_line": split_antimeridian(
            shapely.LineString([(175.0, 60.0), (185.0, 62.0), (190.0, 65.0)])
        ),
        "north_polar_polygon": shapely.Polygon(
            [
                (-170.0, 87.0),
                (-20.0, 88.5),
                (100.0, 86.0),
                (170.0, 87.5),
                (170.0, 89.5),
                (-170.0, 89.5),
            ]
        ),
        "south_polar_line": shapely.LineString([(0.0, -88.0), (90.0, -88.5), (180.0, -89.0)]),
    }


SYNTHETIC = _synthetic_geometries()
assert all(g.is_valid for g in SYNTHETIC.values())


@pytest.fixture(scope="module", params=sorted(SYNTHETIC))
def synthetic_case(request):
    """(name, geometry, points, reference distances): points near, mid-range and far."""
    geom = SYNTHETIC[request.param]
    rng = np.random.default_rng(zlib.crc32(request.param.encode()))
    pts = np.concatenate(
        [
            points_around(geom, 25, 20_000, rng=rng),
            points_around(geom, 25, 3_000_000, rng=rng, min_m=20_000),
            points_around(geom, 6, 19_000_000, rng=rng, min_m=5_000_000),
        ]
    )
    return request.param, geom, pts, ref_distance_to(pts, geom)


def test_distance_to_synthetic_matches_reference(synthetic_case):
    name, geom, pts, ref = synthetic_case
    got = geo.distance_to(pts, geom)
    assert isinstance(got, np.ndarray) and got.shape == (len(pts),)
    assert_distances(got, ref, pts, what=f"distance_to({name})")


def test_distance_to_synthetic_signed(synthetic_case):
    name, geom, pts, ref = synthetic_case
    expected = ref_distance_to(pts, geom, signed=True)
    if name in UNSPLIT:
        # The cut at ±180 is no coastline: a depth is the distance to the unsplit ring's edges.
        inside = shapely.intersects_xy(geom, pts[:, 0], pts[:, 1])
        coast = shapely.LineString(UNSPLIT[name].exterior.coords)
        expected[inside] = -ref_distance_to(pts[inside], coast)
        # The sample reaches inside, where the cut is nearer than the coast.
        assert (ref_distance_to(pts[inside], geom, signed=True) > expected[inside] + 1000).any()
    got = geo.distance_to(pts, geom, signed=True)
    assert_distances(got, expected, pts, what=f"distance_to({name}, signed)")


def test_reference_methods_agree():
    """The two references (exact minimisation and per-point AEQD) agree: the yardstick is sound."""
    geom = SYNTHETIC["coarse_polygon"]
    pts = np.array([[20.0, 61.0], [-3.0, 55.0], [45.0, 62.0], [20.0, 49.0], [41.0, 50.5]])
    assert_allclose(ref_distance_to(pts, geom), distance_to_aeqd(pts, geom), rtol=0, atol=0.01)


def test_long_edge_is_straight_in_lonlat():
    """A point 1 degree north of an edge along the 60th parallel is ~111 km from it, not ~0.

    The great circle through (0, 60) and (40, 60) bulges to about 62.5 N; reading the
    edge as a great circle would put (20, 61) inside the polygon.
    """
    geom = SYNTHETIC["coarse_polygon"]
    pt = np.array([[20.0, 61.0]])
    ref = ref_distance_to(pt, geom)
    assert ref[0] > 110_000  # the reference itself follows the lon/lat reading
    assert_distances(geo.distance_to(pt, geom), ref, pt, what="distance_to(coarse edge)")


@pytest.mark.parametrize(
    "line",
    [
        shapely.LineString(
            [(170.0, 89.5), (-170.0, 89.5)]
        ),  # 340 degrees of longitude round the pole
        shapely.LineString([(-10.0, 89.5), (10.0, 89.5)]),
        shapely.LineString([(0.0, 80.0), (40.0, 80.0)]),
        shapely.LineString([(-170.0, 87.0), (-20.0, 88.5)]),
    ],
    ids=["parallel_89.5_340deg", "parallel_89.5_20deg", "parallel_80_40deg", "slanted_87_88.5"],
)
def test_long_edges_near_the_pole(line):
    """Edges straight in lon/lat curl round the pole; their distance must still be within 1 m."""
    pts = points_around(line, 40, 100_000, rng=np.random.default_rng(13))
    assert_distances(
        geo.distance_to(pts, line), ref_distance_to(pts, line), pts, what="long edge near the pole"
    )


def test_inside_is_zero_and_signed_is_negative_depth():
    geom = SYNTHETIC["polygon_with_hole"]
    inside = np.array([[100.5, 0.5], [103.5, 2.0], [102.0, 3.5]])
    in_hole = np.array([[102.0, 2.0]])
    assert_allclose(geo.distance_to(inside, geom), 0.0, atol=0)
    signed = geo.distance_to(inside, geom, signed=True)
    assert (signed < 0).all()
    assert_distances(
        signed, ref_distance_to(inside, geom, signed=True), inside, what="signed depth"
    )
    # The hole is outside: positive both ways.
    ref_hole = ref_distance_to(in_hole, geom)
    assert ref_hole[0] > 100_000
    assert_distances(geo.distance_to(in_hole, geom), ref_hole, in_hole, what="point in hole")
    assert_distances(
        geo.distance_to(in_hole, geom, signed=True), ref_hole, in_hole, what="point in hole, signed"
    )


def test_points_on_boundary_and_vertices_are_zero():
    geom = SYNTHETIC["multipolygon"]
    verts = shapely.get_coordinates(geom)
    got = geo.distance_to(verts, geom)
    assert_allclose(got, 0.0, atol=1e-6)
    line = SYNTHETIC["line"]
    on_line = shapely.get_coordinates(
        shapely.line_interpolate_point(line, [0.1, 0.5, 0.9], normalized=True)
    )
    assert_allclose(geo.distance_to(on_line, line), 0.0, atol=1e-3)


def test_distance_to_point_geometry_is_distance():
    rng = np.random.default_rng(12)
    pts = np.column_stack([rng.uniform(-180, 180, 200), rng.uniform(-90, 90, 200)])
    got = geo.distance_to(pts, shapely.Point(PYONGYANG))
    expected = GEOD.inv(
        pts[:, 0], pts[:, 1], np.full(200, PYONGYANG[0]), np.full(200, PYONGYANG[1])
    )[2]
    assert_allclose(got, expected, rtol=1e-9, atol=1e-3)


def test_distance_to_empty_points():
    got = geo.distance_to(np.empty((0, 2)), SYNTHETIC["line"])
    assert isinstance(got, np.ndarray) and got.shape == (0,)


# --------------------------------------------------------------------------- North Korea


def _nk_points(geom: shapely.Geometry, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = geom.bounds
    box = np.column_stack([rng.uniform(minx, maxx, 400), rng.uniform(miny, maxy, 400)])
    inside = box[shapely.contains_xy(geom, box[:, 0], box[:, 1])][:40]
    return np.concatenate(
        [
            inside,
            points_around(geom, 80, 30_000, rng=rng),  # close to the border, both sides
            points_around(geom, 120, 1_500_000, rng=rng, min_m=30_000),
            points_around(geom, 30, 5_000_000, rng=rng, min_m=1_500_000),
            points_around(geom, 10, 18_000_000, rng=rng, min_m=5_000_000),
        ]
    )


@pytest.fixture(scope="module", params=["ne", "osm"])
def nk_case(request):
    """(name, North Korea geometry, ~280 points, reference unsigned and signed distances)."""
    geom = request.getfixturevalue("ne_north_korea" if request.param == "ne" else "osm_north_korea")
    pts = _nk_points(geom, seed=20 if request.param == "ne" else 21)
    signed = ref_distance_to(pts, geom, signed=True)
    return request.param, geom, pts, np.maximum(signed, 0.0), signed


def test_north_korea_distance_to(nk_case):
    name, geom, pts, ref, _ = nk_case
    assert_distances(geo.distance_to(pts, geom), ref, pts, what=f"distance_to(North Korea {name})")


def test_north_korea_signed(nk_case):
    name, geom, pts, _, signed = nk_case
    assert (signed < 0).sum() >= 20  # the sample does reach inside
    assert_distances(
        geo.distance_to(pts, geom, signed=True), signed, pts, what=f"signed (North Korea {name})"
    )


def test_far_settlements_to_osm_north_korea(osm_north_korea):
    """Beyond 5,000 km the nearest point must still be found (1e-6 relative).

    Dhule (India), M'Daourouch (Algeria) and Yuracyacu (Peru), GeoNames cities500: their
    nearest points on the OSM polygon are vertices, at 5,105.9, 9,371.3 and 15,104.8 km.
    """
    rng = np.random.default_rng(22)
    named = np.array([[74.77737, 20.9013], [7.8196, 36.07821], [-77.22667, -5.93139]])
    anywhere = np.column_stack(
        [rng.uniform(-180, 180, 40), np.degrees(np.arcsin(rng.uniform(-1, 1, 40)))]
    )
    pts = np.concatenate([named, anywhere])
    ref = ref_distance_to(pts, osm_north_korea)
    assert_distances(
        geo.distance_to(pts, osm_north_korea), ref, pts, what="far points, OSM North Korea"
    )


def _globe_and_antipodes(geom: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points uniform over the globe and ``n`` within 3,000 km of the geometry's antipodes."""
    anywhere = np.column_stack(
        [rng.uniform(-180, 180, n), np.degrees(np.arcsin(rng.uniform(-1, 1, n)))]
    )
    coords = shapely.get_coordinates(geom)
    v = coords[rng.integers(0, len(coords), n)]
    antipode = np.column_stack([v[:, 0] - np.copysign(180.0, v[:, 0]), -v[:, 1]])
    lon, lat, _ = GEOD.fwd(
        antipode[:, 0], antipode[:, 1], rng.uniform(-180, 180, n), rng.uniform(0, 3e6, n)
    )
    return np.concatenate([anywhere, np.column_stack([lon, lat])])


def test_far_points_over_the_globe_to_osm_north_korea(osm_north_korea):
    """Exact to 1 cm at every distance, up to the antipode.

    The first point (Uruguay, 18,646 km) came out 1.51 m too far when a Newton step, which only
    holds under a quarter of the circumference, was the last step; near the antipode the chord
    search picked stretches of coast hundreds of km from the nearest one (40 km too far).
    """
    pts = np.concatenate(
        [
            [[-55.97925, -31.71882]],
            _globe_and_antipodes(osm_north_korea, 40, np.random.default_rng(23)),
        ]
    )
    ref = ref_distance_to(pts, osm_north_korea)
    assert ref.max() > 19_500_000.0  # the sample reaches the antipode
    assert_distances(
        geo.distance_to(pts, osm_north_korea), ref, pts, what="far points, OSM North Korea"
    )


@pytest.mark.slow
@pytest.mark.parametrize("seed", [24, 25])
def test_many_far_points_over_the_globe_to_osm_north_korea(osm_north_korea, seed):
    pts = _globe_and_antipodes(osm_north_korea, 300, np.random.default_rng(seed))
    assert_distances(
        geo.distance_to(pts, osm_north_korea),
        ref_distance_to(pts, osm_north_korea),
        pts,
        what="far points, OSM North Korea",
    )


@pytest.mark.parametrize("max_distance", [0.0, 25_000.0, 200_000.0, 3_000_000.0])
def test_max_distance(nk_case, max_distance):
    name, geom, pts, ref, signed = nk_case
    full = geo.distance_to(pts, geom)
    capped = geo.distance_to(pts, geom, max_distance=max_distance)
    clear = np.abs(ref - max_distance) > 1.0  # leave points within the error bound of the cut
    beyond = clear & (ref > max_distance)
    within = (clear | (ref == 0)) & (ref <= max_distance)  # points inside are at 0 <= max_distance
    assert beyond.any() and within.any()
    assert np.isinf(capped[beyond]).all() and (capped[beyond] > 0).all(), (
        f"points beyond max_distance={max_distance} not inf: "
        f"{pts[beyond][~np.isinf(capped[beyond])][:5]}"
    )
    assert_allclose(capped[within], full[within], rtol=0, atol=1e-6)
    capped_signed = geo.distance_to(pts, geom, max_distance=max_distance, signed=True)
    assert np.isinf(capped_signed[beyond]).all()
    assert_allclose(
        capped_signed[within], geo.distance_to(pts, geom, signed=True)[within], rtol=0, atol=1e-6
    )


def test_distance_index_matches_distance_to(nk_case):
    name, geom, pts, ref, signed = nk_case
    index = geo.DistanceIndex(geom)
    got = index.distance_to(pts)
    assert_distances(got, ref, pts, what=f"DistanceIndex(North Korea {name})")
    assert_allclose(got, geo.distance_to(pts, geom), rtol=0, atol=1e-6)
    # Reused for further queries, with options.
    assert_distances(
        index.distance_to(pts, signed=True), signed, pts, what=f"DistanceIndex signed ({name})"
    )
    capped = index.distance_to(pts, max_distance=200_000.0)
    far = ref > 200_001.0
    assert np.isinf(capped[far]).all()
    assert_allclose(capped[ref < 199_999.0], got[ref < 199_999.0], rtol=0, atol=1e-6)


@pytest.mark.parametrize("radius", [0.0, 30_000.0, 200_000.0, 2_000_000.0])
def test_point_index_within_is_the_reference_set(nk_case, radius):
    """PointIndex.within gives the reference's set of points within R, and their distances."""
    name, geom, pts, ref, _ = nk_case
    positions, metres = geo.PointIndex(pts).within(geom, radius)
    got = np.zeros(len(pts), dtype=bool)
    got[positions] = True
    clear = (np.abs(ref - radius) > 1.0) | (ref == 0)
    expected = ref <= radius
    wrong = clear & (got != expected)
    assert not wrong.any(), (
        f"{name}, R={radius}: wrong side for {pts[wrong][:5].tolist()} (reference {ref[wrong][:5]})"
    )
    assert (np.diff(positions) > 0).all()
    assert_distances(
        metres, ref[positions], pts[positions], what=f"PointIndex.within distances ({name})"
    )


def test_distance_to_accepts_geoseries_points(nk_case):
    import geopandas

    name, geom, pts, ref, _ = nk_case
    series = geopandas.GeoSeries(shapely.points(pts), crs="EPSG:4326")
    assert_distances(geo.distance_to(series, geom), ref, pts, what="GeoSeries points")
    frame = geopandas.GeoDataFrame({"i": np.arange(len(pts))}, geometry=series)
    polygon = geopandas.GeoDataFrame(geometry=[geom], crs="EPSG:4326")
    assert_distances(
        geo.distance_to(frame, polygon), ref, pts, what="GeoDataFrame points and polygon"
    )


# --------------------------------------------------------------------------- geo.geodesic_line


def _line_vertices(line: shapely.Geometry) -> list[np.ndarray]:
    return [shapely.get_coordinates(part) for part in shapely.get_parts(line)]


@pytest.mark.parametrize(
    "a, b",
    [
        (VLADIVOSTOK, PYONGYANG),
        ((-74.0, 40.7), (139.7, 35.7)),  # New York - Tokyo, over the Arctic
        ((10.0, -30.0), (150.0, -35.0)),
        ((0.0, 0.0), (0.0, 80.0)),  # along a meridian
    ],
)
def test_geodesic_line_vertices_on_geodesic(a, b):
    line = geo.geodesic_line(a, b)
    assert line.geom_type in ("LineString", "MultiLineString")
    azi, _, total = GEOD.inv(*a, *b)
    verts = np.concatenate(_line_vertices(line))
    n = len(verts)
    assert n >= 10, f"only {n} vertices for a {total / 1000:.0f} km line"
    d_a = GEOD.inv(np.full(n, a[0]), np.full(n, a[1]), verts[:, 0], verts[:, 1])[2]
    d_b = GEOD.inv(verts[:, 0], verts[:, 1], np.full(n, b[0]), np.full(n, b[1]))[2]
    assert_allclose(d_a + d_b, total, rtol=0, atol=1e-3)
    # Stronger than the sum: interior vertices lie on the azimuth leaving a, within 1 m sideways.
    interior = (d_a > 1_000.0) & (d_b > 1_000.0)
    az_v = GEOD.inv(np.full(n, a[0]), np.full(n, a[1]), verts[:, 0], verts[:, 1])[0]
    daz = (az_v[interior] - azi + 180.0) % 360.0 - 180.0
    sideways = np.abs(np.radians(daz)) * d_a[interior]
    assert sideways.max() <= 1.0, f"a vertex is {sideways.max():.3f} m off the geodesic"
    for end in (a, b):
        assert np.abs(verts - end).max(axis=1).min() < 1e-9, f"{end} is not a vertex of the line"


@pytest.mark.parametrize(
    "a, b",
    [
        ((170.0, 50.0), (-170.0, 55.0)),
        ((-160.0, -10.0), (150.0, 20.0)),
        ((168.5, 0.0), (-12.0, 77.0)),  # crosses ±180 near the pole
    ],
)
def test_geodesic_line_split_at_antimeridian(a, b):
    line = geo.geodesic_line(a, b)
    assert line.geom_type == "MultiLineString"
    parts = _line_vertices(line)
    for xy in parts:
        assert (np.abs(xy[:, 0]) <= 180).all()
        jump = np.abs(np.diff(xy[:, 0])).max()
        assert jump < 90, (
            f"consecutive vertices {jump:.1f} degrees of longitude apart: smeared across the map"
        )
    # The parts meet at ±180 at the same latitude, on the geodesic.
    ends = np.array([xy[k] for xy in parts for k in (0, -1)])
    cut = ends[np.abs(np.abs(ends[:, 0]) - 180) < 1e-9]
    assert len(cut) == 2 and cut[0][0] == -cut[1][0]
    assert cut[0][1] == pytest.approx(cut[1][1], abs=1e-9)
    # The cut point is on the geodesic: within 1 m sideways of it.
    azi, _, _ = GEOD.inv(*a, *b)
    az_cut, _, d_cut = GEOD.inv(a[0], a[1], cut[0][0], cut[0][1])
    sideways = abs(np.radians((az_cut - azi + 180.0) % 360.0 - 180.0)) * d_cut
    assert sideways <= 1.0, (
        f"the vertex at ±180, {tuple(cut[0])}, is {sideways:.2f} m off the geodesic"
    )


def test_distance_to_takes_a_prepared_index_as_its_geometry():
    line = shapely.LineString([(0, -10), (0, 10)])
    index = geo.DistanceIndex(line)
    points = np.array([[1.0, 0.0], [-2.0, 5.0], [0.5, 30.0]])
    assert np.array_equal(geo.distance_to(points, index), geo.distance_to(points, line))
    assert geo.distance_to((1, 0), index, max_distance="50km") == np.inf
