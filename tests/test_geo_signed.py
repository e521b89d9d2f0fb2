"""Signed distances (depths) inside polygons cut at ±180 or running along a pole.

A lon/lat polygon that goes on across the antimeridian is cut along lon = ±180 into parts
that touch there, and one that covers a pole runs along lat = ±90, which is a single point on
the ground. Neither is coastline: a depth is the distance to the polygon's real edges. The
references here never use geo's rule for which edges are real: the distance to a parallel
along the meridian (Geod.inv), or the brute-force distance of tests/reference.py to the
coastline of the polygon put back together across ±180 by shapely (its parts west of ±180
shifted by 360° and unioned with the others, which dissolves the cut).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from reference import GEOD, points_around, split_antimeridian
from reference import distance_to as ref_distance_to

import geo


def _assert_within_1cm(got, expected, points, *, what: str) -> None:
    err = np.abs(np.asarray(got, dtype=float) - np.asarray(expected, dtype=float))
    err[np.isnan(err)] = np.inf
    bad = np.flatnonzero(err > 0.01)
    assert not len(bad), f"{what}: {len(bad)} of {len(err)} off by more than 1 cm; worst:\n" + (
        "\n".join(
            f"  ({points[i][0]!r}, {points[i][1]!r}): expected {expected[i]:.3f} m, "
            f"got {got[i]:.3f} m"
            for i in bad[np.argsort(-err[bad])][:5]
        )
    )


def _meridian_distance(lon: np.ndarray, lat: np.ndarray, to_lat: float) -> np.ndarray:
    """Metres from each point to the parallel ``to_lat``, along its meridian (exact there)."""
    return np.asarray(GEOD.inv(lon, lat, lon, np.full(len(lat), to_lat))[2], dtype=float)


# --------------------------------------------------------------------------- caps over a pole


@pytest.mark.parametrize(
    ("cap", "edge_lat"),
    [(shapely.box(-180, 80, 180, 90), 80.0), (shapely.box(-180, -90, 180, -86), -86.0)],
    ids=["north_80", "south_86"],
)
def test_depth_in_a_polar_cap_is_the_distance_to_its_parallel(cap, edge_lat):
    """(0, 89.5) is 1,061 km inside the cap north of 80°N, and the South Pole 446.8 km inside
    the cap south of 86°S: their edges at ±180 and along the pole are no coastline."""
    pole = 90.0 if edge_lat > 0 else -90.0
    lon = np.array([0.0, 0.0, 45.0, -120.0, 180.0, -180.0, 179.999, -179.999, 179.5, -179.5])
    lat = np.array([pole, np.copysign(89.5, pole)] + [edge_lat + np.copysign(1.0, pole)] * 8)
    lat[-4:] = pole - np.copysign(0.001, pole)  # near the pole, next to the cut
    points = np.column_stack([lon, lat])
    expected = -_meridian_distance(lon, lat, edge_lat)
    _assert_within_1cm(
        geo.distance_to(points, cap, signed=True), expected, points, what=f"depth in {cap}"
    )
    # From outside the cap nothing changes: the distance to its parallel.
    out = np.column_stack([lon, lat - np.copysign(20.0, pole)])
    expected_out = _meridian_distance(out[:, 0], out[:, 1], edge_lat)
    _assert_within_1cm(
        geo.distance_to(out, cap, signed=True), expected_out, out, what=f"outside {cap}"
    )


def _wavy_cap(sign: float) -> tuple[shapely.Polygon, np.ndarray]:
    """A cap over a pole whose ring goes round at a wavy latitude, cut at ±180, closed over the
    pole along lat = ±90 (as geo.antimeridian closes a ring round a pole); and the wavy ring."""
    lon = np.linspace(-180.0, 180.0, 73)
    lat = sign * (76.0 + 3.0 * np.sin(np.radians(3.0 * lon)) + 1.5 * np.cos(np.radians(7.0 * lon)))
    ring = np.column_stack([lon, lat])
    cap = np.vstack([ring, [[180.0, sign * 90.0], [-180.0, sign * 90.0]]])
    return shapely.Polygon(cap if sign > 0 else cap[::-1]), ring


@pytest.mark.parametrize("sign", [1.0, -1.0], ids=["north", "south"])
def test_depth_in_a_cap_whose_ring_goes_round_a_pole(sign):
    cap, ring = _wavy_cap(sign)
    assert cap.is_valid
    coast = shapely.LineString(ring)
    # At the pole: the distance to the ring's vertex nearest the pole (edges are straight in
    # lon/lat, so no point of an edge comes nearer the pole than its ends).
    nearest_lat = float(ring[np.argmax(np.abs(ring[:, 1])), 1])
    pole = [sign * 90.0]
    at_pole = geo.distance_to((0.0, sign * 90.0), cap, signed=True)
    assert at_pole == pytest.approx(-_meridian_distance([0.0], pole, nearest_lat)[0], abs=0.01)
    assert at_pole < -1_000_000
    rng = np.random.default_rng(90 if sign > 0 else 91)
    points = np.concatenate(
        [
            points_around(coast, 40, 600_000, rng=rng),
            np.column_stack([[179.9, -179.9, 180.0, -180.0], np.full(4, sign * 84.0)]),
        ]
    )
    inside = shapely.intersects_xy(cap, points[:, 0], points[:, 1])
    assert inside.sum() >= 15 and (~inside).sum() >= 10
    expected = ref_distance_to(points, coast)
    expected[inside] *= -1.0
    _assert_within_1cm(geo.distance_to(points, cap, signed=True), expected, points, what="wavy cap")


@pytest.mark.slow  # the whole globe's boundary densifies to 6 million vertices
def test_a_polygon_covering_the_globe_has_no_coastline():
    index = geo.DistanceIndex(shapely.box(-180, -90, 180, 90))
    assert index.distance_to((10.0, 20.0), signed=True) == -np.inf
    assert index.distance_to((10.0, 20.0)) == 0.0


# --------------------------------------------------------------------------- cut at ±180


def _joined_coast(geometry: shapely.Geometry) -> shapely.Geometry:
    """The coastline of a polygon split at ±180, put back together by shapely: its parts in
    the western hemisphere shifted east by 360° and unioned with the others."""
    parts = shapely.get_parts(geometry)
    west = np.array([p.bounds[2] <= 0.0 for p in parts])
    shifted = [shapely.transform(p, lambda xy: xy + [360.0, 0.0]) for p in parts[west]]
    return shapely.union_all([*parts[~west], *shifted]).boundary


def _check_across_the_cut(geometry, points, *, what: str, min_inside: int) -> None:
    inside = shapely.intersects_xy(geometry, points[:, 0], points[:, 1])
    assert inside.sum() >= min_inside and (~inside).sum() >= 5
    coast = _joined_coast(geometry)
    expected = np.empty(len(points))
    expected[inside] = -ref_distance_to(points[inside], coast)
    expected[~inside] = ref_distance_to(points[~inside], geometry)  # all edges count from outside
    got = geo.distance_to(points, geometry, signed=True)
    _assert_within_1cm(got, expected, points, what=what)
    index = geo.DistanceIndex(geometry)
    _assert_within_1cm(
        index.distance_to(points, signed=True), expected, points, what=f"{what}, index"
    )


# An island across ±180 with a lake across it too; and a coast whose two sides of the cut
# do not match (east of ±180 from 0° to 20°, west of it from 5° to 10° only), so that the
# meridian is coastline where only one side reaches it.
_ISLAND = shapely.Polygon(
    [(176.0, 62.0), (183.0, 61.5), (188.0, 64.0), (184.0, 67.5), (179.0, 68.0), (175.5, 65.0)],
    [[(179.0, 64.0), (181.5, 64.2), (181.0, 66.0), (179.3, 65.5)]],
)
_MISMATCHED = shapely.MultiPolygon(
    [shapely.box(170.0, 0.0, 180.0, 20.0), shapely.box(-180.0, 5.0, -170.0, 10.0)]
)


@pytest.mark.parametrize(
    "geometry",
    [split_antimeridian(_ISLAND), _MISMATCHED],
    ids=["island_with_lake", "sides_do_not_match"],
)
def test_depth_across_the_cut_is_measured_to_the_real_coast(geometry):
    rng = np.random.default_rng(180)
    lon = np.concatenate([rng.uniform(179.0, 180.0, 40), rng.uniform(-180.0, -179.0, 40)])
    lon[:4] = [180.0, -180.0, 180.0, -180.0]  # on the cut itself
    _, south, _, north = geometry.bounds
    lat = rng.uniform(south - 0.5, north + 0.5, len(lon))
    points = np.concatenate(
        [np.column_stack([lon, lat]), points_around(geometry, 30, 300_000, rng=rng)]
    )
    _check_across_the_cut(geometry, points, what="split polygon", min_inside=30)


def test_depth_in_chukotka_near_the_cut(ne_countries):
    """Russia from Natural Earth, split at ±180: up to 23.7 km wrong near (179.9, 65) when
    the cut counted as coastline."""
    russia = ne_countries.loc[ne_countries["ADM0_A3"] == "RUS"].geometry.iloc[0]
    near = [p for p in shapely.get_parts(russia) if abs(p.bounds[0]) == 180 or p.bounds[2] == 180]
    rng = np.random.default_rng(65)
    lon = np.concatenate([rng.uniform(179.0, 180.0, 30), rng.uniform(-180.0, -179.0, 30)])
    lat = rng.uniform(64.5, 69.5, len(lon))
    points = np.column_stack([lon, lat])
    # The coastline near the cut comes from the parts that touch it; the inside test and
    # geo's distance use the whole of Russia.
    inside = shapely.intersects_xy(russia, points[:, 0], points[:, 1])
    assert inside.sum() >= 30
    others = [p.boundary for p in shapely.get_parts(russia) if not any(p.equals(q) for q in near)]
    coast = shapely.union_all([_joined_coast(shapely.MultiPolygon(near)), *others])
    expected = -ref_distance_to(points[inside], coast)
    got = geo.distance_to(points[inside], russia, signed=True)
    _assert_within_1cm(got, expected, points[inside], what="depth in Chukotka")
    cut = geo.distance_to(points[inside], shapely.MultiPolygon(near).boundary)
    assert (cut < -expected - 1000).any()  # the cut is nearer than the coast for some points
