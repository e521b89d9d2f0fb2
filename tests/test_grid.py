"""Population grids: zonal sums against analytic answers on synthetic GeoTIFFs, cell
areas against pyproj's geodesic areas, nodata, CRS, kinds, and named products."""

from __future__ import annotations

import hashlib
import math
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from numpy.testing import assert_allclose
from pyproj import Geod, Transformer

from geo.errors import CRSError, DataError, InputError
from layers import cache, grid
from layers.grid import population_grid, zone_area_m2

GEOD = Geod(ellps="WGS84")


def from_origin(west, north, xsize, ysize):
    """North-up transform (rasterio's helper of the same name warns on Affine's `*`)."""
    return Affine(xsize, 0.0, west, 0.0, -ysize, north)


MOLLWEIDE = "ESRI:54009"


def write_tif(path, values, *, crs="EPSG:4326", transform, nodata=None, dtype=None):
    values = np.asarray(values)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=values.shape[1],
        height=values.shape[0],
        count=1,
        dtype=dtype or values.dtype,
        crs=crs,
        transform=transform,
        nodata=nodata,
    ) as ds:
        ds.write(values.astype(dtype or values.dtype), 1)
    return path


def geodesic_area_m2(polygon_lonlat, step=0.0005):
    """Reference: pyproj's ellipsoidal area of a lon/lat polygon densified along its edges."""
    return abs(GEOD.geometry_area_perimeter(shapely.segmentize(polygon_lonlat, step))[0])


# -- cell areas --------------------------------------------------------------


def test_zone_area_whole_ellipsoid():
    # WGS84 surface area, 510,065,621.724 km² (NIMA TR8350.2 gives 5.10065622e14 m²)
    assert_allclose(zone_area_m2(-90, 90, 360), 5.10065621724e14, rtol=1e-11)


@pytest.mark.parametrize(
    "lat1,lat2,dlon", [(40, 41, 1), (-89, -80, 1), (0, 0.0083333, 0.0083333), (60, 70, 25)]
)
def test_zone_area_matches_pyproj_geodesic_area(lat1, lat2, dlon):
    box = shapely.box(10, lat1, 10 + dlon, lat2)
    assert_allclose(
        zone_area_m2(lat1, lat2, dlon),
        geodesic_area_m2(box, step=min(0.0005, dlon / 10)),
        rtol=1e-9,
    )


# -- count grids: zonal sums equal the covered area in cells ----------------------


@pytest.fixture
def uniform_lonlat(tmp_path):
    """20 x 30 cells of 0.1°, one person each, west 100°E, north 50°N."""
    return write_tif(
        tmp_path / "ones_4326.tif",
        np.ones((20, 30), "float32"),
        transform=from_origin(100, 50, 0.1, 0.1),
    )


def test_count_grid_lonlat_partial_cells(uniform_lonlat):
    g = population_grid(uniform_lonlat, kind="count")
    box = shapely.box(100.234, 48.517, 101.7891, 49.9012)  # cuts cells on all four sides
    triangle = shapely.Polygon([(100.05, 48.05), (102.83, 48.31), (101.11, 49.87)])
    out = g.zonal_sum([box, triangle])
    cell = 0.1 * 0.1
    assert_allclose(out["population"], [box.area / cell, triangle.area / cell], rtol=1e-6)
    assert_allclose(out["cells"], out["population"], rtol=1e-12)
    assert (out["nodata_cells"] == 0).all()


def test_polygon_outside_or_partly_outside_the_grid(uniform_lonlat):
    g = population_grid(uniform_lonlat, kind="count")
    out = g.zonal_sum([shapely.box(0, 0, 1, 1), shapely.box(99.5, 49.55, 100.25, 51)])
    assert out["population"].iloc[0] == 0
    assert_allclose(out["population"].iloc[1], 0.25 * 0.45 / 0.01, rtol=1e-6)


@pytest.fixture
def uniform_mollweide(tmp_path):
    """1 km Mollweide cells, one person each, covering about 8-23°E, 40-50°N."""
    x0, y0 = 700_000.0, 6_000_000.0
    return write_tif(
        tmp_path / "ones_moll.tif",
        np.ones((1400, 1200), "float32"),
        crs=MOLLWEIDE,
        transform=from_origin(x0, y0, 1000, 1000),
    )


def test_count_grid_projected_polygon_in_grid_crs(uniform_mollweide):
    g = population_grid(uniform_mollweide, kind="count")
    box = shapely.box(812_345.6, 5_123_456.7, 1_234_567.8, 5_432_109.8)
    tri = shapely.Polygon([(750_500, 4_700_250), (1_800_250, 5_100_750), (900_750, 5_950_125)])
    out = g.zonal_sum(gpd.GeoSeries([box, tri], crs=MOLLWEIDE))
    assert_allclose(out["population"], [box.area / 1e6, tri.area / 1e6], rtol=1e-6)


