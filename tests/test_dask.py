"""Dask: distances and exposure on a local two-process cluster equal the in-memory results.

The cluster listens on 127.0.0.1 only. Points are generated on the workers
(``dask.dataframe.from_map``), as they would be read there from Parquet; the
in-memory reference concatenates the same partitions in this process.
"""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import shapely

import geo
import layers

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")
dask_geopandas = pytest.importorskip("dask_geopandas")
geopandas = pytest.importorskip("geopandas")

COUNTRIES = np.array(["KP", "RU", "CN", "KR", "JP", "US"])
RADII = ["10km", "50km", "100km", "199.5km", "200km"]


def make_points(part: int, n: int) -> geopandas.GeoDataFrame:
    """Partition ``part`` of a random layer: a fifth around North Korea, the rest worldwide."""
    rng = np.random.default_rng([20190425, part])
    near = rng.random(n) < 0.2
    lon = np.where(near, rng.uniform(118.0, 142.0, n), rng.uniform(-180.0, 180.0, n))
    # uniform on the sphere: the sine of the latitude is uniform
    lat = np.where(near, rng.uniform(30.0, 52.0, n), np.degrees(np.arcsin(rng.uniform(-1, 1, n))))
    index = pd.RangeIndex(part * n, (part + 1) * n)
    return geopandas.GeoDataFrame(
        {
            "name": np.char.add("p", index.to_numpy().astype(str)),
            "country": rng.choice(COUNTRIES, n),
            "population": rng.integers(0, 50_000, n),
        },
        geometry=geopandas.points_from_xy(lon, lat),
        crs="EPSG:4326",
        index=index,
    )


def points_on_workers(n: int, partitions: int):
    """The dask-geopandas layer (made on the workers) and the same rows in memory."""
    per = n // partitions
    ddf = dd.from_map(make_points, range(partitions), n=per, meta=make_points(0, 0))
    gdf = pd.concat([make_points(i, per) for i in range(partitions)])
    return ddf, gdf


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def north_korea():
    return layers.territory("KP")


@pytest.fixture()
def strings_unconverted():
    # Dask stores string columns as string[pyarrow] (missing values pd.NA) by default;
    # with conversion off the columns keep their pandas dtype, so frames compare strictly.
    with dask.config.set({"dataframe.convert-string": False}):
        yield


def assert_same_exposure(got, expected):
    pd.testing.assert_frame_equal(got.table, expected.table)
    pd.testing.assert_frame_equal(got.bands, expected.bands)
    pd.testing.assert_frame_equal(got.places, expected.places)
    pd.testing.assert_frame_equal(got.edge, expected.edge)
    pd.testing.assert_frame_equal(got.curve(step_m=250.0), expected.curve(step_m=250.0))
    assert got.excluded == expected.excluded
    assert got.provenance == expected.provenance
    assert got.to_json() == expected.to_json()


def workers_used(stream) -> set[str]:
    return {t["worker"] for t in stream.data if "near_partition" in str(t["key"])}


# --------------------------------------------------------------------------- exposure


def test_exposure_on_cluster_equals_in_memory(client, north_korea, strings_unconverted):
    ddf, gdf = points_on_workers(50_000, partitions=4)
    expected = layers.exposure(north_korea, gdf, RADII)
    with distributed.get_task_stream(client) as stream:
        got = layers.exposure(north_korea, ddf, RADII)
    assert_same_exposure(got, expected)
    # not vacuous: places on both sides of every radius, North Korea's residents excluded
    assert len(expected.places) > 1_000
    assert (expected.edge["inside"].any(), (~expected.edge["inside"]).any()) == (True, True)
    assert expected.excluded["places"] > 0
    assert got.provenance.details["settlements"] == 50_000
    assert len(workers_used(stream)) == 2


def test_exposure_on_cluster_by_codes_and_geometric_rule(client, north_korea, strings_unconverted):
    ddf, gdf = points_on_workers(20_000, partitions=3)
    # a bare polygon: the people inside it are excluded by distance 0
    polygon = north_korea.geometry.iloc[0]
    for source, kwargs in [
        (north_korea, {"by": ["RU", "CN"]}),
        (north_korea, {"by": None, "exclude_source": False}),
        (polygon, {}),
    ]:
        expected = layers.exposure(source, gdf, RADII, **kwargs)
        assert_same_exposure(layers.exposure(source, ddf, RADII, **kwargs), expected)


