"""The description of a map: everything a renderer needs, and the only thing it reads.

:class:`MapDescription` holds the elements of a map in the order they were added,
the display layers they draw (background first), the legend, the results panel,
the initial view and the merged provenance. :meth:`maps.RiskMap.describe` builds
one; the Folium and matplotlib renderers take it as their only input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import shapely

from geo.errors import InputError
from layers import Provenance
from maps._display import check_bounds, continuous_cut, shift_east
from maps.elements import Credit
from maps.instrument import RadiusControl, ring_error_text
from maps.layer import Element, Layer
from maps.panel import Curve, LegendEntry, Note, Panel, Table

__all__ = ["Item", "MapDescription", "DEFAULT_VIEW", "POSITIONS", "check_position"]

#: What a map holds: elements drawn on it, panel content, credits and the radius control.
Item: TypeAlias = Element | Note | Table | Curve | Credit | RadiusControl

#: Where a control may sit on the page (Leaflet's corners).
POSITIONS = ("topleft", "topright", "bottomleft", "bottomright")


def check_position(position: str, what: str) -> str:
    """Return ``position`` if it is a corner of the page, else refuse it.

    Parameters
    ----------
    position : str
        One of :data:`POSITIONS`.
    what : str
        The option's name, for the message.

    Returns
    -------
    str

    Raises
    ------
    InputError
        For anything else, naming the corners.

    Examples
    --------
    >>> check_position("bottomright", "legend")
    'bottomright'
    """
    if position not in POSITIONS:
        raise InputError(
            f"{what}={position!r} is not a corner of the page; "
            f"give one of {', '.join(map(repr, POSITIONS))}"
        )
    return position


#: The initial view (west, south, east, north) in degrees of a map with nothing to fit.
DEFAULT_VIEW = (-180.0, -60.0, 180.0, 75.0)


@dataclass(frozen=True, eq=False)
class MapDescription:
    """A map as its renderers see it.

    Parameters
    ----------
    title : str
        Page title and head of the legend ("" for none).
    tiles : str or None
        Tile provider name folium knows, or None for a plain background.
    tolerance_m : float
        Display simplification of the layers, in metres.
    bounds : (west, south, east, north)
        Initial view in degrees.
    elements : tuple of Item
        What was added, in order.
    layers : tuple of Layer
        The display layers, in drawing order (background layers first).
    legend : tuple of LegendEntry
        The legend lines of the layers shown when the map opens, in drawing order
        (a layer off at first, e.g. a boundary variant, is named in the layer control
        only), and the radius control's ring.
    legend_notes : tuple of str
        Lines under the legend: methods, then the display tolerance.
    panel : Panel
        Notes, tables and curves of the results panel.
    provenance : layers.Provenance
        Sources and methods of everything shown.
    legend_position : {"bottomleft", "bottomright", "topleft", "topright"}
        Corner of the page the legend sits in.
    radius : RadiusControl or None
        The page's radius control (the last one added), or None.
    cut : float or None
        Where the display cuts the world, degrees: a subject across ±180° (Chukotka,
        Fiji) is drawn with the parts west of this meridian 360° east, so that it reads
        whole and continuous (``bounds`` may then reach past 180°). None when the
        subject does not cross ±180°.

    Examples
    --------
    >>> import shapely
    >>> from maps.elements import Territory
    >>> from maps.panel import Note
    >>> desc = MapDescription.compose(
    ...     [Territory(shapely.box(125, 38, 130, 43), name="Box"), Note("Claim: holds.")],
    ...     title="Example", tiles=None)
    >>> desc.bounds, [layer.name for layer in desc.layers], desc.panel.notes
    ((125.0, 38.0, 130.0, 43.0), ['Box'], ('Claim: holds.',))
    >>> desc.legend_notes
    ('Shapes simplified for display to ≤ 200 m',)
    """

    title: str
    tiles: str | None
    tolerance_m: float
    bounds: tuple[float, float, float, float]
    elements: tuple[Item, ...]
    layers: tuple[Layer, ...]
    legend: tuple[LegendEntry, ...]
    legend_notes: tuple[str, ...]
    panel: Panel
    provenance: Provenance
    legend_position: str = "bottomleft"
    radius: RadiusControl | None = None
    cut: float | None = None

    @property
    def attribution(self) -> str:
        """The data credit line, composed from the provenance of everything shown."""
        return self.provenance.attribution()

    @classmethod
    def compose(
        cls,
        items: Iterable[Item],
        *,
        title: str = "",
        tiles: str | None = "OpenStreetMap",
        tolerance_m: float = 200.0,
        bounds: Sequence[float] | None = None,
        legend_position: str = "bottomleft",
    ) -> MapDescription:
        """Describe a map of ``items``: draw them, lay out the legend, panel and view.

        Parameters
        ----------
        items : iterable of Item
            Elements, panel content and credits, in the order added.
        title : str, default ""
            Page title and head of the legend.
        tiles : str or None, default "OpenStreetMap"
            Tile provider, or None.
        tolerance_m : float, default 200.0
            Display simplification in metres.
        bounds : (west, south, east, north), optional
            Initial view in degrees; default the extent of the layers that fit.
        legend_position : {"bottomleft", "bottomright", "topleft", "topright"}
            Corner of the legend.

        Returns
        -------
        MapDescription

        Examples
        --------
        >>> MapDescription.compose([], tiles=None).bounds
        (-180.0, -60.0, 180.0, 75.0)
        """
        items = tuple(items)
        check_position(legend_position, "legend")
        elements = [item for item in items if isinstance(item, Element)]
        controls = [item for item in items if isinstance(item, RadiusControl)]
        drawn = [layer for e in elements for layer in e.layers(tolerance_m)]
        layers = tuple(x for x in drawn if x.background) + tuple(
            x for x in drawn if not x.background
        )
        cut = _subject_cut(layers)
        given = check_bounds(bounds) if bounds is not None else None
        if cut is None and given is not None and given[2] > 180:
            cut = (given[0] + given[2]) / 2 - 180  # a view across 180°: what it shows, whole
        if cut is not None:
            layers = tuple(_shifted(layer, cut) for layer in layers)
        view = given if given is not None else _extent(layers)
        panel = Panel(
            notes=[i.text for i in items if isinstance(i, Note) and not i.warning],
            warnings=[i.text for i in items if isinstance(i, Note) and i.warning],
            tables=[i for i in items if isinstance(i, Table)],
            curves=[i for i in items if isinstance(i, Curve)],
        )
        sources = [
            i.provenance
            for i in items
            if isinstance(i, (Element, Credit)) and isinstance(i.provenance, Provenance)
        ]
        provenance = Provenance(method="map composed by maps.RiskMap").merge(
            *sources, display_tolerance_m=tolerance_m
        )
        return cls(
            title=title,
            tiles=tiles,
            tolerance_m=tolerance_m,
            bounds=view,
            elements=items,
            layers=layers,
            legend=_legend(layers, controls[-1] if controls else None),
            legend_notes=_legend_notes(elements, tolerance_m, controls[-1] if controls else None),
            panel=panel,
            provenance=provenance,
            legend_position=legend_position,
            radius=controls[-1] if controls else None,
            cut=cut,
        )


def _subject_cut(layers: Sequence[Layer]) -> float | None:
    """Where to cut the world so that the layers that fit read continuously, or None."""
    lon = [
        shapely.get_coordinates(x.features.geometry.values)[:, 0]
        for x in layers
        if x.fit and len(x.features)
    ]
    return continuous_cut(np.concatenate(lon)) if lon else None


def _shifted(layer: Layer, cut: float) -> Layer:
    """Return the layer with its parts west of ``cut`` drawn 360° east (``MapDescription.cut``)."""
    geoms = [shift_east(g, cut) for g in layer.features.geometry.values]
    feats = layer.features.set_geometry(
        gpd.GeoSeries(geoms, index=layer.features.index, crs=layer.features.crs)
    )
    labels = [(lon + 360.0 if lon < cut else lon, lat, t) for lon, lat, t in layer.labels]
    return replace(layer, features=feats, labels=labels)


def _extent(layers: Sequence[Layer]) -> tuple[float, float, float, float]:
    """Return the box (west, south, east, north) in degrees around the layers that fit."""
    boxes = [x.features.total_bounds for x in layers if x.fit and len(x.features)]
    if not boxes:
        return DEFAULT_VIEW
    arr = np.array(boxes)
    w, s, e, n = arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max()
    return (float(w), float(s), float(e), float(n))


def _legend(layers: Sequence[Layer], control: RadiusControl | None) -> tuple[LegendEntry, ...]:
    """Return the legend rows of the layers on at first, then the radius control's ring."""
    rows = [entry for layer in layers if layer.show for entry in layer.legend]
    if control is not None and control.field is not None:
        rows.append(LegendEntry("Ring at the chosen radius", "line", "#000000", dash="6 4"))
    return tuple(rows)


def _legend_notes(
    elements: Sequence[Element], tolerance_m: float, control: RadiusControl | None
) -> tuple[str, ...]:
    """Methods first (the largest ring errors), then each kind's notes once, then the tolerance."""
    notes: list[str] = []
    errors = [e.boundary_error_m for e in elements if e.boundary_error_m is not None]
    if errors:
        worst = max(0.0, *errors)
        notes.append(f"Rings: geodesic on WGS84, boundary within {worst:,.1f} m of exact")
    if control is not None and control.field is not None:
        notes.append(ring_error_text(control.radius_m, control.field.error_at(control.radius_m)))
    for element in elements:
        notes += [n for n in element.legend_notes if n not in notes]
    return (*notes, f"Shapes simplified for display to ≤ {tolerance_m:g} m")
