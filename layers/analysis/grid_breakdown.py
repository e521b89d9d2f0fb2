"""The polygons a grid exposure is broken down by: countries, admin-1 regions, any polygons.

A settlement carries its country in a column; a grid cell carries nothing, so a grid
is broken down by polygons, and each cell is shared between them by the exact fraction
of its area inside each (:mod:`layers.analysis.grids`). :func:`grid_breakdown` turns
what a user passes as ``by=`` into those polygons:

- ``None``: no breakdown, one ``"total"`` group;
- ``"country"``: every country (Natural Earth 1:10m admin-0, package data) that the
  question reaches, plus an ``"unassigned"`` group for the cells in no country (the sea);
- a list of countries (codes or names): only those, drawn with :func:`layers.territory`;
- a GeoDataFrame of polygons: one group per row, named by its key column, plus
  ``"unassigned"``; rows that overlap are made disjoint (the first row keeps the overlap),
  so that every cell's share is counted once and the groups sum to the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from geo.errors import InputError, InputTypeError
from layers.analysis.breakdown import UNASSIGNED, Breakdown, breakdown, group_name
from layers.analysis.result import TOTAL
from layers.analysis.values import country_codes
from layers.naturalearth import naturalearth_countries
from layers.provenance import Provenance
from layers.territory import territory

__all__ = ["UNASSIGNED", "GridGroups", "grid_breakdown"]


@dataclass(frozen=True)
class GridGroups:
    """The groups of a grid exposure, as lon/lat polygons.

    Attributes
    ----------
    names : list of str
        The groups, in table order.
    polygons : list of shapely geometry or None
        Each group's polygon (lon/lat degrees); None for :data:`~layers.analysis.result.TOTAL`.
    exhaustive : bool
        Whether an :data:`UNASSIGNED` group holds the cells in no polygon.
    excluded : list of shapely geometry
        Polygons of groups left out by ``exclude_source`` (their cells count nowhere).
    layer : str
        What the polygons are, for the provenance.
    provenance : Provenance or None
        The polygon layer's provenance, when it has one.
    polygons_by : Breakdown or None
        The polygon breakdown the groups come from (admin-1 or a polygon layer): its
        groups are :func:`~layers.analysis.breakdown.group_name` names, split into
        country, key and name columns in the tables.
    labels : dict
        Each polygon key's name.

    Examples
    --------
    >>> b = grid_breakdown(None, None, shapely.box(0, 0, 1, 1))
    >>> b.names, b.exhaustive
    (['total'], False)
    """

    names: list[str]
    polygons: list[Any]
    exhaustive: bool
    excluded: list[Any]
    layer: str
    provenance: Provenance | None = None
    polygons_by: Breakdown | None = None
    labels: dict[str, str] = field(default_factory=dict)


def _disjoint(polygons: list[Any]) -> tuple[list[Any], bool]:
    """Make polygons disjoint in order (each loses what earlier ones cover)."""
    areas = shapely.area(np.asarray(polygons, dtype=object))
    union = shapely.union_all(np.asarray(polygons, dtype=object))
    if float(np.sum(areas)) <= union.area * (1 + 1e-9) + 1e-12:
        return polygons, False
    out, covered = [], shapely.Polygon()
    for poly in polygons:
        out.append(shapely.difference(poly, covered))
        covered = shapely.union(covered, poly)
    return out, True


def _layer(
    frame: Any, names: list[str], reach: Any, exclude: tuple[str, ...]
) -> tuple[list[str], list[Any], list]:
    """Names and polygons of a layer's rows that the reach touches, and the excluded ones."""
    geoms = np.asarray(frame.geometry, dtype=object)
    hit = shapely.STRtree(geoms).query(reach, predicate="intersects")
    hit = np.sort(hit)
    kept, polys, left_out = [], [], []
    for i in hit:
        if names[i] in exclude:
            left_out.append(geoms[i])
        else:
            kept.append(names[i])
            polys.append(geoms[i])
    return kept, polys, left_out


