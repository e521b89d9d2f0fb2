"""The boundary variants a territory can be drawn with: one registry, one default.

An exposure figure depends on which boundary is drawn: OpenStreetMap with its
12-nautical-mile territorial sea, the same clipped to land, or Natural Earth.
Every part of riskmap (the Python API, the CLI, scenario files, reports and maps)
names them from :data:`BOUNDARY_VARIANTS` and falls back on :data:`DEFAULT_BOUNDARY`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from geo.errors import InputError, InputTypeError

__all__ = [
    "BOUNDARY_VARIANTS",
    "DEFAULT_BOUNDARY",
    "BoundaryVariant",
    "boundary_variant",
    "variant_label",
]


@dataclass(frozen=True)
class BoundaryVariant:
    """One way of drawing a country's territory.

    Attributes
    ----------
    name : str
        The name used everywhere: ``"osm-land"``, ``"osm-sea"``, ``"naturalearth"``.
    label : str
        How reports and maps call it, e.g. ``"OSM, land only"``.
    source : str
        The ``source`` argument of :func:`layers.territory`.
    land_only : bool
        The ``land_only`` argument of :func:`layers.territory`.

    Examples
    --------
    >>> BOUNDARY_VARIANTS["osm-sea"].label
    'OSM, with territorial sea'
    """

    name: str
    label: str
    source: str
    land_only: bool

    def territory_kwargs(self) -> dict[str, Any]:
        """Return the keyword arguments of :func:`layers.territory` that draw this variant.

        Examples
        --------
        >>> BOUNDARY_VARIANTS["osm-land"].territory_kwargs()
        {'source': 'osm', 'land_only': True}
        """
        return {"source": self.source, "land_only": self.land_only}


#: Every boundary variant, by name.
BOUNDARY_VARIANTS: dict[str, BoundaryVariant] = {
    v.name: v
    for v in (
        BoundaryVariant("osm-sea", "OSM, with territorial sea", "osm", land_only=False),
        BoundaryVariant("osm-land", "OSM, land only", "osm", land_only=True),
        BoundaryVariant("naturalearth", "Natural Earth", "naturalearth", land_only=True),
    )
}

#: The variant used wherever none is named: land only, as a border is drawn on land.
DEFAULT_BOUNDARY = "osm-land"


def boundary_variant(name: str | BoundaryVariant | None = None) -> BoundaryVariant:
    """Return a boundary variant by name (the default when ``name`` is None).

    Parameters
    ----------
    name : str, BoundaryVariant or None
        ``"osm-land"``, ``"osm-sea"`` or ``"naturalearth"`` (case-insensitive);
        None gives :data:`DEFAULT_BOUNDARY`.

    Returns
    -------
    BoundaryVariant

    Raises
    ------
    InputError
        If the name is not a variant; the message lists them.

    Examples
    --------
    >>> boundary_variant().name
    'osm-land'
    >>> boundary_variant("OSM-Sea").land_only
    False
    """
    if isinstance(name, BoundaryVariant):
        return name
    if name is None:
        return BOUNDARY_VARIANTS[DEFAULT_BOUNDARY]
    if not isinstance(name, str):
        raise InputTypeError(
            f"boundary {name!r} of type {type(name).__name__} is not a variant name; "
            f"give one of {', '.join(map(repr, BOUNDARY_VARIANTS))}"
        )
    key = name.strip().lower()
    if key not in BOUNDARY_VARIANTS:
        close = difflib.get_close_matches(key, list(BOUNDARY_VARIANTS), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise InputError(
            f"boundary {name!r} is not a boundary variant; {hint}"
            f"use one of {', '.join(map(repr, BOUNDARY_VARIANTS))}"
        )
    return BOUNDARY_VARIANTS[key]


def variant_label(name: str) -> str:
    """Return how reports and maps call a variant: a boundary variant or a border line.

    Parameters
    ----------
    name : str
        A boundary variant's name, or ``"<source> border"`` for the border line drawn
        from a territory source (``"osm border"``); other names are returned as given.

    Returns
    -------
    str

    Examples
    --------
    >>> variant_label("osm-sea"), variant_label("osm border"), variant_label("my file")
    ('OSM, with territorial sea', 'OSM border line', 'my file')
    """
    if name in BOUNDARY_VARIANTS:
        return BOUNDARY_VARIANTS[name].label
    if name.endswith(" border"):
        return f"{name[: -len(' border')].upper()} border line"
    return name
