"""What a map shows, one frozen dataclass per concept, and the display layers they draw.

A :class:`~maps.RiskMap` is a list of elements: :class:`Territory`, :class:`Rings`,
:class:`Border`, :class:`Settlements`, :class:`GeodesicLine` on the map, the panel's
:class:`~maps.panel.Note`, :class:`~maps.panel.Table` and :class:`~maps.panel.Curve`,
and :class:`Credit` for a source shown only in numbers. Every map element shares the
options of :class:`maps.layer.Element` (name, group, show, fit, provenance) and draws
itself as :class:`maps.layer.Layer` objects, which are all the renderers
(:mod:`maps._folium`, :mod:`maps._png`) read: the page and the image show the same
content, and a new element needs no change to either.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geo
from geo.errors import InputError, InputTypeError
from geo.validation import as_points
from layers import Provenance, Source, resolve_source, variant_label
from layers.regions import region_label
from maps._display import (
    as_frame,
    check_bounds,
    detail_inside,
    features,
    format_int,
    format_km,
    is_region,
    label_of,
    marker_radius,
    provenance_of,
    top_point,
)
from maps.layer import Element, Layer
from maps.panel import LegendEntry

__all__ = [
    "BAND_COLORS",
    "INSIDE_COLOR",
    "OUTSIDE_COLOR",
    "LINE_COLOR",
    "Territory",
    "Rings",
    "Border",
    "Settlements",
    "GeodesicLine",
    "Credit",
]

#: Fill colours of distance bands, innermost first.
BAND_COLORS = ("#d7301f", "#fc8d59", "#fdcc8a", "#fef0d9", "#f7f7f7")
#: Settlements inside / outside the radius.
INSIDE_COLOR = "#b2182b"
OUTSIDE_COLOR = "#4d4d4d"
#: Colour of geodesic lines.
LINE_COLOR = "#2166ac"

_TERRITORY: dict[str, Any] = {
    "color": "#67001f",
    "weight": 2,
    "fillColor": "#b2182b",
    "fillOpacity": 0.15,
}
_CONTEXT: dict[str, Any] = {
    "color": "#7f7f7f",
    "weight": 1,
    "fillColor": "#bdbdbd",
    "fillOpacity": 0.08,
}
_LINE: dict[str, Any] = {"color": LINE_COLOR, "weight": 3, "dashArray": "8 5", "fillOpacity": 0}


@dataclass(frozen=True, kw_only=True, eq=False)
class Territory(Element):
    """A territory (e.g. from ``layers.territory``), as the subject or as grey context.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries, shapely geometry or layers.Source
        With a CRS (GeoDataFrame/GeoSeries) or in lon/lat degrees (shapely); a
        :class:`layers.Source` gives its ``data``.
    name : str, optional
        Default the ``name`` column followed by the ``variant``.
    group : str, default "Territories"
    context : bool, default False
        Draw as grey background (neighbouring countries) rather than as the subject.
    color : str, optional
        Outline colour (CSS); the fill follows it.
    fit : bool, optional
        Default True for a subject, False for context.
    clip : (west, south, east, north), optional
        Draw the part inside this box (degrees) in full display detail and the rest
        coarser (:data:`maps._display.COARSE_TOLERANCE_M`), as one shape: large neighbours stay
        small in the page and reach the edge of the world, with no seam at the box.
    show, provenance
        See :class:`Element`.

    Examples
    --------
    >>> area = Territory(shapely.box(125, 38, 130, 43), name="Box")
    >>> layer, = area.layers(200.0)
    >>> layer.name, layer.kind, layer.fit, layer.legend[0].label
    ('Box', 'area', True, 'Box')
    """

    data: Any = field(kw_only=False)
    group: str = "Territories"
    fit: bool | None = None
    context: bool = False
    color: str | None = None
    clip: Sequence[float] | None = None

    def __post_init__(self) -> None:
        self._take_data("territory")
        if self.clip is not None:
            object.__setattr__(self, "clip", check_bounds(self.clip))

    def _draw(self, tolerance_m: float) -> tuple[Layer, ...]:
        frame = self.data
        style = dict(_CONTEXT if self.context else _TERRITORY)
        if self.color:
            style.update(color=self.color, fillColor=self.color)
        geoms = frame.geometry.values
        tips = []
        for _, row in frame.iterrows():
            extra = " · ".join(
                str(row[k]) for k in ("source", "variant") if k in row and pd.notna(row[k])
            )
            tips.append(
                f"<b>{html.escape(label_of(row, self.name or 'territory'))}</b>"
                + (f"<br>{html.escape(extra)}" if extra else "")
            )
        if self.clip is not None:
            geoms = detail_inside(geoms, self.clip, tolerance_m)
        styles = [style]
        style_idx = [0] * len(geoms)
        name = self.name
        if name is None and is_region(frame):  # as the title and tables name it
            name = region_label(frame)
        if name is None:
            row = frame.iloc[0]
            variant = f" ({variant_label(str(row['variant']))})" if "variant" in row else ""
            name = label_of(row, "Territory") + variant
        legend = (
            [] if self.context else [LegendEntry(name, "area", style["color"], style["fillColor"])]
        )
        return (
            Layer(
                name,
                self.group,
                "area",
                features(geoms, tolerance_m, tooltip=tips, style=style_idx),
                styles,
                legend=legend,
                show=self.show,
                fit=(not self.context) if self.fit is None else self.fit,
                background=self.context,
            ),
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class Rings(Element):
    """Geodesic distance bands (0–d1, d1–d2, …) labelled with their distance.

    The bands are the densified geodesic polygons of :func:`geo.rings`, never a
    Leaflet circle (which is a Web Mercator approximation).

    Parameters
    ----------
    data : GeoDataFrame
        The result of :func:`geo.rings`: columns ``distance_min``, ``distance_max`` and
        ``error_m``, in metres (see :meth:`around` to compute it).
    name : str, optional
        Default ``"Within <max> km of <of>"``.
    of : str, default ""
        What the distances are measured from, for tooltips ("North Korea").
    group : str, default "Distance rings"
    filled : bool, default True
        Fill the bands; with False only their outlines are drawn (to compare variants).
    color : str, optional
        Outline colour; default dark red.
    show, fit, provenance
        See :class:`Element`.

    Examples
    --------
    >>> rings = Rings.around(shapely.Point(131.9, 43.1), ["100km", "200km"], of="V")
    >>> layer, = rings.layers(200.0)
    >>> layer.name, [text for _, _, text in layer.labels]
    ('Within 200 km of V', ['100 km', '200 km'])
    >>> print(f"{rings.boundary_error_m:.1f} m")
    3.1 m
    """

    data: Any = field(kw_only=False)
    of: str = ""
    group: str = "Distance rings"
    filled: bool = True
    color: str | None = None

    def __post_init__(self) -> None:
        self._take_data("rings")

    @classmethod
    def around(
        cls,
        source: Any,
        distances: Sequence[float | str] | None = None,
        *,
        outside_only: bool = True,
        **options: Any,
    ) -> Rings:
        """Return the rings of ``source``: computed around a geometry, or taken as given.

        Parameters
        ----------
        source : GeoDataFrame, GeoSeries, geometry, (lon, lat) pair, str or layers.Source
            Either the result of :func:`geo.rings` (taken as it is), or the geometry
            to draw rings around: with a CRS, a shapely geometry or a pair in lon/lat
            degrees, a name or ``"lon,lat"`` (:func:`layers.resolve_source`), or a
            :class:`layers.Source` (which also names ``of``).
        distances : sequence of float (metres) or str (``"200km"``), optional
            Outer distances of the bands; required when ``source`` is a geometry.
        outside_only : bool, default True
            Leave the source polygon itself out of the bands.
        **options
            The other fields of :class:`Rings`.

        Returns
        -------
        Rings

        Examples
        --------
        >>> Rings.around(shapely.Point(0, 0), ["1km"]).data["distance_max"].tolist()
        [1000.0]
        """
        if isinstance(source, gpd.GeoDataFrame) and "distance_max" in source.columns:
            return cls(source, **options)
        if isinstance(source, str):  # a name or 'lon,lat', read as layers.exposure reads it
            source = resolve_source(source)
        if isinstance(source, Source) and not options.get("of"):
            options["of"] = source.name
        if not distances:
            raise InputError(
                f"distances={distances!r}: give the band distances (e.g. ['50km', '200km']) "
                "when source is a geometry, or pass the result of geo.rings"
            )
        metres = [geo.parse_distance(d) for d in distances]
        rings = geo.rings(as_frame(source, what="rings source"), metres, outside_only=outside_only)
        prov = provenance_of(source)
        if prov is not None:
            prov.attach(rings)
        return cls(rings, **options)

    @property
    def boundary_error_m(self) -> float | None:
        """Largest distance in metres of a drawn ring from the exact geodesic one."""
        if "error_m" not in self.data:
            return None
        errors = self.data["error_m"].to_numpy(dtype=float)
        return float(np.nanmax(errors)) if np.isfinite(errors).any() else None

    def _draw(self, tolerance_m: float) -> tuple[Layer, ...]:
        rings = self.data.sort_values("distance_max")
        outline = self.color or "#7f0000"
        where = f" of {html.escape(self.of)}" if self.of else ""
        styles: list[dict[str, Any]] = []
        tips: list[str] = []
        labels: list[tuple[float, float, str]] = []
        legend: list[LegendEntry] = []  # a row per band, by its own limits, filled as drawn
        for i, (_, row) in enumerate(rings.iterrows()):
            fill = BAND_COLORS[min(i, len(BAND_COLORS) - 1)]
            opacity = 0.3 if self.filled else 0.0
            styles.append(
                {"color": outline, "weight": 1.5, "fillColor": fill, "fillOpacity": opacity}
            )
            lo, hi = float(row["distance_min"]), float(row["distance_max"])
            band = f"Within {hi / 1000:g} km" if lo <= 0 else f"{lo / 1000:g}–{hi / 1000:g} km"
            kind = "area" if self.filled else "line"
            legend.append(
                LegendEntry(band + (f" of {self.of}" if self.of else ""), kind, outline, fill)
            )
            tip = f"<b>{lo / 1000:g}–{hi / 1000:g} km</b>{where}<br>geodesic, WGS84"
            err = (
                float(row["error_m"]) if "error_m" in row and pd.notna(row["error_m"]) else math.nan
            )
            if math.isfinite(err):
                tip += f"; boundary within {err:,.1f} m of exact"
            tips.append(tip)
            lon, lat = top_point(row.geometry)
            labels.append((lon, lat, f"{hi / 1000:g} km"))
        max_km = float(rings["distance_max"].max()) / 1000
        name = self.name or f"Within {max_km:g} km" + (f" of {self.of}" if self.of else "")
        feats = features(rings.geometry.values, tolerance_m, tooltip=tips, style=range(len(tips)))
        fit = bool(self.fit)
        layer = Layer(
            name, self.group, "area", feats, styles, labels, legend, show=self.show, fit=fit
        )
        return (layer,)


@dataclass(frozen=True, kw_only=True, eq=False)
class Border(Element):
    """Border lines (e.g. from ``layers.border``) with their geodesic length.

    Parameters
    ----------
    data : GeoDataFrame
        Lines with optional columns ``a``, ``b``, ``kind`` ("land"/"sea") and
        ``length_m`` (metres, shown in the tooltip; measured on the full geometry,
        else on the line given).
    name : str, optional
        Default "<a>–<b> border".
    group : str, default "Borders"
    color : str, default "#000000"
        Line colour; sea parts are dashed.
    fit : bool, default False
    show, provenance
        See :class:`Element`.

    Examples
    --------
    >>> line = gpd.GeoDataFrame({"a": ["KP"], "b": ["RU"], "length_m": [17_500.0]},
    ...                         geometry=[shapely.LineString([(130.6, 42.3), (130.7, 42.4)])],
    ...                         crs="EPSG:4326")
    >>> layer, = Border(line).layers(200.0)
    >>> layer.name, layer.features["tooltip"].iloc[0]
    ('KP–RU border', '<b>KP–RU border</b><br>17.5 km (geodesic length)')
    """

    data: Any = field(kw_only=False)
    group: str = "Borders"
    color: str = "#000000"
    fit: bool | None = False

    def __post_init__(self) -> None:
        self._take_data("border")

    def _draw(self, tolerance_m: float) -> tuple[Layer, ...]:
        frame = self.data
        first = frame.iloc[0]
        pair = "–".join(str(first[k]) for k in ("a", "b") if k in first)
        name = self.name or (f"{pair} border" if pair else "Border")
        styles = [
            {"color": self.color, "weight": 4, "opacity": 0.9},
            {"color": self.color, "weight": 3, "dashArray": "2 6"},
        ]
        tips, style_idx = [], []
        for _, row in frame.iterrows():
            kind = str(row["kind"]) if "kind" in row and pd.notna(row["kind"]) else ""
            if "length_m" in row:
                length = float(row["length_m"])
            else:
                length = float(geo.WGS84.geometry_length(row.geometry))
            tips.append(
                f"<b>{html.escape(name)}</b>"
                + (f" ({html.escape(kind)})" if kind else "")
                + f"<br>{format_km(length)} (geodesic length)"
            )
            style_idx.append(1 if kind == "sea" else 0)
        feats = features(frame.geometry.values, tolerance_m, tooltip=tips, style=style_idx)
        legend = [LegendEntry(name, "line", self.color)]
        fit = bool(self.fit)
        return (Layer(name, self.group, "line", feats, styles, (), legend, self.show, fit),)


@dataclass(frozen=True, kw_only=True, eq=False)
class Settlements(Element):
    """Settlements as circle markers sized by population, coloured inside/outside a radius.

    Parameters
    ----------
    data : GeoDataFrame
        Points with ``name``, ``country`` and ``population`` (people) columns and, to
        colour them, a distance column in metres.
    radius_m : float or str, optional
        Radius in metres (or ``"200km"``): places at most this far are "inside".
    distance_column : str, default "distance_m"
        Column holding each place's distance in metres.
    of : str, default ""
        What the distance is measured from, for tooltips.
    name : str, default "Settlements"
    group : str, default "Settlements"
    max_distance_m : float or str, optional
        Draw only places at most this far, in metres; keeps the page small.
    min_population : float, default 0
        Draw only places with at least this many people.
    fit : bool, default False
    show, provenance
        See :class:`Element`.

    Examples
    --------
    >>> towns = gpd.GeoDataFrame(
    ...     {"name": ["Vladivostok", "Khabarovsk"], "population": [587_022, 577_441],
    ...      "distance_m": [124_600.0, 700_000.0]},
    ...     geometry=gpd.points_from_xy([131.89, 135.07], [43.11, 48.48]), crs="EPSG:4326")
    >>> layer, = Settlements(towns, radius_m="200km").layers(200.0)
    >>> [entry.label for entry in layer.legend]
    ['Settlement within 200 km', 'Settlement beyond 200 km']
    >>> layer.features["style"].tolist()
    [0, 1]
    """

    data: Any = field(kw_only=False)
    radius_m: float | str | None = None
    distance_column: str = "distance_m"
    of: str = ""
    name: str | None = "Settlements"
    group: str = "Settlements"
    max_distance_m: float | str | None = None
    min_population: float = 0
    fit: bool | None = False

    legend_notes: ClassVar[tuple[str, ...]] = ("Marker area grows with population",)

    def __post_init__(self) -> None:
        frame = self._take_data("settlements")
        for col in ("name", "population"):
            if col not in frame.columns:
                raise InputError(
                    f"settlements have no {col!r} column (columns: {list(frame.columns)}); "
                    "pass layers.settlements() or a GeoDataFrame with name and population"
                )
        for key in ("radius_m", "max_distance_m"):
            value = getattr(self, key)
            if value is not None:
                object.__setattr__(self, key, geo.parse_distance(value))

    def _draw(self, tolerance_m: float) -> tuple[Layer, ...]:
        frame, col, radius = self.data, self.distance_column, self.radius_m
        assert not isinstance(radius, str)  # parsed to metres on construction
        dist = frame[col].to_numpy(float) if col in frame.columns else None
        keep = frame["population"].to_numpy(float) >= self.min_population
        if self.max_distance_m is not None and dist is not None:
            keep &= dist <= float(self.max_distance_m)
        # largest first, so that the small places sit on top of a city's marker
        order = np.argsort(-frame["population"].to_numpy(float)[keep], kind="stable")
        frame = frame[keep].iloc[order]
        dist = dist[keep][order] if dist is not None else None
        inside = dist <= radius if (dist is not None and radius is not None) else None
        # A white rim keeps neighbouring markers apart; the largest are drawn first.
        styles = [
            {"color": "#ffffff", "weight": 0.8, "fillColor": INSIDE_COLOR, "fillOpacity": 0.8},
            {"color": "#ffffff", "weight": 0.8, "fillColor": "#969696", "fillOpacity": 0.7},
        ]
        where = f" from {html.escape(self.of)}" if self.of else ""
        km = "" if radius is None else f"{radius / 1000:g} km"
        tips = []
        for i, row in enumerate(frame.itertuples(index=False)):
            cc = f" ({html.escape(str(row.country))})" if hasattr(row, "country") else ""
            tip = f"<b>{html.escape(str(row.name))}</b>{cc}"
            tip += f"<br>population {format_int(row.population)}"
            if dist is not None:
                tip += f"<br>{format_km(dist[i])}{where}"
                if inside is not None:
                    tip += f" – {'inside' if inside[i] else 'outside'} {km}"
            tips.append(tip)
        style_idx = np.where(inside, 0, 1) if inside is not None else np.zeros(len(frame), int)
        feats = features(frame.geometry.values, tolerance_m, tooltip=tips, style=style_idx)
        feats["radius"] = marker_radius(frame["population"].to_numpy(float))
        feats["name"] = frame["name"].astype(str).to_numpy()
        if dist is not None:
            feats["distance_m"] = dist
        name = self.name or "Settlements"
        if inside is not None:
            legend = [
                LegendEntry(f"Settlement within {km}", "point", INSIDE_COLOR, INSIDE_COLOR),
                LegendEntry(f"Settlement beyond {km}", "point", OUTSIDE_COLOR, "#969696"),
            ]
        else:
            legend = [LegendEntry(name, "point", INSIDE_COLOR, INSIDE_COLOR)]
        recolour = inside is not None
        return (
            Layer(
                name,
                self.group,
                "point",
                feats,
                styles,
                (),
                legend,
                self.show,
                bool(self.fit),
                recolour=recolour,
            ),
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class GeodesicLine(Element):
    """The WGS84 geodesic between two places, labelled with its length, and its two ends.

    Parameters
    ----------
    a, b : (lon, lat) pair or shapely Point
        The two ends, in degrees.
    labels : (str, str), default ("A", "B")
        Names of the two ends, for the tooltip and the layer name.
    name : str, optional
        Default "A – B".
    group : str, default "Distances"
    color : str, default LINE_COLOR
        Line colour.
    show, fit, provenance
        See :class:`Element`.

    Examples
    --------
    >>> line = GeodesicLine((131.8869, 43.1056), (125.7625, 39.0392), labels=("V", "P"))
    >>> print(f"{line.length_m / 1000:.1f} km")
    684.4 km
    """

    a: Any = field(kw_only=False)
    b: Any = field(kw_only=False)
    labels: tuple[str, str] = ("A", "B")
    group: str = "Distances"
    color: str = LINE_COLOR

    def __post_init__(self) -> None:
        for key, what in (("a", "line start"), ("b", "line end")):
            xy, _ = as_points(getattr(self, key), what=what)
            object.__setattr__(self, key, (float(xy[0, 0]), float(xy[0, 1])))

    @property
    def length_m(self) -> float:
        """Length of the geodesic on WGS84, in metres."""
        return float(geo.distance(self.a, self.b))

    def _draw(self, tolerance_m: float) -> tuple[Layer, ...]:
        length, color, labels = self.length_m, self.color, self.labels
        line = geo.geodesic_line(self.a, self.b)
        name = self.name or f"{labels[0]} – {labels[1]}"
        ends = f"{html.escape(labels[0])} – {html.escape(labels[1])}"
        tip = f"<b>{ends}</b><br>{format_km(length)} (WGS84 geodesic)"
        style = dict(_LINE, color=color)
        feats = features([line], tolerance_m, tooltip=[tip], style=0)
        middle = line.interpolate(0.5, normalized=True) if line.geom_type == "LineString" else None
        label = [(middle.x, middle.y, format_km(length, decimals=0))] if middle is not None else []
        legend = [
            LegendEntry(f"{name}: {format_km(length)}", "line", color, dash=style["dashArray"])
        ]
        fit = bool(self.fit)
        line_layer = Layer(name, self.group, "line", feats, [style], label, legend, self.show, fit)
        end_feats = features(
            [shapely.Point(self.a), shapely.Point(self.b)],
            tolerance_m,
            tooltip=[f"<b>{html.escape(t)}</b>" for t in labels],
            style=0,
        )
        end_feats["radius"] = 5.0
        end_feats["name"] = list(labels)
        end_style = {"color": color, "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1.0}
        names = [(*self.a, labels[0]), (*self.b, labels[1])]  # the places a claim names
        end_layer = Layer(
            f"{name} (ends)", self.group, "point", end_feats, [end_style], names, (), self.show, fit
        )
        return (line_layer, end_layer)


@dataclass(frozen=True)
class Credit:
    """The sources of a result shown only in the panel (e.g. a population grid).

    Parameters
    ----------
    provenance : layers.Provenance
        Credited in the map's attribution, after the sources added before it.

    Examples
    --------
    >>> from layers import DataSource
    >>> credit = Credit(Provenance((DataSource("GHS-POP", "t", "CC BY 4.0", "GHS-POP"),)))
    >>> credit.provenance.attribution()
    'GHS-POP'
    """

    provenance: Provenance

    def __post_init__(self) -> None:
        if not isinstance(self.provenance, Provenance):
            raise InputTypeError(
                f"provenance of type {type(self.provenance).__name__} is not a layers.Provenance"
            )
