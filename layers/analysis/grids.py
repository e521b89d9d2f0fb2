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

from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

import geo
from layers.analysis.breakdown import GROUP_SEP, split_groups
from layers.analysis.grid_breakdown import UNASSIGNED, GridGroups, grid_breakdown
from layers.analysis.result import GRID_METHOD, Exposure
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

__all__ = ["CELL_ASSIGNMENT", "grid_exposure"]


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


def _tables(
    cells: pd.DataFrame, names: list[str], radii: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the per-radius table (cumulative) and the per-band table of the cell shares."""
    n = len(names) * len(radii)
    zone = cells["zone"].to_numpy()
    fraction = cells["fraction"].to_numpy()
    people = cells["people"].to_numpy()
    nodata = np.isnan(people)
    sums = np.column_stack(
        [
            np.bincount(zone, weights=np.where(nodata, 0.0, fraction * people), minlength=n),
            np.bincount(zone, weights=fraction, minlength=n),
            np.bincount(zone, weights=np.where(nodata, fraction, 0.0), minlength=n),
        ]
    ).reshape(len(names), len(radii), 3)
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


def _pieces(bands: np.ndarray, breakdown: GridGroups) -> tuple[list[str], list[Any]]:
    """Group names and the band x group pieces, group by group (outside last)."""
    names = list(breakdown.names)
    pieces: list[Any] = []
    for poly in breakdown.polygons:
        if poly is None:
            pieces.extend(bands)
        else:
            shapely.prepare(poly)
            pieces.extend(shapely.intersection(bands, poly))
    if breakdown.exhaustive:
        every = [*breakdown.polygons, *breakdown.excluded]
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
    1       20.0      1344.5
    >>> folder.cleanup()
    """
    area, rule, codes = _exclusion_area(src, exclude, by)
    rings = geo.rings(src.geometry, [float(r) for r in radii])
    bands = np.asarray(rings.geometry, dtype=object)
    if area is not None:
        bands = shapely.difference(bands, area)
    breakdown = grid_breakdown(by, exclude, shapely.union_all(bands))
    names, pieces = _pieces(bands, breakdown)
    cells = grid.cell_fractions(pieces, progress=progress)
    table, band_table = _tables(cells, names, radii)
    d, people, groups = _cell_curve(src, grid, cells, names, len(radii), float(radii[-1]))
    del cells
    polygons_by = breakdown.polygons_by
    if polygons_by is not None:
        table = split_groups(table, polygons_by, breakdown.labels)
        band_table = split_groups(band_table, polygons_by, breakdown.labels)
        groups = np.array([g.split(GROUP_SEP)[0] for g in groups], dtype=object)
    buffer_error = (
        float(np.nanmax(rings["error_m"])) if "error_m" in rings.columns else float("nan")
    )
    extra = () if breakdown.provenance is None else (breakdown.provenance,)
    provenance = src.provenance.merge(
        grid.provenance,
        *extra,
        method=GRID_METHOD,
        source=src.label,
        radii_m=[float(r) for r in radii],
        boundary_variant=src.variant,
        accuracy_m=buffer_error,
        accuracy="largest boundary error of the geodesic bands, measured by geo.rings",
        grid_kind=grid.kind,
        grid_crs=grid.crs.to_string(),
        excluded=rule,
        breakdown=breakdown.layer,
        cell_assignment=CELL_ASSIGNMENT,
    )
    return Exposure(
        kind="grid",
        radii_m=tuple(float(r) for r in radii),
        by=None if by is None else "country" if polygons_by is None else polygons_by.column,
        table=table,
        bands=band_table,
        places=None,
        edge=None,
        excluded={"rule": rule, "countries": codes, "places": None, "population": None},
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
    )


def _cell_curve(
    src: SourceDescription,
    grid: PopulationGrid,
    cells: pd.DataFrame,
    names: list[str],
    nbands: int,
    top: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact distance of each covered cell's centre, its people in each group, the group.

    Sorted by distance. A cell shared by groups (a border, the coast) has one entry per
    group holding its share of the people; its distance is measured once. Cells whose
    centre is beyond the top radius are left out (the curve stops there).
    """
    people = cells["people"].to_numpy()
    keep = np.isfinite(people) & (people > 0)
    cell = cells["cell"].to_numpy()[keep]
    group = cells["zone"].to_numpy()[keep] // nbands
    share = cells["fraction"].to_numpy()[keep] * people[keep]
    if not len(cell):
        return np.empty(0), np.empty(0), np.empty(0, dtype=object)
    # one entry per (cell, group): a cell in two bands of a group is one share
    pair, inverse = np.unique(cell * len(names) + group, return_inverse=True)
    share = np.bincount(inverse, weights=share, minlength=len(pair))
    del inverse
    unique_cells, at = np.unique(pair // len(names), return_inverse=True)
    index = geo.DistanceIndex(src.geometry)
    centre_d = np.asarray(
        index.distance_to(grid.cell_centres(unique_cells), max_distance=top), dtype=np.float64
    )
    d = centre_d[at]
    near = np.isfinite(d)
    d, share, group_of = d[near], share[near], (pair % len(names))[near]
    order = np.argsort(d, kind="stable")
    labels = np.asarray(names, dtype=object)
    return d[order], share[order], labels[group_of[order]]
