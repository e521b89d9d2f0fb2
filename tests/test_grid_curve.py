"""The curve of a grid exposure: measured when first asked for, the same as a brute-force one.

``layers.exposure`` on a grid sums the cells by exact coverage fractions and measures no
distance; the curve's cell-centre distances are measured by the first ``Exposure.curve``
and kept. The reference curve is built here without riskmap's distances or exactextract:
each cell centre's distance by ``Geod.inv`` from a point source, each cell's covered
fraction by shapely's area of the cell's box inside the largest buffer (in the grid's
own lon/lat plane, as exactextract measures it).
"""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from numpy.testing import assert_allclose
from pyproj import Geod

import geo
from layers import exposure
from layers.grid import PopulationGrid

GEOD = Geod(ellps="WGS84")
CENTRE = (128.0, 41.0)
WEST, NORTH, STEP, N = 127.0, 42.0, 0.02, 100  # 2° x 2° of 0.02° cells around the centre


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """Random people per cell (some empty, some nodata) around CENTRE."""
    rng = np.random.default_rng(20190425)
    people = rng.integers(0, 500, (N, N)).astype("float64")
    people[rng.random((N, N)) < 0.05] = -1.0  # nodata
    path = tmp_path_factory.mktemp("curve") / "people.tif"
    profile = {
        "driver": "GTiff", "width": N, "height": N, "count": 1, "dtype": "float64",
        "crs": "EPSG:4326", "transform": Affine(STEP, 0, WEST, 0, -STEP, NORTH), "nodata": -1.0,
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(people, 1)
    return PopulationGrid(path, kind="count"), people


def reference_curve(people, top_m, at_m):
    """People whose cell centre is within each distance, by Geod.inv, cells cut at top_m."""
    rows, cols = np.mgrid[0:N, 0:N]
    lon = WEST + (cols.ravel() + 0.5) * STEP
    lat = NORTH - (rows.ravel() + 0.5) * STEP
    _, _, d = GEOD.inv(np.full(lon.size, CENTRE[0]), np.full(lon.size, CENTRE[1]), lon, lat)
    disc = geo.buffer(CENTRE, top_m)
    boxes = shapely.box(lon - STEP / 2, lat - STEP / 2, lon + STEP / 2, lat + STEP / 2)
    fraction = shapely.area(shapely.intersection(boxes, disc)) / STEP**2
    values = people.ravel()
    share = np.where(values > 0, values, 0.0) * fraction
    return np.array([share[d <= r].sum() for r in at_m])


def test_exposure_measures_no_distance_until_the_curve_is_asked(grid, monkeypatch):
    calls = []
    measure = geo.DistanceIndex.distance_to

    def counting(self, *args, **kwargs):
        calls.append(1)
        return measure(self, *args, **kwargs)

    monkeypatch.setattr(geo.DistanceIndex, "distance_to", counting)
    res = exposure(CENTRE, grid[0], ["20km", "40km"], by=None)
    assert calls == []  # the table needs no distance
    first = res.curve(step_m=2_000)
    assert len(calls) == 1
    second = res.curve(radii=["5km", "33.3km"])
    assert len(calls) == 1  # measured once, kept
    fresh = exposure(CENTRE, grid[0], ["20km", "40km"], by=None)
    assert_allclose(second["population"], fresh.curve(radii=["5km", "33.3km"])["population"])
    assert_allclose(first["population"], fresh.curve(step_m=2_000)["population"])


def test_grid_curve_equals_the_brute_force_curve(grid):
    grid_, people = grid
    top = 40_000.0
    res = exposure(CENTRE, grid_, [20_000.0, top], by=None)
    at = np.linspace(0.0, top, 81)
    curve = res.curve(radii=at)
    assert_allclose(curve["population"], reference_curve(people, top, at), rtol=1e-9, atol=1e-6)
    # the table sums the same fractions: at the top radius, cells by fraction either way
    assert 0.99 < curve["population"].iloc[-1] / res.population() <= 1.0 + 1e-12


def test_a_pickled_exposure_keeps_its_lazy_curve(grid):
    import pickle

    res = exposure(CENTRE, grid[0], ["30km"], by=None)
    copy = pickle.loads(pickle.dumps(res))
    assert_allclose(copy.curve(step_m=1_000)["population"], res.curve(step_m=1_000)["population"])
