"""Settlement coverage warnings reach the map's results panel and the scenario report.

The reference for which countries warn is computed here: the ratio of the country's
settlements in the packaged data to its population (both from the packaged tables,
summed in this file), against the issue's bounds, 1.2 and 0.6.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
import shapely

import layers
from maps import RiskMap, run_scenario

SHENZHEN = (114.0579, 22.5431)  # (lon, lat): China's places hold about half of its people


@pytest.fixture(scope="module")
def settlements():
    return layers.settlements()


def _reference_ratio(settlements, code: str) -> float:
    """People in the country's packaged settlements (sections left out) ÷ its population."""
    mine = settlements[settlements["country"] == code]
    return float(mine["population"].sum()) / layers.country(code).population


@pytest.fixture(scope="module")
def shenzhen(settlements):
    return layers.exposure(shapely.Point(SHENZHEN), settlements, ["20km", "50km"])


def test_the_reference_says_china_undercounts(settlements, shenzhen):
    ratio = _reference_ratio(settlements, "CN")
    assert ratio < 0.6  # so the result must carry a warning for CN, and the map show it
    assert shenzhen.coverage["CN"] == pytest.approx(ratio, rel=1e-9)
    flagged = {w.split(":")[0] for w in shenzhen.warnings}
    expected = {c for c in shenzhen.coverage if not 0.6 <= _reference_ratio(settlements, c) <= 1.2}
    assert flagged == expected and "CN" in flagged


def test_the_results_panel_shows_each_coverage_warning(shenzhen):
    rmap = RiskMap(tiles=None).add_exposure(shenzhen, of="Shenzhen")
    panel = rmap.describe().panel
    assert list(panel.warnings) == list(shenzhen.warnings)
    page = rmap.render()
    # the panel's HTML sits in the page as a JSON string: decode its escapes first
    page = page.replace("\\u003c", "<").replace("\\u003e", ">").replace('\\"', '"')
    shown = re.findall(r'<p class="riskmap-note riskmap-warning">(.*?)</p>', page)
    assert len(shown) == len(shenzhen.warnings)
    assert all("CN" in text or "settlement" in text for text in shown)
    assert any("undercount" in text and "China" in text for text in shown)
    text = panel.to_text()
    assert all(w in text.replace("\n", " ") for w in shenzhen.warnings)


def test_a_warning_shown_twice_is_listed_once(shenzhen):
    rmap = RiskMap(tiles=None).add_exposure(shenzhen).add_exposure(shenzhen, radius="20km")
    assert list(rmap.describe().panel.warnings) == list(shenzhen.warnings)


def test_a_map_without_warnings_shows_none():
    rmap = RiskMap(tiles=None).add_territory(shapely.box(0, 0, 1, 1)).add_note("Claim: holds.")
    assert rmap.describe().panel.warnings == ()
    assert "riskmap-warning" not in rmap.render().split("<style>")[-1].split("</style>")[-1]


def test_the_scenario_report_and_map_carry_the_warnings(tmp_path):
    towns = gpd.GeoDataFrame(  # a table of one's own: riskmap knows no totals for it
        {
            "name": ["Vladivostok", "Ussuriysk"],
            "country": ["RU", "RU"],
            "population": [604_901, 170_000],
        },
        geometry=gpd.points_from_xy([131.8735, 131.9511], [43.1056, 43.8003]),
        crs="EPSG:4326",
    )
    scenario = {
        "exposure": [
            {
                "around": "KP",
                "boundaries": ["naturalearth"],
                "country": "RU",
                "radius": "200km",
                "more_than": 100_000,
            }
        ],
        "overview": {
            "around": "KP",
            "boundary": "naturalearth",
            "radius": "200km",
            "curve_to": "200km",
        },
    }
    result = run_scenario(scenario, out_dir=None, settlements=towns)
    (check,) = result.exposures
    assert check.warnings and all("coverage unknown" in w for w in check.warnings)
    assert result.overview.warnings and "coverage unknown" in result.overview.warnings[0]
    report = result.to_text()
    claim = report[report.index("Claim 1:") : report.index("Population within")]
    assert f"  warning: {check.warnings[0]}" in claim
    overview = report[report.index("Population within") :]
    assert f"  warning: {result.overview.warnings[0]}" in overview
    warnings = result.map.describe().panel.warnings
    assert set(warnings) == set(check.warnings) | set(result.overview.warnings)
