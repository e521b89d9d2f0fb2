"""Scenario files: verdict rules, bad keys refused, place names resolved (small in-memory data)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Geod

import geo
from layers import BOUNDARY_VARIANTS, resolve_place
from maps import run_scenario
from maps.cli import main as riskmap_main
from maps.report import DEPENDS, DOES_NOT_HOLD, HOLDS, verdict_about, verdict_more_than
from maps.scenario_config import (
    DistanceClaim,
    ExposureClaim,
    MapOptions,
    OverviewOptions,
    Scenario,
    Tolerance,
    parse_scenario,
    read_scenario,
    scenario_reference,
)

GEOD = Geod(ellps="WGS84")
REPO = Path(__file__).resolve().parents[1]
SUMMIT = REPO / "examples" / "summit_2019.toml"


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
                        "around": "KP",
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
            r'border = \["KP"\] in \[\[exposure\]\] \(entry 1\): the key is .around. now',
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


def test_the_summit_scenario_parses_to_its_configuration():
    osm_sea, osm_land, ne = (BOUNDARY_VARIANTS[k] for k in ("osm-sea", "osm-land", "naturalearth"))
    expected = Scenario(
        title="The 2019 Vladivostok summit: the editorial's geography, checked",
        name="summit_2019",
        map=MapOptions(
            tiles="OpenStreetMap",
            tolerance_m=200.0,
            rings_m=(50_000.0, 100_000.0, 200_000.0),
            context=("RU", "CN", "KR", "JP"),
            bounds=None,
            self_contained=True,
        ),
        distances=(
            DistanceClaim(
                claim='Vladivostok is "a mere 700 km from Pyongyang"',
                origin="Vladivostok,RU",
                destination="Pyongyang,KP",
                about_m=700_000.0,
                tolerance=Tolerance(share=0.05),
            ),
        ),
        exposures=(
            ExposureClaim(
                claim='"More than 1 million Russian citizens live within 200 km of the North '
                'Korean border"',
                around="KP",
                boundaries=(osm_sea, osm_land, ne),
                with_sections=True,
                populations=("geonames", "ghs-pop-100m:2020"),
                country="RU",
                radii_m=(200_000.0,),
                more_than=1_000_000.0,
            ),
            ExposureClaim(
                claim="The same, measured from the North Korea–Russia border line itself",
                around="KP-RU",
                country="RU",
                radii_m=(200_000.0,),
                more_than=1_000_000.0,
            ),
        ),
        overview=OverviewOptions(
            around="KP",
            boundary=osm_sea,
            radius_m=200_000.0,
            countries=("RU", "CN", "KR", "JP"),
            curve_to_m=500_000.0,
            curve_step_m=5_000.0,
        ),
    )
    assert read_scenario(SUMMIT) == expected


def _summit_text() -> str:
    return SUMMIT.read_text(encoding="utf-8")


def test_a_misspelt_section_is_refused_with_the_nearest_name(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(_summit_text().replace("[overview]", "[overveiw]"), encoding="utf-8")
    with pytest.raises(
        geo.InputError,
        match=r"unknown section \[overveiw\] in bad\.toml; "
        r"did you mean \[overview\]\?",
    ):
        read_scenario(bad)
    # and the command says so, with a failing exit status, before computing anything
    assert riskmap_main(["run", str(bad), "--out", str(tmp_path)]) == 1
    assert list(tmp_path.iterdir()) == [bad]
    with pytest.raises(
        geo.InputError,
        match=r"\[distance\] holds one claim per table: "
        r"write \[\[distance\]\]",
    ):
        parse_scenario({"distance": {"from": "A", "to": "B", "about": "1km"}})
    with pytest.raises(geo.InputError, match=r"unknown key 'titel'; did you mean title\?"):
        parse_scenario({"titel": "T"})


def test_a_misspelt_key_is_refused_with_the_nearest_valid_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(_summit_text().replace('radius = "200km"\nmore', 'raduis = "200km"\nmore', 1))
    with pytest.raises(
        geo.InputError,
        match=r"unknown key 'raduis' in \[\[exposure\]\] \(entry 1, in bad\.toml\); "
        r"did you mean 'radius'\?",
    ):
        read_scenario(bad)
    with pytest.raises(
        geo.InputError, match=r"unknown key 'tile' in \[map\]; did you mean 'tiles'"
    ):
        parse_scenario({"map": {"tile": "OpenStreetMap"}})


@pytest.mark.parametrize(
    ("section", "key", "value", "match"),
    [
        (
            "exposure",
            "radius",
            200,
            r"radius = 200 in \[\[exposure\]\] \(entry 1\): a distance needs its unit "
            r'\(m, km, mi, nmi\); write radius = "200km"',
        ),
        (
            "exposure",
            "more_than",
            "a lot",
            r'more_than = "a lot" in \[\[exposure\]\] \(entry 1\): expected a number of '
            r"people >= 0, without quotes; write more_than = 1_000_000",
        ),
        (
            "exposure",
            "with_sections",
            "yes",
            r"expected true or false; write with_sections = true",
        ),
        (
            "exposure",
            "boundaries",
            "osm-sea",
            r"expected a list in brackets; write boundaries = \[",
        ),
        ("overview", "curve_step", "5", r"curve_step = \"5\" in \[overview\]: .*not a number "),
        ("map", "rings", ["50km", 100], r'rings = \["50km", 100\] in \[map\]: item 2, 100: '),
        ("map", "bounds", [130, 42, 125, 49], r"bounds = \[130, 42, 125, 49\] in \[map\]: "),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_with_the_key_and_the_fix(section, key, value, match):
    tables = {
        "exposure": {"around": "KP", "country": "RU", "radius": "200km", "more_than": 1},
        "overview": {"around": "KP"},
        "map": {},
    }
    table = dict(tables[section], **{key: value})
    data = {section: [table] if section == "exposure" else table}
    with pytest.raises(geo.InputError, match=match):
        parse_scenario(data)


def test_an_exposure_claim_names_a_source_or_sites():
    base = {"country": "RU", "radius": "200km", "more_than": 1}
    with pytest.raises(geo.InputError, match="has neither of 'around' and 'sites'"):
        parse_scenario({"exposure": [base]})
    with pytest.raises(geo.InputError, match="has both of 'around' and 'sites'"):
        parse_scenario({"exposure": [dict(base, around="KP", sites=str(SUMMIT))]})


@pytest.mark.parametrize(
    ("section", "old", "new"),
    [
        ("exposure", {"territory": "KP"}, 'write around = "KP"'),
        ("exposure", {"border": ["KP", "RU"]}, 'write around = "KP-RU"'),
        ("overview", {"territory": "KP"}, 'write around = "KP"'),
    ],
)
def test_the_keys_of_earlier_versions_are_refused_with_the_key_now(section, old, new):
    table = dict(old, **({"radius": "200km"} if section == "exposure" else {}))
    data = {section: [table] if section == "exposure" else table}
    with pytest.raises(geo.InputError, match=rf"the key is 'around' now.*{new}"):
        parse_scenario(data)


def test_the_reference_document_is_generated_from_the_configuration():
    doc = REPO / "docs" / "scenario.md"
    assert doc.read_text(encoding="utf-8") == scenario_reference(), (
        "docs/scenario.md is out of date; regenerate it as maps/scenario_config.py says"
    )
    # every key of the example is in it, with its section
    for heading in ("[map]", "[[distance]]", "[[exposure]]", "[overview]"):
        assert f"## `{heading}`" in doc.read_text(encoding="utf-8")
