"""geo.buffer and geo.rings against the brute-force reference in tests/reference.py.

Contract (DESIGN.md section 2): every point of a buffer's boundary lies within
max(10 m, 5e-5 R) of R from the source geometry, checked on >= 2,000 points sampled
along the boundary; the error the buffer reports does not understate what is
measured; buffers crossing ±180 are split there without a world-spanning smear,
and rings around a pole close over it.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from numpy.testing import assert_allclose
from reference import (
    GEOD,
    HALF_CIRCUMFERENCE,
    boundary_samples,
    contract_bound,
    farthest_boundary_points,
    points_around,
    split_antimeridian,
)
from reference import (
    distance_to as ref_distance_to,
)

import geo

# The error a buffer reports bounds every point of its boundary: it may fall below the
# error measured here only by the two computations' rounding (metres).
UNDERSTATE_SLACK_M = 1e-3
RADIUS_NK = 200_000.0


def _cases():
    hole = shapely.Polygon(
        [(100.0, 0.0), (104.0, 0.0), (104.0, 4.0), (100.0, 4.0)],
        [[(101.0, 1.0), (103.0, 1.0), (103.0, 3.0), (101.0, 3.0)]],
    )
    return {
        # name: (geometry or fixture name, radius in metres)
        # a hole whose ring has 16 teeth: its corners alternately stick out of the polygon
        # (where a circle must be centred) and into it
        "sawtooth_hole_30km": (_sawtooth_hole(), 30_000.0),
        "point_1km": (shapely.Point(125.75432, 39.03385), 1_000.0),
        "point_200km": (shapely.Point(125.75432, 39.03385), 200_000.0),
        "point_2000km": (shapely.Point(-60.0, -35.0), 2_000_000.0),
        "line_50km": (shapely.LineString([(10.0, 45.0), (12.0, 46.5), (13.5, 44.0)]), 50_000.0),
        "polygon_hole_20km": (hole, 20_000.0),  # the hole (~220 km across) survives
        "polygon_hole_150km": (hole, 150_000.0),  # the hole fills in
        "coarse_polygon_100km": (
            shapely.Polygon([(0.0, 60.0), (40.0, 60.0), (40.0, 50.0), (0.0, 50.0)]),
            100_000.0,
        ),
        "ne_north_korea_50km": ("ne_north_korea", 50_000.0),
        "ne_north_korea_200km": ("ne_north_korea", 200_000.0),
        "ne_north_korea_1000km": ("ne_north_korea", 1_000_000.0),
        "osm_north_korea_200km": ("osm_north_korea", 200_000.0),
        "antimeridian_point_500km": (shapely.Point(179.5, 0.0), 500_000.0),
        "antimeridian_polygon_100km": (
            split_antimeridian(
                shapely.Polygon([(178.0, -17.0), (182.5, -17.5), (181.0, -15.0), (178.5, -15.5)])
            ),
            100_000.0,
        ),
        "north_pole_point_1000km": (shapely.Point(0.0, 85.0), 1_000_000.0),
        "south_pole_point_500km": (shapely.Point(120.0, -88.0), 500_000.0),
        "point_10000km": (shapely.Point(0.0, 0.0), 10_000_000.0),
        "point_19000km": (
            shapely.Point(10.0, 20.0),
            19_000_000.0,
        ),  # the world minus a cap at the antipode
    }


def _sawtooth_hole(teeth: int = 16) -> shapely.Polygon:
    """A square around (20 E, 50 N) with a hole whose ring runs 45 km and 75 km from its centre."""
    angle = np.linspace(0.0, 2.0 * np.pi, 2 * teeth, endpoint=False)
    r_km = np.where(np.arange(2 * teeth) % 2 == 0, 45.0, 75.0)
    lon = 20.0 + r_km * np.sin(angle) / (111.32 * np.cos(np.radians(50.0)))
    lat = 50.0 + r_km * np.cos(angle) / 111.2
    return shapely.Polygon(
        shapely.box(17.5, 48.2, 22.5, 51.8).exterior, [np.column_stack([lon, lat])]
    )


CASES = _cases()


# Run with -m slow too: same checks on more radii, left out of the default run for time.
SLOW_CASES = {
    "antimeridian_polygon_100km",  # ±180 is measured on Fiji with its sea in the default run
    "sawtooth_hole_30km",  # its own test below keeps the default run's check of the teeth
    "coarse_polygon_100km",
    "osm_north_korea_200km",  # the summit's buffer, measured by its example test too
    "point_2000km",
    "polygon_hole_150km",
    "ne_north_korea_50km",
    "ne_north_korea_1000km",
    "point_10000km",
}


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(name, marks=pytest.mark.slow) if name in SLOW_CASES else name
        for name in sorted(CASES)
    ],
)
def buffered(request):
    """(name, source, radius, buffer, reported error, boundary samples, reference distances)."""
    source, radius = CASES[request.param]
    if isinstance(source, str):
        source = request.getfixturevalue(source)
    buf, error_m = geo.buffer(source, radius, return_error=True)
    xy = boundary_samples(buf, 2_050)
    return request.param, source, radius, buf, error_m, xy, ref_distance_to(xy, source)


def test_buffer_is_valid_lonlat_polygon(buffered):
    name, source, radius, buf, error_m, xy, ref = buffered
    assert isinstance(buf, (shapely.Polygon, shapely.MultiPolygon)), type(buf)
    assert buf.is_valid, shapely.is_valid_reason(buf)
    assert not buf.is_empty
    coords = shapely.get_coordinates(buf)
    assert (np.abs(coords[:, 0]) <= 180).all() and (np.abs(coords[:, 1]) <= 90).all()
    # The source is inside its buffer.
    verts = shapely.get_coordinates(source)
    assert shapely.intersects_xy(buf, verts[:, 0], verts[:, 1]).all()


def test_buffer_boundary_within_contract(buffered):
    name, source, radius, buf, error_m, xy, ref = buffered
    assert len(xy) >= 2_000, f"only {len(xy)} boundary samples off the cut lines"
    err = np.abs(ref - radius)
    bound = contract_bound(radius)
    i = int(np.argmax(err))
    assert err[i] <= bound, (
        f"{name}: boundary point (lon, lat)=({xy[i, 0]!r}, {xy[i, 1]!r}) is {ref[i]:.3f} m "
        "from the "
        f"source, expected {radius:.0f} m within {bound:.1f} m (error {err[i]:.3f} m; "
        f"{int((err > bound).sum())} of {len(err)} samples out; mean error {err.mean():.3f} m)"
    )


def test_buffer_reported_error(buffered):
    name, source, radius, buf, error_m, xy, ref = buffered
    measured = float(np.abs(ref - radius).max())
    assert np.isfinite(error_m) and error_m >= 0
    assert error_m <= contract_bound(radius), (
        f"{name}: reported {error_m} m, over the contract bound"
    )
    assert error_m >= measured - UNDERSTATE_SLACK_M, (
        f"{name}: buffer reports error_m={error_m:.3f} m but its boundary is {measured:.3f} m off "
        f"at (lon, lat)={tuple(xy[int(np.argmax(np.abs(ref - radius)))])}"
    )


def test_buffer_inside_agrees_with_distance_to(buffered):
    """A point is in the buffer iff distance_to puts it within R (away from the boundary band)."""
    name, source, radius, buf, error_m, xy, ref = buffered
    rng = np.random.default_rng(30)
    pts = np.concatenate(
        [
            points_around(source, 1_500, min(radius * 1.5, HALF_CIRCUMFERENCE), rng=rng),
            np.column_stack(
                [rng.uniform(-180, 180, 500), np.degrees(np.arcsin(rng.uniform(-1, 1, 500)))]
            ),
        ]
    )
    d = geo.distance_to(pts, source)
    clear = np.abs(d - radius) > contract_bound(radius) + 1.0
    inside = shapely.intersects_xy(buf, pts[:, 0], pts[:, 1])
    wrong = clear & (inside != (d <= radius))
    assert not wrong.any(), (
        f"{name}: {int(wrong.sum())} points on the wrong side of the buffer, e.g. "
        + "; ".join(
            f"({pts[i, 0]:.5f}, {pts[i, 1]:.5f}) at {d[i]:.0f} m is {'in' if inside[i] else 'out'}"
            for i in np.flatnonzero(wrong)[:5]
        )
    )


# --------------------------------------------------------------------------- real territories


def _worst_points(buf, source, radius: float, n: int = 100) -> np.ndarray:
    """The boundary points geo puts farthest from the radius, to measure by the reference."""
    return farthest_boundary_points(buf, lambda p: np.abs(geo.distance_to(p, source) - radius), n)


def _territory(code: str, radius: float, **variant) -> tuple:
    """(source, buffer, reported error, boundary samples, reference distances) of a territory.

    The samples are >= 2,000 spread along the boundary and its 100 worst points by geo.
    """
    layers = pytest.importorskip("layers")
    source = layers.territory(code, **variant).geometry.iloc[0]
    buf, error_m = geo.buffer(source, radius, return_error=True)
    xy = np.vstack([boundary_samples(buf, 2_050), _worst_points(buf, source, radius)])
    return source, buf, error_m, xy, ref_distance_to(xy, source)


def _check_territory(name: str, radius: float, buf, error_m, xy, ref) -> None:
    assert buf.is_valid, shapely.is_valid_reason(buf)
    assert len(xy) >= 2_000
    err = np.abs(ref - radius)
    i = int(np.argmax(err))
    bound = contract_bound(radius)
    assert err[i] <= bound, (
        f"{name}: boundary point (lon, lat)=({xy[i, 0]!r}, {xy[i, 1]!r}) is {ref[i]:.3f} m from "
        f"the territory, expected {radius:.0f} m within {bound:.1f} m"
    )
    assert error_m <= bound, f"{name}: reported {error_m:.3f} m, over the bound {bound:.1f} m"
    assert error_m >= err[i] - UNDERSTATE_SLACK_M, (
        f"{name}: reports error_m={error_m:.3f} m but its boundary is {err[i]:.3f} m off at "
        f"(lon, lat)=({xy[i, 0]!r}, {xy[i, 1]!r})"
    )


# Each once missed the bound at a corner where arcs of the boundary meet, with error_m saying
# so (Fiji with its sea at 200 km: 1,066 m) or not (China at 100 km: 8.4 m reported, 9.7 m
# found between the points it measured).
TERRITORY_CASES = {
    "FJ_sea_200km": ("FJ", 200_000.0, {"land_only": False}),
}
SLOW_TERRITORY_CASES = {
    "KP_sea_50km": ("KP", 50_000.0, {"land_only": False}),
    "US_100km": ("US", 100_000.0, {}),
    "RU_50km": ("RU", 50_000.0, {}),
    "FJ_20km": ("FJ", 20_000.0, {}),
    "AQ_100km": ("AQ", 100_000.0, {}),
    # a hole of the outline whose ring folded back over a corner: 16.1 m reported, 15.1 m
    # measured at the vertex where it cut across the corner
    "AQ_30km": ("AQ", 30_000.0, {}),
    "CN_100km": ("CN", 100_000.0, {}),
    "NZ_sea_200km": ("NZ", 200_000.0, {"land_only": False}),
}


@pytest.mark.parametrize("name", sorted(TERRITORY_CASES))
def test_territory_buffer_holds_its_bound(name):
    code, radius, variant = TERRITORY_CASES[name]
    source, buf, error_m, xy, ref = _territory(code, radius, **variant)
    _check_territory(name, radius, buf, error_m, xy, ref)


@pytest.mark.slow
def test_fiji_5km_buffer_holds_its_bound():
    """Vertices on ±180 between Vanua Levu's and Taveuni's halves go to the nearest crossing.

    Before, a secant along the meridian ran from one crossing of the radius to none, and
    left a vertex on the cut 9.5 km from the coast (5,000 m reported, with a warning).
    """
    source, buf, error_m, xy, ref = _territory("FJ", 5_000.0)
    _check_territory("FJ_5km", 5_000.0, buf, error_m, xy, ref)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW_TERRITORY_CASES))
def test_large_territory_buffer_holds_its_bound(name):
    """The United States at 100 km was 183.8 m short at a corner, Russia at 50 km 68.6 m."""
    code, radius, variant = SLOW_TERRITORY_CASES[name]
    source, buf, error_m, xy, ref = _territory(code, radius, **variant)
    _check_territory(name, radius, buf, error_m, xy, ref)


# Antarctica's coast by the Ross Ice Shelf (OSM land, lon -159 to -155, lat -82.5 to -81): the
# outline of its 30 km buffer has a ring that folds back over a corner where two arcs meet.
ROSS_COAST = (
    "MULTIPOLYGON (((-157.1469715 -81.3196357, -157.1433714 -81.3095042, -157.1397714 "
    "-81.2993728, -157.1217712 -81.2841756, -157.096571 -81.2656012, -157.0641706 "
    "-81.2554698, -156.7581676 -81.2014353, -156.4485645 -81.1490894, -155.9589596 "
    "-81.1355808, -155.4693547 -81.1237607, -155 -81.1108108, -155 -81.4883453, "
    "-155.4081541 -81.4614762, -155.8221582 -81.4344589, -156.2325623 -81.4057531, "
    "-156.6429664 -81.3787359, -157.0569706 -81.3517187, -157.1469715 -81.3196357)), ((-159 "
    "-81.8180534, -159 -81.7800022, -158.9793898 -81.7772401, -158.8929889 -81.7823059, "
    "-158.6373864 -81.8312746, -158.3853839 -81.8802433, -158.3709837 -81.8869976, "
    "-158.3457835 -81.9021948, -158.302583 -81.9292121, -158.2449824 -81.9545407, "
    "-157.9137791 -82.0187067, -157.8561786 -82.0203953, -157.8273783 -82.025461, "
    "-157.8093781 -82.0389696, -157.9209792 -82.0845612, -157.9893799 -82.0980698, "
    "-158.0685807 -82.101447, -158.097381 -82.0963812, -158.0865809 -82.0862498, "
    "-158.0685807 -82.081184, -158.0361804 -82.0761183, -158.0685807 -82.0491011, "
    "-158.1081811 -82.0355924, -158.3925839 -81.993378, -158.698587 -81.905572, -159 "
    "-81.8180534)))"
)


def test_a_ring_folded_over_a_corner_goes_round_it():
    """Split there, an edge went straight across the corner, its middle 13.6 m beyond the radius.

    The split now goes to where the two arcs' circles cross; the reference measures the
    boundary on 2,000 samples and at the 100 points geo puts farthest from the radius.
    """
    source, radius = shapely.from_wkt(ROSS_COAST), 30_000.0
    buf, error_m = geo.buffer(source, radius, return_error=True)
    xy = np.vstack([boundary_samples(buf, 2_050), _worst_points(buf, source, radius)])
    _check_territory("Ross coast 30 km", radius, buf, error_m, xy, ref_distance_to(xy, source))


def test_error_bounds_the_boundary_between_vertices(ne_north_korea, monkeypatch):
    """A buffer left coarse (rings capped at 300 vertices) reports what its edges miss.

    Its edges are long and span corners, where the worst point is not where the vertices or
    the edges' quarter points are; the error reported must still bound every boundary point,
    and since it is over the tolerance, the call warns.
    """
    monkeypatch.setattr("geo._snap._MAX_RING_VERTICES", 300)
    with pytest.warns(geo.AccuracyWarning) as caught:
        buf, error_m = geo.buffer(ne_north_korea, RADIUS_NK, return_error=True)
    xy = boundary_samples(buf, 2_050)
    err = np.abs(ref_distance_to(xy, ne_north_korea) - RADIUS_NK)
    assert err.max() > contract_bound(RADIUS_NK), "the capped buffer should miss the bound"
    assert error_m >= err.max() - UNDERSTATE_SLACK_M, (
        f"reports error_m={error_m:.3f} m but its boundary is {err.max():.3f} m off at "
        f"{tuple(xy[int(np.argmax(err))])}"
    )
    message = str(caught[0].message)
    assert f"{RADIUS_NK:,.0f} m" in message and f"{error_m:,.1f} m" in message, message
    assert f"bound of {contract_bound(RADIUS_NK):,.1f} m" in message, message


def test_rings_warn_when_a_band_misses_its_bound(monkeypatch):
    monkeypatch.setattr("geo._snap._MAX_RING_VERTICES", 40)
    with pytest.warns(geo.AccuracyWarning, match=r"buffer of 200,000 m around a geometry"):
        bands = geo.rings(shapely.Point(125.75, 39.03), ["200km"])
    assert bands["error_m"].iloc[0] > contract_bound(200_000.0)


def test_a_sawtooth_hole_keeps_its_middle_out_of_reach():
    """The hole's middle is 45 km from the tips of its teeth: outside the 30 km buffer."""
    source, radius = CASES["sawtooth_hole_30km"]
    buf = geo.buffer(source, radius)
    assert ref_distance_to(np.array([[20.0, 50.0]]), source)[0] > radius + 10_000.0
    assert not shapely.intersects_xy(buf, 20.0, 50.0)
    assert [len(p.interiors) for p in shapely.get_parts(buf)] == [1]


