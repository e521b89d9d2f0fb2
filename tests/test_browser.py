"""Generated maps in headless Chromium: no console errors, layers drawn where they belong.

Needs Debian's ``chromium`` package (or ``$CHROMIUM`` pointing to a Chromium
binary); skipped otherwise, and under ``CI=true`` (where CI installs it) a skip
fails the run (``tests/conftest.py``). Pages are served from a local http.server on
127.0.0.1; screenshots go to the test's tmp_path, or to ``$RISKMAP_SCREENSHOTS``.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import geopandas as gpd
import pytest
from _chromium import Chromium, find_chromium

from layers import DataSource, Provenance
from maps import RiskMap, run_scenario

pytestmark = pytest.mark.browser

CHROMIUM = find_chromium()
VLADIVOSTOK = (131.8869, 43.1056)
PYONGYANG = (125.7625, 39.0392)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip(
            "Chromium not found: install Debian's 'chromium' package, "
            "or set CHROMIUM=/path/to/chromium"
        )
    with Chromium(CHROMIUM) as chromium:
        yield chromium


@pytest.fixture
def serve(tmp_path):
    """Serve tmp_path on 127.0.0.1 and return a function giving a file's URL."""
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield lambda name: f"http://127.0.0.1:{server.server_address[1]}/{name}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


def _keep_screenshot(path: Path) -> None:
    folder = os.environ.get("RISKMAP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def _places() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "name": ["Vladivostok", "Ussuriysk", "Khabarovsk"],
            "country": ["RU"] * 3,
            "population": [587_022, 157_068, 577_441],
            "distance_m": [124_600.0, 170_000.0, 700_000.0],
        },
        geometry=gpd.points_from_xy([131.8869, 131.9511, 135.0721], [43.1056, 43.8003, 48.4827]),
        crs="EPSG:4326",
    )
    frame.attrs["provenance"] = Provenance(
        (DataSource("GeoNames", "t", "CC BY 4.0", "GeoNames (CC BY 4.0)"),)
    )
    return frame


MAP_JS = "window[Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)]"


def _test_map(kp_land, *, tiles):
    return (
        RiskMap(title="Browser check", tiles=tiles)
        .add_territory(kp_land, name="North Korea")
        .add_rings(kp_land, ["50km", "200km"], of="North Korea")
        .add_rings(
            kp_land,
            ["100km"],
            of="North Korea",
            filled=False,
            name="hidden ring",
            show=False,
        )
        .add_settlements(_places(), radius_m="200km", of="North Korea")
        .add_geodesic_line(VLADIVOSTOK, PYONGYANG, labels=("Vladivostok", "Pyongyang"))
        .add_note("Claim: holds.")
    )


def _expected_paths(rmap: RiskMap, *, shown: bool = True) -> int:
    return sum(len(layer.features) for layer in rmap.describe().layers if layer.show == shown)


