"""Exposure over a population grid: exact zonal sums of geodesic bands, by any breakdown.

Used by :func:`layers.exposure` when the population layer is a
:class:`~layers.grid.PopulationGrid`. Each band (:func:`geo.rings`) is intersected
with each polygon of the breakdown (countries of residence, a polygon layer), reprojected
to the grid's CRS, and every cell it covers is counted by the exact fraction of its area
inside (:meth:`PopulationGrid.cell_fractions`): a cell on a border is split between
the two countries by area, never given whole to the one holding its centre. One pass
over the cells gives both the table and the curve, which places each cell's share at
the exact geodesic distance of the cell's centre, so many radii cost one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

import geo
from layers.analysis.breakdown import GROUP_SEP, split_groups
from layers.analysis.grid_breakdown import UNASSIGNED, GridGroups, grid_breakdown
from layers.analysis.result import GRID_METHOD, Exposure, method_with_geometries
from layers.analysis.source import SourceDescription, nobody_excluded
from layers.grid import PopulationGrid
from layers.territory import territory

#: How a cell is shared between the groups of a breakdown (said in every grid provenance).
CELL_ASSIGNMENT = (
    "each cell shared between the groups (countries, regions, polygons) by the exact fraction "
    "of its area inside each group's polygon (exactextract), not given whole to the group "
    "holding its centre; the curve places each share at the exact geodesic distance of the "
    "cell's centre"
)

__all__ = [
    "CELL_ASSIGNMENT",
    "GridQuestion",
    "curve_entries",
    "grid_exposure",
    "grid_question",
    "measure_entries",
    "sorted_curve",
    "zone_totals",
]


def _union(gdf: Any) -> Any:
    geoms = np.asarray(gdf.to_crs(4326).geometry if gdf.crs is not None else gdf.geometry)
    return geoms[0] if len(geoms) == 1 else shapely.union_all(geoms)


def _exclusion_area(
    src: SourceDescription, exclude: tuple[str, ...] | None, by: Any
) -> tuple[Any, str, list[str]]:
    """Lon/lat area whose residents are excluded (None for none), the rule, the codes."""
    if exclude is None:
        if not src.polygonal:
            return None, "none (point or line source)", []
        return _source_area(src), "cells inside the source polygon", []
    if not exclude:
        return None, nobody_excluded(src), []
    if by is not None:  # countries of residence are explicit: just leave the source's out
        return None, f"residents of {', '.join(exclude)} (country left out)", list(exclude)
    if set(exclude) <= set(src.codes) and src.polygonal and len(src.codes) == len(exclude):
        area = _source_area(src)
    else:
        area = shapely.union_all([_union(territory(c)) for c in exclude])
    return area, f"residents of {', '.join(exclude)} (their territory removed)", list(exclude)


def _source_area(src: SourceDescription) -> Any:
    if isinstance(src.geometry, (geopandas.GeoDataFrame, geopandas.GeoSeries)):
        return _union(src.geometry)
    return src.geometry


def zone_totals(cells: pd.DataFrame, nzones: int) -> np.ndarray:
    """Return people, cells and nodata cells per zone (shape (nzones, 3)) from cell fractions.

    Partial cells count by their covered fraction; nodata cells (NaN people) count 0
    people. Sums of disjoint sets of cells add up (the Dask path adds its windows').

    Examples
    --------
    >>> cells = pd.DataFrame({"zone": [0, 0, 1], "fraction": [1.0, 0.5, 0.25],
    ...                       "people": [4.0, float("nan"), 8.0]})
    >>> zone_totals(cells, 2).tolist()
    [[4.0, 1.5, 0.5], [2.0, 0.25, 0.0]]
    """
    zone = cells["zone"].to_numpy()
    fraction = cells["fraction"].to_numpy()
    people = cells["people"].to_numpy()
    nodata = np.isnan(people)
    return np.column_stack(
        [
            np.bincount(zone, weights=np.where(nodata, 0.0, fraction * people), minlength=nzones),
            np.bincount(zone, weights=fraction, minlength=nzones),
            np.bincount(zone, weights=np.where(nodata, fraction, 0.0), minlength=nzones),
        ]
    )


def _tables(
    zone_totals: np.ndarray, names: list[str], radii: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the per-radius table (cumulative) and the per-band table of the zone sums."""
    sums = zone_totals.reshape(len(names), len(radii), 3)
    cum = np.cumsum(sums, axis=1)
    cols = ["population", "cells", "nodata_cells"]
    lo = np.concatenate([[0.0], radii[:-1]])
    table_rows, band_rows = [], []
    for j, name in enumerate(names):
        for i, r in enumerate(radii):
            table_rows.append((name, r, r / 1000, *cum[j, i].tolist()))
            band_rows.append((name, lo[i], r, *sums[j, i].tolist()))
    table = pd.DataFrame(table_rows, columns=["country", "radius_m", "radius_km", *cols])
    bands = pd.DataFrame(band_rows, columns=["country", "distance_min_m", "distance_max_m", *cols])
    return table, bands


def _near(poly: Any, box: Any) -> Any:
    """Return the part of a group's polygon inside ``box`` (the polygon, if all of it is)."""
    if box is None or shapely.contains(box, poly):
        return poly
    return shapely.intersection(poly, box)


def _pieces(bands: np.ndarray, breakdown: GridGroups) -> tuple[list[str], list[Any]]:
    """Group names and the band x group pieces, group by group (outside last).

    A group's polygon is first cut to a box a little larger than the bands' bounds (China's
    or Russia's whole outline is 50 to 100 times what a 200 km band reaches): what lies
    outside the box meets no band, so the pieces are the same.
    """
    names = list(breakdown.names)
    pieces: list[Any] = []
    west, south, east, north = shapely.total_bounds(bands)
    box = shapely.box(west - 0.01, south - 0.01, east + 0.01, north + 0.01)
    box = box if np.isfinite([west, south, east, north]).all() else None
    polygons = [None if p is None else _near(p, box) for p in breakdown.polygons]
    for poly in polygons:
        if poly is None:
            pieces.extend(bands)
        else:
            shapely.prepare(poly)
            pieces.extend(shapely.intersection(bands, poly))
    if breakdown.exhaustive:
        every = [*polygons, *(_near(p, box) for p in breakdown.excluded)]
        covered = shapely.union_all(np.asarray(every, dtype=object)) if every else None
        names.append(UNASSIGNED)
        pieces.extend(bands if covered is None else shapely.difference(bands, covered))
    return names, pieces


def grid_exposure(
    src: SourceDescription,
    grid: PopulationGrid,
    radii: np.ndarray,
    by: Any,
    exclude: tuple[str, ...] | None,
    *,
    progress: bool | None = None,
) -> Exposure:
    """Sum a population grid within each radius of a source (see :func:`layers.exposure`).

    Parameters
    ----------
    src : SourceDescription
        The source (:func:`~layers.analysis.result.describe_source`).
    grid : PopulationGrid
        People per cell or per km² (:func:`layers.population_grid`).
    radii : numpy.ndarray
        Ascending radii in metres.
    by : "country", "admin1", list of str, GeoDataFrame or None
        ``"country"``: every country reached (Natural Earth 1:10m admin-0), with an
        ``"unassigned"`` row for the cells in none; ``"admin1"`` (or ``["country",
        "admin1"]``): rows by country and ISO 3166-2 region, as for settlements; a list
        of countries (codes or names, drawn with :func:`layers.territory`): only those; a
        GeoDataFrame of polygons: one row per polygon (named by its key column) and
        ``"unassigned"``; None for totals. Cells are shared between the rows by the exact
        fraction of their area in each polygon
        (:func:`~layers.analysis.grid_breakdown.grid_breakdown`).
    exclude : tuple of str or None
        Alpha-2 codes whose residents are left out; None for the geometric rule (the
        cells inside a polygonal source).
    progress : bool, optional
        Show progress bars (see :func:`layers.exposure`).

    Returns
    -------
    Exposure
        Tables of people (partial cells by their covered fraction), the cell-centre
        curve and the provenance; no places or edge list.

    Examples
    --------
    >>> import pathlib, tempfile, numpy as np, rasterio, shapely
    >>> from affine import Affine
    >>> from layers.grid import population_grid
    >>> from layers.analysis.source import describe_source
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "people.tif"
    >>> profile = dict(driver="GTiff", width=100, height=100, count=1, dtype="float64",
    ...                crs="EPSG:4326", transform=Affine(0.01, 0, 127.5, 0, -0.01, 41.5))
    >>> with rasterio.open(path, "w", **profile) as ds:
    ...     ds.write(np.ones((100, 100)), 1)  # one person per cell
    >>> grid = population_grid(path, kind="count")
    >>> src = describe_source(shapely.Point(128.0, 41.0))
    >>> result = grid_exposure(src, grid, np.array([10_000.0, 20_000.0]), None, None)
    >>> result.table[["radius_km", "population"]].round(1)
       radius_km  population
    0       10.0       336.1
    1       20.0      1344.7
    >>> folder.cleanup()
    """
    question = grid_question(src, radii, by, exclude)
    cells = grid.cell_fractions(question.pieces, progress=progress)
    totals = zone_totals(cells, len(question.pieces))
    cell, group, share = curve_entries(cells, len(question.names), len(radii))
    del cells
    # the cell-centre distances are measured when the curve is first asked for
    measure = partial(
        _measured_curve, src.geometry, grid, cell, group, share, float(radii[-1]), question
    )
    return question.exposure(src, grid, radii, totals, measure=measure)


@dataclass(frozen=True)
class GridQuestion:
    """The zones of a grid exposure: every band of every group of the breakdown.

    Built by :func:`grid_question`, the same for the in-memory and the Dask paths.

    Attributes
    ----------
    by : "country", "admin1", list of str, GeoDataFrame or None
        As given to :func:`grid_exposure`.
    names : list of str
        The groups, in table order.
    pieces : list of shapely geometry
        One lon/lat polygon per zone, group by group and band by band within a group
        (zone ``g * nbands + b``).
    breakdown : GridGroups
        The polygons of the groups.
    rule, codes
        What ``exclude`` left out, in words, and the alpha-2 codes.
    buffer_error_m : float
        Largest boundary error of the bands (metres), as :func:`geo.rings` measured it.

    Examples
    --------
    >>> from layers.analysis.source import describe_source
    >>> q = grid_question(describe_source(shapely.Point(128.0, 41.0)),
    ...                   np.array([10_000.0, 20_000.0]), None, None)
    >>> q.names, len(q.pieces)
    (['total'], 2)
    """

    by: Any
    names: list[str]
    pieces: list[Any]
    breakdown: GridGroups
    rule: str
    codes: list[str]
    buffer_error_m: float

    def labels(self) -> np.ndarray:
        """Return the curve's group of each name: the country of a polygon breakdown's group.

        Examples
        --------
        >>> from layers.analysis.source import describe_source
        >>> q = grid_question(describe_source((128.0, 41.0)), np.array([1e4]), None, None)
        >>> q.labels().tolist()
        ['total']
        """
        if self.breakdown.polygons_by is None:
            return np.asarray(self.names, dtype=object)
        return np.asarray([n.split(GROUP_SEP)[0] for n in self.names], dtype=object)

    def exposure(
        self,
        src: SourceDescription,
        grid: PopulationGrid,
        radii: np.ndarray,
        totals: np.ndarray,
        *,
        curve: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        measure: Any = None,
    ) -> Exposure:
        """Return the Exposure of the zone totals and the curve (or what measures it).

        Parameters
        ----------
        src, grid, radii
            As for :func:`grid_exposure`.
        totals : numpy.ndarray
            People, cells and nodata cells per zone, shape (zones, 3) (:func:`zone_totals`).
        curve : tuple of numpy.ndarray, optional
            The curve's sorted distances (metres), people and groups.
        measure : callable, optional
            Returns ``curve`` when it is first asked for, when ``curve`` is not given.

        Returns
        -------
        Exposure
            The grid exposure, with its provenance.

        Examples
        --------
        >>> from layers.analysis.source import describe_source
        >>> src = describe_source((128.0, 41.0))
        >>> q = grid_question(src, np.array([1e4]), None, None)
        >>> curve = (np.array([5e3]), np.array([3.0]), np.array(["total"], dtype=object))
        >>> from pyproj import CRS
        >>> grid = object.__new__(PopulationGrid)  # only its kind and CRS are read
        >>> grid.provenance, grid.kind, grid.crs = src.provenance, "count", CRS(4326)
        >>> q.exposure(src, grid, np.array([1e4]), np.array([[3.0, 1.0, 0.0]]),
        ...            curve=curve).population()
        3.0
        """
        return _exposure(self, src, grid, radii, totals, curve, measure)


def grid_question(
    src: SourceDescription, radii: np.ndarray, by: Any, exclude: tuple[str, ...] | None
) -> GridQuestion:
    """Return the zones of a grid exposure: the bands, less what is excluded, by group.

    Parameters
    ----------
    src, radii, by, exclude
        As for :func:`grid_exposure` (radii in metres).

    Returns
    -------
    GridQuestion
        The groups and their band x group polygons (lon/lat degrees).

    Examples
    --------
    See :class:`GridQuestion`.

    >>> grid_question.__name__
    'grid_question'
    """
    area, rule, codes = _exclusion_area(src, exclude, by)
    rings = geo.rings(src.geometry, [float(r) for r in radii])
    bands = np.asarray(rings.geometry, dtype=object)
    if area is not None:
        bands = shapely.difference(bands, area)
    breakdown = grid_breakdown(by, exclude, shapely.union_all(bands))
    names, pieces = _pieces(bands, breakdown)
    error = float(np.nanmax(rings["error_m"])) if "error_m" in rings.columns else float("nan")
    return GridQuestion(by, names, pieces, breakdown, rule, codes, error)


def _exposure(
    q: GridQuestion,
    src: SourceDescription,
    grid: PopulationGrid,
    radii: np.ndarray,
    totals: np.ndarray,
    curve: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    measure: Any,
) -> Exposure:
    table, band_table = _tables(totals, q.names, radii)
    polygons_by = q.breakdown.polygons_by
    if polygons_by is not None:
        table = split_groups(table, polygons_by, q.breakdown.labels)
        band_table = split_groups(band_table, polygons_by, q.breakdown.labels)
    extra = () if q.breakdown.provenance is None else (q.breakdown.provenance,)
    provenance = src.provenance.merge(
        grid.provenance,
        *extra,
        method=method_with_geometries(GRID_METHOD, src.provenance, q.breakdown.provenance),
        source=src.label,
        radii_m=[float(r) for r in radii],
        boundary_variant=src.variant,
        accuracy_m=q.buffer_error_m,
        accuracy="largest boundary error of the geodesic bands, measured by geo.rings",
        grid_kind=grid.kind,
        grid_crs=grid.crs.to_string(),
        excluded=q.rule,
        breakdown=q.breakdown.layer,
        cell_assignment=CELL_ASSIGNMENT,
    )
    d, people, groups = (None, None, None) if curve is None else curve
    return Exposure(
        kind="grid",
        radii_m=tuple(float(r) for r in radii),
        by=None if q.by is None else "country" if polygons_by is None else polygons_by.column,
        table=table,
        bands=band_table,
        places=None,
        edge=None,
        excluded={"rule": q.rule, "countries": q.codes, "places": None, "population": None},
        provenance=provenance,
        edge_m=0.0,
        max_distance_m=float(radii[-1]),
        _distances=d,
        _people=people,
        _groups=groups,
        source=src.label,
        source_kind=src.kind,
        boundary_variant=src.variant,
        source_geometry=src.geometry,
        _measure_curve=None if curve is not None else measure,
    )


def curve_entries(
    cells: pd.DataFrame, ngroups: int, nbands: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the curve's entries: one per (cell, group) with people, by cell then group.

    A cell shared by groups (a border, the coast) has one entry per group holding its
    share of the people; a cell in two bands of a group (split by a band limit) is one
    share. Cells without people or without data have none.

    Parameters
    ----------
    cells : pandas.DataFrame
        ``zone``, ``cell``, ``fraction`` and ``people``, as
        :meth:`~layers.grid.PopulationGrid.cell_fractions` gives them for the zones of a
        :class:`GridQuestion` (zone ``group * nbands + band``).
    ngroups, nbands : int
        Groups and bands of the question.

    Returns
    -------
    tuple of numpy.ndarray
        ``(cell, group, share)``: cell numbers, group positions and people.

    Examples
    --------
    >>> cells = pd.DataFrame({"zone": [0, 1, 2], "cell": [7, 7, 7],
    ...                       "fraction": [0.25, 0.25, 0.5], "people": [8.0, 8.0, 8.0]})
    >>> [a.tolist() for a in curve_entries(cells, 2, 2)]  # bands 0 and 1 of group 0, group 1
    [[7, 7], [0, 1], [4.0, 4.0]]
    """
    people = cells["people"].to_numpy()
    keep = np.isfinite(people) & (people > 0)
    cell = cells["cell"].to_numpy()[keep]
    group = cells["zone"].to_numpy()[keep] // nbands
    share = cells["fraction"].to_numpy()[keep] * people[keep]
    pair, inverse = np.unique(cell * ngroups + group, return_inverse=True)
    share = np.bincount(inverse, weights=share, minlength=len(pair))
    return pair // ngroups, pair % ngroups, share


def measure_entries(
    index: geo.DistanceIndex,
    grid: PopulationGrid,
    entries: tuple[np.ndarray, np.ndarray, np.ndarray],
    top: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the distance of each entry's cell centre, and the entries within ``top``.

    Each cell's distance is measured once (exact, geodesic, metres), however many groups
    share it; entries beyond ``top`` metres are left out (the curve stops there).

    Parameters
    ----------
    index : geo.DistanceIndex
        The source.
    grid : PopulationGrid
        The grid the cells are numbered in.
    entries : tuple of numpy.ndarray
        ``(cell, group, share)`` from :func:`curve_entries`.
    top : float
        The largest radius, metres.

    Returns
    -------
    tuple of numpy.ndarray
        ``(distance_m, cell, group, share)`` of the entries within ``top``.

    Examples
    --------
    See :func:`grid_exposure`, whose curve they are.

    >>> measure_entries.__name__
    'measure_entries'
    """
    cell, group, share = entries
    unique_cells, at = np.unique(cell, return_inverse=True)
    centre_d = np.asarray(
        index.distance_to(grid.cell_centres(unique_cells), max_distance=top), dtype=np.float64
    )
    d = centre_d[at]
    near = np.isfinite(d)
    return d[near], cell[near], group[near], share[near]


def sorted_curve(
    d: np.ndarray, cell: np.ndarray, group: np.ndarray, share: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the curve's distances, people and group names, nearest first.

    Ties go by cell, then group, so the order does not depend on how the cells were read.

    Examples
    --------
    >>> out = sorted_curve(np.array([2.0, 1.0, 1.0]), np.array([0, 5, 3]), np.array([0, 0, 1]),
    ...                    np.array([1.0, 2.0, 3.0]), np.array(["a", "b"], dtype=object))
    >>> [a.tolist() for a in out]
    [[1.0, 1.0, 2.0], [3.0, 2.0, 1.0], ['b', 'a', 'a']]
    """
    order = np.lexsort((group, cell, d))
    return d[order], share[order], labels[group[order]]


def _measured_curve(
    source: Any,
    grid: PopulationGrid,
    cell: np.ndarray,
    group: np.ndarray,
    share: np.ndarray,
    top: float,
    question: GridQuestion,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Measure the curve of an in-memory grid exposure (when it is first asked for)."""
    d, cell, group, share = measure_entries(
        geo.DistanceIndex(source), grid, (cell, group, share), top
    )
    return sorted_curve(d, cell, group, share, question.labels())
