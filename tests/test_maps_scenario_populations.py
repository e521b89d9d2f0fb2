"""Scenario files with populations = [...]: checked when read, counted with every source.

References: the settlement rows against layers.exposure_variants (the path a scenario
without populations takes, itself checked against Geod.inv in the exposure tests); the
grid rows against an independent layers.compare_populations call and against the
analytic sum of the synthetic grid's cells (people only in cells far from the radius,
so each is wholly inside or outside it). Grids are served by a real HTTP server on
127.0.0.1 (tests/_http.py) and fetched with the command the report prints.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile

import numpy as np
import pytest
import shapely
from _http import serve
from _rasters import write_tif
from pyproj import Geod

import geo
import layers
from geo.errors import InputError
from layers.analysis import compare_populations
from layers.grid_products import PRODUCTS
from layers.grid_tiles import TileGrid
from maps import run_scenario
from maps.cli import main
from maps.scenario_config import load_scenario, parse_scenario

GEOD = Geod(ellps="WGS84")
CELL = 0.05  # degrees
GRID = "ghs-pop-100m:2020"
FETCH = f"riskmap data fetch {GRID} --around KP --radius 200km"


def _claim2(*, plain=False):
    """The summit's claim 2 as its file has it (all three boundaries, the raw sum too)."""
    entry = dict(load_scenario(_summit())["exposure"][0])
    if plain:  # as it was before it counted a grid
        del entry["populations"]
    return {"title": "claim 2", "exposure": [entry]}


def _summit():
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "examples" / "summit_2019.toml"


# -- read and checked ----------------------------------------------------------------------


def test_populations_are_read_and_checked_when_the_file_is_read(tmp_path):
    tif = tmp_path / "grids" / "mine.tif"
    tif.parent.mkdir()
    tif.write_bytes(b"not read until run")
    (claim,) = parse_scenario(
        {
            "exposure": [
                {
                    "around": "KP",
                    "radius": "200km",
                    "populations": [
                        "geonames",
                        "ghs-pop:2020",
                        "worldpop-1km:2020:PRK+RUS",
                        "grids/mine.tif",
                        "https://example.org/pop.tif",
                    ],
                }
            ]
        },  # fmt: skip
        folder=tmp_path,
    ).exposures
    assert claim.populations == (
        "geonames",
        "ghs-pop:2020",
        "worldpop-1km:2020:PRK+RUS",
        str(tif),  # relative to the scenario file's folder
        "https://example.org/pop.tif",
    )


@pytest.mark.parametrize(
    ("populations", "message"),
    [
        (["ghs-pop:2019"], r'item 1, "ghs-pop:2019": .*no epoch 2019.*write populations = '),
        (["geonames", "nope.tif"], r'item 2, "nope.tif": population source .* existing file'),
        (["geonames", "Geonames"], "given twice"),
        ([], "at least one population source"),
        ([2020], "expected text in quotes"),
    ],
)
def test_bad_populations_are_refused_with_the_key_and_the_fix(tmp_path, populations, message):
    entry = {"around": "KP", "radius": "200km", "populations": populations}
    with pytest.raises(InputError, match=r"populations = .* in \[\[exposure\]\] \(entry 1"):
        parse_scenario({"exposure": [entry]}, folder=tmp_path)
    with pytest.raises(InputError, match=message):
        parse_scenario({"exposure": [entry]}, folder=tmp_path)


def test_populations_with_sites_is_refused():
    entry = {"sites": __file__, "radius": "30km", "populations": ["geonames"]}
    with pytest.raises(InputError, match="populations is for around"):
        parse_scenario({"exposure": [entry]})


# -- offline: the settlements, and one line -------------------------------------------------


def test_offline_the_grid_is_one_line_and_the_settlement_rows_are_unchanged(data_dir):
    result = run_scenario(_claim2(), out_dir=None)
    (check,) = result.exposures
    (line,) = [x for x in check.lines() if GRID in x]  # one line, and only one
    assert line == f"  {GRID}: not in the cache, so not counted; to count it too: {FETCH}"
    # the rows and the verdict are the ones the entry gives without populations
    plain = run_scenario(_claim2(plain=True), out_dir=None).exposures[0]
    assert check.variants["label"].tolist() == plain.variants["label"].tolist()
    assert check.variants["population"].tolist() == plain.variants["population"].tolist()
    assert (check.low, check.high, check.verdict) == (plain.low, plain.high, plain.verdict)
    assert [x for x in check.lines() if GRID not in x] == plain.lines()
    assert not data_dir.exists() or not any(data_dir.rglob("*.tif"))  # nothing downloaded


# -- cached: the grid's rows ----------------------------------------------------------------


def _write_tif(path, values, left, top):
    write_tif(path, values, left=left, top=top, cell=CELL, dtype="float64")