def test_count_grid_projected_lonlat_polygon_is_reprojected(uniform_mollweide):
    # PROJ's Mollweide is the spherical one (radius = WGS84 a, geodetic latitude used as
    # spherical), equal-area on that sphere: a lon/lat box covers a*a*dlon*(sin φ2 - sin φ1) m².
    g = population_grid(uniform_mollweide, kind="count")
    lon1, lat1, lon2, lat2 = 12.0, 43.5, 15.5, 47.25
    a = GEOD.a
    expected = (
        a
        * a
        * math.radians(lon2 - lon1)
        * (math.sin(math.radians(lat2)) - math.sin(math.radians(lat1)))
    )
    out = g.zonal_sum([shapely.box(lon1, lat1, lon2, lat2)])
    assert_allclose(out["population"].iloc[0], expected / 1e6, rtol=1e-6)


# -- density grids -------------------------------------------------------------


def test_density_grid_lonlat_uses_exact_cell_area(tmp_path):
    path = write_tif(
        tmp_path / "d.tif",
        np.full((20, 30), 1.0, "float64"),
        transform=from_origin(100, 50, 0.1, 0.1),
    )
    g = population_grid(path, kind="density")  # 1 person per km²
    aligned = shapely.box(100.3, 48.2, 102.1, 49.7)  # whole cells only
    out = g.zonal_sum([aligned])
    assert_allclose(out["population"].iloc[0], geodesic_area_m2(aligned) / 1e6, rtol=1e-6)
    # A cut through cells: coverage is a fraction of each cell's lon/lat extent, while the
    # true area varies across a 0.1° cell by about tan(lat)*0.1° = 0.2 %; over a polygon many
    # cells wide the discrepancy stays below 1e-4 of the total.
    cut = shapely.box(100.234, 48.517, 101.789, 49.901)
    assert_allclose(
        g.zonal_sum([cut])["population"].iloc[0], geodesic_area_m2(cut) / 1e6, rtol=1e-4
    )


def test_density_and_count_grids_of_the_same_people_agree(tmp_path):
    rng = np.random.default_rng(7)
    density = rng.uniform(0, 500, size=(20, 30))
    lat_edges = 50 - 0.1 * np.arange(21)
    areas_km2 = zone_area_m2(lat_edges[1:], lat_edges[:-1], 0.1)[:, None] / 1e6
    t = from_origin(100, 50, 0.1, 0.1)
    d = population_grid(
        write_tif(tmp_path / "pd_x.tif", density, transform=t)
    )  # WorldPop name: density
    c = population_grid(write_tif(tmp_path / "x_ppp_2020.tif", density * areas_km2, transform=t))
    assert (d.kind, c.kind) == ("density", "count")
    polys = [shapely.box(100.234, 48.517, 101.789, 49.901), shapely.Point(101.5, 49).buffer(0.7)]
    assert_allclose(d.zonal_sum(polys)["population"], c.zonal_sum(polys)["population"], rtol=1e-9)


def test_density_grid_projected_cell_area_is_ellipsoidal(tmp_path):
    # 1 km Mollweide cells hold 1 person per km² of *ellipsoid*, so a block of cells holds
    # its geodesic area in km², not its planar Mollweide area (they differ by ~0.06 % here).
    path = write_tif(
        tmp_path / "dens_moll.tif",
        np.ones((200, 300), "float64"),
        crs=MOLLWEIDE,
        transform=from_origin(900_000, 5_300_000, 1000, 1000),
    )
    g = population_grid(path, kind="density")
    block = shapely.box(950_000, 5_150_000, 1_150_000, 5_250_000)  # whole cells
    to_lonlat = Transformer.from_crs(MOLLWEIDE, 4326, always_xy=True)
    dense = shapely.segmentize(block, 100)
    lonlat = shapely.transform(
        dense, lambda xy: np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1]))
    )
    expected_km2 = abs(GEOD.geometry_area_perimeter(lonlat)[0]) / 1e6
    got = g.zonal_sum(gpd.GeoSeries([block], crs=MOLLWEIDE))["population"].iloc[0]
    assert_allclose(got, expected_km2, rtol=1e-6)
    assert abs(got / (block.area / 1e6) - 1) > 1e-4  # and it is not the planar area


# -- nodata and bad grids ----------------------------------------------------------


