"""The page as an instrument, in headless Chromium: radius control, ring, URL state, WGS84
measuring, search, and a panel that leaves the subject visible on a 1366 x 768 screen.

One page is built and loaded once for the module (North Korea from Natural Earth 1:50m,
the packaged settlements around it, radii 50-200 km); every test reads or drives that
page. The figures are compared with ``Exposure.population`` and ``Exposure.curve``, the
ring with the brute-force reference distance of ``tests/reference.py``, the measured
lengths with pyproj's ``Geod.inv``. Skipped without Chromium, failing under ``CI=true``.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading

import numpy as np
import pytest
import reference
from _chromium import Chromium, find_chromium
from pyproj import Geod

import layers
from maps import RiskMap

pytestmark = pytest.mark.browser

CHROMIUM = find_chromium()
GEOD = Geod(ellps="WGS84")
# The README's coordinates: 684.5 km on WGS84, 683.9 km on leaflet-measure's 6,371 km sphere.
VLADIVOSTOK = (131.8735, 43.1056)
PYONGYANG = (125.7543, 39.0339)
RADII = ["50km", "100km", "150km", "200km"]
MAP = "window[Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)]"


# Screen rectangles of the subject's outline and of every riskmap box on the page.
_BOXES = f"""(() => {{
  const rect = e => {{ const r = e.getBoundingClientRect();
                      return [r.left, r.top, r.right, r.bottom]; }};
  let subject = null;
  {MAP}.eachLayer(l => {{ const t = l.getTooltip && l.getTooltip();
    if (l._path && t && /^<b>North Korea<\\/b>/.test(t.getContent())) subject = rect(l._path); }});
  const controls = [...document.querySelectorAll('.riskmap-box')].map(rect);
  return {{subject, controls}}; }})()"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def page(tmp_path_factory, kp_land):
    """The map, its exposure, and a Chromium that opened it at #radius=150km."""
    if CHROMIUM is None:
        pytest.skip("Chromium not found: install Debian's 'chromium' package, or set CHROMIUM")
    towns = layers.settlements(bbox=(118, 32, 140, 48))
    exposure = layers.exposure(kp_land, towns, RADII)
    rmap = (
        RiskMap(title="Instrument check", tiles=None)
        .add_territory(kp_land, name="North Korea")
        .add_exposure(exposure, source=kp_land, of="North Korea")
        .add_geodesic_line(VLADIVOSTOK, PYONGYANG, labels=("Vladivostok", "Pyongyang"))
    )
    folder = tmp_path_factory.mktemp("instrument")
    rmap.save(folder / "map.html")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/map.html"
    with Chromium(CHROMIUM, width=1366, height=768) as browser:
        report = browser.load(url + "#radius=150km", settle=1.0)
        opening = browser.evaluate(_BOXES)
        yield {
            "browser": browser,
            "report": report,
            "exposure": exposure,
            "map": rmap,
            "url": url,
            "opening": opening,
        }
    server.shutdown()
    server.server_close()


def _read(browser, key):
    value = browser.evaluate(f"document.querySelector('[data-riskmap=\"{key}\"]').dataset.value")
    return float(value)


def _set_radius(browser, text):
    browser.evaluate(
        f"""(() => {{ const i = document.querySelector('.riskmap-radius-input');
            i.value = {json.dumps(text)}; i.dispatchEvent(new Event('change')); }})()"""
    )


def _by_country(browser):
    return browser.evaluate(
        """Object.fromEntries([...document.querySelectorAll('tr[data-riskmap-country]')].map(
             tr => [tr.dataset.riskmapCountry, Number(tr.cells[1].dataset.value)]))"""
    )


def test_page_loads_offline_without_errors(page):
    report = page["report"]
    assert report.errors() == []
    assert report.failed_requests == []
    assert all(u.startswith(("http://127.0.0.1", "data:")) for u in report.requests), (
        report.requests
    )


def test_fragment_opens_at_its_radius(page):
    browser, exposure = page["browser"], page["exposure"]
    assert browser.evaluate("document.querySelector('[data-riskmap=\"radius\"]').textContent") == (
        "150 km"
    )
    assert _read(browser, "radius") == 150_000
    assert _read(browser, "radius-population") == exposure.population("150km")


