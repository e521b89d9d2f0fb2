"""geo.distance_to on large geometries at every distance, against the brute-force reference.

The chord search ranks boundary segments by straight-line distance through the Earth, which is
not geodesic order on the ellipsoid: on large timezone polygons it picked the wrong stretch of
coast below 15,000 km (Tokyo 319 m too far at 10,564 km, Moscow 2,362 m at 12,806 km). The test
that settles it rests on ``geo._geodesic_bound.chord_reach``: no geodesic shorter than ``g`` has a
chord longer than ``chord_reach(g)``, so only segments within that chord can beat the foot found.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import shapely
from reference import distance_to as ref_distance_to

import geo
from geo._geodesic_bound import (
    _arc1,
    _floor1,
    _toward,
    arc_bound,
    chord_reach,
    ecef,
    geodesic_floor,
    tangent_floor,
)
from geo.units import WGS84

#: Metres: the contract at every distance, up to half the circumference.
_TOL_M = 0.01


@cache
def _zone(name: str) -> shapely.Geometry:
    """A timezone polygon of the OpenStreetMap-derived timezonefinder data, holes kept."""
    from timezonefinder import TimezoneFinder

    parts = TimezoneFinder().get_geometry(tz_name=name, coords_as_pairs=False)
    polys = [shapely.Polygon(np.transpose(p[0]), [np.transpose(h) for h in p[1:]]) for p in parts]
    return shapely.make_valid(shapely.union_all(polys))


def _assert_exact(points: np.ndarray, geometry: shapely.Geometry, what: str) -> None:
    got = geo.distance_to(points, geometry)
    ref = ref_distance_to(points, geometry)
    err = got - ref
    bad = np.abs(err) > _TOL_M
    assert not bad.any(), (
        f"{what}: {int(bad.sum())} of {len(points)} points off by more than {_TOL_M} m, worst "
        + "; ".join(
            f"({points[i][0]!r}, {points[i][1]!r}) got {got[i]:.3f} m, expected {ref[i]:.3f} m"
            for i in np.argsort(-np.abs(err))[:3]
        )
    )


def _random_pairs(n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    lon1, lon2 = rng.uniform(-180, 180, (2, n))
    lat1, lat2 = np.degrees(np.arcsin(rng.uniform(-1, 1, (2, n))))
    polar = slice(0, n // 4)  # where the ellipsoid is flattest, and the bound tightest
    lat1[polar] = rng.uniform(80, 90, n // 4) * rng.choice([-1, 1], n // 4)
    return lon1, lat1, lon2, lat2


def test_chord_reach_bounds_every_geodesic_and_is_tight():
    """A geodesic of length s has chord <= chord_reach(s), checked on random and polar geodesics.

    Near the poles, along the flattest sections, the bound is met to a fraction of a millimetre:
    it cannot be made smaller there.
    """
    rng = np.random.default_rng(5)
    lon1, lat1, lon2, lat2 = _random_pairs(200_000, rng)
    _, _, s = WGS84.inv(lon1, lat1, lon2, lat2)
    chord = np.linalg.norm(ecef(lon1, lat1) - ecef(lon2, lat2), axis=1)
    assert (chord_reach(s) >= chord).all()
    assert (geodesic_floor(chord) <= s).all()
    # Geodesics of every length, from random starts and azimuths (not only shortest ones).
    az, length = rng.uniform(0, 360, len(lon1)), rng.uniform(0, 2.0e7, len(lon1))
    lon3, lat3, _ = WGS84.fwd(lon1, lat1, az, length)
    chord3 = np.linalg.norm(ecef(lon1, lat1) - ecef(lon3, lat3), axis=1)
    assert (chord_reach(length) >= chord3).all()
    # Tight: from the pole, 200 km along any meridian the chord is within 1 mm of the bound.
    lon4, lat4, _ = WGS84.fwd(
        np.zeros(8), np.full(8, 90.0), np.linspace(0, 315, 8), np.full(8, 2e5)
    )
    pole = ecef(np.zeros(1), np.full(1, 90.0))
    gap = chord_reach(2e5) - np.linalg.norm(ecef(lon4, lat4) - pole, axis=1)
    assert (gap < 1e-3).all(), gap


def test_far_points_that_took_the_wrong_stretch_of_a_large_zone():
    """Points the chord search sent to the wrong stretch of coast, now exact to 1 cm.

    Before: Tokyo's zone 318.9 m too far at 10,564 km, Moscow's 2,361.7 m at 12,806 km and
    531.6 m at 14,207 km.
    """
    _assert_exact(np.array([[-176.6753809127218, -68.7259829301768]]), _zone("Asia/Tokyo"), "Tokyo")
    _assert_exact(
        np.array([[145.44961106744864, -31.921685145056106], [-67.59303184692207, -43.77807257]]),
        _zone("Europe/Moscow"),
        "Moscow",
    )


def _points_at(geometry: shapely.Geometry, n: int, lo: float, hi: float, seed: int) -> np.ndarray:
    """``n`` points ``lo`` to ``hi`` metres from vertices of ``geometry``, in random directions."""
    rng = np.random.default_rng(seed)
    xy = shapely.get_coordinates(geometry)
    v = xy[rng.integers(0, len(xy), n)]
    lon, lat, _ = WGS84.fwd(v[:, 0], v[:, 1], rng.uniform(0, 360, n), rng.uniform(lo, hi, n))
    return np.column_stack([lon, lat])


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["America/Sao_Paulo", "Europe/Moscow", "Asia/Tokyo", "Asia/Pyongyang"]
)
def test_points_1000_to_19000_km_from_large_zones(name):
    """Exact to 1 cm from 1,000 km to 19,000 km away, on points over the whole range."""
    geometry = _zone(name)
    points = np.concatenate(
        [
            _points_at(geometry, 8, lo, lo + 2e6, seed=int(lo // 1e6))
            for lo in range(1_000_000, 19_000_000, 2_000_000)
        ]
    )
    _assert_exact(points, geometry, name)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "point"),
    [
        ("America/Sao_Paulo", (-173.5271031705252, 27.154045441044637)),  # was 216.8 m too far
        ("Europe/Moscow", (166.4729056674908, 1.5752710061934687)),  # was 17.6 m too far
        ("Europe/Moscow", (-65.5926597164257, 7.823423847596015)),  # was 14.2 m too far
        ("Europe/Moscow", (-66.23905268214413, -25.06452379325029)),  # was 8.8 m too far
    ],
)
def test_more_points_that_took_the_wrong_stretch(name, point):
    """The other points of a 40,000-point sample over the globe that were more than 1 cm off."""
    _assert_exact(np.array([point]), _zone(name), name)


@pytest.mark.slow
def test_second_minimum_on_the_walked_stretch():
    """9,881 km from the Sao Paulo zone the walk stopped at a minimum 0.43 m above the nearest.

    The search on geodesic distances, anchored at the foot walked to, finds the other minimum
    on the same stretch of coast.
    """
    _assert_exact(
        np.array([[-124.18015383993897, 48.38695245238641]]), _zone("America/Sao_Paulo"), "SP"
    )


def test_tangent_floor_bounds_every_geodesic():
    """The foot's tangent bound never exceeds the true distance, on random points and offsets.

    From a point P at 1,000 to 19,960 km from Y, X is put 1 m to 400 km from Y in every
    direction; the bound from Y's distance and azimuth (``u . (X - Y)`` exact) must stay at or
    under Geod.inv's distance to X, and is close to it where X lies across the geodesic.
    """
    rng = np.random.default_rng(11)
    n = 200_000
    lon_y, lat_y = rng.uniform(-180, 180, n), np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lat_y[: n // 4] = rng.uniform(80, 90, n // 4) * rng.choice([-1, 1], n // 4)
    az_p, s_p = rng.uniform(0, 360, n), rng.uniform(1e6, 1.996e7, n)
    lon_p, lat_p, _ = WGS84.fwd(lon_y, lat_y, az_p, s_p)
    ell = np.exp(rng.uniform(0, np.log(4e5), n))
    lon_x, lat_x, _ = WGS84.fwd(lon_y, lat_y, rng.uniform(0, 360, n), ell)
    az, _, d = WGS84.inv(lon_y, lat_y, lon_p, lat_p)
    _, _, d_x = WGS84.inv(lon_x, lat_x, lon_p, lat_p)
    u = _toward(np.column_stack([lon_y, lat_y]), az)
    lead = np.einsum("ij,ij->i", u, ecef(lon_x, lat_x) - ecef(lon_y, lat_y))
    floor = tangent_floor(d, lead, ell * (1 + 1e-9) + 1e-3)
    ok = np.isfinite(floor)
    assert ok.mean() > 0.9
    assert (floor[ok] <= d_x[ok] + 1e-6).all(), (floor - d_x)[ok].max()
    # Far better than the triangle inequality (d - l) across the geodesic, 10 km from Y:
    # it gives up the curvature of the distance there, metres, not the whole 10 km.
    across = ok & (np.abs(lead) < 1.0) & (ell < 1e4)
    assert across.sum() > 20
    assert (d_x[across] - floor[across] < 20.0).all(), (d_x - floor)[across].max()


def _points_between(geometry, n, lo, hi, seed):
    """``n`` points whose distance from ``geometry``'s vertices is ``lo`` to ``hi`` metres."""
    return _points_at(geometry, n, lo, hi, seed)