def test_self_contained_map_renders_offline(browser, serve, tmp_path, kp_land):
    rmap = _test_map(kp_land, tiles=None)
    rmap.save(tmp_path / "map.html", self_contained=True)
    report = browser.load(serve("map.html"))
    assert report.errors() == []
    assert report.failed_requests == []
    assert all(u.startswith(("http://127.0.0.1", "data:")) for u in report.requests), (
        report.requests
    )

    paths = browser.evaluate("document.querySelectorAll('path.leaflet-interactive').length")
    assert paths == _expected_paths(rmap)
    assert (
        browser.evaluate("document.querySelectorAll('.riskmap-label').length") == 5
    )  # 50, 200 km, 684 km, and the two places the line joins
    for selector in (
        ".leaflet-control-measure",
        ".leaflet-control-zoom-fullscreen",
        ".leaflet-control-layers-group",
        ".riskmap-legend",
        ".riskmap-panel",
    ):
        assert browser.evaluate(f"document.querySelectorAll('{selector}').length") >= 1, selector
    assert "Claim: holds." in browser.evaluate("document.querySelector('.riskmap-panel').innerText")

    # Vladivostok's marker: at lat 43.1, lon 131.9 in Leaflet, drawn where Leaflet projects it
    found = browser.evaluate(
        f"""(() => {{ const map = {MAP_JS}; let out = null;
            map.eachLayer(l => {{
              const tip = l.getTooltip && l.getTooltip();
              if (l instanceof L.CircleMarker && tip && /Vladivostok/.test(tip.getContent())
                  && l.options.radius > 5) {{
                const r = l._path.getBoundingClientRect();
                const c = map.getContainer().getBoundingClientRect();
                const p = map.latLngToContainerPoint([{VLADIVOSTOK[1]}, {VLADIVOSTOK[0]}]);
                out = {{lat: l.getLatLng().lat, lng: l.getLatLng().lng,
                        dx: (r.left + r.width / 2 - c.left) - p.x,
                        dy: (r.top + r.height / 2 - c.top) - p.y}};
              }} }});
            return out; }})()"""
    )
    assert found is not None
    assert found["lat"] == pytest.approx(VLADIVOSTOK[1], abs=1e-3)
    assert found["lng"] == pytest.approx(VLADIVOSTOK[0], abs=1e-3)
    assert abs(found["dx"]) <= 1.5 and abs(found["dy"]) <= 1.5

    # the measure tool reads out kilometres and nautical miles (185.2 km = 100 nmi)
    shown = browser.evaluate(
        """(() => {
            const m = window[Object.keys(window).find(k => k.startsWith('measure_control_'))];
            const at = {dms: {x: '', y: ''}, dd: {x: 0, y: 0}};
            return m._getMeasurementDisplayStrings({length: 185200, area: 0, lastCoord: at});
        })()"""
    )
    assert shown["lengthDisplay"] == "185.20 Kilometers (100.00 nmi)"

    # a hidden layer comes on from the grouped layer control
    browser.evaluate(
        """[...document.querySelectorAll('.leaflet-control-layers-selector')]
             .find(i => (i.nextElementSibling || {}).textContent.includes('hidden ring'))
             .click()"""
    )
    after = browser.evaluate("document.querySelectorAll('path.leaflet-interactive').length")
    assert after == paths + _expected_paths(rmap, shown=False)
    shot = browser.screenshot(tmp_path / "browser_map.png")
    _keep_screenshot(shot)


def test_vector_layers_show_when_tiles_cannot_load(browser, serve, tmp_path, kp_land):
    rmap = _test_map(kp_land, tiles="OpenStreetMap")
    rmap.save(tmp_path / "tiles.html", self_contained=True)
    report = browser.load(serve("tiles.html"))
    # Tiles may fail (no network here); nothing else may.
    errors = [e for e in report.errors() if "tile.openstreetmap.org" not in e]
    assert errors == []
    assert browser.evaluate(
        "document.querySelectorAll('path.leaflet-interactive').length"
    ) == _expected_paths(rmap)
    attribution = browser.evaluate(
        "document.querySelector('.leaflet-control-attribution').innerText"
    )
    assert "OpenStreetMap" in attribution and "GeoNames (CC BY 4.0)" in attribution


def test_scenario_map_renders(browser, serve, tmp_path):
    example = Path(__file__).resolve().parents[1] / "examples" / "summit_2019.toml"
    result = run_scenario(example, out_dir=tmp_path, png=False, self_contained=True)
    report = browser.load(serve(result.html_path.name), settle=2.0)
    errors = [e for e in report.errors() if "tile.openstreetmap.org" not in e]
    assert errors == []
    paths = browser.evaluate("document.querySelectorAll('path.leaflet-interactive').length")
    assert paths == _expected_paths(result.map)
    shot = browser.screenshot(tmp_path / "summit_2019_browser.png")
    _keep_screenshot(shot)
