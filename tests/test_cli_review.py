"""A new user's review of the command line and scenario files: nothing ignored, every
message about what the user wrote."""

from __future__ import annotations

import re

import pytest
from test_cli import _one_line_error, riskmap


@pytest.mark.parametrize(
    ("written", "codes"),
    [("Korea, Republic of", "KR"), ("RU,Korea, Republic of", "RU,KR"), ("CN, RU", "CN,RU")],
)
def test_a_country_name_with_a_comma_is_one_country(written, codes):
    # ISO 3166's name of South Korea holds a comma: read whole first, split only if not one.
    base = ("exposure", "--around", "KP", "--radius", "10km")
    named = riskmap(*base, "--country", written)
    coded = riskmap(*base, "--country", codes)
    assert named.returncode == coded.returncode == 0, named.stderr
    assert named.stdout == coded.stdout
    assert "KR" in named.stdout or "CN" in named.stdout


def test_a_bad_part_of_a_country_list_is_still_named():
    line = _one_line_error(
        riskmap("exposure", "--around", "KP", "--radius", "10km", "--country", "RU,Atlantis")
    )
    assert "'Atlantis'" in line


@pytest.mark.parametrize(
    ("args", "named", "fix"),
    [
        (
            ("--around", "KP", "--radius", "10km", "--range-column", "range_km"),
            "--range-column range_km",
            "add --sites FILE or drop --range-column",
        ),
        (
            (
                "--around",
                "KP",
                "--radius",
                "10km",
                "--map",
                "{tmp}/m.html",
                "--linked",
                "--self-contained",
            ),
            "--linked and --self-contained",
            "give one of them",
        ),
        (
            ("--around", "KP", "--radius", "10km", "--linked"),
            "--linked",
            "add --map FILE.html or drop --linked",
        ),
        (
            ("--around", "KP", "--radius", "10km", "--png", "{tmp}/m.png", "--self-contained"),
            "--self-contained",
            "add --map FILE.html or drop --self-contained",
        ),
        (
            ("--around", "KP", "--radius", "10km", "--variants", "--json"),
            "--variants",
            "drop --json",
        ),
        (
            ("--around", "KP", "--radius", "10km", "--variants", "--population", "ghs-pop:2020"),
            "--population ghs-pop:2020",
            "--population geonames,ghs-pop:2020 --variants",
        ),
        (
            (
                "--around",
                "KP",
                "--radius",
                "10km",
                "--population",
                "geonames,ghs-pop:2020",
                "--by",
                "admin1",
            ),
            "--by admin1",
            "drop --by",
        ),
    ],
)
def test_an_option_that_would_be_dropped_is_refused_by_name(tmp_path, args, named, fix):
    args = tuple(a.replace("{tmp}", str(tmp_path)) for a in args)
    line = _one_line_error(riskmap("exposure", *args))
    assert named in line and fix in line
    assert list(tmp_path.iterdir()) == []  # refused before anything is written


def test_run_refuses_linked_with_self_contained(tmp_path):
    out = tmp_path / "out"
    line = _one_line_error(
        riskmap(
            "run", "examples/summit_2019.toml", "--out", str(out), "--linked", "--self-contained"
        )
    )
    assert "--linked and --self-contained" in line
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("distance", "181,0", "0,0"), "place '181,0': longitude 181.0 is outside [-180, 180]"),
        (("distance", "43.1,131.9", "0,0"), "place '43.1,131.9': latitude 131.9 is outside"),
        (("exposure", "--around", "200,43", "--radius", "10km"), "longitude 200.0 is outside"),
    ],
)
def test_a_point_out_of_range_is_said_as_the_user_wrote_it(args, said):
    line = _one_line_error(riskmap(*args))
    assert said in line and "write the point as 'lon,lat'" in line
    assert "GeoSeries" not in line and " have " not in line


