"""A display layer, and the contract of every element drawn on a map.

An :class:`Element` is one thing a map shows (a territory, rings, a border, ...;
see :mod:`maps.elements`); it holds its data and options and draws itself as one
or more :class:`Layer`: features in lon/lat simplified for display, their styles,
labels and legend lines. Renderers draw layers and know no element, so that a new
element needs no change to a renderer, and a new renderer none to an element.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import geopandas as gpd

from layers import Provenance
from maps._display import as_frame, provenance_of
from maps.panel import LegendEntry

__all__ = ["Layer", "Element"]


# Layers and elements hold frames, whose == compares cell by cell: they compare by identity.
@dataclass(frozen=True, eq=False)
class Layer:
    """One display layer: simplified lon/lat features, their styles, labels and legend.

    Parameters
    ----------
    name, group : str
        Name and group in the layer control.
    kind : {"area", "line", "point"}
        What the features are.
    features : geopandas.GeoDataFrame
        EPSG:4326 (lon/lat degrees), with columns ``style`` (index into ``styles``),
        ``tooltip`` (HTML, escaped) and, for points, ``radius`` (pixels); optional
        ``name`` (what the page's search finds) and ``distance_m`` (metres).
    styles : sequence of dict
        Leaflet path options (``color``, ``weight``, ``fillColor``, ...).
    labels : sequence of (float, float, str)
        Text drawn at (lon, lat) in degrees.
    legend : sequence of LegendEntry
        The layer's lines in the legend.
    show, fit : bool, default True
        Whether the layer is on at first, and whether it sets the initial view.
    background : bool, default False
        Drawn under every other layer (neighbouring countries).
    recolour : bool, default False
        Points whose ``distance_m`` (metres) the page's radius control recolours:
        style 0 inside the radius, style 1 beyond it.

    Examples
    --------
    >>> import shapely
    >>> from maps.elements import Border
    >>> line = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1, 1)])], crs="EPSG:4326")
    >>> layer, = Border(line).layers(200.0)
    >>> layer.kind, len(layer.features), layer.styles[0]["color"]
    ('line', 1, '#000000')
    """

    name: str
    group: str
    kind: str
    features: gpd.GeoDataFrame
    styles: Sequence[dict[str, Any]]
    labels: Sequence[tuple[float, float, str]] = ()
    legend: Sequence[LegendEntry] = ()
    show: bool = True
    fit: bool = True
    background: bool = False
    recolour: bool = False


@dataclass(frozen=True, kw_only=True, eq=False)
class Element:
    """The options every map element shares (the keywords of every ``RiskMap.add_*``).

    Subclasses add their data and their own options, and draw themselves as
    :class:`Layer` objects in :meth:`layers`.

    Parameters
    ----------
    name : str, optional
        Layer name in the layer control; by default each element names itself from
        its data ("North Korea (osm-sea)", "Within 200 km of North Korea").
    group : str
        Group in the layer control; each element has its own default.
    show : bool, default True
        Whether the layer is on when the page opens.
    fit : bool or None
        Whether the layer's extent is part of the initial view; each element has its
        own default.
    provenance : layers.Provenance, optional
        Where the data comes from, credited in the attribution; default the data's
        ``attrs["provenance"]``.

    Examples
    --------
    >>> from maps.elements import GeodesicLine
    >>> line = GeodesicLine((131.8869, 43.1056), (125.7625, 39.0392), labels=("V", "P"))
    >>> line.group, line.show, line.fit
    ('Distances', True, True)
    >>> [layer.name for layer in line.layers(200.0)]
    ['V – P', 'V – P (ends)']
    """

    name: str | None = None
    group: str = ""
    show: bool = True
    fit: bool | None = True
    provenance: Provenance | None = None
    _drawn: dict[float, tuple[Layer, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    #: Lines this kind of element adds under the legend (once per map).
    legend_notes: ClassVar[tuple[str, ...]] = ()

    @property
    def boundary_error_m(self) -> float | None:
        """Largest distance in metres of a drawn geodesic boundary from the exact one."""
        return None

    def layers(self, tolerance_m: float) -> tuple[Layer, ...]:
        """Return the display layers, simplified to ``tolerance_m`` metres (drawn once).

        Parameters
        ----------
        tolerance_m : float
            Largest displacement of a drawn vertex, in metres.

        Returns
        -------
        tuple of Layer
        """
        key = float(tolerance_m)
        if key not in self._drawn:
            self._drawn[key] = self._draw(key)
        return self._drawn[key]

    def _draw(self, tolerance_m: float) -> tuple[Layer, ...]:
        raise NotImplementedError

    def _take_data(self, what: str) -> gpd.GeoDataFrame:
        """Normalise the ``data`` field to EPSG:4326 and take its provenance."""
        raw = getattr(self, "data")  # noqa: B009 - every subclass with data sets it
        frame = as_frame(raw, what=what)
        object.__setattr__(self, "data", frame)
        if self.provenance is None:
            object.__setattr__(self, "provenance", provenance_of(raw) or provenance_of(frame))
        return frame
