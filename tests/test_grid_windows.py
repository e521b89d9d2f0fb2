"""Population grids are read window by window within a cell budget, whatever the size of
the grid or of the zone, and the answers do not depend on how the reads are cut.

The budget (``layers.grid.WINDOW_CELLS``) is lowered here so that a small grid is "larger
than memory"; every window read is recorded. The people in a polygon come from a closed form:
the grid holds a linear field ``f`` at cell centres, so an exact-coverage zonal sum equals
``area(P) * f(centroid(P)) / cell_area`` in the grid's lon/lat plane.
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
import geo._boundary
import layers.grid
from layers import exposure
from layers.grid import PopulationGrid

WEST, NORTH, STEP = 126.0, 44.0, 0.02  # 300 x 200 cells: 126-132°E, 40-44°N
ROWS, COLS = 200, 300
BUDGET = 1_000  # cells per read in these tests (the grid has 60,000)


def field(lon, lat):
    """People per cell centred at (lon, lat)."""
    return 5.0 + 3.0 * (lon - WEST) + 2.0 * (NORTH - lat)


def centres():
    lon = WEST + (np.arange(COLS) + 0.5) * STEP
    lat = NORTH - (np.arange(ROWS) + 0.5) * STEP
    return np.meshgrid(lon, lat)


class RecordingGrid(PopulationGrid):
    """A PopulationGrid that records the size of every window it reads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads: list[tuple[int, int]] = []

    def read_window(self, ds, row0, col0, nrows, ncols):
        self.reads.append((nrows, ncols))
        return super().read_window(ds, row0, col0, nrows, ncols)


@pytest.fixture
def grid(tmp_path, monkeypatch):
    monkeypatch.setattr(layers.grid, "WINDOW_CELLS", BUDGET)
    lon, lat = centres()
    path = tmp_path / "linear_count.tif"
    profile = {
        "driver": "GTiff", "width": COLS, "height": ROWS, "count": 1, "dtype": "float64",
        "crs": "EPSG:4326", "transform": Affine(STEP, 0, WEST, 0, -STEP, NORTH),
        "tiled": True, "blockxsize": 64, "blockysize": 64, "compress": "deflate",
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(field(lon, lat), 1)
    return RecordingGrid(path, kind="count")


def closed_form(polygon):
    c = polygon.centroid
    return polygon.area * field(c.x, c.y) / STEP**2


def test_zonal_sum_of_a_zone_larger_than_the_budget_reads_bounded_windows(grid):
    zones = [
        shapely.Polygon([(126.3, 40.2), (131.9, 40.5), (131.0, 43.9), (127.1, 43.1)]),  # most
        shapely.Point(129.0, 42.0).buffer(1.5, quad_segs=64),
        shapely.box(128.01, 41.01, 128.05, 41.03),  # a few cells
    ]
    got = grid.zonal_sum(zones)["population"].to_numpy()
    assert_allclose(got, [closed_form(z) for z in zones], rtol=1e-9)
    cells = [r * c for r, c in grid.reads]
    assert max(cells) <= BUDGET
    # the large zone alone spans ~ 280 x 185 cells: it took dozens of windows
    assert len(cells) > 2 * ROWS * COLS // BUDGET // 3


def test_cell_lists_read_bounded_windows_and_lose_no_cell(grid):
    lon, lat = centres()
    got = np.concatenate([p for _, p, _ in grid.cells()])
    assert_allclose(np.sort(got), np.sort(field(lon, lat).ravel()), rtol=1e-12)
    assert max(r * c for r, c in grid.reads) <= BUDGET
    assert len(grid.reads) >= ROWS * COLS // BUDGET


def test_grid_curve_by_country_matches_brute_force_distances(grid, monkeypatch):
    # geo measures the cells in pieces of 97; countries: west and east of 129°E.
    monkeypatch.setattr(geo._boundary, "_CHUNK", 97)
    import geopandas

    countries = geopandas.GeoDataFrame(
        {"iso2": ["WW", "EE"]},
        geometry=[shapely.box(100, 0, 129, 60), shapely.box(129, 0, 160, 60)],
        crs=4326,
    )
    centre, radius = (129.0 + STEP / 3, 42.0 + STEP / 7), 150_000.0  # no centre on the border
    res = exposure(shapely.Point(centre), grid, [50_000.0, radius], by=countries)
    assert max(r * c for r, c in grid.reads) <= BUDGET

    lon, lat = (a.ravel() for a in centres())
    people = field(lon, lat)
    d = Geod(ellps="WGS84").inv(
        np.full(lon.size, centre[0]), np.full(lon.size, centre[1]), lon, lat
    )[2]
    # each cell counts the share of it inside the top radius's band polygons (shapely's
    # intersection area, in the grid's lon/lat plane), placed at its centre's distance
    reach = shapely.union_all(geo.rings(shapely.Point(centre), [50_000.0, radius]).geometry)
    boxes = shapely.box(lon - STEP / 2, lat - STEP / 2, lon + STEP / 2, lat + STEP / 2)
    share = shapely.area(shapely.intersection(boxes, reach)) / STEP**2
    at = np.array([10_000.0, 50_000.0, 123_456.0, radius])
    for code, side in (("WW", lon < 129.0), ("EE", lon >= 129.0)):
        curve = res.curve(radii=at, country=code)
        want = [(people * share)[side & (d <= r)].sum() for r in at]
        assert_allclose(curve["population"], want, rtol=1e-9)
        assert list(curve["places"]) == [int((side & (d <= r) & (share > 0)).sum()) for r in at]
        # away from the top radius every cell within r is whole
        assert_allclose(curve["population"][:3], [people[side & (d <= r)].sum() for r in at[:3]])