def test_a_sites_table_out_of_range_names_its_columns_not_python(tmp_path):
    table = tmp_path / "sites.csv"
    table.write_text("name,lon,lat\nA,131.9,43.1\nB,347.5,43.1\n")
    line = _one_line_error(
        riskmap("exposure", "--sites", table, "--radius", "10km", "--crs", "EPSG:4326")
    )
    assert "longitude 347.5 at index 1 is outside [-180, 180] (it wraps to -12.5)" in line
    assert "--crs" in line and "GeoSeries" not in line and " have " not in line


def test_python_keeps_its_crs_advice_for_arrays():
    import numpy as np

    import geo

    with pytest.raises(geo.InputError, match=r"^a: latitude 95.0 is outside .*GeoSeries"):
        geo.distance((100.0, 95.0), (0.0, 0.0))
    with pytest.raises(geo.InputError, match=r"at index 1 is outside \[-180, 180\]"):
        geo.distance(np.array([[0.0, 0.0], [200.0, 0.0]]), (0.0, 0.0))


def test_an_unknown_source_ends_each_sentence():
    line = _one_line_error(riskmap("exposure", "--around", "N. Korea", "--radius", "1km"))
    assert "check the spelling A" not in line
    assert re.search(r"[.?] A country is a code or name", line), line


@pytest.mark.parametrize("radius", ["0km", "10km,0m"])
def test_a_zero_radius_is_refused_as_a_scenario_refuses_it(radius):
    line = _one_line_error(riskmap("exposure", "--around", "KP", "--radius", radius))
    assert "expected a distance above 0 metres (a zero distance measures nothing)" in line
    assert "write --radius 200km" in line


def test_a_negative_radius_asks_for_one_above_zero():
    line = _one_line_error(riskmap("exposure", "--around", "KP", "--radius", "-5km"))
    assert "'-5km' is -5000.0 m, which is negative" in line and "above 0" in line
    assert ">= 0" not in line


def test_a_scenario_radius_below_zero_asks_for_one_above_zero(tmp_path):
    # The scenario and the command line say the same: above 0, not ">= 0" (0 is refused too).
    for radius in ("-5km", "0km"):
        path = tmp_path / "s.toml"
        path.write_text(
            f'title = "t"\n[[exposure]]\nclaim = "c"\naround = "KP"\nradius = "{radius}"\n'
            "more_than = 1\n",
            encoding="utf-8",
        )
        line = _one_line_error(riskmap("run", str(path), "--out", str(tmp_path / "out")))
        assert f'radius = "{radius}" in [[exposure]]' in line, line
        assert "expected a distance above 0 metres" in line and ">= 0" not in line, line


@pytest.mark.parametrize(
    ("spec", "named"),
    [("worldpop-1km:2020:PRK+RUSS", "'RUSS' in"), ("worldpop-1km:2020:RU+PRK", "'RU' in")],
)
def test_a_bad_country_code_of_a_grid_is_named(spec, named):
    line = _one_line_error(
        riskmap("exposure", "--around", "KP", "--radius", "10km", "--population", spec)
    )
    assert named in line and "ISO3 country code" in line and "'PRK'" not in line.split(" in ")[0]


_MISSPELT = """title = "t"
[[distance]]
claim = "x"
from = "Vladivostk"
to = "Pyongyang,KP"
about = "700km"
"""


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (_MISSPELT, "[[distance]] (entry 1, in bad.toml)"),
        (
            'title = "t"\n[[exposure]]\naround = "Vladivostk"\nradius = "10km"\n',
            "[[exposure]] (entry 1, in bad.toml)",
        ),
        (
            'title = "t"\n[overview]\naround = "Vladivostk"\nradius = "10km"\n',
            "[overview] (in bad.toml)",
        ),
    ],
)
def test_a_name_that_does_not_resolve_names_the_file_and_the_failed_run_leaves_nothing(
    tmp_path, body, where
):
    scenario = tmp_path / "bad.toml"
    scenario.write_text(body)
    out = tmp_path / "results" / "run1"
    line = _one_line_error(riskmap("run", scenario, "--out", out))
    assert where in line and "Vladivostk" in line
    assert not (tmp_path / "results").exists()  # the folders the run made are gone


