"""Getting grids over HTTP: trust on first use, the lock file, resumed transfers, tiles.

Every download is served by a real HTTP server on 127.0.0.1 (tests/_http.py) from
small GeoTIFFs and zips made here; no test reaches the internet. Sums are checked
against the analytic sum of the cells each area covers."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
import shapely
from _rasters import write_tif
from numpy.testing import assert_allclose

from geo.errors import DataError, InputError
from layers import cache
from layers.download import download_part, part_paths
from layers.grid import PopulationGrid, population_grid
from layers.grid_products import GridProduct, fetch_grid
from layers.grid_tiles import TileGrid
from layers.lockfile import lock_path, read_lock


def test_first_download_is_recorded_then_used_offline(data_dir, loopback, monkeypatch):
    write_tif(loopback.folder / "pop_ppp.tif", np.full((10, 10), 2.0))
    url = loopback.url("pop_ppp.tif")
    g = population_grid(url)
    assert g.kind == "count"  # from the WorldPop-style name
    entry = read_lock(lock_path(data_dir))[g.path.relative_to(data_dir).as_posix()]
    assert entry.url == url and entry.how == "first download"
    assert entry.size == g.path.stat().st_size and entry.sha256 == cache.file_sha256(g.path)
    # 3 x 4 whole cells of 2 people, and half cells along one edge: 2 * (12 + 0.5 * 4)
    assert_allclose(g.zonal_sum([shapely.box(1, 2, 4.5, 6)])["population"], [28.0], rtol=1e-9)
    monkeypatch.setenv(cache.OFFLINE_ENV, "1")
    assert population_grid(url).path == g.path
    assert loopback.paths() == ["/pop_ppp.tif"]


def test_a_tampered_cached_file_is_refused_and_replaces_nothing(data_dir, loopback):
    write_tif(loopback.folder / "pop_ppp.tif", np.ones((4, 4)))
    path = fetch_grid(loopback.url("pop_ppp.tif")).path
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(DataError, match=r"cached file .* changed after it was verified.*--refetch"):
        fetch_grid(loopback.url("pop_ppp.tif"))
    assert fetch_grid(loopback.url("pop_ppp.tif"), refetch=True).path.read_bytes() == (
        (loopback.folder / "pop_ppp.tif").read_bytes()
    )


def test_a_file_changed_on_the_server_is_refused_until_forgotten(data_dir, loopback):
    write_tif(loopback.folder / "pop_ppp.tif", np.ones((4, 4)))
    first = fetch_grid(loopback.url("pop_ppp.tif")).path
    before = first.read_bytes()
    write_tif(loopback.folder / "pop_ppp.tif", np.full((4, 4), 5.0))  # a new release
    with pytest.raises(DataError, match=r"has changed on the server; nothing was replaced"):
        fetch_grid(loopback.url("pop_ppp.tif"), refetch=True)
    assert first.read_bytes() == before
    key = first.relative_to(data_dir).as_posix()
    assert cache.forget(key) is not None
    got = fetch_grid(loopback.url("pop_ppp.tif"), refetch=True)
    assert PopulationGrid(got.path, kind="count").zonal_sum([shapely.box(0, 6, 4, 10)])[
        "population"
    ].tolist() == [80.0]


def test_an_interrupted_transfer_resumes_with_a_range_request(data_dir, loopback):
    data = np.arange(200 * 200, dtype="float32").reshape(200, 200)
    src = write_tif(loopback.folder / "big_ppp.tif", data, cell=0.05)
    size = src.stat().st_size
    loopback.cut_after["/big_ppp.tif"] = size // 3
    got = fetch_grid(loopback.url("big_ppp.tif"))
    assert got.path.read_bytes() == src.read_bytes()
    assert loopback.requests == [("/big_ppp.tif", None), ("/big_ppp.tif", f"bytes={size // 3}-")]
    assert not any(p.exists() for p in part_paths(got.path))


def test_a_transfer_cut_every_time_keeps_the_partial_file_and_resumes_later(
    data_dir, loopback, monkeypatch
):
    import layers.download as download

    src = write_tif(loopback.folder / "big_ppp.tif", np.ones((200, 200)), cell=0.05)
    monkeypatch.setattr(download, "ATTEMPTS", 1)
    loopback.cut_after["/big_ppp.tif"] = 1000
    with pytest.raises(DataError, match=r"cut short 1 times.*1,000 bytes are kept.*never read"):
        fetch_grid(loopback.url("big_ppp.tif"))
    target = data_dir / "url"
    assert [p.name for p in target.rglob("*.tif")] == []  # no product file
    assert [p.stat().st_size for p in target.rglob("*.part")] == [1000]
    got = fetch_grid(loopback.url("big_ppp.tif"))
    assert got.path.read_bytes() == src.read_bytes()
    assert loopback.requests[-1] == ("/big_ppp.tif", "bytes=1000-")


def test_a_server_without_ranges_restarts_the_transfer(data_dir, loopback):
    src = write_tif(loopback.folder / "big_ppp.tif", np.ones((100, 100)), cell=0.1)
    loopback.ranges = False
    loopback.cut_after["/big_ppp.tif"] = 500
    got = fetch_grid(loopback.url("big_ppp.tif"))
    assert got.path.read_bytes() == src.read_bytes()
    assert len(loopback.requests) == 2


def test_404_and_redirect(data_dir, loopback):
    with pytest.raises(DataError, match=r"answered 404"):
        fetch_grid(loopback.url("missing_ppp.tif"))
    write_tif(loopback.folder / "new" / "pop_ppp.tif", np.ones((2, 2)))
    loopback.redirects["/old/pop_ppp.tif"] = "/new/pop_ppp.tif"
    got = fetch_grid(loopback.url("old/pop_ppp.tif"))
    assert got.path.read_bytes() == (loopback.folder / "new" / "pop_ppp.tif").read_bytes()
    assert loopback.paths() == ["/missing_ppp.tif", "/old/pop_ppp.tif", "/new/pop_ppp.tif"]


def test_a_zip_by_url_and_a_pinned_hash(data_dir, loopback, tmp_path):
    tif = write_tif(tmp_path / "grid_ppp.tif", np.full((3, 3), 4.0))
    with zipfile.ZipFile(loopback.folder / "grid.zip", "w") as zf:
        zf.write(tif, "inner/grid_ppp.tif")
        zf.writestr("README.txt", "docs")
    with pytest.raises(DataError, match="corrupt or has changed"):
        fetch_grid(loopback.url("grid.zip"), sha256="0" * 64)
    g = population_grid(loopback.url("grid.zip"))
    assert g.path.name == "grid_ppp.tif"
    assert g.zonal_sum([shapely.box(0, 7, 3, 10)])["population"].tolist() == [36.0]
    key = [k for k in read_lock(lock_path(data_dir)) if k.endswith("grid.zip")]
    assert len(key) == 1


def _tiled(loopback, year=2020):
    return GridProduct(
        name="test-tiles",
        title="Test tiles",
        kind="count",
        licence="CC0",
        attribution="Test producers",
        version="T1",
        url=loopback.base + "/tiles/pop_{year}_{tile}.zip",
        member="pop_{year}_{tile}.tif",
        epochs=(year,),
        default_year=year,
        tiles=TileGrid("EPSG:4326", 0.0, 10.0, 5.0, 2, 4),
    )


def _serve_tiles(loopback, tmp_path, values):
    for (row, col), value in values.items():
        name = f"pop_2020_R{row}_C{col}"
        tif = write_tif(
            tmp_path / "made" / f"{name}.tif",
            np.full((5, 5), value),
            left=(col - 1) * 5.0,
            top=10.0 - (row - 1) * 5.0,
        )
        (loopback.folder / "tiles").mkdir(exist_ok=True)
        with zipfile.ZipFile(loopback.folder / "tiles" / f"{name}.zip", "w") as zf:
            zf.write(tif, f"{name}.tif")


def test_a_tiled_product_fetches_only_the_tiles_it_needs_as_one_mosaic(
    data_dir, loopback, tmp_path
):
    values = {
        (r, c): float(10 ** (c - 1) * (1 if r == 1 else 2)) for r in (1, 2) for c in (1, 2, 3, 4)
    }
    _serve_tiles(loopback, tmp_path, values)
    product = _tiled(loopback)
    area = shapely.box(1, 6, 8, 9)  # 4 x 3 cells of tile R1_C1 (1 each), 3 x 3 of R1_C2 (10)
    got = fetch_grid(product, area=area)
    assert got.pieces == ("R1_C1", "R1_C2") and got.path.suffix == ".vrt"
    assert sorted(loopback.paths()) == ["/tiles/pop_2020_R1_C1.zip", "/tiles/pop_2020_R1_C2.zip"]
    grid = PopulationGrid(got.path, kind="count", provenance=got.provenance)
    assert grid.zonal_sum([area])["population"].tolist() == [12 * 1.0 + 9 * 10.0]
    # across four tiles: a box over the corner where R1_C2, R1_C3, R2_C2, R2_C3 meet
    wide = shapely.box(8, 3, 12, 7)
    got4 = fetch_grid(product, area=wide)
    assert got4.pieces == ("R1_C2", "R1_C3", "R2_C2", "R2_C3")
    expected = 4 * 10 + 4 * 100 + 4 * 20 + 4 * 200  # 2 x 2 cells in each tile
    grid4 = PopulationGrid(got4.path, kind="count")
    assert_allclose(grid4.zonal_sum([wide])["population"], [expected], rtol=1e-12)
    assert "/tiles/pop_2020_R1_C4.zip" not in loopback.paths()


def test_a_tile_the_producer_does_not_publish_counts_nobody_and_is_named(
    data_dir, loopback, tmp_path
):
    _serve_tiles(loopback, tmp_path, {(1, 1): 1.0})
    with pytest.warns(UserWarning, match=r"tiles R2_C1 are not published"):
        got = fetch_grid(_tiled(loopback), area=(1, 3, 4, 9))
    assert got.missing == ("R2_C1",) and got.pieces == ("R1_C1", "R2_C1")
    with pytest.raises(InputError, match=r"comes in tiles \(EPSG:4326, 5 a side\); name the area"):
        fetch_grid(_tiled(loopback))


def test_tiles_across_the_antimeridian_are_those_at_both_ends():
    world = TileGrid("EPSG:4326", -180.0, 90.0, 10.0, 18, 36)
    assert world.tiles_for((175.0, 61.0, -175.0, 65.0)) == ["R3_C1", "R3_C36"]


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:  # a port just released: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_server_that_cannot_be_reached_is_named_once_with_the_offline_fixes(tmp_path):
    # No connection at all is what an offline machine meets: one line, no retries, no
    # urllib3 pool text; the URL, the likely cause and the ways to get the file.
    url = f"http://127.0.0.1:{_closed_port()}/pop.tif"
    with pytest.raises(DataError) as info:
        download_part(url, tmp_path / "cache" / "pop.tif")
    text = str(info.value)
    assert f"could not reach {url!r}" in text and "may be offline" in text
    assert "riskmap data fetch" in text and "RISKMAP_OFFLINE=1" in text
    assert "attempts" not in text and "Pool" not in text and "\n" not in text
    assert not (tmp_path / "cache" / "pop.tif.part").exists()


def test_the_cli_says_which_url_it_could_not_reach(tmp_path):
    from test_cli import _one_line_error, riskmap

    url = f"http://127.0.0.1:{_closed_port()}/pop.tif"
    line = _one_line_error(
        riskmap(
            "exposure", "--around", "KP", "--radius", "20km", "--population", url, "--kind", "count"
        )
    )
    assert f"could not reach {url!r}" in line and "RISKMAP_OFFLINE=1" in line
