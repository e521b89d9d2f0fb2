"""RiskMap: a map built from riskmap layers, shown in Jupyter, saved as HTML or PNG.

A :class:`RiskMap` collects what to show (territories, geodesic rings, border
lines, settlements, geodesic lines, a results panel) as display-ready layers in
lon/lat, with the provenance of each. Two renderers draw the same layers: Folium
(interactive HTML, :mod:`maps._folium`) and matplotlib (static PNG, :mod:`maps._png`).
Nothing is written until :meth:`RiskMap.save` or :meth:`RiskMap.to_png`, and both
write atomically.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

import geo
from geo.errors import InputError, InputTypeError
from layers.provenance import Provenance
from maps._content import (
    LINE_COLOR,
    Layer,
    as_frame,
    border_layer,
    exposure_table,
    geodesic_line_layers,
    provenance_of,
    rings_layer,
    settlements_layer,
    territory_layer,
)
from maps.panel import Curve, LegendEntry, Panel, Table

if TYPE_CHECKING:
    import folium

__all__ = ["RiskMap"]


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
        if (
            not isinstance(tolerance_m, (int, float))
            or not math.isfinite(tolerance_m)
            or tolerance_m < 0
        ):
            raise InputError(
                f"tolerance_m={tolerance_m!r} is not a distance >= 0 in metres; e.g. 200.0"
            )
        self.title = title
        self.tiles = tiles
        self.tolerance_m = float(tolerance_m)
        self.bounds = None if bounds is None else self._check_bounds(bounds)
        self.layers: list[Layer] = []
        self.panel = Panel()
        self.legend_notes: list[str] = []
        self._ring_error_m: float | None = None  # largest boundary error of rings drawn, metres
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
        frame = as_frame(territory, what="territory")
        box = None if clip is None else self._check_bounds(clip)
        layer = territory_layer(
            frame,
            self.tolerance_m,
            name=name,
            group=group,
            context=context,
            color=color,
            show=show,
            fit=fit,
            clip=box,
        )
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
            rings = geo.rings(
                as_frame(source, what="rings source"), metres, outside_only=outside_only
            )
            prov = provenance_of(source)
            if prov is not None:
                rings.attrs["provenance"] = prov
        rings = as_frame(rings, what="rings")
        layer = rings_layer(
            rings,
            self.tolerance_m,
            name=name,
            of=of,
            group=group,
            filled=filled,
            color=color,
            show=show,
            fit=fit,
        )
        self._add(layer, rings)
        errors = rings["error_m"].to_numpy(dtype=float) if "error_m" in rings else np.array([])
        if errors.size and np.isfinite(errors).any():
            self._ring_error_m = max(self._ring_error_m or 0.0, float(np.nanmax(errors)))
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
        frame = as_frame(border, what="border")
        layer = border_layer(
            frame, self.tolerance_m, name=name, group=group, color=color, show=show, fit=fit
        )
        self._add(layer, frame)
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
        frame = as_frame(places, what="settlements")
        layer = settlements_layer(
            frame,
            self.tolerance_m,
            radius_m=None if radius_m is None else geo.parse_distance(radius_m),
            distance_column=distance_column,
            of=of,
            name=name,
            group=group,
            max_distance_m=None if max_distance_m is None else geo.parse_distance(max_distance_m),
            min_population=min_population,
            show=show,
        )
        self._add(layer, places)
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
        color: str = LINE_COLOR,
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
        line, ends = geodesic_line_layers(
            a,
            b,
            self.tolerance_m,
            labels=labels,
            name=name,
            group=group,
            color=color,
            show=show,
            fit=fit,
        )
        self._add(line, None)
        self._add(ends, None)
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
        since = f" from {of}" if of else ""
        if exposure.places is not None:
            places = exposure.places
            if countries is not None and "country" in places.columns:
                places = places[places["country"].isin(list(countries))]
            self.add_settlements(
                places,
                radius_m=r,
                of=of,
                max_distance_m=limit,
                show=show,
                name=f"Settlements within {limit / 1000:g} km{where}",
            )
        wide = exposure_table(exposure, countries)
        self.add_table(
            wide, title=f"Population within each distance{where}", float_format="{:,.0f}"
        )
        curve = exposure.curve(curve_step_m)
        series = {"all": curve["population"].to_numpy(float)}
        for code in (list(wide["country"]) if countries is None else list(countries))[:5]:
            series[str(code)] = exposure.curve(curve_step_m, country=code)["population"].to_numpy(
                float
            )
        marks = [x for x in radii if x < radii[-1]] or radii
        self.add_curve(
            curve["distance_m"].to_numpy(float),
            series,
            marks_m=marks,
            title=f"Population by distance{since}",
        )
        self._provenance.append(exposure.provenance)
        return self

    def add_note(self, text: str) -> RiskMap:
        """Add a line of text (a verdict, a caveat) to the results panel."""
        self.panel.notes.append(str(text))
        return self

    def add_table(
        self, frame: pd.DataFrame, *, title: str, float_format: str = "{:,.1f}"
    ) -> RiskMap:
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
            raise InputTypeError(
                f"provenance of type {type(provenance).__name__} is not a layers.Provenance"
            )
        self._provenance.append(provenance)
        return self

    # -- what the map says -----------------------------------------------------------------

    @property
    def provenance(self) -> Provenance:
        """The merged provenance of every layer and result on the map."""
        merged = Provenance(method="map composed by riskmap.maps")
        return merged.merge(*self._provenance, display_tolerance_m=self.tolerance_m)

    def attribution(self) -> str:
        """Return the data credit line, composed from the provenance of every layer shown."""
        return self.provenance.attribution()

    def legend_entries(self) -> list[LegendEntry]:
        """Return the legend lines of every layer, in the order added."""
        return [e for layer in self.layers for e in layer.legend]

    def legend_notes_all(self) -> list[str]:
        """Return the notes under the legend: methods, then the display tolerance."""
        notes = list(self.legend_notes)
        if self._ring_error_m is not None:
            notes.insert(
                0, f"Rings: geodesic on WGS84, boundary within {self._ring_error_m:,.1f} m of exact"
            )
        return notes + [f"Shapes simplified for display to ≤ {self.tolerance_m:g} m"]

    def view_bounds(self) -> tuple[float, float, float, float]:
        """Return the initial view (west, south, east, north) in degrees."""
        if self.bounds is not None:
            return self.bounds
        boxes = [lay.features.total_bounds for lay in self.layers if lay.fit and len(lay.features)]
        if not boxes:
            return (-180.0, -60.0, 180.0, 75.0)
        arr = np.array(boxes)
        w, s, e, n = arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max()
        return (float(w), float(s), float(e), float(n))

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
        self,
        path: str | os.PathLike[str],
        *,
        dpi: int = 150,
        size_in: tuple[float, float] = (13.0, 8.0),
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

    def _add(self, layer: Layer, data: Any) -> None:
        if layer.background:  # drawn first, under everything else, whenever it is added
            self.layers.insert(sum(1 for x in self.layers if x.background), layer)
        else:
            self.layers.append(layer)
        prov = provenance_of(data)
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
            raise InputError(
                f"bounds {bounds!r} is not (west, south, east, north) in degrees"
            ) from exc
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            raise InputError(
                f"bounds {bounds!r} is not (west, south, east, north) with west < east in "
                "[-180, 180] and south < north in [-90, 90]; note the (lon, lat) order"
            )
        return (w, s, e, n)
