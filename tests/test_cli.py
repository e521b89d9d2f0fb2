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
            ["exposure", "--around", "KP", "--radius", "-5km"],
            "'-5km' is -5000.0 m, which is negative",
        ),
        (["exposure", "--around", "KP", "--radius", "200km", "--country", "XX"], "'XX'"),
        (
            ["exposure", "--around", "KP", "--radius", "200km", "--country", "RU,Atlantis"],
            "'Atlantis'",
        ),
        (
            ["exposure", "--around", "KP", "--radius", "200km", "--population", "RU"],
            "use --country RU",
        ),
        (
            ["exposure", "--around", "KP", "--radius", "200km", "--population", "Russia,CN"],
            "use --country Russia,CN",
        ),
        (["distance", "Vladivostk", "Pyongyang"], "did you mean 'Vladivostok'"),
        (["distance", "Vladivostok,Atlantis", "Pyongyang"], "did you mean"),
        (["distance", "200,43", "Pyongyang"], "outside [-180, 180]"),
        (["run", "no/such/scenario.toml"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_on_stderr(args, expected):
    line = _one_line_error(riskmap(*args))
    assert expected in line


def test_usage_errors_are_one_line_too():
    proc = riskmap("exposure", "--radius", "200km")
    assert proc.returncode == 1  # --around or --sites: riskmap says which to give
    line = _one_line_error(proc)
    assert "--around SOURCE" in line and "--sites FILE" in line
    assert riskmap().returncode == 2


def test_exposure_prints_the_library_numbers_and_writes_the_map(tmp_path):
    import layers

    proc = riskmap(
        "exposure",
        "--around",
        "KP",
        "--radius",
        "100km,200km",
        "--country",
        "RU",
        "--map",
        tmp_path / "kp.html",
        "--png",
        tmp_path / "kp.png",
    )
    assert proc.returncode == 0, proc.stderr
    rows = re.findall(r"^\s+RU\s+([\d.]+)\s+([\d,]+)\s+(\d+)\s", proc.stdout, flags=re.M)
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
        "exposure", "--around", "North Korea", "--radius", "200km", "--country", "Russia,CN"
    )
    assert proc.returncode == 0, proc.stderr
    rows = re.findall(r"^\s+(RU|CN)\s+200\s+([\d,]+)\s+(\d+)\s", proc.stdout, flags=re.M)
    printed = {code: int(pop.replace(",", "")) for code, pop, _ in rows}
    exp = layers.exposure(layers.territory("KP"), layers.settlements(), "200km", by=["RU", "CN"])
    assert printed == {
        "RU": round(exp.population(country="RU")),
        "CN": round(exp.population(country="CN")),
    }
    assert "North Korea (OSM, land only)" in proc.stdout


def _table(stdout: str) -> dict[tuple[str, float], int]:
    rows = re.findall(r"^  ([A-Z]{2}|total)\s+([\d.]+)\s+([\d,]+)\s+\d+", stdout, flags=re.M)
    return {(code, float(km)): int(pop.replace(",", "")) for code, km, pop in rows}


def test_negative_coordinates_are_positionals():
    proc = riskmap("distance", "-74.006,40.7128", "2.3522,48.8566")
    assert proc.returncode == 0, proc.stderr
    km = float(re.search(r"distance: ([\d,.]+) km", proc.stdout).group(1).replace(",", ""))
    _, _, reference = GEOD.inv(-74.006, 40.7128, 2.3522, 48.8566)
    assert km == pytest.approx(reference / 1000, abs=0.0005)


def test_a_country_name_after_the_comma_is_the_country_code():
    by_name = riskmap("distance", "Vladivostok,Russia", "Moscow, RUS", "--json")
    by_code = riskmap("distance", "Vladivostok,RU", "Moscow,RU", "--json")
    assert by_name.returncode == 0 and by_code.returncode == 0, by_name.stderr + by_code.stderr
    assert json.loads(by_name.stdout) == json.loads(by_code.stdout)


def test_a_border_counts_both_countries_and_says_what_its_line_is():
    import layers

    proc = riskmap("exposure", "--around", "IN-PK", "--radius", "100km")
    assert proc.returncode == 0, proc.stderr
    printed = _table(proc.stdout)
    exp = layers.exposure(layers.border("IN", "PK"), layers.settlements(), "100km")
    assert printed == {
        ("IN", 100.0): round(exp.population(country="IN")),
        ("PK", 100.0): round(exp.population(country="PK")),
    }
    assert printed[("IN", 100.0)] > 1_000_000  # India's side is no longer left out
    lengths = layers.border("IN", "PK").set_index("kind")["length_m"] / 1000
    line = next(x for x in proc.stdout.splitlines() if x.startswith("border: "))
    assert f"land {lengths['land']:,.1f} km" in line and f"sea {lengths['sea']:,.1f} km" in line
    assert "excluded: none (a border line has two sides" in proc.stdout


def test_nobody_in_range_prints_zeros():
    proc = riskmap("exposure", "--around", "-140,0", "--radius", "100km,200km")
    assert proc.returncode == 0, proc.stderr
    assert _table(proc.stdout) == {("total", 100.0): 0, ("total", 200.0): 0}
    proc = riskmap(
        "exposure", "--around", "-140,0", "--radius", "100km", "--country", "RU", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [(r["country"], r["population"]) for r in out["table"]] == [("RU", 0)]


def test_coverage_and_its_warnings_are_printed():
    import layers

    proc = riskmap("exposure", "--around", "131,43.5", "--radius", "150km")  # RU, CN, KP
    assert proc.returncode == 0, proc.stderr
    ratio = layers.settlements(country="CN")["population"].sum() / layers.country("CN").population
    assert ratio < 0.6  # GeoNames' places hold about half of China's people
    row = next(x for x in proc.stdout.splitlines() if x.startswith("  CN "))
    assert row.endswith(f"{ratio:.0%} (undercount)")
    assert any(
        x.startswith("warning: CN: ") and f"{ratio:.0%} of the population of China" in x
        for x in proc.stdout.splitlines()
    )
    out = json.loads(
        riskmap("exposure", "--around", "131,43.5", "--radius", "150km", "--json").stdout
    )
    assert any(w.startswith("CN: ") for w in out["warnings"])


@pytest.mark.parametrize("around", ["PRK", "North Korea"])
def test_a_country_by_code_or_name_is_its_territory_with_the_boundary_printed(around):
    proc = riskmap("exposure", "--around", around, "--radius", "200km", "--country", "RU")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Population within 200 km of North Korea (OSM, land only)")
    assert "boundary: North Korea (OSM, land only)" in proc.stdout
    assert "excluded: residents of KP" in proc.stdout


def test_distance_names_the_place_chosen_and_its_runners_up():
    proc = riskmap("distance", "Zaporizhzhia", "Kyiv")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("from: Zaporizhzhya, UA")  # the city, by its alternate name
    assert "population 656" in lines[1] and "chose the most populous" in lines[1]
    assert lines[2].startswith("to:   Kyiv, UA")
    km = float(re.search(r"distance: ([\d,.]+) km", proc.stdout).group(1).replace(",", ""))
    import layers  # as the other tests here: the CLI runs in a subprocess

    zap = layers.resolve_place("Zaporizhzhia")
    kyiv = layers.resolve_place("Kyiv")
    expected = GEOD.inv(*zap.lonlat, *kyiv.lonlat)[2] / 1000
    assert km == pytest.approx(expected, abs=0.001)


def test_sites_table_counts_each_site_against_geod_inv(tmp_path):
    import numpy as np

    import layers

    table = tmp_path / "plants.csv"
    table.write_text(
        "name,lon,lat,range_km\nFukushima Daiichi,141.0329,37.4213,30\n"
        "Zaporizhzhia,34.5858,47.5119,80\n",
        encoding="utf-8",
    )
    proc = riskmap("exposure", "--sites", table, "--range-column", "range_km", "--crs", "EPSG:4326")
    assert proc.returncode == 0, proc.stderr
    towns = layers.settlements()
    xy = towns.geometry.get_coordinates().to_numpy()
    for name, lon, lat, km in (
        ("Fukushima Daiichi", 141.0329, 37.4213, 30),
        ("Zaporizhzhia", 34.5858, 47.5119, 80),
    ):
        d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])[2]
        people = int(towns["population"][d <= km * 1000].sum())
        assert re.search(rf"{name}\s+{km}\.0\s+\w\w\s+{people:,}\s", proc.stdout), proc.stdout
    missing = _one_line_error(riskmap("exposure", "--sites", table))
    assert "--range-column COL" in missing and "--radius 30km" in missing