def test_the_bounds_kept_from_snapping_are_those_measured_again(monkeypatch):
    """An edge the repair leaves alone keeps the bound snapping measured: the same number.

    Measuring every edge of the result again (nothing looked up) reports the same error,
    for a buffer the repair leaves as it is and one it trims (the closed line's dust).
    """
    closed = shapely.LineString([(10.0, 83.0), (14.0, 83.2), (12.0, 83.6), (10.0, 83.0)])
    cases = [(CASES["sawtooth_hole_30km"][0], 30_000.0), (closed, 17_543.97)]
    kept = [geo.buffer(g, r, return_error=True) for g, r in cases]
    monkeypatch.setattr("geo._snap.KnownEdges.lookup", lambda self, a, b: np.full(len(a), np.nan))
    again = [geo.buffer(g, r, return_error=True) for g, r in cases]
    for (buf, error_m), (buf2, error2) in zip(kept, again, strict=True):
        assert shapely.equals_exact(buf, buf2, tolerance=0.0)
        assert error_m == error2


def test_a_buffer_measures_each_boundary_point_about_three_times():
    """North Korea with its sea at 200 km: distances measured per vertex of the result.

    The outline gets vertices at the spacing its tolerance needs before it is snapped, each
    point placed is measured once, edges are sampled at their midpoint, and the result's
    bound reuses what snapping measured: about 3 distances a vertex (12.4 before).
    """
    layers = pytest.importorskip("layers")
    from geo._prepared import Prepared

    source = layers.territory("KP", land_only=False).geometry.iloc[0]
    counted = []
    nearest = Prepared.nearest

    def counting(self, lonlat):
        counted.append(len(lonlat))
        return nearest(self, lonlat)

    import unittest.mock

    with unittest.mock.patch.object(Prepared, "nearest", counting):
        buf, error_m = geo.buffer(source, RADIUS_NK, return_error=True)
    vertices = shapely.get_num_coordinates(buf)
    assert error_m <= contract_bound(RADIUS_NK)
    assert sum(counted) <= 4 * vertices, (
        f"{sum(counted):,} distances measured for a buffer of {vertices:,} vertices"
    )