def test_moving_the_control_recounts_as_python_does(page):
    browser, exposure = page["browser"], page["exposure"]
    for text in ("50 km", "100km", "200 km", "150 km"):
        _set_radius(browser, text)
        assert _read(browser, "radius-population") == exposure.population(text), text
        for code, people in _by_country(browser).items():
            assert people == exposure.population(text, country=code), (text, code)
    # between the radii computed: the curve of the same exact distances
    for r in (12_300.0, 87_654.3 // 100 * 100, 199_900.0):
        browser.evaluate(
            f"""(() => {{ const s = document.querySelector('.riskmap-radius-slider');
                s.value = '{r}'; s.dispatchEvent(new Event('input')); }})()"""
        )
        expected = float(exposure.curve(radii=[r])["population"].iloc[0])
        assert _read(browser, "radius-population") == expected, r
    # places drawn red are exactly those within the radius
    colours = browser.evaluate(
        f"""(() => {{ const out = []; {MAP}.eachLayer(l => {{
              if (l instanceof L.CircleMarker && l.feature && l.feature.properties.d !== undefined)
                out.push([l.feature.properties.d, l.options.fillColor]); }});
            return out; }})()"""
    )
    assert colours
    assert all((d <= 199_900.0) == (colour == "#b2182b") for d, colour in colours)


def test_a_bad_typed_radius_is_refused_by_name(page):
    browser = page["browser"]
    _set_radius(browser, "250 km")
    message = browser.evaluate(
        "document.querySelector('[data-riskmap=\"radius-error\"]').textContent"
    )
    assert "'250 km' is beyond 200 km" in message and "give at most 200 km" in message
    _set_radius(browser, "lots")
    message = browser.evaluate(
        "document.querySelector('[data-riskmap=\"radius-error\"]').textContent"
    )
    assert "'lots' is not a distance" in message and "150 km" in message
    _set_radius(browser, "150 km")


@pytest.mark.parametrize("radius_m", [30_000.0, 120_000.0])
def test_ring_is_within_its_stated_error_of_the_exact_distance(page, kp_land, radius_m):
    browser = page["browser"]
    _set_radius(browser, f"{radius_m / 1000:g} km")
    stated = _read(browser, "ring-error")
    segments = browser.evaluate(
        f"{MAP}.riskmapPage.ring.getLatLngs().map(s => s.map(p => [p.lng, p.lat]))"
    )
    vertices = np.array([p for s in segments for p in s])
    assert len(vertices) > 100
    sample = vertices[np.random.default_rng(1).choice(len(vertices), 60, replace=False)]
    exact = reference.distance_to(sample, kp_land)
    worst = float(np.max(np.abs(exact - radius_m)))
    assert worst <= stated, (worst, stated)
    # the legend gives the panel's figure, at the radius shown, under every radius's worst
    legend = browser.evaluate("document.querySelector('.riskmap-legend').innerText")
    overall = page["map"].describe().radius.field.error_m
    dashed = f"Dashed ring at {radius_m / 1000:g} km: within {stated:,.0f} m of the exact buffer"
    assert dashed in legend and stated <= overall


def test_click_measures_on_wgs84(page, kp_land):
    browser = page["browser"]
    for lon, lat in (VLADIVOSTOK, PYONGYANG):
        browser.evaluate(f"void {MAP}.fire('click', {{latlng: L.latLng({lat}, {lon})}})")
    shown = _read(browser, "click-distance")
    exact = GEOD.inv(*VLADIVOSTOK, *PYONGYANG)[2]
    assert shown == pytest.approx(exact, abs=1e-3)
    text = browser.evaluate("document.querySelector('[data-riskmap=\"click-distance\"]').innerText")
    assert text == "684.5 km"
    # the distance to the source, not to its centroid: Vladivostok is ~124 km from the border
    browser.evaluate(
        f"void {MAP}.fire('click', {{latlng: L.latLng({VLADIVOSTOK[1]}, {VLADIVOSTOK[0]})}})"
    )
    to_source = _read(browser, "click-source-distance")
    exact_source = float(reference.distance_to([VLADIVOSTOK], kp_land)[0])
    stated = page["map"].describe().radius.field.error_at(exact_source)
    assert abs(to_source - exact_source) <= stated
    # leaflet-measure's ruler reads the same WGS84 length (its own sphere says 683.9 km)
    ruler = browser.evaluate(
        f"""(() => {{
            const m = window[Object.keys(window).find(k => k.startsWith('measure_control_'))];
            m._latlngs = [L.latLng({VLADIVOSTOK[1]}, {VLADIVOSTOK[0]}),
                          L.latLng({PYONGYANG[1]}, {PYONGYANG[0]})];
            const at = {{dms: {{x: '', y: ''}}, dd: {{x: 0, y: 0}}}};
            const out = m._getMeasurementDisplayStrings({{length: 0, area: 0, lastCoord: at}});
            m._latlngs = [];
            return out.lengthDisplay; }})()"""
    )
    assert ruler.endswith(" Kilometers (369.58 nmi)")
    assert float(ruler.split()[0]) == pytest.approx(exact / 1000, abs=0.005)  # 684.47


def test_search_finds_a_place_by_name(page):
    browser = page["browser"]
    found = browser.evaluate(f"{MAP}.riskmapPage.find('ussuriysk')")
    assert found == "Ussuriysk"
    centre = browser.evaluate(
        f"(() => {{ const c = {MAP}.getCenter(); return [c.lng, c.lat]; }})()"
    )
    assert centre == pytest.approx([131.95, 43.80], abs=0.05)
    assert browser.evaluate(f"{MAP}.riskmapPage.find('Atlantis')") is None
    assert "'Atlantis' is not on this map" in browser.evaluate(
        "document.querySelector('[data-riskmap=\"search-result\"]').textContent"
    )


def test_state_lives_in_the_fragment(page):
    browser = page["browser"]
    _set_radius(browser, "100 km")
    assert "radius=100km" in browser.evaluate("location.hash")
    link = browser.evaluate(
        "document.querySelector('[data-riskmap=\"copy-link\"]').click(),"
        "document.querySelector('[data-riskmap=\"copy-link\"]').dataset.link"
    )
    assert link.startswith(page["url"] + "#radius=100km&layers=")
    # a fragment with only the territory shown, a view and a radius
    browser.evaluate("location.hash = '#radius=60km&layers=0&view=7/41.0/129.0'")
    browser.evaluate("new Promise(r => setTimeout(r, 300))")
    assert _read(browser, "radius") == 60_000
    shown = browser.evaluate(
        f"""(() => {{ const map = {MAP}; return map.riskmapPage.overlays
             .map((fg, i) => map.hasLayer(fg) ? i : -1).filter(i => i >= 0); }})()"""
    )
    assert shown == [0]
    assert browser.evaluate(f"{MAP}.getZoom()") == 7
    browser.evaluate("location.hash = '#radius=150km&layers=0,1,2,3,4'")
    browser.evaluate("new Promise(r => setTimeout(r, 300))")


def test_panel_collapses_and_leaves_the_subject_visible(page):
    browser, boxes = page["browser"], page["opening"]
    west, top, east, bottom = boxes["subject"]
    assert 0 <= west and east <= 1366 and 0 <= top and bottom <= 768
    for left, ctop, right, cbottom in boxes["controls"]:
        overlap_x = max(0, min(east, right) - max(west, left))
        overlap_y = max(0, min(bottom, cbottom) - max(top, ctop))
        assert overlap_x * overlap_y == 0, (boxes["subject"], (left, ctop, right, cbottom))
    before = browser.evaluate("document.querySelector('.riskmap-panel').offsetHeight")
    browser.evaluate("document.querySelector('.riskmap-panel summary').click()")
    after = browser.evaluate("document.querySelector('.riskmap-panel').offsetHeight")
    assert after < before / 3
    browser.evaluate("document.querySelector('.riskmap-panel summary').click()")
