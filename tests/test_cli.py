"""The riskmap command, run as a user runs it: a subprocess, output parsed from text."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
REPO = Path(__file__).resolve().parents[1]
_SCRIPT = shutil.which("riskmap", path=str(Path(sys.executable).parent))
COMMAND = [_SCRIPT] if _SCRIPT else [sys.executable, "-m", "maps.cli"]


def riskmap(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMMAND, *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd
    )


def _one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert re.match(r"riskmap( \w+)?: error: ", lines[0]), lines[0]
    return lines[0]


def _coords(line: str) -> tuple[float, float]:
    lat, ns, lon, ew = re.search(r"\(([\d.]+)°([NS]), ([\d.]+)°([EW])", line).groups()
    return (float(lon) * (1 if ew == "E" else -1), float(lat) * (1 if ns == "N" else -1))


def test_distance_between_coordinates_is_the_wgs84_geodesic():
    proc = riskmap("distance", "131.8869,43.1056", "125.7625,39.0392")
    assert proc.returncode == 0, proc.stderr
    km = float(re.search(r"distance: ([\d,.]+) km", proc.stdout).group(1).replace(",", ""))
    _, _, reference = GEOD.inv(131.8869, 43.1056, 125.7625, 39.0392)
    assert km == pytest.approx(reference / 1000, abs=0.0005)
    assert "Karney" in proc.stdout


def test_distance_between_named_places():
    proc = riskmap("distance", "Vladivostok", "Pyongyang")
    assert proc.returncode == 0, proc.stderr
    first, second, third = proc.stdout.splitlines()[:3]
    assert first.startswith("from: Vladivostok, RU (") and second.startswith(
        "to:   Pyongyang, KP ("
    )
    a, b = _coords(first), _coords(second)
    _, _, reference = GEOD.inv(*a, *b)
    km = float(re.search(r"distance: ([\d,.]+) km", third).group(1).replace(",", ""))
    assert km == pytest.approx(
        reference / 1000, abs=0.02
    )  # coordinates are printed to 1e-4 degrees
    assert km == pytest.approx(
        684.5, abs=1.0
    )  # GeoNames points, measured outside riskmap (SCENARIO.md)


def test_country_code_picks_among_namesakes():
    largest = riskmap("distance", "Moscow", "0,0", "--json")
    in_us = riskmap("distance", "Moscow,US", "0,0", "--json")
    assert largest.returncode == 0 and in_us.returncode == 0, largest.stderr + in_us.stderr
    assert json.loads(largest.stdout)["from"]["country"] == "RU"
    place = json.loads(in_us.stdout)["from"]
    assert place["country"] == "US" and place["name"] == "Moscow" and -125 < place["lon"] < -65


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["exposure", "--around", "KP", "--radius", "200 parsecs"],
            "'200 parsecs' has unknown unit",
        ),
        (["exposure", "--around", "KP", "--radius=-5km"], "negative"),
        (
            ["exposure", "--around", "KP", "--radius", "200km", "--population", "RU,Atlantis"],
            "'Atlantis'",
        ),
        (["distance", "Vladivostk", "Pyongyang"], "did you mean 'Vladivostok'"),
        (["distance", "Vladivostok,Russia", "Pyongyang"], "two-letter ISO code"),
        (["distance", "200,43", "Pyongyang"], "outside [-180, 180]"),
        (["run", "no/such/scenario.toml"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_on_stderr(args, expected):
    line = _one_line_error(riskmap(*args))
    assert expected in line


def test_usage_errors_are_one_line_too():
    proc = riskmap("exposure", "--radius", "200km")
    assert proc.returncode == 2
    assert "--around" in _one_line_error(proc)
    assert riskmap().returncode == 2


def test_exposure_prints_the_library_numbers_and_writes_the_map(tmp_path):
    import layers

    proc = riskmap(
        "exposure",
        "--around",
        "KP",
        "--radius",
        "100km,200km",
        "--population",
        "RU",
        "--map",
        tmp_path / "kp.html",
        "--png",
        tmp_path / "kp.png",
    )
    assert proc.returncode == 0, proc.stderr
    rows = re.findall(r"^\s+RU\s+([\d.]+)\s+([\d,]+)\s+(\d+)\s*$", proc.stdout, flags=re.M)
    printed = {float(km): int(pop.replace(",", "")) for km, pop, _ in rows}
    exp = layers.exposure(
        layers.territory("KP"),  # the CLI's default boundary is the library's
        layers.settlements(),
        ["100km", "200km"],
        by=["RU"],
    )
    assert printed == {100.0: round(exp.population("100km")), 200.0: round(exp.population("200km"))}
    # 1.29-1.32 M, measured outside riskmap (SCENARIO.md)
    assert 1_000_000 < printed[200.0] < 1_500_000
    assert "OSM, land only" in proc.stdout  # the boundary variant is printed with the answer
    page = (tmp_path / "kp.html").read_text(encoding="utf-8")
    assert f"{printed[200.0]:,}" in page.replace("\\u202f", "")
    assert (tmp_path / "kp.png").read_bytes()[:4] == b"\x89PNG"


def test_run_a_small_scenario(tmp_path):
    scenario = tmp_path / "small.toml"
    scenario.write_text(
        'title = "Two capitals"\nname = "capitals"\n'
        '[[distance]]\nfrom = "Seoul,KR"\nto = "Pyongyang,KP"\n'
        'about = "100 mi"\ntolerance = "10 mi"\n',
        encoding="utf-8",
    )
    proc = riskmap("run", scenario, "--out", tmp_path, "--no-png")
    assert proc.returncode == 0, proc.stderr
    km = float(re.search(r"distance: ([\d,.]+) km", proc.stdout).group(1))
    claim_km = 100 * 1.609344
    expected = "holds" if abs(km - claim_km) <= 10 * 1.609344 else "does not hold"
    assert f"verdict: {expected}" in proc.stdout
    assert (tmp_path / "capitals.html").exists() and not (tmp_path / "capitals.png").exists()


def test_scenario_with_a_missing_key_is_refused(tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text('[[distance]]\nfrom = "Seoul"\nabout = "200km"\n', encoding="utf-8")
    assert "has no 'to'" in _one_line_error(riskmap("run", scenario, "--out", tmp_path))
    assert list(tmp_path.iterdir()) == [scenario]


def test_population_countries_by_name():
    import layers

    proc = riskmap(
        "exposure", "--around", "North Korea", "--radius", "200km", "--population", "Russia,CN"
    )
    assert proc.returncode == 0, proc.stderr
    rows = re.findall(r"^\s+(RU|CN)\s+200\s+([\d,]+)\s+(\d+)\s*$", proc.stdout, flags=re.M)
    printed = {code: int(pop.replace(",", "")) for code, pop, _ in rows}
    exp = layers.exposure(layers.territory("KP"), layers.settlements(), "200km", by=["RU", "CN"])
    assert printed == {
        "RU": round(exp.population(country="RU")),
        "CN": round(exp.population(country="CN")),
    }
    assert "North Korea (OSM, land only)" in proc.stdout