def test_buffer_within_its_bound_does_not_warn(ne_north_korea):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", geo.AccuracyWarning)
        _, error_m = geo.buffer(ne_north_korea, RADIUS_NK, return_error=True)
    assert error_m <= contract_bound(RADIUS_NK)


def test_return_error_false_gives_the_same_geometry():
    source, radius = CASES["line_50km"]
    plain = geo.buffer(source, radius)
    with_error, _ = geo.buffer(source, radius, return_error=True)
    assert isinstance(plain, (shapely.Polygon, shapely.MultiPolygon))
    assert shapely.equals_exact(
        shapely.normalize(plain), shapely.normalize(with_error), tolerance=1e-9
    )


def test_a_geometry_buffered_again_is_not_built_again(monkeypatch):
    """The same geometry, its rings walked the other way, at the same radius and tolerance:
    the buffer built first, with its bound; another tolerance or radius is built anew."""
    from geo import constructive

    source = shapely.Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    first = geo.buffer(source, 20_000.0, return_error=True)
    built = []
    outline = constructive._outline
    monkeypatch.setattr(constructive, "_outline", lambda *a: built.append(a) or outline(*a))
    again = geo.buffer(source.reverse(), 20_000.0, return_error=True)
    assert again[0] is first[0] and again[1] == first[1] and not built
    tighter = geo.buffer(source, 20_000.0, tolerance=2.0, return_error=True)
    wider = geo.buffer(source, 30_000.0, return_error=True)
    assert len(built) == 2 and tighter[1] <= 2.0 and wider[0].contains(first[0])
    for radius in range(constructive._BUILT_MAX):  # the least recently used goes first
        geo.buffer(shapely.Point(0, 0), 1_000.0 + radius)
    assert len(constructive._BUILT) == constructive._BUILT_MAX
    count = len(built)
    geo.buffer(source, 20_000.0)
    assert len(built) == count + 1


