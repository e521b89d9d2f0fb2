"""The riskmap command, run as a user runs it, output parsed from text: the installed script in
a process of its own for the entry point, ``maps.cli.main`` in this process for the rest."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from pyproj import Geod

from maps.cli import main

GEOD = Geod(ellps="WGS84")
REPO = Path(__file__).resolve().parents[1]
_SCRIPT = shutil.which("riskmap", path=str(Path(sys.executable).parent))
COMMAND = [_SCRIPT] if _SCRIPT else [sys.executable, "-m", "maps.cli"]


def riskmap(*args: str, cwd: Path | None = None, separate: bool = False):
    """Run the command: in this process (``maps.cli.main``, its streams captured), or as the
    installed ``riskmap`` script in a process of its own (``separate``, for the entry point).

    In-process runs spare each test the 2-3 s of a fresh interpreter's imports; an uncaught
    exception is reported as a traceback on stderr with status 1, as the script would.
    """
    if separate:
        return subprocess.run(
            [*COMMAND, *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd
        )
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 1
            except Exception:
                traceback.print_exc()
                code = 1
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


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
    proc = riskmap("distance", "131.8869,43.1056", "125.7625,39.0392", separate=True)
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
        (["distance", "Vladivostk", "Pyongyang"], "did you mean the place Vladivostok, RU"),
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
    assert riskmap(separate=True).returncode == 2  # argparse, from the installed script


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
    assert "Kaliningrad (RU-KGD), Russia" in layers_shown, layers_shown  # as the title names it


def _people_within(lon: float, lat: float, metres: float, country: str | None = None) -> int:
    """Settlement people within ``metres`` of a point by brute-force ``Geod.inv``."""
    import numpy as np

    import layers

    towns = layers.settlements()
    if country:
        towns = towns[towns["country"] == country]
    xy = towns.geometry.get_coordinates().to_numpy()
    d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])[2]
    return int(towns["population"].to_numpy()[d <= metres].sum())


@pytest.fixture
def plant(tmp_path):
    table = tmp_path / "plants.csv"
    table.write_text("name,lon,lat,range\nZaporizhzhia,34.5858,47.5119,30km\n", encoding="utf-8")
    return table


def test_sites_options_are_used_or_refused_by_name(plant, tmp_path):
    """--sites used to drop --map/--png/--out/--json/--country/--variants/--boundary silently."""
    base = ["exposure", "--sites", plant, "--range-column", "range", "--crs", "EPSG:4326"]
    for extra, named in (
        (["--out", tmp_path / "p.gpkg"], "--out"),
        (["--boundary", "osm-sea"], "--boundary osm-sea"),
        (["--variants"], "--variants"),
        (["--kind", "count"], "--kind"),
    ):
        assert named in _one_line_error(riskmap(*base, *extra))
    assert not (tmp_path / "p.gpkg").exists()
    proc = riskmap(*base, "--country", "UA", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    want = _people_within(34.5858, 47.5119, 30_000, "UA")
    assert [r["population"] for r in out["table"]] == [want] and out["countries"] == ["UA"]
    assert _people_within(34.5858, 47.5119, 30_000, "FR") == 0
    proc = riskmap(*base, "--country", "FR")
    assert re.search(r"^  30\.0\s+0\s+0\s+0$", proc.stdout, re.M), proc.stdout
    html, png = tmp_path / "p.html", tmp_path / "p.png"
    proc = riskmap(*base, "--map", html, "--png", png, "--linked")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Population within each range of 1 site in plants.csv\n")
    assert f"{_people_within(34.5858, 47.5119, 30_000):,}" in proc.stdout
    assert "Zaporizhzhia" in html.read_text(encoding="utf-8")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_around_without_radius_names_radius():
    assert "--radius 200km" in _one_line_error(riskmap("exposure", "--around", "34.585,47.512"))


def test_crs_applies_to_an_around_file_and_errors_name_cli_options(plant, tmp_path):
    proc = riskmap("exposure", "--around", plant, "--crs", "EPSG:4326", "--radius", "30km")
    assert proc.returncode == 0, proc.stderr
    assert _table(proc.stdout)[("UA", 30.0)] == _people_within(34.5858, 47.5119, 30_000, "UA")
    line = _one_line_error(riskmap("exposure", "--around", plant, "--radius", "30km"))
    assert "give --crs EPSG:4326" in line and "crs=" not in line
    bad = tmp_path / "bad.csv"
    bad.write_text("name,a,b\nx,1,2\n", encoding="utf-8")
    line = _one_line_error(
        riskmap("exposure", "--around", bad, "--crs", "EPSG:4326", "--radius", "30km")
    )
    assert "name them lon and lat" in line and "lon=" not in line
    line = _one_line_error(
        riskmap("exposure", "--around", "KP", "--crs", "EPSG:4326", "--radius", "30km")
    )
    assert "--crs EPSG:4326" in line and "drop --crs" in line


def test_kind_tells_a_geotiff_count_from_density(tmp_path):
    """A uniform grid of 100: per km² gives 100·π·10² in 10 km, per cell that ÷ the cell area."""
    import math

    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    tif = tmp_path / "dens.tif"
    profile = {"driver": "GTiff", "width": 40, "height": 40, "count": 1, "dtype": "float64"}
    transform = from_origin(29.8, 51.7, 0.01, 0.01)
    with rasterio.open(tif, "w", crs="EPSG:4326", transform=transform, **profile) as ds:
        ds.write(np.full((40, 40), 100.0), 1)
    args = ["exposure", "--around", "30.0,51.5", "--radius", "10km", "--population", tif]
    assert "give --kind count or --kind density" in _one_line_error(riskmap(*args))
    circle = math.pi * 10.0**2  # km²
    cell = GEOD.polygon_area_perimeter([30.0, 30.01, 30.01, 30.0], [51.5, 51.5, 51.51, 51.51])[0]
    for kind, want in (("density", 100 * circle), ("count", 100 * circle / (abs(cell) / 1e6))):
        proc = riskmap(*args, "--kind", kind)
        assert proc.returncode == 0, proc.stderr
        rows = re.findall(r"^  (?:BY|UA)\s+10\s+([\d,]+)$", proc.stdout, flags=re.M)
        total = sum(int(v.replace(",", "")) for v in rows)
        assert total == pytest.approx(want, rel=0.02), kind
    line = _one_line_error(riskmap(*args[:5], "--kind", "count"))
    assert "--kind count" in line and "drop --kind" in line


def test_outputs_are_checked_before_any_work(tmp_path):
    args = ["exposure", "--around", "30.0,51.5", "--radius", "10km"]
    line = _one_line_error(riskmap(*args, "--map", tmp_path / "x.png"))
    assert "--map" in line and ".html" in line
    assert not (tmp_path / "x.png").exists()
    assert ".png" in _one_line_error(riskmap(*args, "--png", tmp_path / "x.jpg"))
    for option, name in (("--map", "x.html"), ("--png", "x.png")):
        proc = riskmap(*args, option, tmp_path / "nonexist" / name)
        line = _one_line_error(proc)
        assert option in line and "does not exist" in line and proc.stdout == ""


def test_boundary_with_a_point_is_refused():
    line = _one_line_error(
        riskmap("exposure", "--around", "30.0,51.5", "--radius", "10km", "--boundary", "osm-sea")
    )
    assert "--boundary osm-sea" in line and "is a point" in line


@pytest.mark.parametrize("country", ["KP", "North Korea"])
def test_distance_to_a_country_is_to_its_nearest_point(country):
    """KP is North Korea (it used to be the village Kep, KH); the distance is to its area."""
    import shapely
    from reference import distance_to

    import layers

    proc = riskmap("distance", "Vladivostok", country, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["to"]["kind"] == "territory" and out["to"]["name"].startswith("North Korea")
    city = (out["from"]["lon"], out["from"]["lat"])
    area = shapely.union_all(layers.territory("KP").geometry.values)
    want = float(distance_to([city], area)[0])
    assert out["distance_m"] == pytest.approx(want, abs=1.0)
    foot = out["to"]["nearest_point"]
    assert GEOD.inv(*city, *foot)[2] == pytest.approx(want, abs=1.0)
    text = riskmap("distance", "Vladivostok", country).stdout
    assert "to:   the nearest point of North Korea (OSM, land only), at " in text
    assert f"distance: {want / 1000:,.3f} km" in text


def test_distance_from_inside_an_area_and_between_two_areas():
    text = riskmap("distance", "Pyongyang", "KP").stdout
    assert "Pyongyang is inside it" in text and "distance: 0.000 km" in text
    assert "both ends are areas" in _one_line_error(riskmap("distance", "KP", "RU"))