@pytest.fixture
def ghs_tiles(tmp_path, data_dir, monkeypatch):
    """GHS-POP 100 m as 10° tiles of a 0.05° grid over 110-140°E, 30-50°N, on 127.0.0.1.

    People live only in cells 5 km or more from 200 km of North Korea (OSM, with sea),
    so that the grid's sum within 200 km is the sum of the cells whose centre is in it.
    """
    rng = np.random.default_rng(7)
    rows, cols = 400, 600
    values = rng.integers(1, 40, size=(rows, cols)).astype("float64")
    lon = 110.0 + (np.arange(cols) + 0.5) * CELL
    lat = 50.0 - (np.arange(rows) + 0.5) * CELL
    glon, glat = np.meshgrid(lon, lat)
    kp = layers.territory("KP", source="osm", land_only=False)
    points = np.column_stack([glon.ravel(), glat.ravel()])
    dist = geo.distance_to(points, kp, max_distance="400km").reshape(rows, cols)
    values[np.abs(dist - 200_000.0) < 5_000.0] = 0.0
    folder = tmp_path / "www"
    with serve(folder) as loop:
        (folder / "ghs").mkdir()
        for r in (1, 2):
            for c in (1, 2, 3):
                name = f"ghs_2020_R{r}_C{c}"
                block = values[(r - 1) * 200 : r * 200, (c - 1) * 200 : c * 200]
                tif = tmp_path / f"{name}.tif"
                _write_tif(tif, block, 110.0 + (c - 1) * 10.0, 50.0 - (r - 1) * 10.0)
                with zipfile.ZipFile(folder / "ghs" / f"{name}.zip", "w") as zf:
                    zf.write(tif, f"{name}.tif")
        product = dataclasses.replace(
            PRODUCTS["ghs-pop-100m"],
            url=loop.base + "/ghs/ghs_{year}_{tile}.zip",
            member="ghs_{year}_{tile}.tif",
            crs="EPSG:4326",
            tiles=TileGrid("EPSG:4326", 110.0, 50.0, 10.0, 2, 3),
        )
        monkeypatch.setitem(PRODUCTS, "ghs-pop-100m", product)
        yield values, dist, glon, glat, loop


@pytest.mark.slow  # about 8 s
def test_cached_the_grids_rows_appear_and_equal_compare_populations(ghs_tiles, capsys):
    values, dist, glon, glat, loop = ghs_tiles
    # offline first: the one line, and its command fetches exactly what the entry needs
    (check,) = run_scenario(_claim2(), out_dir=None).exposures
    (line,) = [x for x in check.lines() if GRID in x]
    assert loop.paths() == []  # a scenario run never downloads
    assert main(line.split(": ")[-1].split()[1:]) == 0
    capsys.readouterr()
    fetched = set(loop.paths())
    assert fetched and fetched <= {f"/ghs/ghs_2020_R{r}_C{c}.zip" for r in (1, 2) for c in (2, 3)}

    (check,) = run_scenario(_claim2(), out_dir=None).exposures
    lines = check.lines()
    assert not any("not in the cache" in x for x in lines)
    grid_rows = check.variants[check.variants["population_source"] == GRID]
    assert len(grid_rows) == 3 and grid_rows["places"].isna().all()
    # the same numbers from an independent comparison of the same question
    reference = compare_populations(
        "KP",
        "200km",
        populations=[GRID],
        variants=["osm-sea", "osm-land", "naturalearth"],
        country="RU",
        by=None,
        coverage=False,
    )
    expected = reference.table.set_index("boundary")["population"]
    for row in grid_rows.itertuples():
        assert row.population == pytest.approx(expected[row.boundary], rel=1e-9)
        printed = rf"^\s{{4}}{re.escape(row.label)}\s+{row.population:,.0f}  \(grid\)"
        assert re.search(printed, "\n".join(lines), re.M)
    # and from the cells themselves: residents of RU whose cell centre is within 200 km
    ru = layers.territory("RU")
    inside = shapely.contains_xy(shapely.union_all(ru.geometry.values), glon, glat)
    analytic = float(values[(dist <= 200_000.0) & inside].sum())
    sea = grid_rows.set_index("boundary").loc["osm-sea", "population"]
    assert sea == pytest.approx(analytic, rel=0.02)  # cells on RU's coast are shared
    # the verdict rests on every row counted: 3 boundaries x (settlements, raw sum, grid)
    counted = check.variants[check.variants["counted"]]["population"]
    assert len(counted) == 9
    assert (check.low, check.high) == (counted.min(), counted.max())
    assert check.verdict == check.claimed.verdict(counted)
    assert f"median {counted.median():,.0f}, over 9 rows" in "\n".join(lines)
    assert "by population source" in "\n".join(lines)
    table = check.by_source.set_index("source")
    assert table.loc[GRID, "low"] == grid_rows["population"].min()
    assert table.loc[GRID, "high"] == grid_rows["population"].max()


# -- what a source's name means, and names that are nothing -----------------------------------


def test_the_note_of_a_name_read_one_way_of_two_is_printed_once():
    tokyo = {"around": "Tokyo", "radius": "10km"}
    result = run_scenario({"exposure": [tokyo, dict(tokyo, radius="20km")]}, out_dir=None)
    note = layers.resolve_source("Tokyo").note
    assert "'region:Tokyo'" in note
    assert result.to_text().count("note: 'Tokyo' is also the admin-1 region") == 1
    assert f"note: {note}" in " ".join(result.to_text().split())  # wrapped at 100 columns


def test_an_unknown_source_in_a_scenario_suggests_every_kind():
    entry = {"around": "Kaliningrad Oblst", "radius": "50km"}
    with pytest.raises(InputError) as e:
        run_scenario({"exposure": [entry]}, out_dir=None)
    message = str(e.value)
    assert message.startswith('around = "Kaliningrad Oblst" in [[exposure]] (entry 1): source ')
    assert "the admin-1 region Kaliningrad (RU-KGD), Russia (write 'RU-KGD')" in message
    assert "the place Kaliningrad, RU" in message
