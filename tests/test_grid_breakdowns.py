"""Grid exposure broken down by polygons: each cell is shared by the exact fraction of its
area in each polygon, the rows sum to the total, and a question cut at ±180 reads one window
per part.

References are independent of the code under test: analytic shares of cells split by a
meridian, pyproj's geodesic areas (``Geod.geometry_area_perimeter``) for a constant-density
grid, and counts of the cells a window can hold.
"""

from __future__ import annotations

import geopandas as gpd
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
from layers.naturalearth import naturalearth_countries
from layers.package_data import manifest

GEOD = Geod(ellps="WGS84")


def write(path, values, west, north, step, **extra):
    profile = {
        "driver": "GTiff", "width": values.shape[1], "height": values.shape[0], "count": 1,
        "dtype": "float64", "crs": "EPSG:4326",
        "transform": Affine(step, 0, west, 0, -step, north), **extra,
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(values, 1)
    return path


class RecordingGrid(PopulationGrid):
    """A PopulationGrid that records every window it reads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads: list[tuple[int, int, int, int]] = []

    def read_window(self, ds, row0, col0, nrows, ncols):
        self.reads.append((row0, col0, nrows, ncols))
        return super().read_window(ds, row0, col0, nrows, ncols)


def geodesic_km2(polygon_lonlat):
    """pyproj's ellipsoidal area of a lon/lat polygon, densified along its edges (km²)."""
    return abs(GEOD.geometry_area_perimeter(shapely.segmentize(polygon_lonlat, 0.002))[0]) / 1e6


def test_a_cell_straddling_two_polygons_is_split_by_its_covered_fraction(tmp_path):
    # 4 x 4 cells of 1°, 100 people each; A takes columns 0 and 30 % of column 1, B the
    # rest up to the middle of column 3; the half cell column beyond is in no polygon
    grid = PopulationGrid(
        write(tmp_path / "p.tif", np.full((4, 4), 100.0), 10, 4, 1.0), kind="count"
    )
    zones = gpd.GeoDataFrame(
        {"name": ["A", "B"]},
        geometry=[shapely.box(10, 0, 11.3, 4), shapely.box(11.3, 0, 13.5, 4)],
        crs=4326,
    )
    res = exposure(shapely.Point(12, 2), grid, "1000km", by=zones)
    rows = res.table.set_index("country")["population"]
    assert_allclose(rows[["A", "B", "unassigned"]], [4 * 130, 4 * 220, 4 * 50], rtol=1e-7)
    assert_allclose(rows.sum(), 1600, rtol=1e-9)  # shares are float32 fractions
    assert_allclose(
        rows.sum(), exposure(shapely.Point(12, 2), grid, "1000km", by=None).population()
    )
    # the curve shares the cells the same way (every centre is within 1000 km)
    assert_allclose(res.curve(radii=[1e6], country="A")["population"], [520], rtol=1e-7)
    assert_allclose(res.curve(radii=[1e6])["population"], [1600], rtol=1e-9)
    assert "exact fraction of its area" in res.provenance.details["cell_assignment"]


def test_overlapping_polygons_count_each_share_once(tmp_path):
    grid = PopulationGrid(
        write(tmp_path / "p.tif", np.full((4, 4), 10.0), 10, 4, 1.0), kind="count"
    )
    zones = gpd.GeoDataFrame(
        {"name": ["first", "second"]},
        geometry=[shapely.box(10, 0, 12.5, 4), shapely.box(11.5, 0, 14, 4)],
        crs=4326,
    )
    rows = exposure(shapely.Point(12, 2), grid, "1000km", by=zones).table.set_index("country")
    assert_allclose(rows.loc[["first", "second"], "population"], [100, 60], rtol=1e-7)
    assert_allclose(rows["population"].sum(), 160, rtol=1e-9)


@pytest.fixture(scope="module")
def density_grid(tmp_path_factory):
    # 25 people per km² over 123-134°E, 37-46°N in cells of 0.025°
    path = tmp_path_factory.mktemp("grid") / "constant_pd.tif"
    return PopulationGrid(
        write(
            path,
            np.full((360, 440), 25.0),
            123.0,
            46.0,
            0.025,
            tiled=True,
            blockxsize=128,
            blockysize=128,
        ),  # fmt: skip
        kind="density",
    )


def test_by_country_rows_sum_to_the_total_and_match_geodesic_areas(density_grid):
    # around the Tumen mouth, where China, North Korea and Russia meet, and the sea
    centre, radius = shapely.Point(130.6, 42.4), 80_000.0
    res = exposure(centre, density_grid, radius, by="country")
    rows = res.table.set_index("country")["population"]
    assert {"CN", "KP", "RU", "unassigned"} <= set(rows.index)
    total = exposure(centre, density_grid, radius, by=None).population()
    assert_allclose(rows.sum(), total, rtol=1e-9)
    disc = shapely.union_all(geo.rings(centre, [radius]).geometry)
    assert_allclose(total, 25.0 * geodesic_km2(disc), rtol=2e-4)
    countries = naturalearth_countries().set_index("iso2").geometry
    for code in ("CN", "KP", "RU"):
        want = 25.0 * geodesic_km2(shapely.intersection(disc, countries[code]))
        assert_allclose(rows[code], want, rtol=2e-3)
    assert res.provenance.details["breakdown"] == "Natural Earth 1:10m admin-0 countries"
    # the curve counts a cell's share at its centre's distance: at the radius it misses
    # only shares of cells the circle cuts whose centre is beyond it (< 1 cell diagonal)
    curve = res.curve(radii=[40_000.0, radius])
    diagonal_km = 0.025 * 111.3 * np.sqrt(1 + np.cos(np.radians(41.6)) ** 2)
    cut_people = 25.0 * 2 * np.pi * radius / 1000 * diagonal_km
    assert res.population() - cut_people <= curve["population"].iloc[1] <= res.population()
    # well inside, every cell within 40 km is whole: density x the disc's geodesic area
    inner = shapely.union_all(geo.rings(centre, [40_000.0]).geometry)
    assert_allclose(curve["population"].iloc[0], 25.0 * geodesic_km2(inner), rtol=2e-2)


def test_by_admin1_rows_are_regions_of_their_country_with_geodesic_areas(density_grid):
    """by='admin1' for a grid: rows by country and ISO 3166-2 code, as for settlements.

    Each region's row is the density times the geodesic area of the disc inside that
    region's shipped polygon; CN and KR share division numbers, never their rows.
    """
    from layers.regions import regions

    centre, radius = shapely.Point(130.6, 42.4), 80_000.0
    res = exposure(centre, density_grid, radius, by="admin1")
    table = res.table
    assert list(table.columns[:3]) == ["country", "admin1", "admin1_name"]
    assert res.by == "admin1"
    rows = table.set_index("admin1")
    assert {"CN-JL", "KP-09", "RU-PRI", "unassigned"} <= set(rows.index), set(rows.index)
    assert rows.loc["RU-PRI", "country"] == "RU"
    assert rows.loc["RU-PRI", "admin1_name"] == "Primorsky Krai"
    total = exposure(centre, density_grid, radius, by=None).population()
    assert_allclose(table["population"].sum(), total, rtol=1e-9)
    disc = shapely.union_all(geo.rings(centre, [radius]).geometry)
    shapes = regions().set_index("iso_3166_2").geometry
    for code in ("CN-JL", "RU-PRI"):
        want = 25.0 * geodesic_km2(shapely.intersection(disc, shapes[code]))
        assert_allclose(rows.loc[code, "population"], want, rtol=2e-3)
    # the curve stays by country, as for settlements: Russia's cells whose centre is within
    # the radius, at most Russia's rows
    ru = table.loc[table["country"] == "RU", "population"].sum()
    assert 0.9 * ru < res.curve(radii=[radius], country="RU")["population"].iloc[0] <= ru
    assert "admin-1" in res.provenance.details["breakdown"]
    # the method says how far the simplified region polygons lie from Natural Earth's
    worst = manifest()["admin1"]["hausdorff_m"]["max"]
    assert "grouped by: Natural Earth 1:10m admin-1" in res.provenance.method
    assert f"within {worst:,.0f} m of Natural Earth's" in res.provenance.method
    # ['country', 'admin1'] is the same table
    same = exposure(centre, density_grid, radius, by=["country", "admin1"]).table
    assert_allclose(same["population"], table["population"], rtol=1e-12)


def test_a_question_cut_at_180_reads_one_window_per_part(tmp_path):
    # a global 0.1° grid of 2 people per km²; 250 km around a point near ±180 in Chukotka
    step = 0.1
    path = write(
        tmp_path / "global_pd.tif", np.full((1800, 3600), 2.0), -180, 90, step,
        tiled=True, blockxsize=256, blockysize=256, compress="deflate",
    )  # fmt: skip
    grid = RecordingGrid(path, kind="density")
    centre, radius = shapely.Point(179.2, 65.0), 250_000.0
    res = exposure(centre, grid, radius, by=None)
    disc = shapely.union_all(geo.rings(centre, [radius]).geometry)
    assert len(shapely.get_parts(disc)) == 2  # cut at ±180
    assert_allclose(res.population(), 2.0 * geodesic_km2(disc), rtol=2e-4)
    # the disc spans ~10.6° of longitude and 4.5° of latitude: ~106 x 45 cells in two
    # windows, never the 3600 columns of the rows it touches
    cells = sum(r * c for _, _, r, c in grid.reads)
    west, east = shapely.get_parts(disc)
    bound = sum(
        (np.ceil((b[2] - b[0]) / step) + 2) * (np.ceil((b[3] - b[1]) / step) + 2)
        for b in (west.bounds, east.bounds)
    )
    assert 0 < cells <= bound < 3600 * 10
    assert all(c < 3600 for _, _, _, c in grid.reads)


def test_band_pieces_by_country_are_the_bands_cut_by_each_whole_country():
    """The pieces are cut from each country's polygon first cut to the bands' box: the same.

    Against the bands intersected with China's, Russia's and every reached country's whole
    polygon (and the sea: the bands less all of them), piece by piece.
    """
    from layers.analysis.grid_breakdown import grid_breakdown
    from layers.analysis.grids import _pieces

    bands = np.asarray(geo.rings(shapely.Point(129.5, 42.3), ["100km", "300km"]).geometry)
    breakdown = grid_breakdown("country", None, shapely.union_all(bands))
    names, pieces = _pieces(bands, breakdown)
    assert {"CN", "RU", "KP"} <= set(names) and names[-1] == "unassigned"
    whole = [shapely.intersection(bands, p) for p in breakdown.polygons]
    whole.append(shapely.difference(bands, shapely.union_all(breakdown.polygons)))
    expected = np.concatenate(whole)
    assert len(pieces) == len(expected)
    for got, want in zip(pieces, expected, strict=True):
        assert shapely.area(shapely.symmetric_difference(got, want)) <= 1e-9 * max(
            shapely.area(want), 1e-6
        )
