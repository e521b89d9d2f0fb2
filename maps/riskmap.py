"""RiskMap: a map built from riskmap layers, shown in Jupyter, saved as HTML or PNG.

A :class:`RiskMap` is a list of elements (:mod:`maps.elements`: territories,
geodesic rings, border lines, settlements, geodesic lines; the panel's notes,
tables and curves of :mod:`maps.panel`), each with the provenance of its data.
:meth:`RiskMap.describe` turns them into a :class:`~maps.description.MapDescription`,
the only input of the two renderers: Folium (interactive HTML, :mod:`maps._folium`)
and matplotlib (static PNG, :mod:`maps._png`). Nothing is written until
:meth:`RiskMap.save` or :meth:`RiskMap.to_png`, and both write atomically.

The ``add_*`` methods build one element each and pass it to :meth:`RiskMap.add`;
their parameters are the element's fields, documented once on its class, and the
options they share (``name``, ``group``, ``show``, ``fit``) on
:class:`maps.layer.Element`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from geo.errors import InputTypeError
from layers import Provenance, resolve_source
from maps._display import check_bounds, check_tolerance
from maps._exposure import exposure_items
from maps._page import PageOutput
from maps.description import Item, MapDescription, check_position
from maps.elements import (
    LINE_COLOR,
    Border,
    Credit,
    GeodesicLine,
    Rings,
    Settlements,
    Territory,
)
from maps.instrument import AUTO_TOLERANCES_M, PAGE_BUDGET_BYTES, RadiusControl
from maps.layer import Element
from maps.panel import Curve, Note, Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RiskMap"]


def _area(text: str) -> Any:
    """Return a territory or region named as ``layers.exposure`` reads it; refuse the rest."""
    source = resolve_source(text)
    if source.kind not in ("territory", "region"):
        raise InputTypeError(
            f"territory {text!r} is a {source.kind} ({source.name}), not a territory or "
            "region; draw rings around it with add_rings, or a border line with add_border"
        )
    return source


class RiskMap(PageOutput):
    """An interactive map of territories, geodesic rings, settlements and results.

    Parameters
    ----------
    title : str, default ""
        Shown as the page title and at the head of the legend.
    tiles : str or None, default "OpenStreetMap"
        A tile provider name folium knows (``"OpenStreetMap"``, ``"OpenTopoMap"``),
        or None for a plain background (vector layers only; nothing is fetched).
    tolerance_m : float, optional
        Display simplification in metres: no vertex drawn moves more than this from
        the computed geometry. Numbers are always computed on the full geometry. By
        default 200 m, or the finest of :data:`AUTO_TOLERANCES_M` whose page keeps within
        ``max_bytes`` (a subject the size of Russia); the legend says which.
    bounds : (west, south, east, north), optional
        Initial view in degrees; by default the extent of the layers added with ``fit=True``.
    legend : {"bottomleft", "bottomright", "topleft", "topright"}, default "bottomleft"
        Corner of the page the legend sits in.
    max_bytes : int, default PAGE_BUDGET_BYTES (3 MB)
        A page larger than this (at the coarsest automatic tolerance, or at the one given)
        warns (:class:`~maps.instrument.PageSizeWarning`) with the less detailed options
        that make it smaller.

    Examples
    --------
    >>> import shapely
    >>> m = RiskMap(title="Example", tiles=None)
    >>> m = m.add_territory(shapely.box(125, 38, 130, 43), name="Box")
    >>> m = m.add_rings(shapely.box(125, 38, 130, 43), ["50km"], of="Box")
    >>> m = m.add_note("Claim: holds.")
    >>> page = m.render()
    >>> "<title>Example</title>" in page, "Within 50 km of Box" in page, "Claim: holds." in page
    (True, True, True)
    >>> [round(v, 2) for v in m.describe().bounds]
    [124.39, 37.55, 130.61, 43.45]
    """

    def __init__(
        self,
        *,
        title: str = "",
        tiles: str | None = "OpenStreetMap",
        tolerance_m: float | None = None,
        bounds: Sequence[float] | None = None,
        legend: str = "bottomleft",
        max_bytes: int = PAGE_BUDGET_BYTES,
    ) -> None:
        check_position(legend, "legend")
        self.title = title
        self.tiles = tiles
        #: Whether the page may draw coarser than ``tolerance_m`` to keep within its budget.
        self.auto_tolerance = tolerance_m is None
        self.tolerance_m = check_tolerance(
            AUTO_TOLERANCES_M[0] if tolerance_m is None else tolerance_m
        )
        self.max_bytes = int(max_bytes)
        self.bounds = None if bounds is None else check_bounds(bounds)
        self.legend = legend
        self._items: list[Item] = []

    # -- adding content ------------------------------------------------------------------

    def add(self, *items: Item) -> RiskMap:
        """Add elements (drawn at once, so that bad data is refused here), panel content or credits.

        Parameters
        ----------
        *items : Element, Note, Table, Curve, Credit or RadiusControl
            From :mod:`maps.elements`, :mod:`maps.panel` and :mod:`maps.instrument`, in
            the order to show them (the last radius control added is the page's).

        Returns
        -------
        RiskMap
            ``self``, so that calls chain.

        Examples
        --------
        >>> from maps.elements import GeodesicLine
        >>> m = RiskMap(tiles=None).add(GeodesicLine((131.89, 43.11), (125.76, 39.04)))
        >>> [layer.name for layer in m.describe().layers]
        ['A – B', 'A – B (ends)']
        """
        for item in items:
            if isinstance(item, Element):
                item.layers(self.tolerance_m)
            elif not isinstance(item, (Note, Table, Curve, Credit, RadiusControl)):
                raise InputTypeError(
                    f"{type(item).__name__} is not a map element; give one from maps.elements "
                    "(Territory, Rings, ...) or maps.panel (Note, Table, Curve)"
                )
            self._items.append(item)
        return self

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
        """Draw a territory (e.g. from ``layers.territory``): a :class:`~maps.elements.Territory`.

        Parameters
        ----------
        territory : GeoDataFrame, GeoSeries, shapely geometry, str or layers.Source
            With a CRS (GeoDataFrame/GeoSeries) or in lon/lat degrees (shapely); a
            :class:`layers.Source` (``layers.resolve_source("KP")``) gives its ``data``,
            and so does a country or region written as ``layers.exposure`` reads it
            (``"KP"``, ``"North Korea"``, ``"Primorsky Krai"``).
        name, group, context, color, show, fit, clip
            The fields of :class:`~maps.elements.Territory`: ``context`` draws grey
            background, ``clip`` is a (west, south, east, north) box in degrees.

        Returns
        -------
        RiskMap
            ``self``, so that calls chain.
        """
        if isinstance(territory, str):
            territory = _area(territory)
        return self.add(
            Territory(
                territory,
                name=name,
                group=group,
                context=context,
                color=color,
                show=show,
                fit=fit,
                clip=clip,
            )
        )

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
        """Draw geodesic distance bands (0–d1, d1–d2, …): :class:`~maps.elements.Rings`.

        Parameters
        ----------
        source : GeoDataFrame, GeoSeries, geometry, (lon, lat) pair, str or layers.Source
            The result of :func:`geo.rings`, or what to draw rings around: a layer
            with a CRS, a shapely geometry, a pair in lon/lat degrees, a name such as
            ``"Zaporizhzhia"`` or ``"34.59,47.51"`` (as ``layers.exposure`` takes them),
            or a :class:`layers.Source`.
        distances : sequence of float (metres) or str (``"200km"``), optional
            Outer distances of the bands, when ``source`` is a geometry.
        outside_only : bool, default True
            When computing the rings: leave the source polygon itself out.
        name, of, group, filled, color, show, fit
            The fields of :class:`~maps.elements.Rings`.

        Returns
        -------
        RiskMap
            ``self``.
        """
        return self.add(
            Rings.around(
                source,
                distances,
                outside_only=outside_only,
                name=name,
                of=of,
                group=group,
                filled=filled,
                color=color,
                show=show,
                fit=fit,
            )
        )

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
            Lines with optional columns ``a``, ``b``, ``kind`` and ``length_m`` (metres).
        name, group, color, show, fit
            The fields of :class:`~maps.elements.Border`.

        Returns
        -------
        RiskMap
            ``self``.
        """
        element = Border(border, name=name, group=group, color=color, show=show, fit=fit)
        return self.add(element)

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
        """Draw settlements sized by population, coloured inside/outside ``radius_m``.

        Parameters
        ----------
        places : GeoDataFrame
            Points with ``name``, ``country`` and ``population`` columns and, to colour
            them, a distance column in metres.
        radius_m, distance_column, of, name, group, max_distance_m, min_population, show
            The fields of :class:`~maps.elements.Settlements`; distances in metres
            (or ``"200km"``), populations in people.

        Returns
        -------
        RiskMap
            ``self``.
        """
        return self.add(
            Settlements(
                places,
                radius_m=radius_m,
                distance_column=distance_column,
                of=of,
                name=name,
                group=group,
                max_distance_m=max_distance_m,
                min_population=min_population,
                show=show,
            )
        )

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
        labels, name, group, color, show, fit
            The fields of :class:`~maps.elements.GeodesicLine`.

        Returns
        -------
        RiskMap
            ``self``.
        """
        element = GeodesicLine(
            a, b, labels=labels, name=name, group=group, color=color, show=show, fit=fit
        )
        return self.add(element)

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
        source: Any = None,
        rings: bool = True,
        control: bool = True,
    ) -> RiskMap:
        """Show an exposure result: settlements, table, curve, rings, warnings, sources.

        The result's warnings (``Exposure.warnings``: a settlement coverage above 1.2,
        below 0.6, or unknown) go in the panel. The page gets a radius control (0 to
        the largest radius) that recounts the people and recolours the places from
        their exact distances and, given the ``source``, redraws its ring (the
        ring's measured error is in the legend). The settlements are in the view.

        Parameters
        ----------
        exposure : layers.Exposure
            The result of ``layers.exposure``.
        radius : float or str, optional
            The radius the page opens at, metres or ``"200km"``; default the largest.
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
        source : GeoDataFrame, GeoSeries, shapely geometry or layers.Source, optional
            What the exposure measured from; default the geometry it carries
            (``Exposure.source_geometry``; without one the panel says no ring is drawn).
            Its rings at the exposure's radii are drawn (unless ``rings=False``, e.g.
            after :meth:`add_rings`), and the ring of the radius control.
        rings, control : bool, default True
            Draw those rings; give the page a radius control.

        Returns
        -------
        RiskMap
            ``self``.

        Examples
        --------
        >>> import layers, shapely
        >>> towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
        >>> exp = layers.exposure(shapely.Point(131.9, 43.1), towns, ["20km", "50km"])
        >>> m = RiskMap(tiles=None).add_exposure(exp, source=shapely.Point(131.9, 43.1))
        >>> m.describe().radius.population(20_000) == exp.population("20km")
        True
        """
        options: dict[str, Any] = dict(radius=radius, of=of, countries=countries)
        options.update(max_distance=max_distance)
        options.update(curve_step_m=curve_step_m, show=show, source=source, rings=rings)
        return self.add(*exposure_items(exposure, control=control, **options))

    def add_note(self, text: str, *, warning: bool = False) -> RiskMap:
        """Add a line of text (a verdict, a caveat) to the results panel.

        Parameters
        ----------
        text : str
            The line, as shown.
        warning : bool, default False
            Show it as a warning about the numbers, after the notes and once only.

        Returns
        -------
        RiskMap
            ``self``.
        """
        return self.add(Note(text, warning=warning))

    def add_table(
        self, frame: pd.DataFrame, *, title: str, float_format: str = "{:,.1f}"
    ) -> RiskMap:
        """Add a table (e.g. an exposure table) to the results panel.

        Parameters
        ----------
        frame : pandas.DataFrame
            The rows to show; distances should already be in the unit named by their column.
        title, float_format
            The fields of :class:`~maps.panel.Table`.

        Returns
        -------
        RiskMap
            ``self``.
        """
        return self.add(Table(title, frame, float_format))

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
        title, marks_m, threshold
            The fields of :class:`~maps.panel.Curve` (``marks_m`` in metres,
            ``threshold`` in people).

        Returns
        -------
        RiskMap
            ``self``.
        """
        return self.add(Curve(title, distance_m, series, tuple(marks_m), threshold))

    def add_provenance(self, provenance: Provenance) -> RiskMap:
        """Credit the sources of a result shown only in the panel (e.g. a population grid)."""
        return self.add(Credit(provenance))

    # -- what the map says -----------------------------------------------------------------

    def describe(self, *, tolerance_m: float | None = None) -> MapDescription:
        """Return the map as its renderers see it: layers, legend, panel, view, provenance.

        Parameters
        ----------
        tolerance_m : float, optional
            Display simplification in metres; default the map's own.

        Returns
        -------
        MapDescription
        """
        return MapDescription.compose(
            self._items,
            title=self.title,
            tiles=self.tiles,
            tolerance_m=self.tolerance_m if tolerance_m is None else tolerance_m,
            bounds=self.bounds,
            legend_position=self.legend,
        )

    @property
    def provenance(self) -> Provenance:
        """The merged provenance of every layer and result on the map."""
        return self.describe().provenance

    def attribution(self) -> str:
        """Return the data credit line, composed from the provenance of every layer shown."""
        return self.describe().attribution

    def view_bounds(self) -> tuple[float, float, float, float]:
        """Return the initial view (west, south, east, north) in degrees."""
        return self.describe().bounds
