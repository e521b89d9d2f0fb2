"""`riskmap data`: list, fetch (tiles for a box), verify, path, forget, on a loopback server."""

from __future__ import annotations

import pytest
from _http import serve
from test_downloads import _serve_tiles, _tiled

from layers import cache
from layers.grid_products import PRODUCTS
from layers.lockfile import LOCK_ENV
from maps.cli import main


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.OFFLINE_ENV, raising=False)
    monkeypatch.delenv(LOCK_ENV, raising=False)
    monkeypatch.setenv("RISKMAP_PROGRESS", "0")
    with serve(tmp_path / "www") as loop:
        _serve_tiles(loop, tmp_path, {(1, 1): 1.0, (1, 2): 10.0, (2, 1): 2.0})
        monkeypatch.setitem(PRODUCTS, "test-tiles", _tiled(loop))
        yield loop, tmp_path / "cache"


def test_fetch_verify_list_path_forget(env, capsys):
    loop, folder = env
    assert main(["data", "fetch", "test-tiles", "--bbox", "1,6,8,9"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith(".vrt") and "R1_C1, R1_C2" in out
    assert sorted(loop.paths()) == ["/tiles/pop_2020_R1_C1.zip", "/tiles/pop_2020_R1_C2.zip"]
    assert main(["data", "verify"]) == 0
    out = capsys.readouterr().out
    assert "ok         test-tiles/pop_2020_R1_C1.zip" in out and "0 changed or missing" in out
    zipped = folder / "test-tiles" / "pop_2020_R1_C1.zip"
    zipped.write_bytes(b"tampered")
    assert main(["data", "verify"]) == 1
    assert "changed    test-tiles/pop_2020_R1_C1.zip" in capsys.readouterr().out
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "ghs-pop: GHS-POP R2023A" in out and "epochs 1975-2030, every 5 years" in out
    assert "epoch 2020 (default 2020)" in out and "(2020,)" not in out  # not a Python tuple
    assert "test-tiles:" in out and "cached:" in out
    assert main(["data", "path", "gpw:2015"]) == 0
    assert capsys.readouterr().out.strip().endswith("gpw_v4_population_count_rev11_2015_30_sec.tif")
    assert main(["data", "forget", "test-tiles/pop_2020_R1_C1.zip"]) == 0
    assert "forgot" in capsys.readouterr().out


def test_bad_input_is_named(env, capsys):
    assert main(["data", "fetch", "test-tiles", "--bbox", "1,6,8"]) == 1
    assert "--bbox '1,6,8' is not W,S,E,N" in capsys.readouterr().err
    assert main(["data", "fetch", "ghs-pop:2019"]) == 1
    assert "has no epoch 2019" in capsys.readouterr().err
    assert main(["data", "path", "ghs-pop-100m"]) == 1
    assert "is tiled" in capsys.readouterr().err