@pytest.mark.parametrize("tolerance", [1.0, pytest.param(3.0, marks=pytest.mark.slow)])
def test_buffer_tolerance_is_met(ne_north_korea, tolerance):
    """A tighter tolerance than the default gives a boundary within it."""
    buf, error_m = geo.buffer(ne_north_korea, RADIUS_NK, tolerance=tolerance, return_error=True)
    xy = boundary_samples(buf, 2_050)
    err = np.abs(ref_distance_to(xy, ne_north_korea) - RADIUS_NK)
    i = int(np.argmax(err))
    assert err[i] <= tolerance, (
        f"boundary point {tuple(xy[i])} is {err[i]:.3f} m off, tolerance {tolerance} m"
    )
    assert err.max() - UNDERSTATE_SLACK_M <= error_m <= tolerance


def test_default_tolerance_is_the_contract():
    for radius in [0.0, 1_000.0, 200_000.0, 1_000_000.0, HALF_CIRCUMFERENCE]:
        assert geo.default_tolerance(radius) == pytest.approx(contract_bound(radius))


def test_buffer_radius_with_unit():
    point = shapely.Point(125.75432, 39.03385)
    assert shapely.equals_exact(
        geo.buffer(point, "200km"), geo.buffer(point, 200_000.0), tolerance=0
    )
    assert shapely.equals_exact(
        geo.buffer(point, "108 nmi"), geo.buffer(point, 200_016.0), tolerance=0
    )


