"""Progress bars: drawn on a terminal or when asked, silent otherwise and under
RISKMAP_PROGRESS=0; the long operations (settlement distances, zonal sums, cell lists,
downloads) draw theirs on stderr."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import threading
from functools import partial

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine

from geo.errors import InputError
from layers import cache, exposure
from layers._progress import PROGRESS_ENV, progress_bar, progress_enabled
from layers.grid import population_grid


@pytest.fixture(autouse=True)
def no_progress_env(monkeypatch):
    monkeypatch.delenv(PROGRESS_ENV, raising=False)


@pytest.fixture
def terminal():
    """A real pseudo-terminal, opened as a text stream (its other end is drained)."""
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    stream = os.fdopen(follower, "w", buffering=1)
    drained = threading.Thread(target=_drain, args=(leader,), daemon=True)
    drained.start()
    yield stream
    stream.close()
    os.close(leader)


def _drain(fd):
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass


# -- the rules ---------------------------------------------------------------------------


def test_bars_are_drawn_on_a_terminal_only_by_default(terminal):
    assert terminal.isatty()
    assert progress_enabled(file=terminal)
    assert not progress_enabled(file=io.StringIO())


@pytest.mark.parametrize("value", ["0", "false", "No", " off "])
def test_environment_zero_silences_everything(monkeypatch, terminal, value):
    monkeypatch.setenv(PROGRESS_ENV, value)
    assert not progress_enabled(file=terminal)
    assert not progress_enabled(True, file=terminal)
    out = io.StringIO()
    with progress_bar(total=3, desc="silenced", progress=True, file=out) as bar:
        bar.update(3)
    assert out.getvalue() == ""


@pytest.mark.parametrize("value", ["1", "true", "YES", "on"])
def test_environment_one_draws_off_a_terminal_unless_the_call_says_no(monkeypatch, value):
    monkeypatch.setenv(PROGRESS_ENV, value)
    assert progress_enabled(file=io.StringIO())
    assert not progress_enabled(False, file=io.StringIO())


def test_the_keyword_decides_when_the_environment_is_unset(terminal):
    assert progress_enabled(True, file=io.StringIO())
    assert not progress_enabled(False, file=terminal)


def test_a_bar_is_written_to_the_stream_given():
    out = io.StringIO()
    with progress_bar(total=4, desc="counting sheep", unit="sheep", progress=True, file=out) as b:
        b.update(4)
    assert "counting sheep" in out.getvalue()
    assert "/4" in out.getvalue()


def test_tqdm_asks_the_stream_when_nothing_else_decides(terminal):
    # disable=None: tqdm's own terminal test; delay=1 so that quick calls print nothing
    on_terminal = progress_bar(total=1, desc="t", file=terminal)
    off_terminal = progress_bar(total=1, desc="t", file=io.StringIO())
    assert not on_terminal.disable and on_terminal.delay == 1.0
    assert off_terminal.disable
    on_terminal.close()
    asked = progress_bar(total=1, desc="t", progress=True, file=io.StringIO())
    assert not asked.disable and asked.delay == 0.0
    asked.close()


def test_a_bar_not_drawn_takes_the_same_calls_silently():
    out = io.StringIO()
    with progress_bar(total=None, desc="quiet", progress=False, file=out) as bar:
        bar.total = 10
        bar.update(4)
        bar.set_description("still quiet")
        bar.set_postfix_str("x")
        bar.reset(total=10)
    assert out.getvalue() == ""


def test_a_closed_stream_gets_no_bar():
    closed = io.StringIO()
    closed.close()
    assert not progress_enabled(file=closed)
    with progress_bar(total=2, desc="closed", file=closed) as bar:
        bar.update(2)
    assert bar.disable


def test_a_bad_environment_value_is_refused(monkeypatch):
    monkeypatch.setenv(PROGRESS_ENV, "maybe")
    with pytest.raises(InputError, match=r"RISKMAP_PROGRESS='maybe' is not understood; set it"):
        progress_enabled()


# -- the long operations -----------------------------------------------------------------


@pytest.fixture
def towns():
    rng = np.random.default_rng(7)
    n = 2_000
    return gpd.GeoDataFrame(
        {"country": rng.choice(["RU", "CN"], n), "population": rng.integers(1, 1000, n)},
        geometry=gpd.points_from_xy(rng.uniform(125, 135, n), rng.uniform(40, 46, n)),
        crs="EPSG:4326",
    )


def test_settlement_distances_draw_a_bar_when_forced(monkeypatch, capsys, towns):
    point = shapely.Point(130.0, 43.0)
    exposure(point, towns, "100km")
    assert capsys.readouterr().err == ""  # pytest's stderr is not a terminal
    monkeypatch.setenv(PROGRESS_ENV, "1")
    forced = exposure(point, towns, "100km")
    err = capsys.readouterr().err
    assert "distances" in err and f"/{len(towns)}" in err
    monkeypatch.setenv(PROGRESS_ENV, "0")
    assert exposure(point, towns, "100km").table.equals(forced.table)
    assert capsys.readouterr().err == ""


@pytest.fixture
def grid(tmp_path):
    path = tmp_path / "ones_ppp.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=100, height=60, count=1, dtype="float32",
        crs="EPSG:4326", transform=Affine(0.05, 0, 127.0, 0, -0.05, 44.0),
    ) as ds:  # fmt: skip
        ds.write(np.ones((60, 100), "float32"), 1)
    return population_grid(path, kind="count")


def test_zonal_sums_and_cell_lists_draw_bars_when_asked(capsys, grid):
    zones = [shapely.box(127.5, 41.5, 129.0, 43.0), shapely.box(130.0, 42.0, 131.0, 43.5)]
    quiet = grid.zonal_sum(zones)
    list(grid.cells())
    assert capsys.readouterr().err == ""
    loud = grid.zonal_sum(zones, progress=True)
    assert "zonal sums" in capsys.readouterr().err
    assert loud.equals(quiet)
    cells = sum(len(p) for _, p, _ in grid.cells(progress=True))
    assert cells == 60 * 100
    assert "grid cells" in capsys.readouterr().err


PAYLOAD = bytes(range(256)) * 1024  # 256 kB
SHA = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture
def served(tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    (www / "pop.bin").write_bytes(PAYLOAD)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(www)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/pop.bin", (www / "pop.bin").as_uri()
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_downloads_draw_a_bar_when_asked(tmp_path, monkeypatch, capsys, served, scheme):
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.OFFLINE_ENV, raising=False)
    url = served[0] if scheme == "http" else served[1]
    path = cache.fetch(url, sha256=SHA, subdir="quiet")
    assert "downloading" not in capsys.readouterr().err
    path2 = cache.fetch(url, sha256=SHA, subdir="loud", progress=True)
    err = capsys.readouterr().err
    assert "downloading pop.bin" in err
    assert path.read_bytes() == path2.read_bytes() == PAYLOAD
