"""The JavaScript and CSS a riskmap page needs, and how to inline them.

A riskmap page uses Leaflet, three Leaflet plugins and GeographicLib's geodesic
routines (so that measuring in the page is on WGS84, as in the library), nothing
else (no jQuery, no Bootstrap, no icon fonts). Each is vendored from the npm
registry into ``maps/static/`` (see ``maps/static/README.md``;
``python tools/vendor_assets.py`` re-fetches them). riskmap's own page script
(``maps/static/riskmap/``: the radius control, the WGS84 readouts, search and the
state in the URL) is always inlined. A saved map carries everything inline by
default, so that it opens with no network at all (tiles aside); with
``self_contained=False`` it links the packages from the CDNs folium uses.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from geo.errors import DataError

__all__ = ["Package", "PACKAGES", "JS", "CSS", "inline_assets", "page_script"]


@dataclass(frozen=True)
class Package:
    """One npm package vendored into ``maps/static/<name>/``.

    Parameters
    ----------
    name : str
        npm package name.
    version : str
        Exact version, the one folium links to.
    licence : str
        SPDX licence identifier.
    files : tuple of (str, str)
        ``(path in the npm tarball, path under maps/static/<name>/)`` pairs.

    Examples
    --------
    >>> leaflet = PACKAGES[0]
    >>> leaflet.name, leaflet.version, leaflet.files[0]
    ('leaflet', '1.9.3', ('package/dist/leaflet.js', 'leaflet.js'))
    """

    name: str
    version: str
    licence: str
    files: tuple[tuple[str, str], ...]


_MEASURE_IMAGES = tuple(
    (f"package/dist/images/{stem}{suffix}.png", f"images/{stem}{suffix}.png")
    for stem in ("cancel", "check", "focus", "rulers", "start", "trash")
    for suffix in ("", "_@2X")
)

#: The vendored packages; Leaflet and its plugins at the versions folium 0.20 links to.
PACKAGES: tuple[Package, ...] = (
    Package(
        "leaflet",
        "1.9.3",
        "BSD-2-Clause",
        (
            ("package/dist/leaflet.js", "leaflet.js"),
            ("package/dist/leaflet.css", "leaflet.css"),
            ("package/dist/images/layers.png", "images/layers.png"),
            ("package/dist/images/layers-2x.png", "images/layers-2x.png"),
            ("package/dist/images/marker-icon.png", "images/marker-icon.png"),
            ("package/LICENSE", "LICENSE"),
        ),
    ),
    Package(
        "leaflet-measure",
        "2.1.7",
        "MIT",
        (
            ("package/dist/leaflet-measure.min.js", "leaflet-measure.min.js"),
            ("package/dist/leaflet-measure.css", "leaflet-measure.css"),
            *_MEASURE_IMAGES,
            ("package/LICENSE", "LICENSE"),
        ),
    ),
    Package(
        "leaflet.fullscreen",
        "3.0.0",
        "MIT",
        (
            ("package/Control.FullScreen.js", "Control.FullScreen.js"),
            ("package/Control.FullScreen.css", "Control.FullScreen.css"),
            ("package/icon-fullscreen.svg", "icon-fullscreen.svg"),
            ("package/LICENSE", "LICENSE"),
        ),
    ),
    Package(
        "leaflet-groupedlayercontrol",
        "0.6.1",
        "MIT",
        (
            (
                "package/dist/leaflet.groupedlayercontrol.min.js",
                "leaflet.groupedlayercontrol.min.js",
            ),
            (
                "package/dist/leaflet.groupedlayercontrol.min.css",
                "leaflet.groupedlayercontrol.min.css",
            ),
            ("package/LICENSE.txt", "LICENSE.txt"),
        ),
    ),
    Package(
        "geographiclib-geodesic",
        "2.2.0",
        "MIT",
        (
            ("package/geographiclib-geodesic.min.js", "geographiclib-geodesic.min.js"),
            ("package/LICENSE.txt", "LICENSE.txt"),
        ),
    ),
)

# (folium resource name, CDN URL, vendored file under maps/static/). The URLs are
# folium 0.20's own, so a page saved without self_contained is what folium would write.
JS: tuple[tuple[str, str, str], ...] = (
    ("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js", "leaflet/leaflet.js"),
    (
        "leaflet_measure_js",
        "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.js",
        "leaflet-measure/leaflet-measure.min.js",
    ),
    (
        "Control.Fullscreen.js",
        "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js",
        "leaflet.fullscreen/Control.FullScreen.js",
    ),
    (
        "leaflet.groupedlayercontrol.min.js",
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet-groupedlayercontrol/0.6.1/"
        "leaflet.groupedlayercontrol.min.js",
        "leaflet-groupedlayercontrol/leaflet.groupedlayercontrol.min.js",
    ),
    (
        "geographiclib-geodesic",
        "https://cdn.jsdelivr.net/npm/geographiclib-geodesic@2.2.0/geographiclib-geodesic.min.js",
        "geographiclib-geodesic/geographiclib-geodesic.min.js",
    ),
)
CSS: tuple[tuple[str, str, str], ...] = (
    (
        "leaflet_css",
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
        "leaflet/leaflet.css",
    ),
    (
        "leaflet_measure_css",
        "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.css",
        "leaflet-measure/leaflet-measure.css",
    ),
    (
        "Control.FullScreen.css",
        "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css",
        "leaflet.fullscreen/Control.FullScreen.css",
    ),
    (
        "leaflet.groupedlayercontrol.min.css",
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet-groupedlayercontrol/0.6.1/"
        "leaflet.groupedlayercontrol.min.css",
        "leaflet-groupedlayercontrol/leaflet.groupedlayercontrol.min.css",
    ),
)

_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}
# folium's JavascriptLink and CssLink render exactly these tags.
_ASSET_RE = re.compile(
    r'<script src="(?P<js>[^"]+)"></script>|<link rel="stylesheet" href="(?P<css>[^"]+)"\s*/>'
)
_CSS_URL_RE = re.compile(r"url\((?P<q>['\"]?)(?P<ref>[^)'\"]+)(?P=q)\)")


def _static(relpath: str) -> bytes:
    resource = resources.files("maps").joinpath("static", *relpath.split("/"))
    try:
        return resource.read_bytes()
    except FileNotFoundError as exc:
        raise DataError(
            f"vendored asset maps/static/{relpath} is missing; reinstall riskmap, "
            "or re-fetch the assets with `python tools/vendor_assets.py`"
        ) from exc


def _css_with_data_uris(relpath: str) -> str:
    """Return a vendored stylesheet with its relative url(...) images inlined as data: URIs."""
    css = _static(relpath).decode("utf-8")
    folder = relpath.rsplit("/", 1)[0]

    def replace(match: re.Match[str]) -> str:
        ref = match.group("ref")
        suffix = "." + ref.rsplit(".", 1)[-1].lower() if "." in ref else ""
        if ref.startswith(("data:", "#", "http:", "https:")) or suffix not in _MIME:
            return match.group(0)
        data = base64.b64encode(_static(f"{folder}/{ref}")).decode("ascii")
        return f"url(data:{_MIME[suffix]};base64,{data})"

    return _CSS_URL_RE.sub(replace, css)


def inline_assets(html: str, *, allowed: Iterable[tuple[str, str, str]] = JS + CSS) -> str:
    """Replace links to the vendored JS and CSS with their inlined content.

    Parameters
    ----------
    html : str
        A rendered page that links its assets by their CDN URLs.
    allowed : iterable of (name, url, relpath)
        The assets that may be inlined (default: all vendored ones).

    Returns
    -------
    str
        The page with every ``<script src>`` and stylesheet ``<link>`` replaced by
        inline ``<script>`` and ``<style>`` elements.

    Raises
    ------
    DataError
        If the page links a script or stylesheet that is not vendored: the page
        would not open offline, so it is refused rather than written half-inlined.

    Examples
    --------
    >>> page = '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
    >>> inlined = inline_assets(page)
    >>> inlined.startswith("<script>"), "<script src=" in inlined, 't.version="1.9.3"' in inlined
    (True, False, True)
    """
    local = {url: relpath for _, url, relpath in allowed}

    def lookup(url: str) -> str:
        if url not in local:
            raise DataError(
                f"the map links {url!r}, which riskmap does not vendor, so it cannot be inlined; "
                "save with self_contained=False, or remove the element that needs it"
            )
        return local[url]

    def replace(match: re.Match[str]) -> str:
        if match.group("js") is not None:
            code = _static(lookup(match.group("js"))).decode("utf-8")
            # A literal "</script" inside inlined code would end the element early.
            return "<script>" + code.replace("</script", "<\\/script") + "</script>"
        return "<style>" + _css_with_data_uris(lookup(match.group("css"))) + "</style>"

    # One pass, so that inlined code is never scanned again.
    return _ASSET_RE.sub(replace, html)


def page_script() -> tuple[str, str]:
    """Return riskmap's own page script and stylesheet (``maps/static/riskmap/``).

    They are always inlined: they are riskmap's, with no CDN to link them from.

    Returns
    -------
    (str, str)
        The JavaScript and the CSS, as text.

    Examples
    --------
    >>> js, css = page_script()
    >>> "riskmapInstrument" in js, ".riskmap-radius" in css
    (True, True)
    """
    js = _static("riskmap/riskmap.js").decode("utf-8")
    css = _static("riskmap/riskmap.css").decode("utf-8")
    return js, css
