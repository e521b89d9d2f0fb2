"""geo.PointIndex: the same set and distances as a full geo.distance_to, with less work."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

import geo


def _random_points(rng, n, lon=(-180, 180), lat=(-90, 90)):
    return np.column_stack([rng.uniform(*lon, n), rng.uniform(*lat, n)])


GEOMETRIES = {
    "square": shapely.box(10, 40, 14, 44),
    "square with hole": shapely.Polygon(
        [(10, 40), (20, 40), (20, 48), (10, 48)], [[(12, 42), (18, 42), (18, 46), (12, 46)]]
    ),
    "line across the antimeridian": shapely.MultiLineString(
        [[(175, 60), (180, 61)], [(-180, 61), (-175, 62)]]
    ),
    "point near the pole": shapely.Point(30, 88),
    "multipoint": shapely.MultiPoint([(0, 0), (100, 10), (-60, -30)]),
}


@pytest.mark.parametrize("name", list(GEOMETRIES))
@pytest.mark.parametrize("radius", [10_000.0, 300_000.0, 2_000_000.0])
def test_within_is_the_set_distance_to_puts_within_the_radius(name, radius):
    rng = np.random.default_rng(7)
    geom = GEOMETRIES[name]
    # half the points scattered near the geometry, half anywhere
    near = shapely.get_coordinates(geom.centroid) + rng.normal(scale=5.0, size=(3_000, 2))
    near[:, 1] = np.clip(near[:, 1], -90, 90)
    near[:, 0] = (near[:, 0] + 180) % 360 - 180
    points = np.vstack([near, _random_points(rng, 3_000)])
    index = geo.PointIndex(points)
    positions, metres = index.within(geom, radius)
    full = geo.distance_to(points, geom)
    expected = np.flatnonzero(full <= radius)
    np.testing.assert_array_equal(positions, expected)
    np.testing.assert_allclose(metres, full[expected], rtol=0, atol=1e-6)


def test_within_accepts_a_prepared_distance_index_and_units():
    index = geo.PointIndex([(0.5, 0.5), (1.5, 0.5), (3.0, 0.5)])
    prepared = geo.DistanceIndex(shapely.box(0, 0, 1, 1))
    positions, metres = index.within(prepared, "100km")
    assert positions.tolist() == [0, 1]
    assert metres[0] == 0.0
    np.testing.assert_allclose(metres[1], geo.distance((1.5, 0.5), (1.0, 0.5)), atol=1e-3)


def test_within_refuses_a_bad_radius():
    index = geo.PointIndex([(0.0, 0.0)])
    with pytest.raises(geo.InputError, match="negative"):
        index.within(shapely.Point(0, 0), -5)