def grid_breakdown(by: Any, exclude: tuple[str, ...] | None, reach: Any) -> GridGroups:
    """Return the groups a grid exposure is broken down by (see the module's notes).

    Parameters
    ----------
    by : None, "country", "admin1", list of str, GeoDataFrame or (GeoDataFrame, str)
        As :func:`layers.exposure` takes it for grids.
    exclude : tuple of str or None
        Groups (alpha-2 codes, or a layer's keys) whose residents are left out.
    reach : shapely geometry
        The area the question reaches (lon/lat): only groups touching it are kept.

    Returns
    -------
    GridGroups
        The groups, their polygons, and whether an outside group completes them.

    Raises
    ------
    InputError
        For a breakdown a grid cannot use (a settlement column name such as
        ``"admin1"`` without its polygons), or a list naming an unknown country.
    CRSError
        For a GeoDataFrame without a CRS.
    InputTypeError
        For anything else.

    Examples
    --------
    >>> b = grid_breakdown("country", None, shapely.box(127.5, 41.5, 131.5, 43.5))
    >>> b.names, b.exhaustive
    (['CN', 'KP', 'RU'], True)
    """
    exclude = exclude or ()
    if by is None:
        return GridGroups([TOTAL], [None], False, [], "none")
    polygons = breakdown(by)
    if polygons is not None:
        return _polygon_groups(polygons, exclude, reach)
    if isinstance(by, str) and by == "country":
        countries = naturalearth_countries()
        names, polys, left_out = _layer(countries, countries["iso2"].tolist(), reach, exclude)
        return GridGroups(
            names,
            polys,
            True,
            left_out,
            "Natural Earth 1:10m admin-0 countries",
            Provenance.of(countries),
        )
    if isinstance(by, str):
        raise InputError(
            f"by={by!r} cannot be used with a population grid, whose cells carry no {by!r}; "
            "pass by='country', by='admin1', a list of countries (by=['RU', 'CN']), a "
            "GeoDataFrame of the polygons to break the cells down by, or by=None for totals"
        )
    if isinstance(by, Sequence):
        codes = [c for c in country_codes(by) if c not in exclude]
        polys = [_union(territory(c)) for c in codes]
        return GridGroups(codes, polys, False, [], "countries of residence (layers.territory)")
    raise InputTypeError(
        f"by {type(by).__name__} is not usable for a population grid; expected None, "
        "'country', 'admin1', a list of countries or a GeoDataFrame of polygons"
    )


def _union(gdf: Any) -> Any:
    geoms = np.asarray(gdf.to_crs(4326).geometry if gdf.crs is not None else gdf.geometry)
    return geoms[0] if len(geoms) == 1 else shapely.union_all(geoms)


def _polygon_groups(bd: Breakdown, exclude: tuple[str, ...], reach: Any) -> GridGroups:
    """Return the groups of a polygon breakdown: by country and key for admin-1, else by key.

    ``exclude`` leaves out the regions of those countries (for admin-1) or those keys.
    """
    frame = bd.polygons
    keys = frame["key"].astype(str).tolist()
    country = frame["country"].astype(str).tolist()
    names = [group_name(c, k) if bd.per_country else k for c, k in zip(country, keys, strict=True)]
    # exclusion by country code or by key: both are in the group name's parts
    left = tuple(
        n for n, c, k in zip(names, country, keys, strict=True) if c in exclude or k in exclude
    )
    kept, polys, left_out = _layer(frame, names, reach, left)
    polys, overlapped = _disjoint(polys) if polys else (polys, False)
    what = (
        "Natural Earth admin-1 regions" if bd.per_country else f"user polygons ({len(frame)} rows)"
    )
    note = "; overlapping rows made disjoint, the first row keeping the overlap" * overlapped
    labels = dict(zip(keys, frame["label"].astype(str), strict=True))
    return GridGroups(kept, polys, True, left_out, what + note, Provenance.of(frame), bd, labels)
