"""A new user's review of the command line and scenario files: nothing ignored, every
message about what the user wrote."""

from __future__ import annotations

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
