"""Every value of a scenario file is refused when the file is read, naming its key and the fix."""

from __future__ import annotations

import geopandas as gpd
import pytest
import xyzservices.providers

import geo
from geo.errors import InputError
from maps.scenario import run_scenario
from maps.scenario_config import parse_scenario

_EXPOSURE = {"around": "KP", "country": "RU", "radius": "200km"}


def _refused(data: dict) -> str:
    with pytest.raises(InputError) as info:
        parse_scenario(data)
    return str(info.value)


@pytest.mark.parametrize(
    "data, starts, says",
    [
        (
            {"map": {"tiles": "openstretmap"}},
            'tiles = "openstretmap" in [map]',
            [
                "not a known tile set",
                'did you mean "OpenStreetMap"',
                'write tiles = "OpenStreetMap"',
            ],
        ),
        (
            {"map": {"tiles": "OpenTopMap"}},
            'tiles = "OpenTopMap" in [map]',
            ['did you mean "OpenTopoMap"'],
        ),
        (
            {"map": {"tiles": "https://tile.example/{z}/{x}/{y}.png"}},
            "tiles = ",
            ["attribution"],
        ),
        (
            {"map": {"tiles": "CartoDB.Positron"}},
            'tiles = "CartoDB.Positron" in [map]',
            ["needs an API key"],
        ),
        (
            {"overview": {"around": "KP", "curve_step": "0km"}},
            'curve_step = "0km" in [overview]',
            ["above 0"],
        ),
        (
            {"overview": {"around": "KP", "curve_to": "100km", "curve_step": "200km"}},
            "[overview]: curve_step = 200 km is more than curve_to = 100 km",
            ['write e.g. curve_step = "1km"'],
        ),
        (
            {"overview": {"around": "KP", "curve_step": "1m"}},
            "[overview]: curve_step = 0.001 km gives 500,000 points",
            ["more than 10,000"],
        ),
        (
            {"overview": {"around": "KP", "radius": "1e9km"}},
            'radius = "1e9km" in [overview]',
            ["half the Earth's circumference (20,004 km)", 'write radius = "200km"'],
        ),
        (
            {"overview": {"around": "KP", "radius": "0km"}},
            'radius = "0km" in [overview]',
            ["above 0"],
        ),
        (
            {"map": {"context": ["RU", "Narnia"]}},
            'context = ["RU", "Narnia"] in [map]: item 2, "Narnia": unknown country',
            ["did you mean 'Armenia'"],
        ),
        (
            {"overview": {"around": "KP", "countries": ["Narnia"]}},
            'countries = ["Narnia"] in [overview]',
            ["unknown country 'Narnia'"],
        ),
        (
            {"exposure": [{**_EXPOSURE, "country": "Narnia"}]},
            'country = "Narnia" in [[exposure]] (entry 1)',
            ["unknown country 'Narnia'", 'write country = "RU"'],
        ),
        (
            {"map": {"rings": ["50km", "0km"]}},
            'rings = ["50km", "0km"] in [map]: item 2, "0km"',
            ["above 0"],
        ),
        (
            {"exposure": [{**_EXPOSURE, "radius": ["0km", "50km"]}]},
            'radius = ["0km", "50km"] in [[exposure]] (entry 1)',
            ["above 0"],
        ),
        (
            {"exposure": [{**_EXPOSURE, "around": "1000,20"}]},
            'around = "1000,20" in [[exposure]] (entry 1)',
            ["longitude 1000 is outside [-180, 180]"],
        ),
        (
            {"distance": [{"from": "43.1,131.9", "to": "39.04,125.76", "about": "700km"}]},
            'from = "43.1,131.9" in [[distance]] (entry 1)',
            ["latitude 131.9 is outside [-90, 90]", "longitude first", 'write from = "131.9,43.1"'],
        ),
        (
            {"map": {"tolerance": "20000km"}},
            "[map]: tolerance = 20000 km moves what is drawn",
            ['write e.g. tolerance = "200m"'],
        ),
        (
            {"distance": [{"from": "A", "to": "B", "about": "700km", "tolerance": "700km"}]},
            "[[distance]] (entry 1): tolerance = 700 km is not below about = 700 km",
            ["would hold for anything from 0"],
        ),
        (
            {"exposure": [{**_EXPOSURE, "about": 1000, "tolerance": 5000}]},
            "[[exposure]] (entry 1): tolerance = 5,000 is not below about = 1,000",
            ['tolerance = "5%"'],
        ),
        (
            {"exposure": [{**_EXPOSURE, "radius": "1,000km"}]},
            'radius = "1,000km" in [[exposure]] (entry 1)',
            ["'1000km' or '1_000km'"],
        ),
    ],
)
def test_a_bad_value_is_refused_naming_its_section_and_key(data, starts, says):
    message = _refused(data)
    assert message.startswith(starts), message
    for words in says:
        assert words in message, message
    assert "parse_distance" not in message and "step_m" not in message  # no Python names


@pytest.mark.parametrize(
    "tiles",
    ["OpenStreetMap", "openstreetmap", "OpenTopoMap", "openstreetmap hot", "Esri.WorldImagery"],
)
def test_tile_sets_folium_draws_are_accepted(tiles):
    # The reference: xyzservices (what folium reads a tile name with) knows it, keyless.
    if tiles.lower() != "openstreetmap":
        assert not xyzservices.providers.query_name(tiles).requires_token()
    assert parse_scenario({"map": {"tiles": tiles}}).map.tiles == tiles


def test_grouped_digits_read_as_python_reads_them():
    scenario = parse_scenario({"exposure": [{**_EXPOSURE, "radius": "1_000km"}]})
    assert scenario.exposures[0].radii_m == (float("1_000") * 1000,)
    assert scenario.exposures[0].radii_m == (geo.parse_distance("1000km"),)


def _towns() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Vladivostok", "Pyongyang"], "country": ["RU", "KP"], "population": [1, 2]},
        geometry=gpd.points_from_xy([131.8869, 125.7625], [43.1056, 39.0392]),
        crs="EPSG:4326",
    )


@pytest.mark.parametrize(
    "data, starts",
    [
        (
            {
                "distance": [{"from": "Vladivostok", "to": "Pyongyang", "about": "700km"}],
                "overview": {"around": "Narnia"},
            },
            'around = "Narnia" in [overview]: ',
        ),
        (
            {"distance": [{"from": "Vladivostok", "to": "Narnia", "about": "700km"}]},
            'to = "Narnia" in [[distance]] (entry 1): ',
        ),
    ],
)
def test_a_name_that_resolves_to_nothing_is_refused_by_its_key(data, starts, monkeypatch):
    # Names are resolved before anything is computed: a distance listed first is not measured.
    import maps.scenario as scenario

    def measured(*args, **kwargs):
        raise AssertionError("a claim was computed before every name was resolved")

    monkeypatch.setattr(scenario, "_check_distance", measured)
    with pytest.raises(InputError) as info:
        run_scenario(data, out_dir=None, png=False, settlements=_towns())
    assert str(info.value).startswith(starts), info.value