@pytest.mark.filterwarnings("ignore:Sending large graph:UserWarning")  # data sent from here
def test_exposure_on_cluster_settlements_default_strings(client, north_korea):
    """The packaged GeoNames layer from memory, with Dask's default string columns."""
    settlements = layers.settlements()
    ddf = dask_geopandas.from_geopandas(settlements, npartitions=5)
    expected = layers.exposure(north_korea, settlements, ["100km", "200km"])
    got = layers.exposure(north_korea, ddf, ["100km", "200km"])
    # values are the same; Dask gave the string columns its own string dtype
    pd.testing.assert_frame_equal(got.table, expected.table)
    pd.testing.assert_frame_equal(got.places, expected.places, check_dtype=False)
    pd.testing.assert_frame_equal(got.edge, expected.edge, check_dtype=False)
    assert got.to_json() == expected.to_json()
    assert got.population("200km", country="RU") > 1_000_000
    # the coverage of the packaged data, and its warnings, are the same on the cluster
    assert got.coverage == expected.coverage and got.warnings == expected.warnings
    assert expected.coverage["CN"] < 0.6 and any(w.startswith("CN:") for w in got.warnings)


def test_exposure_projected_input(client, north_korea, strings_unconverted):
    ddf, gdf = points_on_workers(10_000, partitions=2)
    expected = layers.exposure(north_korea, gdf.to_crs(3857), RADII)
    got = layers.exposure(north_korea, ddf.to_crs(3857), RADII)
    assert_same_exposure(got, expected)


def test_exposure_bad_population_names_the_partition(client, north_korea):
    _, gdf = points_on_workers(9_000, partitions=3)
    gdf.loc[4_000, "population"] = -7
    ddf = dask_geopandas.from_geopandas(gdf, npartitions=3)
    message = (
        r"in partition 1 of the settlements: settlements have negative population "
        r"in row\(s\) 4000 \('p4000'\): -7\.0;"
    )
    with pytest.raises(geo.InputError, match=message):
        layers.exposure(north_korea, ddf, "200km")


def test_exposure_refuses_before_sending_work(north_korea):
    _, gdf = points_on_workers(1_000, partitions=1)
    no_pop = dask_geopandas.from_geopandas(gdf.drop(columns="population"), npartitions=2)
    with pytest.raises(geo.InputError, match="no 'population' column"):
        layers.exposure(north_korea, no_pop, "200km")
    no_crs = dask_geopandas.from_geopandas(gdf.set_crs(None, allow_override=True), npartitions=2)
    with pytest.raises(geo.CRSError, match="has no CRS"):
        layers.exposure(north_korea, no_crs, "200km")
    with pytest.raises(geo.InputTypeError, match="expected a dask-geopandas GeoDataFrame"):
        layers.exposure(north_korea, no_crs.geometry.set_crs(4326), "200km")


# --------------------------------------------------------------------------- grids


