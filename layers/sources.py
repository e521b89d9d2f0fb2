"""One resolver from what a user writes to the source distances are measured from.

``"KP"``, ``"PRK"``, ``"North Korea"`` and ``"north korea"`` are the territory of
North Korea; ``"KP-RU"`` (or ``"North Korea-Russia"``) is the border between two
countries; ``"Vladivostok"`` or ``"Vladivostok,RU"`` a settlement; ``"131.9,43.1"``
a point (lon, lat in degrees). The Python API, the ``riskmap`` command and scenario
files all go through :func:`resolve_source`, so a name means the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import geopandas
import shapely

from geo.errors import AmbiguousError, InputError, InputTypeError
from layers.boundaries import BoundaryVariant, boundary_variant
from layers.countries import country
from layers.places import Place, resolve_place
from layers.provenance import Provenance
from layers.territory import border, territory

__all__ = ["SOURCE_KINDS", "Source", "resolve_source"]

#: The kinds of source, as stamped on a layer's ``attrs["kind"]``.
SOURCE_KINDS = ("territory", "border", "place", "point")

_DASHES = re.compile(r"\s*[-–—]\s*")


@dataclass(frozen=True)
class Source:
    """What distances are measured from, with the words to describe it.

    Attributes
    ----------
    kind : {"territory", "border", "place", "point"}
        What the user named.
    data : geopandas.GeoDataFrame
        The geometry, EPSG:4326 (lon/lat degrees), with ``attrs["kind"]`` and
        ``attrs["provenance"]``.
    name : str
        The subject in words: ``"North Korea"``, ``"the North Korea–Russia border"``,
        ``"Vladivostok, RU"``.
    codes : tuple of str
        ISO 3166-1 alpha-2 codes: the country a territory is, the two sides of a
        border; empty for places and points.
    variant : BoundaryVariant or None
        How a territory is drawn; None for other kinds.
    place : Place or None
        The settlement or point resolved, for places and points.

    Examples
    --------
    >>> src = resolve_source("PRK", boundary="osm-sea")
    >>> src.kind, src.codes, src.label
    ('territory', ('KP',), 'North Korea (OSM, with territorial sea)')
    """

    kind: str
    data: Any
    name: str
    codes: tuple[str, ...] = ()
    variant: BoundaryVariant | None = None
    place: Place | None = None

    @property
    def label(self) -> str:
        """The name, followed by the boundary variant's label for a territory."""
        return f"{self.name} ({self.variant.label})" if self.variant else self.name

    @property
    def provenance(self) -> Provenance:
        """Where the source's geometry comes from."""
        return Provenance.of(self.data) or Provenance()


def _territory(code: str, variant: BoundaryVariant) -> Source:
    record = country(code)
    data = territory(record.iso2, **variant.territory_kwargs())
    return Source("territory", data, record.name, (record.iso2,), variant)


def _border(a: str, b: str) -> Source:
    first, second = country(a), country(b)
    data = border(first.iso2, second.iso2)
    name = f"the {first.name}–{second.name} border"
    return Source("border", data, name, (first.iso2, second.iso2))


def _place(place: Place, kind: str) -> Source:
    data = geopandas.GeoDataFrame(
        {"name": [place.name], "country": [place.country]},
        geometry=[shapely.Point(place.lonlat)],
        crs="EPSG:4326",
    )
    data.attrs["kind"] = kind
    name = place.name if kind == "point" else f"{place.name}, {place.country}"
    return Source(kind, data, name, place=place)


def _as_country(text: str) -> str | None:
    """Return the alpha-2 code ``text`` names, or None if none (an ambiguous name raises)."""
    try:
        return country(text).iso2
    except AmbiguousError:
        raise
    except InputError:
        return None


def resolve_source(
    text: str | Source,
    *,
    boundary: str | BoundaryVariant | None = None,
    settlements: Any = None,
) -> Source:
    """Turn what a user writes into a :class:`Source`.

    Parameters
    ----------
    text : str or Source
        A country (ISO alpha-2 or alpha-3 code, English name or alias, any case), a
        border between two countries written with a dash (``"KP-RU"``,
        ``"North Korea–Russia"``), a settlement (``"Vladivostok"``,
        ``"Vladivostok,RU"``, ``"Vladivostok,Russia"``) or a point ``"lon,lat"`` in
        degrees. Countries are
        tried first, then borders, then settlements. A :class:`Source` is returned
        as it is.
    boundary : str or BoundaryVariant, optional
        How a territory is drawn (see :data:`layers.BOUNDARY_VARIANTS`); default
        :data:`layers.DEFAULT_BOUNDARY`. Ignored for other kinds.
    settlements : GeoDataFrame, optional
        Where place names are looked up; default ``layers.settlements()``.

    Returns
    -------
    Source

    Raises
    ------
    InputError
        If the text names nothing riskmap knows (the message suggests close names), or
        a name is ambiguous.

    Examples
    --------
    >>> resolve_source("north korea").codes
    ('KP',)
    >>> resolve_source("KP-RU").name
    'the North Korea–Russia border'
    >>> resolve_source("131.8869,43.1056").kind
    'point'
    """
    if isinstance(text, Source):
        return text
    if not isinstance(text, str):
        raise InputTypeError(
            f"source {text!r:.60} of type {type(text).__name__} is not a name; give a country "
            "('KP', 'North Korea'), a border ('KP-RU'), a place ('Vladivostok,RU') or 'lon,lat'"
        )
    query = text.strip()
    if not query:
        raise InputError(
            "source is empty; give a country ('KP'), a border ('KP-RU'), "
            "a place ('Vladivostok,RU') or 'lon,lat'"
        )
    variant = boundary_variant(boundary)
    code = _as_country(query)
    if code is not None:
        return _territory(code, variant)
    if "," not in query:
        # Names hold dashes too ("Guinea-Bissau"): try each dash as the split.
        for match in _DASHES.finditer(query):
            a, b = query[: match.start()], query[match.end() :]
            if a and b and (ca := _as_country(a)) and (cb := _as_country(b)):
                return _border(ca, cb)
    place = resolve_place(query, settlements)
    return _place(place, "place" if place.country else "point")