def test_buffer_of_a_closed_line_has_no_dust():
    """A triangle of lines near 83 N at 17.5 km: one polygon with one hole, no sliver parts.

    The triangle's sides are 55-120 km long, so its middle is more than 17.5 km from them
    (one hole); the buffer is connected (one part). Found by the property tests.
    """
    triangle = shapely.LineString(
        [
            (-171.89381042635955, 82.99531475490177),
            (-176.0141597575114, 83.03214914076264),
            (-175.23541066987013, 84.09103377445535),
            (-171.89381042635955, 82.99531475490177),
        ]
    )
    buf = geo.buffer(triangle, 17_543.968343452183)
    parts = shapely.get_parts(buf)
    areas = np.array([_geodesic_area(p) for p in parts])
    assert len(parts) == 1, (
        f"{len(parts)} parts, {int((areas < 1.0).sum())} of them under 1 m2, "
        f"e.g. {parts[int(np.argmin(areas))].wkt[:160]}"
    )
    assert len(parts[0].interiors) == 1
    hole = shapely.Polygon(parts[0].interiors[0])
    assert ref_distance_to(np.array(hole.representative_point().coords), triangle)[0] > 17_543.97


# --------------------------------------------------------------------------- antimeridian and poles


def test_antimeridian_point_buffer_is_split_not_smeared():
    buf = geo.buffer(shapely.Point(179.5, 0.0), 500_000.0)
    assert buf.is_valid
    minx, _, maxx, _ = buf.bounds
    assert minx >= -180 and maxx <= 180
    parts = shapely.get_parts(buf)
    assert len(parts) >= 2, "a buffer crossing ±180 must come back split there"
    for part in parts:
        x0, _, x1, _ = part.bounds
        assert x1 - x0 <= 20, f"part spans {x0:.2f}..{x1:.2f}: smeared across the world"
        assert min(abs(x0), abs(x1)) >= 170, f"part {x0:.2f}..{x1:.2f} is far from ±180"
    both_sides = np.array([[179.9, 0.0], [-179.9, 0.0], [180.0, 1.0], [-180.0, -1.0]])
    assert shapely.intersects_xy(buf, both_sides[:, 0], both_sides[:, 1]).all()


