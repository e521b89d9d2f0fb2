"""The polygons a grid exposure is broken down by: countries, or any polygon layer.

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
from dataclasses import dataclass
from typing import Any

import geopandas
import numpy as np
import shapely

from geo.errors import CRSError, InputError, InputTypeError
from layers.analysis.result import TOTAL
from layers.analysis.values import country_codes
from layers.naturalearth import naturalearth_countries
from layers.provenance import Provenance
from layers.territory import territory

__all__ = ["KEY_COLUMNS", "UNASSIGNED", "Breakdown", "grid_breakdown"]

#: The group of the cells inside no polygon of a breakdown (the sea, for countries).
UNASSIGNED = "unassigned"

#: Columns that name the rows of a polygon layer given as ``by=``, first found first.
KEY_COLUMNS = ("iso2", "ISO_A2", "iso3", "ADM0_A3", "iso_3166_2", "name", "NAME")


@dataclass(frozen=True)
class Breakdown:
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


def _key(frame: Any) -> list[str]:
    key = next((c for c in KEY_COLUMNS if c in frame.columns), None)
    if key is None:
        return [str(i) for i in frame.index]
    return frame[key].astype(str).tolist()


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


def _layer(frame: Any, reach: Any, exclude: tuple[str, ...]) -> tuple[list[str], list[Any], list]:
    """Names and polygons of a layer's rows that the reach touches, and the excluded ones."""
    geoms = np.asarray(frame.geometry, dtype=object)
    names = _key(frame)
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


def grid_breakdown(by: Any, exclude: tuple[str, ...] | None, reach: Any) -> Breakdown:
    """Return the groups a grid exposure is broken down by (see the module's notes).

    Parameters
    ----------
    by : None, "country", list of str or GeoDataFrame
        As :func:`layers.exposure` takes it for grids.
    exclude : tuple of str or None
        Groups (alpha-2 codes, or a layer's keys) whose residents are left out.
    reach : shapely geometry
        The area the question reaches (lon/lat): only groups touching it are kept.

    Returns
    -------
    Breakdown
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
        return Breakdown([TOTAL], [None], False, [], "none")
    if isinstance(by, geopandas.GeoDataFrame):
        if by.crs is None:
            raise CRSError(
                "the polygon layer given as by= has no CRS, and riskmap does not guess one; "
                "set it with .set_crs('EPSG:4326') if it is in lon/lat degrees"
            )
        lonlat = by.to_crs(4326)
        names, polys, left_out = _layer(lonlat, reach, exclude)
        polys, overlapped = _disjoint(polys) if polys else (polys, False)
        note = "; overlapping rows made disjoint, the first row keeping the overlap" * overlapped
        return Breakdown(
            names, polys, True, left_out, f"user polygons ({len(by)} rows){note}", Provenance.of(by)
        )
    if isinstance(by, str) and by == "country":
        countries = naturalearth_countries()
        names, polys, left_out = _layer(countries, reach, exclude)
        return Breakdown(
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
            "pass by='country', a list of countries (by=['RU', 'CN']), a GeoDataFrame of the "
            "polygons to break the cells down by (e.g. admin-1 regions), or by=None for totals"
        )
    if isinstance(by, Sequence):
        codes = [c for c in country_codes(by) if c not in exclude]
        polys = [_union(territory(c)) for c in codes]
        return Breakdown(codes, polys, False, [], "countries of residence (layers.territory)")
    raise InputTypeError(
        f"by {type(by).__name__} is not usable for a population grid; expected None, "
        "'country', a list of countries or a GeoDataFrame of polygons"
    )


def _union(gdf: Any) -> Any:
    geoms = np.asarray(gdf.to_crs(4326).geometry if gdf.crs is not None else gdf.geometry)
    return geoms[0] if len(geoms) == 1 else shapely.union_all(geoms)
