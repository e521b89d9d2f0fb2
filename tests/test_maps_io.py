"""Map files written safely: killed writers leave nothing that outlives a later save,
read-only folders, links and targets that are not files are named in riskmap's words."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import shapely
from _folders import read_only

import geo
from maps import RiskMap
from maps._io import atomic_paths, atomic_write, host_tag

REPO = Path(__file__).resolve().parents[1]

# The child saves a map whose page is 64 MB, written 1 MB at a time, slowly: it says when the
# first megabyte is on disk, and the parent kills it there with SIGKILL (no cleanup can run).
_SLOW_SAVE = """
import pathlib, sys, time
from maps import RiskMap

def slow_write_bytes(self, data):
    with open(self, "wb") as f:
        for i in range(0, len(data), 1 << 20):
            f.write(data[i : i + (1 << 20)])
            f.flush()
            if i == 0:
                print("writing", flush=True)
            time.sleep(0.05)
    return len(data)

pathlib.Path.write_bytes = slow_write_bytes
RiskMap.render = lambda self, **kw: "x" * (64 << 20)
RiskMap(tiles=None).save(sys.argv[1])
print("finished", flush=True)
"""


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _kill_during_save(target: Path) -> int:
    """Run the slow save in a child, SIGKILL it mid-write; return the bytes it left behind."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_SAVE, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        line = child.stdout.readline()
        assert line == "writing\n", child.stderr.read()
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    left = [target.parent / name for name in _temps(target.parent)]
    assert len(left) == 1, left  # what a kill leaves: one hidden temporary file...
    return left[0].stat().st_size


def test_a_killed_save_leaves_the_target_whole_and_a_later_save_removes_its_temp(tmp_path):
    target = tmp_path / "map.html"
    atomic_write(target, "the old page")
    left = _kill_during_save(target)
    assert left >= 1 << 20
    assert target.read_text() == "the old page"  # never half-written
    # ... which the next save of the same target removes: its writer is gone.
    RiskMap(tiles=None).add_territory(shapely.box(0, 0, 1, 1)).save(target)
    assert _temps(tmp_path) == []
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_repeated_kills_never_pile_up(tmp_path):
    target = tmp_path / "map.html"
    for _ in range(3):
        _kill_during_save(target)
        atomic_write(target, "saved")
        assert _temps(tmp_path) == []


def test_a_live_writers_temp_and_other_targets_temps_are_kept(tmp_path):
    target = tmp_path / "map.html"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = host_tag()
        live = tmp_path / f".map.html.{sleeper.pid}-{host}.abcd1234.tmp"
        live.write_text("being written")
        other = tmp_path / ".map.html.png.abcd1234.tmp"  # a temp of another target
        other.write_text("x")
        old = time.time() - 3600
        os.utime(other, (old, old))
        stale_other_host = tmp_path / f".map.html.{sleeper.pid}-00000000.abcd1234.tmp"
        stale_other_host.write_text("x")  # another machine's writer: kept while fresh
        atomic_write(target, "saved")
        assert _temps(tmp_path) == sorted([live.name, other.name, stale_other_host.name])
        # another machine's temp of this target not touched for an hour is stale, and so is
        # one named before writers were recorded; a live writer's here is kept however old
        os.utime(stale_other_host, (old, old))
        os.utime(live, (old, old))
        legacy = tmp_path / ".map.html.k2j4x_9q.tmp"  # named before writers were recorded
        legacy.write_text("x")
        os.utime(legacy, (old, old))
        atomic_write(target, "saved again")
        assert _temps(tmp_path) == sorted([live.name, other.name])
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_folder_that_makes_no_files_is_named_in_a_riskmap_error():
    # /proc exists but no file can be made in it: ENOENT, not a missing folder.
    rmap = RiskMap(tiles=None).add_territory(shapely.box(0, 0, 1, 1))
    with pytest.raises(geo.InputError, match=r"output folder '/proc' is not writable") as info:
        rmap.save("/proc/riskmap-test.html")
    assert ".tmp" not in str(info.value)


def test_a_read_only_folder_is_named_in_a_riskmap_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    rmap = RiskMap(tiles=None).add_territory(shapely.box(0, 0, 1, 1))
    with read_only(folder):
        with pytest.raises(geo.InputError, match=r"folder '.*locked' is not writable") as info:
            rmap.save(folder / "map.html")
        assert ".tmp" not in str(info.value)
        with pytest.raises(geo.InputError, match="is not writable"):
            rmap.to_png(folder / "m.png")
    assert list(folder.iterdir()) == []


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real" / "map.html"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "map.html"
    link.symlink_to(real)
    out = RiskMap(tiles=None).add_territory(shapely.box(0, 0, 1, 1)).save(link)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert out == link
    assert _temps(tmp_path) == [] and _temps(real.parent) == []
    # a link to a file not written yet: the file is made where the link points
    dangling = tmp_path / "new.png"
    dangling.symlink_to(real.parent / "new.png")
    RiskMap(tiles=None).add_territory(shapely.box(0, 0, 1, 1)).to_png(dangling, dpi=20)
    assert dangling.is_symlink() and (real.parent / "new.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("kind", ["folder", "fifo", "link to a folder"])
def test_a_target_that_is_not_a_file_is_refused(tmp_path, kind):
    target = tmp_path / "map.html"
    if kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        (tmp_path / "dir").mkdir()
        target.symlink_to(tmp_path / "dir")
    rmap = RiskMap(tiles=None).add_territory(shapely.box(0, 0, 1, 1))
    with pytest.raises(geo.InputError, match="is not a regular file|is a folder"):
        rmap.save(target)
    with pytest.raises(geo.InputError, match="is not a regular file|is a folder"):
        atomic_write(target, "x")
    assert _temps(tmp_path) == []


def test_several_files_move_into_place_only_together(tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "a.png"
    a.write_text("old a")
    with pytest.raises(RuntimeError, match="image failed"):
        with atomic_paths(a, b) as (ta, tb):
            ta.write_text("new a")
            raise RuntimeError("image failed")
    assert a.read_text() == "old a" and not b.exists() and _temps(tmp_path) == []
    with atomic_paths(a, b) as (ta, tb):
        ta.write_text("new a")
        tb.write_text("new b")
    assert (a.read_text(), b.read_text()) == ("new a", "new b") and _temps(tmp_path) == []


def test_maps_and_layers_write_through_one_atomic_writer():
    """Exposure exports (layers) and map files (maps) share layers.output, not two copies."""
    import layers.output
    from maps import OutputError, _io

    for name in ("atomic_paths", "atomic_path", "atomic_write", "check_target", "check_folder"):
        assert getattr(_io, name) is getattr(layers.output, name)
    assert OutputError is layers.output.OutputError
    source = (REPO / "maps" / "_io.py").read_text(encoding="utf-8")
    assert "os.replace" not in source and "mkstemp" not in source