def test_north_pole_buffer_closes_over_the_pole():
    buf = geo.buffer(shapely.Point(0.0, 85.0), 1_000_000.0)
    assert buf.is_valid
    lon = np.arange(-180.0, 180.5, 1.0)
    assert shapely.intersects_xy(buf, 0.0, 90.0)
    assert shapely.intersects_xy(buf, 180.0, 89.9)
    missing = lon[~shapely.intersects_xy(buf, lon, np.full(lon.shape, 89.0))]
    assert missing.size == 0, f"latitude 89 not covered at longitudes {missing[:10]}"
    for part in shapely.get_parts(buf):
        assert part.is_valid


def test_south_pole_buffer_closes_over_the_pole():
    center = (120.0, -88.0)
    buf = geo.buffer(shapely.Point(center), 500_000.0)
    lon = np.arange(-180.0, 180.5, 1.0)
    lat = np.full(lon.shape, -89.5)
    assert shapely.intersects_xy(buf, 0.0, -90.0)
    # Points at -89.5 are within 500 km of (120, -88) everywhere: 2.5 degrees of latitude at most.
    assert (
        GEOD.inv(np.full(lon.shape, center[0]), np.full(lon.shape, center[1]), lon, lat)[2]
        < 500_000
    ).all()
    assert shapely.intersects_xy(buf, lon, lat).all()


POLE_LONGITUDES = sorted(
    {*np.arange(-180.0, 180.0, 7.5).tolist(), 3.28125, -120.0, 60.25, -60.0, 0.75, 116.25}
)


@pytest.mark.parametrize("lat", [89.5, -89.5])
def test_buffers_round_a_pole_at_any_longitude(lat):
    """100 km round a point 55.8 km from a pole: closed over it, not smeared, at any longitude.

    The extra longitudes are ones where this once failed: a world-wide polygon with
    error_m ~14,870 km near the South Pole, error_m ~33 km near the North Pole.
    """
    failures = []
    for lon in POLE_LONGITUDES:
        buf, error_m = geo.buffer(shapely.Point(lon, lat), 100_000.0, return_error=True)
        _, miny, _, maxy = buf.bounds
        near_pole = miny >= 88.0 if lat > 0 else maxy <= -88.0
        covers_pole = shapely.intersects_xy(buf, 0.0, 90.0 if lat > 0 else -90.0)
        if not (
            buf.is_valid and near_pole and covers_pole and error_m <= contract_bound(100_000.0)
        ):
            failures.append(
                f"lon={lon}: bounds {np.round(buf.bounds, 3).tolist()}, "
                f"error_m={error_m:.0f}, pole covered: {covers_pole}"
            )
    assert not failures, (
        f"{len(failures)} of {len(POLE_LONGITUDES)} longitudes fail:\n" + "\n".join(failures)
    )


def test_half_circumference_buffer_is_the_whole_world():
    buf = geo.buffer(shapely.Point(30.0, 40.0), HALF_CIRCUMFERENCE)
    rng = np.random.default_rng(31)
    pts = np.column_stack([rng.uniform(-180, 180, 2_000), rng.uniform(-90, 90, 2_000)])
    pts = np.concatenate(
        [pts, [[-150.0, -40.0], [0.0, 90.0], [0.0, -90.0], [180.0, 0.0], [-180.0, 0.0]]]
    )
    covered = shapely.intersects_xy(buf, pts[:, 0], pts[:, 1])
    assert covered.all(), f"not covered: {pts[~covered][:5]}"


# --------------------------------------------------------------------------- rings


def _geodesic_area(geom: shapely.Geometry) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) if not geom.is_empty else 0.0


def _geodesic_perimeter(geom: shapely.Geometry) -> float:
    return GEOD.geometry_area_perimeter(geom)[1]


RADII = [50_000.0, 100_000.0, 200_000.0]


@pytest.fixture(scope="module")
def nk_rings(ne_north_korea):
    return geo.rings(ne_north_korea, RADII), geo.rings(ne_north_korea, RADII, outside_only=True)


def test_rings_columns_and_crs(nk_rings):
    bands, _ = nk_rings
    assert {"distance_min", "distance_max", "error_m", "geometry"} <= set(bands.columns)
    assert bands.crs is not None and bands.crs.to_epsg() == 4326
    assert_allclose(bands["distance_min"], [0.0, *RADII[:-1]])
    assert_allclose(bands["distance_max"], RADII)
    for row in bands.itertuples():
        assert 0 <= row.error_m <= contract_bound(row.distance_max)
        assert row.geometry.is_valid


@pytest.mark.parametrize("outside_only", [False, True])
def test_rings_do_not_overlap_and_union_to_the_buffer(nk_rings, ne_north_korea, outside_only):
    bands = nk_rings[outside_only]
    geoms = list(bands.geometry)
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            overlap = _geodesic_area(shapely.intersection(geoms[i], geoms[j]))
            assert overlap <= 1e-6 * _geodesic_area(geoms[i]), (
                f"bands {i} and {j} overlap by {overlap:.0f} m2"
            )
    buf = geo.buffer(ne_north_korea, RADII[-1])
    union = shapely.union_all(geoms)
    target = shapely.difference(buf, ne_north_korea) if outside_only else buf
    # Two boundaries each within the bound of the true line differ by at most twice it.
    allowed = (
        2
        * contract_bound(RADII[-1])
        * (_geodesic_perimeter(buf) + _geodesic_perimeter(ne_north_korea))
    )
    mismatch = _geodesic_area(shapely.symmetric_difference(union, target))
    assert mismatch <= allowed, (
        f"union of bands differs from the buffer by {mismatch:.0f} m2 (allowed {allowed:.0f})"
    )