def test_an_unknown_source_suggests_every_kind_on_one_line():
    line = _one_line_error(riskmap("exposure", "--around", "Kaliningrad Oblst", "--radius", "50km"))
    assert "the admin-1 region Kaliningrad (RU-KGD), Russia (write 'RU-KGD')" in line
    assert "the place Kaliningrad, RU" in line


def test_a_name_read_one_way_of_two_says_so_once():
    proc = riskmap("exposure", "--around", "Tokyo", "--radius", "10km")
    assert proc.returncode == 0, proc.stderr
    notes = [x for x in proc.stdout.splitlines() if x.startswith("note: ")]
    assert notes == [f"note: {__import__('layers').resolve_source('Tokyo').note}"]
    assert "'region:Tokyo'" in notes[0]


def test_by_admin1_prints_each_row_with_its_region():
    """Rows by admin-1 name their ISO 3166-2 region (they used to show only the country,
    so that a table of six Lithuanian rows could not be read); the sums are the library's."""
    import layers

    proc = riskmap("exposure", "--around", "141.0329,37.4213", "--radius", "80km", "--by", "admin1")
    assert proc.returncode == 0, proc.stderr
    rows = re.findall(r"^\s+JP\s+(JP-\d\d)\s+(.+?)\s+80\s+([\d,]+)\s+(\d+)", proc.stdout, re.M)
    want = layers.exposure("141.0329,37.4213", layers.settlements(), "80km", by="admin1").table
    want = want[want["places"] > 0]
    assert [(c, n.strip(), int(p.replace(",", ""))) for c, n, p, _ in rows] == list(
        zip(want["admin1"], want["admin1_name"], want["population"], strict=True)
    )
    assert ("JP-07", "Fukushima Prefecture") in [(c, n.strip()) for c, n, _, _ in rows]


def test_a_region_map_draws_the_region_and_its_rings_once(tmp_path):
    """The region itself is drawn, and its rings once (the exposure no longer adds a second set)."""
    html = tmp_path / "kgd.html"
    proc = riskmap(
        "exposure", "--around", "RU-KGD", "--radius", "50km,100km", "--map", html, "--linked"
    )
    assert proc.returncode == 0, proc.stderr
    layers_shown = re.findall(r'\{"name":"([^"]+)","layer":"feature_group_', html.read_text())
    assert layers_shown.count("Within 100 km of Kaliningrad (RU-KGD), Russia") == 1, layers_shown
    assert "Kaliningrad" in layers_shown, layers_shown