@pytest.mark.parametrize("name", ["America/Sao_Paulo", "Asia/Tokyo"])
def test_far_sweep_5000_to_19900_km(name):
    """Random points 5,000 to 19,900 km from a large zone agree with the reference to 1 cm."""
    geometry = _zone(name)
    _assert_exact(_points_between(geometry, 12, 5e6, 1.99e7, seed=len(name)), geometry, name)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["America/Sao_Paulo", "Europe/Moscow", "Asia/Tokyo", "Asia/Pyongyang"]
)
def test_far_sweep_5000_to_19900_km_many(name):
    """As above, on 120 points per zone."""
    geometry = _zone(name)
    _assert_exact(_points_between(geometry, 120, 5e6, 1.99e7, seed=7), geometry, name)


def test_the_compiled_scalar_bounds_are_the_proved_ones():
    """The tree search's scalar bounds (compiled) are exactly the functions proved above.

    ``_floor1`` is the largest of geodesic_floor (chord), the triangle inequality and
    tangent_floor; ``_arc1`` is arc_bound: written twice for numba, checked to agree to rounding.
    """
    rng = np.random.default_rng(11)
    base = rng.uniform(1e3, 2.0e7, 2_000)
    ell = base * rng.uniform(0.0, 1.2, 2_000)
    lead = rng.uniform(-1.0, 1.0, 2_000) * ell
    gap = rng.uniform(-1e3, 1.3e7, 2_000)
    vector = np.maximum(np.maximum(geodesic_floor(gap), base - ell), tangent_floor(base, lead, ell))
    scalar = np.array([_floor1(*args) for args in zip(base, lead, ell, gap, strict=True)])
    # the same formulas, to the last bit or two of rounding (numba's and numpy's arcsin)
    np.testing.assert_allclose(scalar, vector, rtol=1e-15, atol=1e-8)
    chords = rng.uniform(0.0, 1.3e7, 2_000)
    np.testing.assert_allclose(
        np.array([_arc1(c) for c in chords]), arc_bound(chords), rtol=1e-15, atol=1e-8
    )