def test_nodata_cells_count_as_zero_and_are_reported(tmp_path):
    values = np.ones((20, 30), "float32")
    values[0, :] = -200  # GHS-POP's nodata value
    values[5, 5] = np.nan
    values[8:10, 10:15] = -200  # a block inside the grid
    g = population_grid(
        write_tif(
            tmp_path / "n.tif", values, transform=from_origin(100, 50, 0.1, 0.1), nodata=-200
        ),
        kind="count",
    )
    box = shapely.box(100.25, 49.35, 100.85, 50.0)  # rows 0-6 (6.5 rows), columns 2.5-8.5
    out = g.zonal_sum([box]).iloc[0]
    covered = 0.6 * 0.65 / 0.01
    nodata = 0.6 / 0.1 + 1  # the nodata row across 6 columns, plus the NaN cell (fully inside)
    assert_allclose(out["cells"], covered, rtol=1e-9)
    assert_allclose(out["nodata_cells"], nodata, rtol=1e-9)
    assert_allclose(out["population"], covered - nodata, rtol=1e-9)
    # A many-vertex polygon holding every nodata cell (exactextract reads such polygons
    # through a different path; nodata must be reported there too).
    rounded = shapely.box(100.35, 48.85, 101.75, 49.65).buffer(0.03)
    out = g.zonal_sum([rounded]).iloc[0]
    assert_allclose(out["nodata_cells"], 11, rtol=1e-9)  # the block and the NaN cell
    assert_allclose(out["population"], out["cells"] - 11, rtol=1e-9)


def test_negative_values_without_nodata_are_refused(tmp_path):
    values = np.ones((4, 4), "float32")
    values[2, 3] = -1
    g = population_grid(
        write_tif(tmp_path / "neg.tif", values, transform=from_origin(0, 4, 1, 1)), kind="count"
    )
    with pytest.raises(
        DataError, match=r"negative value -1\.0 at row 2, column 3.*no nodata value.*a_nodata"
    ):
        g.zonal_sum([shapely.box(0, 0, 4, 4)])


def test_negative_values_other_than_nodata_are_refused(tmp_path):
    values = np.ones((4, 4), "int32")
    values[0, 0], values[1, 1] = -99999, -5
    path = write_tif(
        tmp_path / "neg2.tif", values, transform=from_origin(0, 4, 1, 1), nodata=-99999
    )
    with pytest.raises(DataError, match=r"negative value -5\.0 .* nodata value is -99999"):
        population_grid(path, kind="count").zonal_sum([shapely.box(0, 0, 4, 4)])


def test_grid_without_crs_is_refused(tmp_path):
    path = tmp_path / "nocrs.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=3,
        height=3,
        count=1,
        dtype="float32",
        transform=from_origin(0, 3, 1, 1),
    ) as ds:
        ds.write(np.ones((3, 3), "float32"), 1)
    with pytest.raises(CRSError, match=r"nocrs.tif' has no CRS.*does not guess.*a_srs"):
        population_grid(path, kind="count")


def test_kind_is_required_when_it_cannot_be_guessed(uniform_lonlat):
    with pytest.raises(
        InputError, match=r"'ones_4326.tif'.*people per cell or people per km².*kind="
    ):
        population_grid(uniform_lonlat)
    with pytest.raises(InputError, match=r"kind 'people' is not a grid kind"):
        population_grid(uniform_lonlat, kind="people")


@pytest.mark.parametrize(
    "name,kind",
    [
        ("GHS_POP_E2020_GLOBE_R2023A_4326_30ss_V1_0.tif", "count"),
        ("prk_ppp_2020_1km_Aggregated.tif", "count"),
        ("prk_pd_2020_1km.tif", "density"),
        ("gpw_v4_population_density_rev11_2020_30_sec.tif", "density"),
        ("gpw_v4_population_count_rev11_2020_30_sec.tif", "count"),
        ("landscan-global-2022.tif", "count"),
    ],
)
def test_kind_is_guessed_from_known_products(tmp_path, name, kind):
    path = write_tif(tmp_path / name, np.ones((2, 2), "float32"), transform=from_origin(0, 2, 1, 1))
    assert population_grid(path).kind == kind


def test_unknown_source_is_refused(tmp_path):
    with pytest.raises(
        InputError, match=r"'nowhere.tif' is neither a file nor a known product.*ghs-pop"
    ):
        population_grid("nowhere.tif")


# -- windowed cell lists ----------------------------------------------------------------


def test_cells_lists_nonzero_cell_centres_in_bounds(tmp_path):
    values = np.zeros((20, 30), "float32")
    values[3, 4], values[10, 20], values[19, 29] = 5, 7, 11
    g = population_grid(
        write_tif(tmp_path / "c.tif", values, transform=from_origin(100, 50, 0.1, 0.1)),
        kind="count",
    )
    got = [(xy, p) for xy, p, _ in g.cells(chunk_rows=3) if len(p)]
    xy = np.concatenate([x for x, _ in got])
    people = np.concatenate([p for _, p in got])
    assert_allclose(xy, [[100.45, 49.65], [102.05, 48.95], [102.95, 48.05]])
    assert_allclose(people, [5, 7, 11])
    inside = np.concatenate([p for _, p, _ in g.cells((100.0, 48.5, 101.0, 50.0))])
    assert_allclose(inside, [5])