def test_outside_only_removes_the_source(nk_rings, ne_north_korea):
    plain, outside = nk_rings
    first = outside.geometry.iloc[0]
    inside = _geodesic_area(shapely.intersection(first, ne_north_korea))
    assert inside <= 1e-6 * _geodesic_area(ne_north_korea), (
        f"first band still covers {inside:.0f} m2 of the source"
    )
    area_removed = _geodesic_area(plain.geometry.iloc[0]) - _geodesic_area(first)
    assert area_removed == pytest.approx(_geodesic_area(ne_north_korea), rel=1e-3)
    for k in (1, 2):  # outer bands are the same either way
        diff = _geodesic_area(
            shapely.symmetric_difference(plain.geometry.iloc[k], outside.geometry.iloc[k])
        )
        assert diff <= 1e-6 * _geodesic_area(plain.geometry.iloc[k])


@pytest.mark.parametrize("outside_only", [False, True])
def test_ring_boundaries_are_at_their_radii(nk_rings, ne_north_korea, outside_only):
    bands = nk_rings[outside_only]
    for row in bands.itertuples():
        xy = boundary_samples(row.geometry, 400)
        d = ref_distance_to(xy, ne_north_korea)
        radii = np.array([row.distance_min, row.distance_max])
        err = np.abs(d[:, None] - radii[None, :]).min(axis=1)
        bound = contract_bound(row.distance_max)
        i = int(np.argmax(err))
        assert err[i] <= bound, (
            f"band {row.distance_min:.0f}-{row.distance_max:.0f} m: "
            f"boundary point {tuple(xy[i])} is "
            f"{d[i]:.1f} m from the source, not at either radius (within {bound:.1f} m)"
        )


def test_a_band_outlined_around_the_one_inside_falls_back_when_it_snaps_short(monkeypatch):
    """The 200 km limit of a wiggly line (2,000 vertices) is outlined around its 50 km buffer;
    when that outline snaps over the tolerance, the limit is outlined around the line itself,
    and meets it."""
    from geo import constructive

    t = np.linspace(0.0, 1.0, 2_000)
    source = shapely.LineString(np.column_stack([30.0 + 2.0 * t, 50.0 + 0.05 * np.sin(90 * t)]))
    outlines, snap = [], constructive._snap

    def outline(geom, polygons, radius):
        outlines.append((geom.geom_type, radius))
        return outline_of(geom, polygons, radius)

    def short(outline, source, radius, tol):  # the outline around the inner buffer misses
        area, error = snap(outline, source, radius, tol)
        return (area, 3.0 * tol) if outlines[-1] == ("Polygon", 150_000.0) else (area, error)

    outline_of = constructive._outline
    monkeypatch.setattr(constructive, "_outline", outline)
    monkeypatch.setattr(constructive, "_snap", short)
    bands = geo.rings(source, ["50km", "200km"])
    assert outlines == [("LineString", 50_000.0), ("Polygon", 150_000.0), ("LineString", 200_000.0)]
    assert bands["error_m"].max() <= contract_bound(200_000.0)
    xy = boundary_samples(bands.geometry.iloc[1], 400)
    err = np.abs(ref_distance_to(xy, source)[:, None] - np.array([50_000.0, 200_000.0])).min(1)
    assert err.max() <= contract_bound(200_000.0)


def test_rings_across_the_antimeridian_and_over_a_pole():
    for center, radii in [
        ((179.5, 0.0), [100_000.0, 300_000.0]),
        ((0.0, 85.0), [500_000.0, 1_000_000.0]),
    ]:
        bands = geo.rings(shapely.Point(center), radii)
        assert len(bands) == 2
        for geom in bands.geometry:
            assert geom.is_valid
            if center[0] == 179.5:
                for part in shapely.get_parts(geom):
                    x0, _, x1, _ = part.bounds
                    assert x1 - x0 <= 20, f"band part spans {x0:.2f}..{x1:.2f}"
    # The pole (555 km from (0, 85)) is in the 500-1000 km band, not in the first.
    inner, outer = bands.geometry
    assert not shapely.intersects_xy(inner, 0.0, 90.0)
    assert shapely.intersects_xy(outer, 0.0, 90.0)


