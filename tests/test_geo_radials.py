"""geo.radials: geodesic lines from a centre along azimuths, checked against pyproj's Geod."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from numpy.testing import assert_allclose
from pyproj import Geod

import geo

GEOD = Geod(ellps="WGS84")


def _vertices(line: shapely.Geometry) -> np.ndarray:
    return np.vstack([shapely.get_coordinates(p) for p in shapely.get_parts(line)])


@pytest.mark.parametrize(
    ("centre", "azimuths", "length"),
    [
        ((131.87, 43.12), [0, 45, 90, 135, 180, 225, 270, 315], 500_000.0),
        ((-70.0, -80.0), [10.0, 200.0], "3000km"),  # over the pole's neighbourhood
        ((179.0, 65.0), [60.0, 90.0, 120.0], "800km"),  # across ±180
        ((0.0, 0.0), [33.0], "15000km"),
    ],
)
def test_every_vertex_is_on_the_geodesic(centre, azimuths, length):
    lines = geo.radials(centre, azimuths, length, spacing="25km")
    total = geo.parse_distance(length)
    assert list(lines["azimuth"]) == list(map(float, azimuths))
    assert_allclose(lines["length_m"], total)
    for az, line in zip(azimuths, lines.geometry, strict=True):
        xy = _vertices(line)
        fwd_az, _, d = GEOD.inv(np.full(len(xy), centre[0]), np.full(len(xy), centre[1]), *xy.T)
        # distance from the centre grows along the line, up to the length
        assert d.max() == pytest.approx(total, abs=1e-3)
        # a point on the radial at distance d is where Geod.fwd puts it
        lon, lat, _ = GEOD.fwd(
            np.full(len(xy), centre[0]), np.full(len(xy), centre[1]), np.full(len(xy), az), d
        )
        ref = np.column_stack([lon, lat])
        ref[:, 0] = np.where(np.isclose(np.abs(xy[:, 0]), 180.0), xy[:, 0], ref[:, 0])
        assert_allclose(ref, xy, atol=1e-7)
        # vertices at most `spacing` apart along the line
        for part in shapely.get_parts(line):
            pxy = shapely.get_coordinates(part)
            assert GEOD.inv(*pxy[:-1].T, *pxy[1:].T)[2].max() <= 25_000.0 + 1e-6


def test_a_radial_across_the_antimeridian_is_split_there():
    lines = geo.radials((179.0, 65.0), [90.0], "800km")
    line = lines.geometry.iloc[0]
    assert line.geom_type == "MultiLineString" and len(line.geoms) == 2
    ends = [p.coords[-1][0] for p in line.geoms] + [p.coords[0][0] for p in line.geoms]
    assert 180.0 in ends and -180.0 in ends
    assert max(abs(x) for x in _vertices(line)[:, 0]) <= 180.0


def test_one_length_per_azimuth():
    lines = geo.radials((10.0, 50.0), [0.0, 90.0], ["100km", "200 km"])
    assert list(lines["length_m"]) == [100_000.0, 200_000.0]
    end = lines.geometry.iloc[1].coords[-1]
    assert GEOD.inv(10.0, 50.0, *end)[2] == pytest.approx(200_000.0, abs=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"centre": [(0, 0), (1, 1)]}, "centre holds 2 points"),
        ({"azimuths": [np.nan]}, "not finite degrees"),
        ({"azimuths": []}, "not finite degrees"),
        ({"length": "-5km"}, "negative"),
        ({"length": ["1km", "2km", "3km"]}, "3 values for 2 azimuths"),
        ({"length": "30000km"}, "half"),
        ({"spacing": 0}, "spacing is 0"),
        ({"centre": (200.0, 0.0)}, r"outside \[-180, 180\]"),
    ],
)
def test_bad_input_is_refused_by_name(kwargs, message):
    args = {"centre": (0.0, 0.0), "azimuths": [0.0, 90.0], "length": "100km", **kwargs}
    with pytest.raises(geo.InputError, match=message):
        geo.radials(**args)