def write_grid(path, west, north, step, shape, seed):
    """Random people per cell (a twentieth nodata), a count grid in lon/lat."""
    import rasterio
    from affine import Affine

    rng = np.random.default_rng(seed)
    people = rng.gamma(0.5, 200.0, shape)
    people[rng.random(shape) < 0.05] = -1.0
    profile = {
        "driver": "GTiff", "width": shape[1], "height": shape[0], "count": 1,
        "dtype": "float64", "crs": "EPSG:4326", "nodata": -1.0,
        "transform": Affine(step, 0, west, 0, -step, north),
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(people, 1)
    return layers.population_grid(path, kind="count")


@pytest.fixture(scope="module")
def korea_grid(tmp_path_factory):
    """0.02° cells over 122-136°E, 35-46°N: 700 x 550 cells."""
    path = tmp_path_factory.mktemp("grid") / "korea.tif"
    return write_grid(path, 122.0, 46.0, 0.02, (550, 700), 20190425)


def assert_same_grid_exposure(got, expected):
    pd.testing.assert_frame_equal(got.table, expected.table, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(got.bands, expected.bands, check_exact=False, rtol=1e-9)
    # the same cells at the same distances; shares equal to exactextract's rounding
    same = {"check_exact": False, "rtol": 1e-9}
    for kwargs in ({"step_m": 250.0}, {"radii": [1_234.5, 99_999.0]}):
        pd.testing.assert_frame_equal(got.curve(**kwargs), expected.curve(**kwargs), **same)
    for group in set(expected.table["country"]):
        at = {"step_m": 5_000.0, "country": group}
        pd.testing.assert_frame_equal(got.curve(**at), expected.curve(**at), **same)
    assert got.excluded == expected.excluded
    assert got.provenance == expected.provenance


def window_tasks(stream) -> list[str]:
    return [t["worker"] for t in stream.data if "window_task" in str(t["key"])]


def test_grid_exposure_on_cluster_equals_in_memory(client, korea_grid):
    radii = ["50km", "150km"]
    source = (129.8, 41.8)  # North Korea's north-east: China, Russia and the sea in reach
    expected = layers.exposure(source, korea_grid, radii, by="country")
    on_dask = korea_grid.to_dask(window_cells=100 * 100)
    with distributed.get_task_stream(client) as stream:
        got = layers.exposure(source, on_dask, radii, by="country")
    assert_same_grid_exposure(got, expected)
    # not vacuous: several countries, many cells, tasks on both workers, one per square
    assert {"CN", "RU", "KP", "unassigned"} <= set(expected.table["country"])
    assert expected.population("150km", country="RU") > 1e4
    assert expected.curve(radii=[150_000.0])["places"].iloc[0] > 15_000
    tasks = window_tasks(stream)
    assert 4 < len(tasks) < 6 * 7 and len(set(tasks)) == 2


@pytest.mark.slow
def test_grid_exposure_around_a_territory_on_cluster(client, north_korea, korea_grid):
    for kwargs in ({"by": "country"}, {"by": ["RU", "CN"], "exclude_source": False}):
        radii = ["25km", "50km", "100km", "200km"]
        expected = layers.exposure(north_korea, korea_grid, radii, **kwargs)
        got = layers.exposure(north_korea, korea_grid.to_dask(window_cells=150**2), radii, **kwargs)
        assert_same_grid_exposure(got, expected)
        assert expected.population("200km", country="RU") > 0


def test_grid_exposure_on_cluster_by_totals_and_polygons(client, korea_grid):
    halves = geopandas.GeoDataFrame(
        {"name": ["west", "east"]},
        geometry=[shapely.box(120, 30, 128.3, 50), shapely.box(128.3, 30, 140, 50)],
        crs=4326,
    )
    for by in (None, halves):
        radii = ["30km", "120km"]
        expected = layers.exposure((129.0, 41.0), korea_grid, radii, by=by)
        got = layers.exposure((129.0, 41.0), korea_grid.to_dask(window_cells=10_000), radii, by=by)
        assert_same_grid_exposure(got, expected)
        assert expected.population() > 1e6


def test_grid_exposure_on_cluster_across_the_antimeridian(client, tmp_path):
    grid = write_grid(tmp_path / "world.tif", -180.0, 90.0, 0.25, (720, 1440), 7)
    fiji = (179.9, -17.0)
    expected = layers.exposure(fiji, grid, ["100km", "400km"], by=None)
    with distributed.get_task_stream(client) as stream:
        got = layers.exposure(fiji, grid.to_dask(window_cells=64 * 64), ["100km", "400km"], by=None)
    assert_same_grid_exposure(got, expected)
    # both sides of ±180 are counted, and only the squares at the grid's two edges are read
    assert got.curve(radii=[400_000.0])["places"].iloc[0] > 500
    assert 2 <= len(window_tasks(stream)) <= 4


def test_grid_on_dask_refuses_a_bad_window_size(korea_grid):
    with pytest.raises(geo.InputError, match=r"window_cells 0 .* expected a positive integer"):
        korea_grid.to_dask(window_cells=0)
    with pytest.raises(geo.InputError, match=r"window_cells 2.5 "):
        korea_grid.to_dask(window_cells=2.5)


# --------------------------------------------------------------------------- geo


def test_distance_to_on_cluster_is_lazy_and_equal(client, north_korea):
    ddf, gdf = points_on_workers(40_000, partitions=4)
    index = geo.DistanceIndex(north_korea)
    for kwargs in [{}, {"max_distance": 300_000.0}, {"signed": True}]:
        lazy = geo.distance_to(ddf, north_korea, **kwargs)
        assert isinstance(lazy, dd.Series) and lazy.npartitions == 4
        got = lazy.compute()
        expected = index.distance_to(gdf, **kwargs)
        assert got.name == "distance_m" and got.index.equals(gdf.index)
        np.testing.assert_array_equal(got.to_numpy(), expected)
    signed = index.distance_to(ddf.geometry, signed=True).compute()
    assert (signed < 0).any() and (signed > 0).any()


def test_distance_to_on_cluster_projected(client, north_korea):
    ddf, gdf = points_on_workers(8_000, partitions=2)
    got = geo.distance_to(ddf.to_crs(3857), north_korea, max_distance=500_000).compute()
    expected = geo.distance_to(gdf.to_crs(3857), north_korea, max_distance=500_000)
    np.testing.assert_array_equal(got.to_numpy(), expected)


def test_distance_to_dask_errors(client, north_korea):
    _, gdf = points_on_workers(1_000, partitions=1)
    no_crs = dask_geopandas.from_geopandas(gdf.set_crs(None, allow_override=True), npartitions=2)
    with pytest.raises(geo.CRSError, match="has no CRS"):
        geo.distance_to(no_crs, north_korea)
    lonlat = dd.from_pandas(pd.DataFrame({"lon": [1.0, 2.0], "lat": [3.0, 4.0]}), npartitions=1)
    with pytest.raises(geo.InputTypeError, match="expected a dask-geopandas GeoDataFrame"):
        geo.distance_to(lonlat, north_korea)
    ddf = dask_geopandas.from_geopandas(gdf, npartitions=2)
    with pytest.raises(geo.InputError, match="max_distance"):
        geo.distance_to(ddf, north_korea, max_distance=-1.0)
    # bad coordinates are found where they are, when the Series is computed
    bad = gdf.copy()
    bad.loc[700, "geometry"] = shapely.Point(200.0, 10.0)
    lazy = geo.distance_to(dask_geopandas.from_geopandas(bad, npartitions=2), north_korea)
    with pytest.raises(geo.InputError, match="longitude 200.0"):
        lazy.compute()


def test_distance_index_pickles_as_its_geometry(north_korea):
    index = geo.DistanceIndex(north_korea)
    payload = pickle.dumps(index)
    assert len(payload) < len(shapely.to_wkb(index.geometry)) + 1_000
    copy = pickle.loads(payload)
    _, gdf = points_on_workers(20_000, partitions=1)
    for signed in (False, True):
        np.testing.assert_array_equal(
            copy.distance_to(gdf, signed=signed), index.distance_to(gdf, signed=signed)
        )


# --------------------------------------------------------------------------- optional


def test_geo_and_layers_do_not_import_dask():
    code = (
        "import sys, geo, layers\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in "
        "('dask', 'distributed', 'dask_geopandas')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_dask_says_how_to_install():
    code = (
        "import sys\n"
        "sys.modules['dask_geopandas'] = None  # as if not installed\n"
        "from geo.validation import import_optional\n"
        "try:\n"
        "    import_optional('dask_geopandas')\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert 'pip install -e ".[dask]"' in out.stdout  # riskmap is installed from a checkout
    assert ".whl[dask]" in out.stdout  # or from a built wheel
    assert "'dask_geopandas' is needed" in out.stdout


# --------------------------------------------------------------------------- scale


@pytest.mark.slow
def test_three_million_points_on_cluster_equal_in_memory(client, north_korea, strings_unconverted):
    ddf, gdf = points_on_workers(3_000_000, partitions=12)
    radii = np.arange(1, 201) * 1_000.0  # every kilometre to 200 km
    expected = layers.exposure(north_korea, gdf, radii)
    with distributed.get_task_stream(client) as stream:
        got = layers.exposure(north_korea, ddf, radii)
    assert_same_exposure(got, expected)
    assert len(expected.places) > 50_000
    assert got.provenance.details["settlements"] == 3_000_000
    assert len(workers_used(stream)) == 2
