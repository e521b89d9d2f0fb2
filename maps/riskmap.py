"""RiskMap: a map built from riskmap layers, shown in Jupyter, saved as HTML or PNG.

A :class:`RiskMap` collects what to show (territories, geodesic rings, border
lines, settlements, geodesic lines, a results panel) as display-ready layers in
lon/lat, with the provenance of each. Two renderers draw the same layers: Folium
(interactive HTML, :mod:`maps._folium`) and matplotlib (static PNG, :mod:`maps._png`).
Nothing is written until :meth:`RiskMap.save` or :meth:`RiskMap.to_png`, and both
write atomically.
"""

from __future__ import annotations

import html
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geo
from geo._input import as_points, to_wgs84
from geo.errors import InputError, InputTypeError
from layers.provenance import Provenance
from maps._display import display_geometry, format_int, format_km, marker_radius, top_point
from maps.panel import Curve, LegendEntry, Panel, Table

if TYPE_CHECKING:
    import folium

__all__ = ["RiskMap", "BAND_COLORS", "INSIDE_COLOR", "OUTSIDE_COLOR"]

#: Fill colours of distance bands, innermost first.
BAND_COLORS = ("#d7301f", "#fc8d59", "#fdcc8a", "#fef0d9", "#f7f7f7")
#: Settlements inside / outside the radius.
INSIDE_COLOR = "#b2182b"
OUTSIDE_COLOR = "#4d4d4d"

_TERRITORY = {"color": "#67001f", "weight": 2, "fillColor": "#b2182b", "fillOpacity": 0.15}
_CONTEXT = {"color": "#7f7f7f", "weight": 1, "fillColor": "#bdbdbd", "fillOpacity": 0.08}
_LINE = {"color": "#2166ac", "weight": 3, "dashArray": "8 5", "fillOpacity": 0}


@dataclass
class Layer:
    """One display layer: simplified lon/lat features, their styles, labels and legend.

    ``features`` has a ``geometry`` column (EPSG:4326), ``style`` (index into
    ``styles``), ``tooltip`` (HTML, escaped) and, for points, ``radius`` (pixels).
    ``styles`` are Leaflet path options; ``labels`` are ``(lon, lat, text)``.
    """

    name: str
    group: str
    kind: str
    features: gpd.GeoDataFrame
    styles: list[dict[str, Any]]
    labels: list[tuple[float, float, str]] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    show: bool = True
    fit: bool = True
    background: bool = False


def _frame(data: Any, *, what: str) -> gpd.GeoDataFrame:
    """Return ``data`` as a GeoDataFrame in EPSG:4326 (refusing one without a CRS)."""
    if isinstance(data, gpd.GeoSeries):
        data = gpd.GeoDataFrame(geometry=data)
    if isinstance(data, gpd.GeoDataFrame):
        frame = to_wgs84(data, what=what)
        frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
        if frame.empty:
            raise InputError(f"{what} has no geometry (0 non-empty rows); give at least one feature")
        return frame
    if isinstance(data, shapely.Geometry):
        if data.is_empty:
            raise InputError(f"{what} is an empty geometry; give one with coordinates")
        return gpd.GeoDataFrame(geometry=[data], crs="EPSG:4326")
    raise InputTypeError(
        f"{what} of type {type(data).__name__} is not a GeoDataFrame, GeoSeries or shapely geometry; "
        "pass a layer from riskmap.layers or geo"
    )


def _provenance_of(data: Any) -> Provenance | None:
    prov = getattr(data, "attrs", {}).get("provenance") if hasattr(data, "attrs") else None
    return prov if isinstance(prov, Provenance) else None


def _label_of(row: pd.Series, fallback: str) -> str:
    for key in ("name", "iso3", "iso2"):
        if key in row and isinstance(row[key], str) and row[key]:
            return row[key]
    return fallback


