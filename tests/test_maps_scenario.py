"""Scenario files: verdict rules, bad keys refused, place names resolved (small in-memory data)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from pyproj import Geod

import geo
from layers import resolve_place
from maps import run_scenario
from maps.report import DEPENDS, DOES_NOT_HOLD, HOLDS, verdict_about, verdict_more_than

GEOD = Geod(ellps="WGS84")


@pytest.fixture
def towns() -> gpd.GeoDataFrame:
    """Namesakes on purpose: two Springfields, the larger in US, and accents."""
    return gpd.GeoDataFrame(
        {
            "name": ["Springfield", "Springfield", "Sŏul", "Pyongyang"],
            "country": ["US", "AU", "KR", "KP"],
            "population": [169_176, 22_000, 10_349_312, 3_222_000],
            "geonameid": [1, 2, 3, 4],
        },
        geometry=gpd.points_from_xy(
            [-89.64, 153.0, 126.9784, 125.7543], [39.80, -27.7, 37.566, 39.0339]
        ),
        crs="EPSG:4326",
    )


def test_verdicts():
    assert verdict_more_than([1_200_000, 1_300_000], 1_000_000) == HOLDS
    assert verdict_more_than([900_000, 1_300_000], 1_000_000) == DEPENDS
    assert verdict_more_than([1_000_000], 1_000_000) == DOES_NOT_HOLD  # "more than" is strict
    assert verdict_about(684_475.0, 700_000.0, 35_000.0) == HOLDS
    assert verdict_about(640_000.0, 700_000.0, 35_000.0) == DOES_NOT_HOLD


def test_places_resolve_by_population_country_and_accents(towns):
    assert resolve_place("Springfield", towns).country == "US"
    assert resolve_place("springfield,au", towns).country == "AU"
    assert resolve_place("Soul", towns).name == "Sŏul"
    assert resolve_place(" 126.98 , 37.57 ").lonlat == (126.98, 37.57)
    with pytest.raises(geo.InputError, match=r"no settlement named 'Springfield' in country KP"):
        resolve_place("Springfield,KP", towns)
    with pytest.raises(geo.InputError, match="did you mean 'Springfield'"):
        resolve_place("Springfeld", towns)
    with pytest.raises(geo.InputError, match=r"latitude .*95.*outside \[-90, 90\]"):
        resolve_place("10,95", towns)
    with pytest.raises(geo.InputTypeError, match="is not a string"):
        resolve_place(("Seoul",), towns)


def test_distance_claim_from_a_dict(towns):
    result = run_scenario(
        {
            "title": "T",
            "distance": [{"from": "Soul", "to": "Pyongyang", "about": "100 mi", "tolerance": "5%"}],
        },
        out_dir=None,
        settlements=towns,
    )
    (check,) = result.distances
    _, _, reference = GEOD.inv(126.9784, 37.566, 125.7543, 39.0339)
    assert check.distance_m == pytest.approx(reference, abs=1e-6)
    claim = 100 * 1609.344
    assert check.verdict == (HOLDS if abs(reference - claim) <= 0.05 * claim else DOES_NOT_HOLD)
    assert f"{reference / 1000:,.1f} km" in result.to_text()
    assert result.html_path is None  # out_dir=None writes nothing


@pytest.mark.parametrize(
    ("scenario", "match"),
    [
        ({"distance": [{"from": "Soul", "about": "1km"}]}, r"\[\[distance\]\] has no 'to'"),
        (
            {
                "distance": [
                    {"from": "Soul", "to": "Pyongyang", "about": "1km", "tolerance": "5 percent"}
                ]
            },
            "unknown unit",
        ),
        (
            {
                "distance": [
                    {"from": "Soul", "to": "Pyongyang", "about": "1km", "tolerance": "150%"}
                ]
            },
            "between 0% and 100%",
        ),
        (
            {
                "exposure": [
                    {
                        "territory": "KP",
                        "boundaries": ["bogus"],
                        "country": "RU",
                        "radius": "200km",
                        "more_than": 1,
                    }
                ]
            },
            "boundary 'bogus' is not a boundary variant",
        ),
        (
            {"exposure": [{"border": ["KP"], "country": "RU", "radius": "200km", "more_than": 1}]},
            "expected two country codes",
        ),
    ],
)
def test_bad_scenarios_are_refused(towns, scenario, match):
    with pytest.raises(geo.InputError, match=match):
        run_scenario(scenario, out_dir=None, settlements=towns)


def test_bad_scenario_files_are_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("title = \n", encoding="utf-8")
    with pytest.raises(geo.InputError, match="is not valid TOML"):
        run_scenario(bad, out_dir=None)
    with pytest.raises(geo.InputError, match="does not exist"):
        run_scenario(tmp_path / "missing.toml")
    with pytest.raises(geo.InputTypeError, match="is not a TOML path or a dict"):
        run_scenario(["not", "a", "scenario"])
