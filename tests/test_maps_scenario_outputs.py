"""A scenario's files: written inside the output folder only, checked before any work, and
written together (page and image) or not at all."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from _folders import read_only

import geo
import layers
import maps
from maps import RiskMap, run_scenario
from maps.scenario_config import parse_scenario

REPO = Path(__file__).resolve().parents[1]
LINE = {"from": "131.8869,43.1056", "to": "125.7625,39.0392", "about": "700km"}


@pytest.fixture
def towns() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Vladivostok"], "country": ["RU"], "population": [587_022]},
        geometry=gpd.points_from_xy([131.8869], [43.1056]),
        crs="EPSG:4326",
    )


def _scenario(name: str = "line") -> dict:
    return {"title": "A line", "name": name, "distance": [LINE]}


@pytest.mark.parametrize(
    "name",
    [
        "../escaped",
        "/tmp/escaped",
        "sub/escaped",
        "..",
        ".hidden",
        "a\\b",
        "with space",
        "",
        "x" * 101,
    ],
)
def test_a_name_that_is_not_a_file_stem_is_refused(name, tmp_path, towns):
    with pytest.raises(geo.InputError, match=r"name = .* file stem") as info:
        parse_scenario(_scenario(name))
    assert "letters, digits" in str(info.value)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(geo.InputError, match="file stem"):
        run_scenario(_scenario(name), out_dir=out, settlements=towns, png=False)
    assert list(tmp_path.rglob("*")) == [out]  # nothing written, inside or outside out/


@pytest.mark.parametrize("name", ["summit_2019", "v1.2", "a-b", "Владивосток"])
def test_a_file_stem_is_taken(name, tmp_path, towns):
    result = run_scenario(_scenario(name), out_dir=tmp_path, settlements=towns, png=False)
    assert result.html_path == tmp_path / f"{name}.html" and result.html_path.is_file()


def test_a_scenario_object_made_in_python_is_checked_too(tmp_path, towns):
    config = maps.Scenario(name="../escaped")
    with pytest.raises(geo.InputError, match="file stem"):
        run_scenario(config, out_dir=tmp_path, settlements=towns)
    assert not (tmp_path.parent / "escaped.html").exists()


def _no_work(monkeypatch):
    """Fail the test if the scenario starts computing: outputs are checked first."""

    def work(*args, **kwargs):
        raise AssertionError("the scenario started working before its outputs were checked")

    monkeypatch.setattr(layers, "settlements", work)


def test_a_missing_output_folder_is_created(tmp_path, towns):
    out = tmp_path / "results" / "today"
    result = run_scenario(_scenario(), out_dir=out, settlements=towns)
    assert sorted(p.name for p in out.iterdir()) == ["line.html", "line.png"]
    assert result.png_path == out / "line.png"


@pytest.mark.parametrize("problem", ["a file", "read-only", "a folder where the page goes"])
def test_outputs_are_checked_before_any_work(problem, tmp_path, monkeypatch):
    _no_work(monkeypatch)
    out = tmp_path / "out"
    if problem == "a file":
        out.write_text("not a folder")
        match = "is a file"
    else:
        out.mkdir()
        if problem == "a folder where the page goes":
            (out / "line.html").mkdir()
            match = "is a folder"
        else:
            match = "is not writable"
    if problem == "read-only":
        with read_only(out), pytest.raises(geo.InputError, match=match):
            run_scenario(_scenario(), out_dir=out)
    else:
        with pytest.raises(geo.InputError, match=match):
            run_scenario(_scenario(), out_dir=out)


def test_a_failed_image_leaves_no_page_and_says_so(tmp_path, monkeypatch, towns):
    (tmp_path / "line.html").write_text("the page of the last run")

    def broken(self, **kwargs):
        raise RuntimeError("the image could not be drawn")

    monkeypatch.setattr(RiskMap, "render_png", broken)
    with pytest.raises(RuntimeError, match="could not be drawn") as info:
        run_scenario(_scenario(), out_dir=tmp_path, settlements=towns)
    assert any("nothing was written" in note for note in getattr(info.value, "__notes__", []))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["line.html"]
    assert (tmp_path / "line.html").read_text() == "the page of the last run"


def test_a_failed_write_leaves_no_half_set_and_says_so(tmp_path, monkeypatch, towns):
    real = Path.write_bytes

    def full_disk(self, data):
        if ".line.png." in self.name:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(
        maps.OutputError, match=r"could not be written.*No space left.*nothing was written"
    ) as info:
        run_scenario(_scenario(), out_dir=tmp_path, settlements=towns)
    assert isinstance(info.value, OSError) and isinstance(info.value, geo.RiskmapError)
    assert list(tmp_path.iterdir()) == []


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "maps.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
    )


def test_the_command_line_refuses_an_escaping_name_and_creates_its_folder(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "../escaped"\n[[distance]]\nfrom = "0,0"\nto = "1,0"\nabout = "111km"\n')
    done = _cli("run", str(bad), "--out", "out", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "file stem" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]
    good = tmp_path / "good.toml"
    good.write_text('name = "good"\n[[distance]]\nfrom = "0,0"\nto = "1,0"\nabout = "111km"\n')
    done = _cli("run", str(good), "--out", "out/", "--no-png", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "good.html").is_file()