def test_a_failed_run_keeps_a_folder_that_was_there(tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text(_MISSPELT)
    out = tmp_path / "results"
    (out / "old").mkdir(parents=True)
    _one_line_error(riskmap("run", scenario, "--out", out / "new"))
    assert sorted(p.name for p in out.iterdir()) == ["old"]


def test_the_overview_warns_only_about_the_countries_its_table_shows(tmp_path):
    import layers

    scenario = tmp_path / "ov.toml"
    scenario.write_text(
        'title = "t"\n[overview]\naround = "Vladivostok,RU"\nradius = "1500km"\n'
        'countries = ["RU", "CN"]\ncurve_to = "1500km"\ncurve_step = "100km"\n'
    )
    # the exposure itself warns about KP and MN too (their points miss people) ...
    exp = layers.exposure(
        layers.resolve_source("Vladivostok,RU").data, layers.settlements(), "1500km", by="country"
    )
    flagged = {w[:2] for w in exp.warnings}
    assert {"KP", "CN"} <= flagged
    # ... but the table shows RU and CN only: CN's warning stays, KP's and MN's go
    proc = riskmap("run", scenario, "--out", tmp_path / "out", "--no-png")
    assert proc.returncode == 0, proc.stderr
    warned = {
        line.split("warning: ")[1][:2] for line in proc.stdout.splitlines() if "warning: " in line
    }
    assert warned == flagged & {"RU", "CN"}


def test_a_scenario_exposure_states_who_is_left_out_as_the_cli_does(tmp_path):
    scenario = tmp_path / "x.toml"
    scenario.write_text(
        'title = "t"\n[[exposure]]\naround = "KP"\nboundaries = ["osm-land"]\n'
        'country = "RU"\nradius = "200km"\n'
    )
    run = riskmap("run", scenario, "--out", tmp_path / "out", "--no-png")
    cli = riskmap(
        "exposure",
        "--around",
        "KP",
        "--boundary",
        "osm-land",
        "--radius",
        "200km",
        "--country",
        "RU",
    )
    assert run.returncode == cli.returncode == 0, run.stderr + cli.stderr
    (line,) = [x for x in cli.stdout.splitlines() if x.startswith("excluded: ")]
    assert "residents of KP" in line and "places" in line
    assert f"  {line}" in run.stdout.splitlines()


@pytest.mark.parametrize(("step", "every"), [(5.0, 50.0), (7.0, 49.0), (3.0, 51.0), (100.0, 100.0)])
def test_the_printed_curve_is_thinned_to_about_every_50_km_whatever_the_step(step, every):
    import numpy as np
    import pandas as pd

    from maps.report import Overview

    km = np.arange(0.0, 500.0 + 1e-9, step)
    curve = pd.DataFrame({"distance_km": km, "all": km * 10})
    table = pd.DataFrame(
        {
            "country": ["RU"],
            "name": ["Russia"],
            "population": [1.0],
            "places": [1],
            "coverage": [0.9],
        }
    )
    lines = Overview("x", 200_000.0, table, curve).lines()
    start = lines.index("  population by distance from x:") + 2
    shown = [float(line.split()[0]) for line in lines[start:]]
    assert shown[-1] == km[-1]  # the last distance is always printed
    assert np.allclose(np.diff(shown[:-1]), every)  # n-th steps, n = round(50 / step)
    assert len(km) == 1 or shown[0] == 0.0


def test_data_fetch_refuses_two_different_years():
    line = _one_line_error(riskmap("data", "fetch", "ghs-pop:2020", "--year", "2015"))
    assert "year 2020" in line and "--year 2015" in line and "ghs-pop:2015" in line