def test_a_repaired_polygon_keeps_its_area_in_buffers_and_rings():
    """A bow tie with a spike repairs (make_valid) to a collection holding a MultiPolygon and
    a line: its two triangles are the source's area, as distance_to already says (0 inside)."""
    spiked = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0), (0, -1), (0, 0)])
    triangles = shapely.MultiPolygon(
        [shapely.Polygon([(0, 0), (1, 1), (0, 2)]), shapely.Polygon([(2, 0), (1, 1), (2, 2)])]
    )
    inside = (0.2, 1.0)
    with pytest.warns(geo.RepairWarning):
        assert geo.distance_to(inside, spiked) == 0.0
    with pytest.warns(geo.RepairWarning):
        area = geo.buffer(spiked, 0)
    assert shapely.equals(area, triangles)
    with pytest.warns(geo.RepairWarning):
        bands = geo.rings(spiked, ["10km"], outside_only=True)
    band = bands.geometry.iloc[0]
    assert not shapely.intersects_xy(band, *inside)
    assert _geodesic_area(shapely.intersection(band, triangles)) <= 1e-6 * _geodesic_area(triangles)


@pytest.mark.parametrize("distances", [[0], ["0km"], [0.0]])
def test_rings_with_a_single_zero_limit_refuses_with_the_fix(distances):
    """A lone 0 leaves no band: the call says so instead of failing inside geopandas."""
    with pytest.raises(geo.InputError, match=r"single 0.*no band.*'50km'"):
        geo.rings((131.87, 43.12), distances)


# -- several features: rings around each, around all, or refused ----------------------------

_SITES = [("Alpha", 30.0, 50.0), ("Bravo", 30.6, 50.0), ("Charlie", 179.9, -16.5)]


def _sites_frame():
    import geopandas

    return geopandas.GeoDataFrame(
        {"name": [n for n, _, _ in _SITES]},
        geometry=geopandas.points_from_xy([x for _, x, _ in _SITES], [y for _, _, y in _SITES]),
        crs="EPSG:4326",
        index=["a", "b", "c"],
    )


def test_rings_of_several_features_are_refused_without_features():
    with pytest.raises(geo.InputError, match=r"3 features \(rows 'a', 'b', 'c'\).*features='each'"):
        geo.rings(_sites_frame(), ["20km"])
    with pytest.raises(geo.InputError, match="features='union'"):
        geo.buffer(_sites_frame(), "20km")
    with pytest.raises(geo.InputError, match="'every' is not one of 'each', 'union'"):
        geo.rings(_sites_frame(), ["20km"], features="every")


def test_rings_of_each_feature_are_at_its_own_radii():
    sites = _sites_frame()
    each = geo.rings(sites, ["20km", "50km"], features="each")
    assert list(each["feature"]) == ["a", "a", "b", "b", "c", "c"]
    assert list(each["name"]) == ["Alpha", "Alpha", "Bravo", "Bravo", "Charlie", "Charlie"]
    for row in each.itertuples():
        _, lon, lat = next(s for s in _SITES if s[0] == row.name)
        outer = shapely.get_exterior_ring(shapely.get_parts(row.geometry))
        xy = np.vstack([shapely.get_coordinates(r) for r in outer])
        # the outer limit of a point's band is its circle: Geod.inv to every vertex
        d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])[2]
        # vertices of the inner limit, and of the cut along ±180, are not on the outer circle
        far = (d > row.distance_min + row.error_m + 1.0) & (np.abs(xy[:, 0]) < 180.0)
        assert far.sum() > 50
        assert np.abs(d[far] - row.distance_max).max() <= row.error_m + 1e-6
    # the two sites 43 km apart overlap: each keeps its own whole disc
    a50 = each[(each["feature"] == "a") & (each["distance_max"] == 50_000)].geometry.iloc[0]
    b50 = each[(each["feature"] == "b") & (each["distance_max"] == 50_000)].geometry.iloc[0]
    assert a50.intersects(b50)
    assert a50.area == pytest.approx(b50.area, rel=1e-3)
    # the site next to ±180 has its ring split there, not smeared over the world
    c = each[each["feature"] == "c"].geometry.iloc[1]
    assert c.geom_type == "MultiPolygon" and c.bounds[0] == -180.0 and c.bounds[2] == 180.0


def test_rings_of_the_union_are_the_union_of_each():
    sites = _sites_frame().iloc[:2]
    union = geo.rings(sites, ["50km"], features="union")
    each = geo.rings(sites, ["50km"], features="each")
    assert len(union) == 1 and "feature" not in union.columns
    both = shapely.union_all(each.geometry)
    assert union.geometry.iloc[0].symmetric_difference(both).area < 1e-6 * both.area


def test_buffer_of_each_feature_is_a_series_with_the_input_index():
    sites = _sites_frame()
    areas, errors = geo.buffer(sites, "20km", features="each", return_error=True)
    assert list(areas.index) == ["a", "b", "c"] and areas.crs == "EPSG:4326"
    assert len(errors) == 3 and (errors <= geo.default_tolerance(20_000)).all()
    one = geo.buffer(shapely.Point(30.0, 50.0), "20km")
    assert areas.loc["a"].symmetric_difference(one).area < 1e-9


def test_a_layer_of_one_subject_keeps_its_rows_together():
    import geopandas

    parts = geopandas.GeoDataFrame(
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(3, 0, 4, 1)], crs="EPSG:4326"
    )
    parts.attrs["kind"] = "territory"
    bands = geo.rings(parts, ["20km"])
    assert len(bands) == 1 and bands.geometry.iloc[0].geom_type == "MultiPolygon"
