"""Folium renderer: a map description's layers as a Leaflet page.

Vector layers travel as GeoJSON, which is (lon, lat) by definition (RFC 7946)
and which Leaflet reads itself, so the only place riskmap turns (lon, lat) into
Leaflet's (lat, lon) is :func:`leaflet_latlon`, for the view bounds. Rings and
bands are the geodesic polygons computed by ``geo`` (never ``L.circle``, a Web
Mercator approximation); settlements are ``L.circleMarker`` (a radius in pixels).
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any

import folium
import numpy as np
import shapely
from branca.element import Element, Figure, MacroElement
from folium.plugins import Fullscreen, GroupedLayerControl, MeasureControl
from folium.template import Template

from maps._display import display_decimals
from maps.assets import CSS, JS, page_script
from maps.panel import legend_html

if TYPE_CHECKING:
    from maps.description import MapDescription
    from maps.layer import Layer

__all__ = ["build", "leaflet_latlon", "script_json"]

_CSS = """
<style>
.riskmap-box { background: rgba(255,255,255,0.92); padding: 6px 9px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 12px/1.35 system-ui, sans-serif; color: #222; }
.riskmap-panel { max-width: 440px; max-height: 60vh; overflow: auto; }
.riskmap-panel table { font-size: 11px; }
.riskmap-panel summary { font-weight: 600; cursor: pointer; }
.riskmap-note { margin: 4px 0; }
.riskmap-warning { color: #8a3c00; border-left: 3px solid #e08214; padding-left: 5px; }
.riskmap-warning::before { content: "Warning: "; font-weight: 600; }
.riskmap-table { border-collapse: collapse; margin: 6px 0; }
.riskmap-table caption { text-align: left; font-weight: 600; padding-bottom: 2px; }
.riskmap-table th, .riskmap-table td { padding: 1px 5px; border-bottom: 1px solid #ddd; }
.riskmap-table td { text-align: right; } .riskmap-table td:first-child { text-align: left; }
.riskmap-curve-title { font-weight: 600; margin-top: 6px; }
.riskmap-legend { max-width: 280px; }
.riskmap-legend-title { font-weight: 600; margin-bottom: 3px; }
.riskmap-legend-row svg { vertical-align: middle; }
.riskmap-legend-note { color: #555; font-size: 11px; margin-top: 2px; }
.riskmap-label { background: none; border: none; }
.riskmap-label span { display: inline-block; transform: translate(-50%, -50%); white-space: nowrap;
  font: 600 11px system-ui, sans-serif; color: #5a0000;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; }
.riskmap-label-above span { transform: translate(-50%, -145%); color: #08306b; }
</style>
"""


def leaflet_latlon(lonlat: Any) -> list[list[float]]:
    """Turn (lon, lat) pairs into Leaflet's [lat, lon] pairs: the one place the order flips.

    Parameters
    ----------
    lonlat : array_like of shape (n, 2) or (2,)
        Longitude and latitude in degrees, x first (riskmap's order everywhere else).

    Returns
    -------
    list of [float, float]
        ``[[lat, lon], ...]`` in degrees.
    """
    xy = np.atleast_2d(np.asarray(lonlat, dtype=float))
    return [[float(lat), float(lon)] for lon, lat in xy]


class _GeoJsonLayer(MacroElement):
    """A layer's features as compact GeoJSON, drawn by Leaflet into the parent FeatureGroup."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var styles = {{ this.styles|tojson }};
            var layer = L.geoJSON({{ this.data_json }}, {
                style: function(f) { return styles[f.properties.s]; },
                pointToLayer: function(f, latlng) {
                    if (f.properties.label !== undefined) {
                        // a place's name sits above its marker, a distance on its line
                        var cls = f.properties.n === undefined ? "riskmap-label"
                            : "riskmap-label riskmap-label-above";
                        return L.marker(latlng, {interactive: false, keyboard: false,
                            icon: L.divIcon({className: cls, iconSize: null,
                                             html: "<span>" + f.properties.label + "</span>"})});
                    }
                    var style = styles[f.properties.s];
                    return L.circleMarker(latlng, L.extend({radius: f.properties.r}, style));
                },
                onEachFeature: function(f, layer) {
                    if (f.properties.t) { layer.bindTooltip(f.properties.t, {sticky: true}); }
                }
            }).addTo({{ this._parent.get_name() }});
            riskmapPage.register(layer, {recolour: {{ this.recolour|tojson }}, styles: styles});
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self, data: dict[str, Any], styles: list[dict[str, Any]], *, recolour: bool = False
    ) -> None:
        super().__init__()
        self._name = "GeoJsonLayer"
        self.data = data
        self.data_json = script_json(data)
        self.styles = styles
        self.recolour = recolour


class _Instrument(MacroElement):
    """The page's radius control, readouts, search and URL state (maps/static/riskmap)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        riskmapPage.instrument({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self._name = "RiskmapInstrument"
        self.config = config
        self.config_json = script_json(config)


class _Control(MacroElement):
    """A Leaflet control holding HTML (legend, results panel)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function() {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, *, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "RiskmapControl"
        self.html = html_text
        self.position = position
        self.css_class = css_class


class _Attribution(MacroElement):
    """The data credit line, added to Leaflet's attribution control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RiskmapAttribution"
        self.text = text


def script_json(value: Any) -> str:
    r"""Return ``value`` as compact JSON that is safe inside a ``<script>`` element.

    Jinja's ``tojson`` writes every ``<`` and ``>`` of a tooltip as six characters and
    pads every separator; only ``</`` (which could end the element) and ``<!--`` need
    escaping there, which keeps a page of thousands of places about a fifth smaller.

    Parameters
    ----------
    value : JSON-serialisable
        What to write.

    Returns
    -------
    str

    Examples
    --------
    >>> print(script_json({"t": "<b>Seoul</b> – inside", "c": [1.5, 2]}))
    {"t":"<b>Seoul<\/b> – inside","c":[1.5,2]}
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def _geojson(layer: Layer, decimals: int) -> dict[str, Any]:
    features = []
    columns = layer.features.columns
    has_radius, has_name = "radius" in columns, "name" in columns
    has_distance = "distance_m" in columns
    for row in layer.features.itertuples(index=False):
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        props: dict[str, Any] = {"s": int(row.style), "t": row.tooltip}
        if has_radius:
            props["r"] = float(row.radius)
        if has_name:
            props["n"] = str(row.name)
        if has_distance:
            props["d"] = float(row.distance_m)
        features.append(
            {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": props}
        )
    for lon, lat, text in layer.labels:
        point = {"type": "Point", "coordinates": [round(lon, decimals), round(lat, decimals)]}
        props = {"label": html.escape(text), "n": text} if layer.kind == "point" else {}
        props.setdefault("label", html.escape(text))
        features.append({"type": "Feature", "geometry": point, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _plain(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).casefold().split())


def _without_tile_credit(credit: str, m: folium.Map) -> str:
    """Drop data credits the tile layer already shows (e.g. OpenStreetMap's), so none repeats."""
    tiles = " ".join(
        _plain(str(child.options.get("attribution", "")))
        for child in m._children.values()
        if isinstance(child, folium.TileLayer)
    )
    return " | ".join(part for part in credit.split(" | ") if part and _plain(part) not in tiles)


def _map_assets(m: folium.Map) -> None:
    # Leaflet and GeographicLib: riskmap pages use no jQuery, Bootstrap or icon fonts.
    m.default_js = [
        (name, url) for name, url, _ in JS if name in ("leaflet", "geographiclib-geodesic")
    ]
    m.default_css = [(name, url) for name, url, _ in CSS if name == "leaflet_css"]
    # riskmap's own script has no CDN: it is always inline, before the layers that use it.
    js, css = page_script()
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(
        Element("<script>" + js.replace("</script", "<\\/script") + "</script>"), name="riskmap_js"
    )
    root.header.add_child(Element("<style>" + css + "</style>"), name="riskmap_page_css")


def _in_frame(field: dict[str, Any], cut: float | None) -> float:
    """Return the field's west edge moved by whole turns so its middle is in the map's frame.

    The map reads longitudes from ``cut`` to ``cut + 360`` (from -180 to 180 without a
    cut, :attr:`MapDescription.cut`); the field was computed in its own continuous frame.
    """
    start = -180.0 if cut is None else cut
    middle = field["west"] + field["dlon"] * (field["nx"] - 1) / 2
    return float(field["west"] + 360.0 * np.floor((start + 360.0 - middle) / 360.0))


def build(desc: MapDescription) -> folium.Map:
    """Build a Folium map of a description's layers, panel, legend and controls."""
    west, south, east, north = desc.bounds
    center = leaflet_latlon([(west + east) / 2, (south + north) / 2])[0]
    m = folium.Map(location=center, zoom_start=5, tiles=desc.tiles, control_scale=True)
    _map_assets(m)
    root = m.get_root()
    assert isinstance(root, Figure)  # folium maps always sit in a Figure
    if desc.title:
        root.header.add_child(
            Element(f"<title>{html.escape(desc.title)}</title>"), name="riskmap_title"
        )
    root.header.add_child(Element(_CSS), name="riskmap_css")
    # No favicon: otherwise the browser asks the server (or the network) for one.
    root.header.add_child(Element('<link rel="icon" href="data:,">'), name="riskmap_favicon")

    decimals = display_decimals(desc.tolerance_m)
    groups: dict[str, list[folium.FeatureGroup]] = {}
    overlays: list[dict[str, str]] = []
    for layer in desc.layers:
        fg = folium.FeatureGroup(name=layer.name, show=layer.show)
        data = _geojson(layer, decimals)
        fg.add_child(_GeoJsonLayer(data, list(layer.styles), recolour=layer.recolour))
        fg.add_to(m)
        groups.setdefault(layer.group, []).append(fg)
        overlays.append({"name": layer.name, "layer": fg.get_name()})
    if groups:
        GroupedLayerControl(
            groups, exclusive_groups=False, collapsed=True, position="topright"
        ).add_to(m)

    units = {
        "nauticalmiles": {"factor": 1 / 1852.0, "display": "nmi", "decimals": 2},
        "sqkilometers": {"factor": 1e-6, "display": "km²", "decimals": 2},
    }
    MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="nauticalmiles",
        primary_area_unit="sqkilometers",
        secondary_area_unit="hectares",
        units=units,
    ).add_to(m)
    Fullscreen(position="topleft").add_to(m)

    legend = legend_html(desc.title or "Legend", desc.legend, desc.legend_notes)
    m.add_child(
        _Control(legend, position=desc.legend_position, css_class="riskmap-box riskmap-legend")
    )
    if desc.panel:
        m.add_child(
            _Control(
                desc.panel.to_html(), position="bottomright", css_class="riskmap-box riskmap-panel"
            )
        )
    credit = _without_tile_credit(desc.attribution, m)
    if credit:
        m.add_child(_Attribution(credit))
    # Leave room for the panel on the right, so the initial view is not hidden behind it.
    right = 440 if desc.panel else 10
    m.fit_bounds(
        leaflet_latlon([(west, south), (east, north)]),
        padding_top_left=(50, 10),
        padding_bottom_right=(right, 10),
    )
    radius = None if desc.radius is None else desc.radius.to_json()
    if radius is not None and radius["field"] is not None:
        radius["field"]["west"] = _in_frame(radius["field"], desc.cut)
    m.add_child(_Instrument({"overlays": overlays, "radius": radius}))
    return m