# -- named products through the cache ----------------------------------------------------


def test_named_product_is_fetched_verified_and_unzipped(tmp_path, monkeypatch):
    tif = write_tif(
        tmp_path / "pop.tif", np.ones((10, 10), "float32"), transform=from_origin(0, 10, 1, 1)
    )
    zpath = tmp_path / "mirror" / "pop.zip"
    zpath.parent.mkdir()
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(tif, "pop.tif")
    digest = hashlib.sha256(zpath.read_bytes()).hexdigest()
    product = grid.GridProduct(
        name="test-grid",
        title="Test grid",
        url=zpath.as_uri(),
        kind="count",
        licence="CC0",
        attribution="Test grid producers",
        version="1",
        sha256=digest,
        member="pop.tif",
    )
    monkeypatch.setitem(grid.PRODUCTS, "test-grid", product)
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.OFFLINE_ENV, raising=False)
    g = population_grid("test-grid")
    assert g.path == tmp_path / "cache" / "test-grid" / "pop.tif"
    assert g.provenance.sources[0].licence == "CC0"
    assert g.provenance.attribution() == "Test grid producers"
    assert_allclose(g.zonal_sum([shapely.box(0.5, 0.5, 2, 3)])["population"], [3.75], rtol=1e-9)
    with pytest.raises(InputError, match="contradicts product 'test-grid'"):
        population_grid("test-grid", kind="density")
    # a corrupted mirror: the checksum fails and nothing new is kept
    monkeypatch.setitem(
        grid.PRODUCTS,
        "bad-grid",
        grid.GridProduct(**{**product.__dict__, "name": "bad-grid", "sha256": "0" * 64}),
    )
    with pytest.raises(DataError, match="corrupt"):
        population_grid("bad-grid")
    assert not list((tmp_path / "cache" / "bad-grid").glob("*"))


def test_named_product_offline_says_what_to_fetch(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(cache.OFFLINE_ENV, "1")
    with pytest.raises(
        DataError,
        match=r"'GHS_POP_E2020_GLOBE_R2023A_4326_30ss_V1_0.zip' is not in the cache.*OFFLINE=1",
    ):
        population_grid("ghs-pop:2020")
    with pytest.raises(DataError, match=r"'prk_ppp_2020_1km_Aggregated.tif' is not in the cache"):
        population_grid("worldpop-1km:2020:PRK")
    with pytest.raises(InputError, match=r"per country; name it like 'worldpop-1km:2020:PRK'"):
        population_grid("worldpop-1km")
    with pytest.raises(InputError, match=r"'ghs-pop' has no epoch 2019.*'ghs-pop:2015'"):
        population_grid("ghs-pop:2019")


def test_registry_products_are_described():
    for product in grid.PRODUCTS.values():
        assert product.url.startswith("https://")
        assert product.kind in ("count", "density")
        assert product.licence and product.attribution
        assert product.sha256 is None or len(product.sha256) == 64


def test_a_global_grid_is_read_window_by_window(tmp_path):
    # A global 30 arc-second grid (43,200 x 21,600 cells: 3.7 GB as float32 if loaded
    # whole), stored sparse: one 512 x 512 block of ones, the rest unwritten (= nodata).
    import tracemalloc

    from rasterio.windows import Window

    path = tmp_path / "global_ppp.tif"
    profile = {
        "driver": "GTiff", "width": 43_200, "height": 21_600, "count": 1, "dtype": "float32",
        "crs": "EPSG:4326", "transform": from_origin(-180, 90, 1 / 120, 1 / 120), "nodata": -200,
        "tiled": True, "blockxsize": 512, "blockysize": 512, "compress": "deflate",
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as ds:  # the block covers 120-124.27°E, 40.73-45°N
        ds.write(np.ones((512, 512), "float32"), 1, window=Window(36_000, 5_400, 512, 512))
    g = population_grid(path)
    tracemalloc.start()
    try:
        out = g.zonal_sum([shapely.box(120.1, 40.1, 121.3, 43.3)]).iloc[0]
        cells = [p for _, p, _ in g.cells((120.5, 44.0, 121.0, 44.5))]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_allclose(out["cells"], 1.2 * 3.2 * 120 * 120, rtol=1e-9)
    assert_allclose(out["nodata_cells"], (40.7333333333 - 40.1) * 120 * 1.2 * 120, rtol=1e-6)
    assert_allclose(out["population"], out["cells"] - out["nodata_cells"], rtol=1e-9)
    assert_allclose(sum(c.sum() for c in cells), 60 * 60)
    assert peak < 50e6  # bytes: windows only, never the 3.7 GB grid
