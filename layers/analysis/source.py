"""What an exposure is measured from: a source described as the workers need it.

:func:`describe_source` turns what :func:`layers.exposure` is given (a
:class:`layers.Source`, a name, a layer, a geometry) into a :class:`SourceDescription`,
reading what the layer is from its ``attrs["kind"]``: a territory names its country
(whose residents ``exclude_source=True`` leaves out) and its boundary variant; a
border names both its countries (nobody is left out) and what its line is made of.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import geopandas
import numpy as np
import shapely

from geo.errors import CRSError, InputError
from layers.boundaries import BOUNDARY_VARIANTS
from layers.countries import country as country_record
from layers.provenance import Provenance
from layers.regions import region_label
from layers.sources import Source, resolve_source

__all__ = ["SourceDescription", "border_line", "describe_source", "nobody_excluded"]

_POLYGONAL = (3, 6)  # shapely type ids of Polygon and MultiPolygon


@dataclass(frozen=True)
class SourceDescription:
    """What an exposure is measured from, as the workers need it.

    Attributes
    ----------
    geometry : Any
        What :mod:`geo` measures distances to (a GeoDataFrame, a shapely geometry, a
        ``(lon, lat)`` pair in degrees).
    kind : str
        ``"territory"``, ``"border"``, ``"place"``, ``"point"`` (from the layer's
        ``attrs["kind"]``), or ``"geometry"`` for anything else.
    codes : tuple of str
        Alpha-2 codes: the country a territory is (whose residents
        ``exclude_source=True`` leaves out), or both countries of a border (nobody
        is left out: a border has two sides); empty for other kinds.
    variant : str or None
        The boundary variant of a territory (its ``variant`` column).
    provenance : Provenance
        Where the geometry comes from; for a border, ``details`` also hold
        ``border_parts`` (kind and length in metres of each part) and
        ``border_line`` (the same in words).
    polygonal : bool
        Whether every geometry is a (multi)polygon, so that distance 0 means inside.
    label : str
        How the result's provenance names the source: a territory with its boundary
        variant, e.g. ``"North Korea (OSM, land only)"``.

    Examples
    --------
    >>> import shapely
    >>> describe_source(shapely.Point(131.9, 43.1))
    SourceDescription(kind='geometry', label='Point', codes=(), variant=None)
    """

    geometry: Any
    kind: str
    codes: tuple[str, ...]
    variant: str | None
    provenance: Provenance
    polygonal: bool
    label: str

    def __repr__(self) -> str:
        return (
            f"SourceDescription(kind={self.kind!r}, label={self.label!r}, "
            f"codes={self.codes!r}, variant={self.variant!r})"
        )


def _unique(values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values))


def _country_name(code: str) -> str:
    try:
        return country_record(code).name
    except InputError:  # a code of a user's file that the country table lacks
        return code


def border_line(line: Any) -> tuple[list[dict[str, Any]], str]:
    """Say what a border line is made of: its land and sea parts and their lengths.

    Parameters
    ----------
    line : geopandas.GeoDataFrame
        A border as :func:`layers.border` returns it (``a``, ``b``; ``kind`` and
        ``length_m`` in metres where present).

    Returns
    -------
    parts : list of dict
        ``{"kind": "land" or "sea", "length_m": metres}``, one per kind, land first.
    text : str
        The same in words, e.g. ``"North Korea–Russia border line: land 17.5 km, sea
        22.3 km (39.8 km)"``, with what a line of shared territory includes.

    Examples
    --------
    >>> import layers
    >>> parts, text = border_line(layers.border("KP", "RU"))
    >>> [p["kind"] for p in parts], text.split(":")[0]
    (['land', 'sea'], 'North Korea–Russia border line')
    """
    names = "–".join(
        ", ".join(_country_name(c) for c in _unique(line[side])) for side in ("a", "b")
    )
    if not {"kind", "length_m"} <= set(line.columns):
        return [], f"{names} border line (parts and lengths not given by the layer)"
    lengths = line.groupby("kind", sort=False)["length_m"].sum()
    order = sorted(lengths.index, key=lambda k: (k != "land", k != "sea", str(k)))
    metres = {str(k): float(lengths[k]) for k in order}
    parts: list[dict[str, Any]] = [{"kind": k, "length_m": v} for k, v in metres.items()]
    words = ", ".join(f"{k} {v / 1000:,.1f} km" for k, v in metres.items())
    total = sum(metres.values()) / 1000
    return parts, (
        f"{names} border line: {words} ({total:,.1f} km); the line where the two "
        "territories meet as the data draws them, so a de-facto line (a line of control, "
        "a ceasefire line) is part of it where a territory is drawn up to it"
    )


def _territory_label(codes: tuple[str, ...], variant: str | None) -> str:
    names = ", ".join(_country_name(c) for c in codes)
    if variant is None:
        return names
    labels = [
        BOUNDARY_VARIANTS[v].label if v in BOUNDARY_VARIANTS else v for v in variant.split(", ")
    ]
    return f"{names} ({', '.join(labels)})"


def _describe_layer(source: Any) -> SourceDescription:
    """Describe a GeoDataFrame or GeoSeries by what its ``attrs["kind"]`` says it is."""
    if source.crs is None:
        raise CRSError(
            f"source {type(source).__name__} has no CRS; set it with .set_crs('EPSG:4326') "
            "if the coordinates are lon/lat degrees, or with the CRS they are in"
        )
    if len(source) == 0:
        raise InputError(
            "source has no rows; give a territory, border or geometry with coordinates"
        )
    provenance = Provenance.of(source) or Provenance()
    polygonal = bool(np.isin(shapely.get_type_id(np.asarray(source.geometry)), _POLYGONAL).all())
    kind = source.attrs.get("kind") if isinstance(source, geopandas.GeoDataFrame) else None
    columns = set(source.columns) if isinstance(source, geopandas.GeoDataFrame) else set()
    if kind == "territory" and "iso2" in columns:
        codes = _unique(source["iso2"])
        variant = ", ".join(_unique(source["variant"])) if "variant" in columns else None
        label = _territory_label(codes, variant)
        return SourceDescription(source, kind, codes, variant, provenance, polygonal, label)
    if kind == "border" and {"a", "b"} <= columns:
        codes = tuple(dict.fromkeys(_unique(source["a"]) + _unique(source["b"])))
        parts, text = border_line(source)
        provenance = provenance.merge(border_parts=parts, border_line=text)
        label = f"border {', '.join(_unique(source['a']))}–{', '.join(_unique(source['b']))}"
        return SourceDescription(source, kind, codes, None, provenance, polygonal, label)
    if kind == "region" and {"iso_3166_2", "admin", "region"} <= columns:
        # no codes: exclude_source=True leaves out the region's residents (points.py)
        return SourceDescription(
            source, kind, (), None, provenance, polygonal, region_label(source)
        )
    kind = kind if kind in ("place", "point") else "geometry"
    return SourceDescription(source, kind, (), None, provenance, polygonal, "geometry")


def nobody_excluded(src: SourceDescription) -> str:
    """Return the exclusion rule, in words, of an exposure that leaves nobody out.

    Parameters
    ----------
    src : SourceDescription
        The source.

    Returns
    -------
    str
        ``"none"``; for a border, which has two sides, with the countries counted.

    Examples
    --------
    >>> import layers
    >>> nobody_excluded(describe_source(layers.border("KP", "RU")))
    'none (a border line has two sides: residents of both sides, KP and RU, are counted)'
    """
    if src.kind == "border":
        return (
            "none (a border line has two sides: residents of both sides, "
            f"{' and '.join(src.codes)}, are counted)"
        )
    return "none"


def describe_source(source: Any) -> SourceDescription:
    """Describe what distances are measured from.

    Parameters
    ----------
    source : Source, str, GeoDataFrame, GeoSeries, shapely geometry or (lon, lat)
        A :class:`layers.Source`; a name :func:`layers.resolve_source` resolves
        (``"North Korea"``, ``"KP-RU"``, ``"Vladivostok,RU"``, ``"lon,lat"``; territories
        on :data:`layers.DEFAULT_BOUNDARY`); a layer, described by its
        ``attrs["kind"]``: a territory (codes from ``iso2``, boundary variant from
        ``variant``) or a border (codes from ``a`` and ``b``, parts from ``kind`` and
        ``length_m``); any other GeoDataFrame or GeoSeries, a shapely geometry
        (lon/lat degrees) or anything else :mod:`geo` accepts is a plain geometry.

    Returns
    -------
    SourceDescription
        The geometry, kind, country codes, boundary variant, provenance and label.

    Raises
    ------
    CRSError
        For a layer without a CRS.
    InputError
        For a layer without rows, or a name that names nothing.

    Examples
    --------
    >>> describe_source("North Korea")
    SourceDescription(kind='territory', label='North Korea (OSM, land only)', codes=('KP',), \
variant='osm-land')
    >>> import layers
    >>> describe_source(layers.border("KP", "RU"))
    SourceDescription(kind='border', label='border KP–RU', codes=('KP', 'RU'), variant=None)
    """
    if isinstance(source, str):
        source = resolve_source(source)
    if isinstance(source, Source):
        return replace(describe_source(source.data), label=source.label)
    if isinstance(source, (geopandas.GeoDataFrame, geopandas.GeoSeries)):
        return _describe_layer(source)
    if isinstance(source, shapely.Geometry):
        polygonal = shapely.get_type_id(source) in _POLYGONAL
        return SourceDescription(
            source, "geometry", (), None, Provenance(), polygonal, source.geom_type
        )
    return SourceDescription(
        source, "geometry", (), None, Provenance(), False, type(source).__name__
    )