class RiskMap:
    """An interactive map of territories, geodesic rings, settlements and results.

    Parameters
    ----------
    title : str, default ""
        Shown as the page title and at the head of the legend.
    tiles : str or None, default "OpenStreetMap"
        A tile provider name folium knows (``"OpenStreetMap"``, ``"OpenTopoMap"``),
        or None for a plain background (vector layers only; nothing is fetched).
    tolerance_m : float, default 200.0
        Display simplification in metres: no vertex drawn moves more than this from
        the computed geometry. Numbers are always computed on the full geometry.
    bounds : (west, south, east, north), optional
        Initial view in degrees; by default the extent of the layers added with ``fit=True``.

    Examples
    --------
    >>> import shapely
    >>> m = RiskMap(title="Example", tiles=None)
    >>> m = m.add_territory(shapely.box(125, 38, 130, 43), name="Box")
    >>> "Box" in m.render()
    True
    """

    def __init__(
        self,
        *,
        title: str = "",
        tiles: str | None = "OpenStreetMap",
        tolerance_m: float = 200.0,
        bounds: Sequence[float] | None = None,
    ) -> None:
        if not isinstance(tolerance_m, (int, float)) or not math.isfinite(tolerance_m) or tolerance_m < 0:
            raise InputError(f"tolerance_m={tolerance_m!r} is not a distance >= 0 in metres; e.g. 200.0")
        self.title = title
        self.tiles = tiles
        self.tolerance_m = float(tolerance_m)
        self.bounds = None if bounds is None else self._check_bounds(bounds)
        self.layers: list[Layer] = []
        self.panel = Panel()
        self.legend_notes: list[str] = []
        self._provenance: list[Provenance] = []

    # -- adding content ------------------------------------------------------------------

    def add_territory(
        self,
        territory: Any,
        *,
        name: str | None = None,
        group: str = "Territories",
        context: bool = False,
        color: str | None = None,
        show: bool = True,
        fit: bool | None = None,
        clip: Sequence[float] | None = None,
    ) -> RiskMap:
        """Draw a territory (e.g. from ``layers.territory``).

        Parameters
        ----------
        territory : GeoDataFrame, GeoSeries or shapely geometry
            With a CRS (GeoDataFrame/GeoSeries) or in lon/lat degrees (shapely).
        name : str, optional
            Layer name in the layer control; default the ``name`` column and ``variant``.
        group : str, default "Territories"
            Group in the layer control.
        context : bool, default False
            Draw as grey background (neighbouring countries) rather than as the subject.
        color : str, optional
            Outline colour (CSS); the fill follows it.
        show : bool, default True
            Whether the layer is on when the page opens.
        fit : bool, optional
            Include in the initial view; default True for a subject, False for context.
        clip : (west, south, east, north), optional
            Draw only the part inside this box, in degrees (for large neighbours).

        Returns
        -------
        RiskMap
            ``self``, so that calls chain.
        """
        frame = _frame(territory, what="territory")
        style = dict(_CONTEXT if context else _TERRITORY)
        if color:
            style.update(color=color, fillColor=color)
        geoms = frame.geometry.values
        if clip is not None:
            geoms = shapely.intersection(geoms, shapely.box(*self._check_bounds(clip)))
        tips = []
        for _, row in frame.iterrows():
            label = _label_of(row, name or "territory")
            extra = " · ".join(str(row[k]) for k in ("source", "variant") if k in row and pd.notna(row[k]))
            tips.append(f"<b>{html.escape(label)}</b>" + (f"<br>{html.escape(extra)}" if extra else ""))
        if name is None:
            row = frame.iloc[0]
            name = _label_of(row, "Territory") + (f" ({row['variant']})" if "variant" in row else "")
        features = self._features(geoms, tooltip=tips, style=0)
        legend = [LegendEntry(name, "area", style["color"], style["fillColor"])] if not context else []
        fit = (not context) if fit is None else fit
        layer = Layer(name, group, "area", features, [style], legend=legend, show=show, fit=fit, background=context)
        self._add(layer, frame)
        return self

    def add_rings(
        self,
        source: Any,
        distances: Sequence[float | str] | None = None,
        *,
        name: str | None = None,
        of: str = "",
        group: str = "Distance rings",
        outside_only: bool = True,
        filled: bool = True,
        color: str | None = None,
        show: bool = True,
        fit: bool = True,
    ) -> RiskMap:
        """Draw geodesic distance bands (0–d1, d1–d2, …) labelled with their distance.

        The bands are the densified geodesic polygons of :func:`geo.rings`, never a
        Leaflet circle (which is a Web Mercator approximation).

        Parameters
        ----------
        source : GeoDataFrame or geometry
            Either the result of :func:`geo.rings` (columns ``distance_min``,
            ``distance_max``, ``error_m`` in metres), or the geometry to draw rings
            around (then ``distances`` is required).
        distances : sequence of float (metres) or str (``"200km"``), optional
            Outer distances of the bands, when ``source`` is a geometry.
        name : str, optional
            Layer name; default ``"Within <max> of <of>"``.
        of : str, default ""
            What the distances are measured from, for tooltips ("North Korea").
        group : str, default "Distance rings"
            Group in the layer control.
        outside_only : bool, default True
            When computing the rings: leave the source polygon itself out.
        filled : bool, default True
            Fill the bands; with False only their outlines are drawn (to compare variants).
        color : str, optional
            Outline colour; default dark red.
        show, fit : bool, default True
            Whether the layer is on at first, and whether it sets the initial view.

        Returns
        -------
        RiskMap
            ``self``.
        """
        if isinstance(source, gpd.GeoDataFrame) and "distance_max" in source.columns:
            rings = source
        else:
            if not distances:
                raise InputError(
                    f"distances={distances!r}: give the band distances (e.g. ['50km', '200km']) "
                    "when source is a geometry, or pass the result of geo.rings"
                )
            metres = [geo.parse_distance(d) for d in distances]
            geom = _frame(source, what="rings source")
            rings = geo.rings(geom, metres, outside_only=outside_only)
            prov = _provenance_of(source)
            if prov is not None:
                rings.attrs["provenance"] = prov
        rings = _frame(rings, what="rings").sort_values("distance_max")
        outline = color or "#7f0000"
        styles, tips, style_idx, labels = [], [], [], []
        for i, (_, row) in enumerate(rings.iterrows()):
            fill = BAND_COLORS[min(i, len(BAND_COLORS) - 1)]
            styles.append(
                {"color": outline, "weight": 1.5, "fillColor": fill, "fillOpacity": 0.3 if filled else 0.0}
            )
            lo, hi = float(row["distance_min"]), float(row["distance_max"])
            err = float(row["error_m"]) if "error_m" in row and pd.notna(row["error_m"]) else math.nan
            where = f" of {html.escape(of)}" if of else ""
            tip = f"<b>{lo / 1000:g}–{hi / 1000:g} km</b>{where}<br>geodesic, WGS84"
            if math.isfinite(err):
                tip += f"; boundary within {err:,.1f} m of exact"
            tips.append(tip)
            style_idx.append(i)
            lon, lat = top_point(row.geometry)
            labels.append((lon, lat, f"{hi / 1000:g} km"))
        max_km = float(rings["distance_max"].max()) / 1000
        name = name or f"Within {max_km:g} km" + (f" of {of}" if of else "")
        features = self._features(rings.geometry.values, tooltip=tips, style=style_idx)
        legend = [LegendEntry(name, "area" if filled else "line", outline, styles[0]["fillColor"])]
        self._add(
            Layer(name, group, "area", features, styles, labels=labels, legend=legend, show=show, fit=fit),
            rings,
        )
        errors = rings["error_m"].to_numpy(dtype=float) if "error_m" in rings else np.array([])
        if errors.size and np.isfinite(errors).any():
            self._note(f"Rings: geodesic on WGS84, boundary within {np.nanmax(errors):,.1f} m of exact")
        return self

    def add_border(
        self,
        border: Any,
        *,
        name: str | None = None,
        group: str = "Borders",
        color: str = "#000000",
        show: bool = True,
        fit: bool = False,
    ) -> RiskMap:
        """Draw border lines (e.g. from ``layers.border``) with their length.

        Parameters
        ----------
        border : GeoDataFrame
            Lines with optional columns ``a``, ``b``, ``kind`` ("land"/"sea") and
            ``length_m`` (metres, shown in the tooltip; measured on the full geometry).
        name : str, optional
            Layer name; default "<a>–<b> border".
        group : str, default "Borders"
            Group in the layer control.
        color : str, default "#000000"
            Line colour; sea parts are dashed.
        show, fit : bool
            Whether the layer is on at first, and whether it sets the initial view.

        Returns
        -------
        RiskMap
            ``self``.
        """
        frame = _frame(border, what="border")
        first = frame.iloc[0]
        pair = "–".join(str(first[k]) for k in ("a", "b") if k in first)
        name = name or (f"{pair} border" if pair else "Border")
        styles = [{"color": color, "weight": 4, "opacity": 0.9}, {"color": color, "weight": 3, "dashArray": "2 6"}]
        tips, style_idx = [], []
        for _, row in frame.iterrows():
            kind = str(row["kind"]) if "kind" in row and pd.notna(row["kind"]) else ""
            length = float(row["length_m"]) if "length_m" in row else float(geo.WGS84.geometry_length(row.geometry))
            tips.append(
                f"<b>{html.escape(name)}</b>" + (f" ({html.escape(kind)})" if kind else "")
                + f"<br>{format_km(length)} (geodesic length)"
            )
            style_idx.append(1 if kind == "sea" else 0)
        features = self._features(frame.geometry.values, tooltip=tips, style=style_idx)
        legend = [LegendEntry(name, "line", color)]
        self._add(Layer(name, group, "line", features, styles, legend=legend, show=show, fit=fit), frame)
        return self

    def add_settlements(
        self,
        places: Any,
        *,
        radius_m: float | str | None = None,
        distance_column: str = "distance_m",
        of: str = "",
        name: str = "Settlements",
        group: str = "Settlements",
        max_distance_m: float | str | None = None,
        min_population: float = 0,
        show: bool = True,
    ) -> RiskMap:
        """Draw settlements as circle markers sized by population, coloured inside/outside.

        Parameters
        ----------
        places : GeoDataFrame
            Points with ``name``, ``country`` and ``population`` columns and, to colour
            them, a distance column in metres.
        radius_m : float or str, optional
            Radius in metres (or ``"200km"``): places at most this far are "inside".
        distance_column : str, default "distance_m"
            Column holding each place's distance in metres.
        of : str, default ""
            What the distance is measured from, for tooltips.
        name, group : str
            Layer name and group in the layer control.
        max_distance_m : float or str, optional
            Draw only places at most this far (metres); keeps the page small.
        min_population : float, default 0
            Draw only places with at least this population.
        show : bool, default True
            Whether the layer is on at first.

        Returns
        -------
        RiskMap
            ``self``.
        """
        frame = _frame(places, what="settlements")
        for col in ("name", "population"):
            if col not in frame.columns:
                raise InputError(
                    f"settlements have no {col!r} column (columns: {list(frame.columns)}); "
                    "pass layers.settlements() or a GeoDataFrame with name and population"
                )
        dist = frame[distance_column].to_numpy(float) if distance_column in frame.columns else None
        radius = None if radius_m is None else geo.parse_distance(radius_m)
        keep = frame["population"].to_numpy(float) >= min_population
        if max_distance_m is not None and dist is not None:
            keep &= dist <= geo.parse_distance(max_distance_m)
        frame = frame[keep]
        dist = dist[keep] if dist is not None else None
        order = np.argsort(-frame["population"].to_numpy(float), kind="stable")  # small ones on top
        frame = frame.iloc[order]
        dist = dist[order] if dist is not None else None
        inside = dist <= radius if (dist is not None and radius is not None) else None
        styles = [
            {"color": INSIDE_COLOR, "weight": 1, "fillColor": INSIDE_COLOR, "fillOpacity": 0.7},
            {"color": OUTSIDE_COLOR, "weight": 1, "fillColor": "#969696", "fillOpacity": 0.6},
        ]
        tips = []
        for i, row in enumerate(frame.itertuples(index=False)):
            cc = f" ({html.escape(str(row.country))})" if hasattr(row, "country") else ""
            tip = f"<b>{html.escape(str(row.name))}</b>{cc}<br>population {format_int(row.population)}"
            if dist is not None:
                where = f" from {html.escape(of)}" if of else ""
                tip += f"<br>{format_km(dist[i])}{where}"
                if inside is not None:
                    tip += f" – {'inside' if inside[i] else 'outside'} {radius / 1000:g} km"
            tips.append(tip)
        style_idx = np.where(inside, 0, 1) if inside is not None else np.zeros(len(frame), int)
        features = self._features(frame.geometry.values, tooltip=tips, style=style_idx)
        features["radius"] = marker_radius(frame["population"].to_numpy(float))
        legend = []
        if inside is not None:
            legend = [
                LegendEntry(f"Settlement within {radius / 1000:g} km", "point", INSIDE_COLOR, INSIDE_COLOR),
                LegendEntry(f"Settlement beyond {radius / 1000:g} km", "point", OUTSIDE_COLOR, "#969696"),
            ]
        else:
            legend = [LegendEntry(name, "point", INSIDE_COLOR, INSIDE_COLOR)]
        self._add(Layer(name, group, "point", features, styles, legend=legend, show=show, fit=False), places)
        self._note("Marker area grows with population")
        return self

    def add_geodesic_line(
        self,
        a: Any,
        b: Any,
        *,
        labels: tuple[str, str] = ("A", "B"),
        name: str | None = None,
        group: str = "Distances",
        color: str = _LINE["color"],
        show: bool = True,
        fit: bool = True,
    ) -> RiskMap:
        """Draw the WGS84 geodesic between two places, with its length.

        Parameters
        ----------
        a, b : (lon, lat) pair or shapely Point
            The two ends, in degrees.
        labels : (str, str), default ("A", "B")
            Names of the two ends, for the tooltip and the layer name.
        name, group : str
            Layer name (default "A – B") and group in the layer control.
        color : str
            Line colour.
        show, fit : bool, default True
            Whether the layer is on at first, and whether it sets the initial view.

        Returns
        -------
        RiskMap
            ``self``.
        """
        xy_a, _ = as_points(a, what="line start")
        xy_b, _ = as_points(b, what="line end")
        pa, pb = tuple(xy_a[0]), tuple(xy_b[0])
        length = float(geo.distance(pa, pb))
        line = geo.geodesic_line(pa, pb)
        name = name or f"{labels[0]} – {labels[1]}"
        tip = f"<b>{html.escape(labels[0])} – {html.escape(labels[1])}</b><br>{format_km(length)} (WGS84 geodesic)"
        style = dict(_LINE, color=color)
        features = self._features([line], tooltip=[tip], style=0)
        mid = line.interpolate(0.5, normalized=True) if line.geom_type == "LineString" else shapely.Point(pa)
        label = [(mid.x, mid.y, format_km(length, decimals=0))]
        legend = [LegendEntry(f"{name}: {format_km(length)}", "line", color, dash=_LINE["dashArray"])]
        self._add(
            Layer(name, group, "line", features, [style], labels=label, legend=legend, show=show, fit=fit), None
        )
        ends = gpd.GeoDataFrame(
            {"name": list(labels), "population": [0, 0]}, geometry=[shapely.Point(pa), shapely.Point(pb)],
            crs="EPSG:4326",
        )
        end_feats = self._features(ends.geometry.values, tooltip=[f"<b>{html.escape(t)}</b>" for t in labels], style=0)
        end_feats["radius"] = 5.0
        end_style = {"color": color, "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1.0}
        self.layers.append(Layer(f"{name} (ends)", group, "point", end_feats, [end_style], show=show, fit=fit))
        return self

    def add_exposure(
        self,
        exposure: Any,
        *,
        radius: float | str | None = None,
        of: str = "",
        countries: Sequence[str] | None = None,
        max_distance: float | str | None = None,
        curve_step_m: float = 5000.0,
        show: bool = True,
    ) -> RiskMap:
        """Show an exposure result: its settlements, its table and its curve.

        Parameters
        ----------
        exposure : layers.Exposure
            The result of ``layers.exposure`` on settlements.
        radius : float or str, optional
            The radius (metres, or ``"200km"``) that colours places inside/outside;
            default the largest radius of the result.
        of : str, default ""
            What distances are measured from, for tooltips and captions.
        countries : sequence of str, optional
            Countries of residence in the table and the curve; default all.
        max_distance : float or str, optional
            Draw settlements up to this distance (metres); default the radius + 10 %.
        curve_step_m : float, default 5000.0
            Spacing of the curve, in metres.
        show : bool, default True
            Whether the settlements are on when the page opens.

        Returns
        -------
        RiskMap
            ``self``.
        """
        radii = list(exposure.radii_m)
        r = radii[-1] if radius is None else geo.parse_distance(radius)
        limit = 1.1 * r if max_distance is None else geo.parse_distance(max_distance)
        where = f" of {of}" if of else ""
        if exposure.places is not None:
            places = exposure.places
            if countries is not None and "country" in places.columns:
                places = places[places["country"].isin(list(countries))]
            self.add_settlements(
                places, radius_m=r, of=of, max_distance_m=limit, name=f"Settlements within {limit / 1000:g} km{where}",
                show=show,
            )
        table = exposure.table
        if countries is not None:
            table = table[table["country"].isin(list(countries))]
        wide = table.pivot_table(index="country", columns="radius_m", values="population", aggfunc="sum", sort=False)
        wide = wide.reindex(columns=radii)
        wide.columns = [f"≤ {c / 1000:g} km" for c in wide.columns]
        wide = wide.sort_values(wide.columns[-1], ascending=False).reset_index()
        self.add_table(wide, title=f"Population within each distance{where}", float_format="{:,.0f}")
        groups = list(wide["country"]) if countries is None else list(countries)
        curve = exposure.curve(curve_step_m)
        series = {"all": curve["population"].to_numpy(float)}
        for code in groups[:5]:
            series[str(code)] = exposure.curve(curve_step_m, country=code)["population"].to_numpy(float)
        self.add_curve(curve["distance_m"].to_numpy(float), series, title=f"Population by distance{where}",
                       marks_m=[x for x in radii if x < radii[-1]] or radii)
        self._provenance.append(exposure.provenance)
        return self

    def add_note(self, text: str) -> RiskMap:
        """Add a line of text (a verdict, a caveat) to the results panel."""
        self.panel.notes.append(str(text))
        return self

    def add_table(self, frame: pd.DataFrame, *, title: str, float_format: str = "{:,.1f}") -> RiskMap:
        """Add a table (e.g. an exposure table) to the results panel.

        Parameters
        ----------
        frame : pandas.DataFrame
            The rows to show; distances should already be in the unit named by their column.
        title : str
            Caption of the table.
        float_format : str, default "{:,.1f}"
            How floats are shown.

        Returns
        -------
        RiskMap
            ``self``.
        """
        if not isinstance(frame, pd.DataFrame):
            raise InputTypeError(f"table of type {type(frame).__name__} is not a pandas DataFrame")
        self.panel.tables.append(Table(title, frame.reset_index(drop=True), float_format))
        return self

    def add_curve(
        self,
        distance_m: Any,
        series: Mapping[str, Any],
        *,
        title: str,
        marks_m: Sequence[float] = (),
        threshold: float | None = None,
    ) -> RiskMap:
        """Add an exposure curve (population within each distance) to the results panel.

        Parameters
        ----------
        distance_m : array_like
            Distances in metres.
        series : mapping of str to array_like
            Label -> population within each distance.
        title : str
            Heading of the chart.
        marks_m : sequence of float
            Distances in metres to mark (the map's radii).
        threshold : float, optional
            A population to mark (the claim).

        Returns
        -------
        RiskMap
            ``self``.
        """
        self.panel.curves.append(Curve(title, distance_m, series, tuple(marks_m), threshold))
        return self

    def add_provenance(self, provenance: Provenance) -> RiskMap:
        """Credit the sources of a result shown only in the panel (e.g. a population grid)."""
        if not isinstance(provenance, Provenance):
            raise InputTypeError(f"provenance of type {type(provenance).__name__} is not a layers.Provenance")
        self._provenance.append(provenance)
        return self

    # -- what the map says -----------------------------------------------------------------

    @property
    def provenance(self) -> Provenance:
        """The merged provenance of every layer and result on the map."""
        merged = Provenance(method="map composed by riskmap.maps")
        return merged.merge(*self._provenance, display_tolerance_m=self.tolerance_m)

    def attribution(self) -> str:
        """The data credit line, composed from the provenance of every layer shown."""
        return self.provenance.attribution()

    def legend_entries(self) -> list[LegendEntry]:
        """Legend lines of every layer, in the order added."""
        return [e for layer in self.layers for e in layer.legend]

    def legend_notes_all(self) -> list[str]:
        """Notes under the legend: methods, then the display tolerance."""
        return self.legend_notes + [f"Shapes simplified for display to ≤ {self.tolerance_m:g} m"]

    def view_bounds(self) -> tuple[float, float, float, float]:
        """The initial view (west, south, east, north) in degrees."""
        if self.bounds is not None:
            return self.bounds
        boxes = [layer.features.total_bounds for layer in self.layers if layer.fit and len(layer.features)]
        if not boxes:
            return (-180.0, -60.0, 180.0, 75.0)
        arr = np.array(boxes)
        return (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()), float(arr[:, 3].max()))

    # -- output ------------------------------------------------------------------------------

    def to_folium(self) -> folium.Map:
        """Build the Folium map (a new one on every call)."""
        from maps._folium import build

        return build(self)

    def render(self, *, self_contained: bool = False) -> str:
        """Return the whole HTML page as a string.

        Parameters
        ----------
        self_contained : bool, default False
            Inline every JS and CSS asset (from ``maps/static``) instead of linking the CDN.
        """
        from maps.assets import inline_assets

        page = self.to_folium().get_root().render()
        return inline_assets(page) if self_contained else page

    def save(self, path: str | os.PathLike[str], *, self_contained: bool = False) -> Path:
        """Write the map as an HTML page, atomically.

        Parameters
        ----------
        path : str or path-like
            The file to write (its folder must exist).
        self_contained : bool, default False
            Inline Leaflet, its plugins and their images, so that the page opens with no
            network (tiles aside: without them the layers show on a plain background).

        Returns
        -------
        pathlib.Path
            The path written.
        """
        from maps._io import atomic_write

        return atomic_write(path, self.render(self_contained=self_contained))

    def to_png(
        self, path: str | os.PathLike[str], *, dpi: int = 150, size_in: tuple[float, float] = (13.0, 8.0)
    ) -> Path:
        """Write a static PNG of the same content (matplotlib, no browser), atomically.

        Parameters
        ----------
        path : str or path-like
            The file to write.
        dpi : int, default 150
            Resolution in dots per inch.
        size_in : (float, float), default (13.0, 8.0)
            Figure width and height in inches.

        Returns
        -------
        pathlib.Path
            The path written.
        """
        from maps._png import save_png

        return save_png(self, path, dpi=dpi, size_in=size_in)

    def _repr_html_(self) -> str:
        return self.to_folium()._repr_html_()

    # -- internals -----------------------------------------------------------------------

    def _features(self, geoms: Any, *, tooltip: Sequence[str], style: Any) -> gpd.GeoDataFrame:
        shown = [display_geometry(g, self.tolerance_m) for g in geoms]
        style_col = np.broadcast_to(np.asarray(style, dtype=int), (len(shown),))
        return gpd.GeoDataFrame(
            {"style": style_col.copy(), "tooltip": list(tooltip)}, geometry=shown, crs="EPSG:4326"
        )

    def _add(self, layer: Layer, data: Any) -> None:
        if layer.background:  # drawn first, under everything else, whenever it is added
            self.layers.insert(sum(1 for x in self.layers if x.background), layer)
        else:
            self.layers.append(layer)
        prov = _provenance_of(data)
        if prov is not None:
            self._provenance.append(prov)

    def _note(self, text: str) -> None:
        if text not in self.legend_notes:
            self.legend_notes.append(text)

    @staticmethod
    def _check_bounds(bounds: Sequence[float]) -> tuple[float, float, float, float]:
        try:
            w, s, e, n = (float(v) for v in bounds)
        except (TypeError, ValueError) as exc:
            raise InputError(f"bounds {bounds!r} is not (west, south, east, north) in degrees") from exc
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            raise InputError(
                f"bounds {bounds!r} is not (west, south, east, north) with west < east in [-180, 180] "
                "and south < north in [-90, 90]; note the (lon, lat) order"
            )
        return (w, s, e, n)
