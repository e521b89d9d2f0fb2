"""Exposure over a population grid: exact zonal sums of geodesic bands per country.

Used by :func:`layers.exposure` when the population layer is a
:class:`~layers.grid.PopulationGrid`. Each band (:func:`geo.rings`) is intersected
with each country of residence in lon/lat, reprojected to the grid's CRS and summed
with exact partial-cell coverage (:meth:`PopulationGrid.zonal_sum`). The curve uses
the exact distance of every non-empty cell's centre, so many radii cost one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

import geo
from geo.errors import CRSError, InputError, InputTypeError
from layers.analysis.result import GRID_METHOD, TOTAL, Exposure
from layers.analysis.source import SourceDescription, nobody_excluded
from layers.analysis.values import country_codes
from layers.grid import PopulationGrid
from layers.territory import territory

__all__ = ["grid_exposure"]


def _countries(by: Any, exclude: tuple[str, ...] | None) -> list[tuple[str, Any]]:
    """``[(name, lon/lat polygon or None)]`` for the countries of residence of a grid."""
    if by is None:
        return [(TOTAL, None)]
    if isinstance(by, geopandas.GeoDataFrame):
        if by.crs is None:
            raise CRSError("the countries GeoDataFrame given as by= has no CRS; set it first")
        lonlat = by.to_crs(4326)
        key = next(
            (c for c in ("iso2", "ISO_A2", "iso3", "ADM0_A3", "name", "NAME") if c in by.columns),
            None,
        )
        names = lonlat[key].astype(str).tolist() if key else [str(i) for i in lonlat.index]
        pairs = list(zip(names, lonlat.geometry, strict=True))
        return [(n, g) for n, g in pairs if n not in (exclude or ())]
    if isinstance(by, str):
        raise InputError(
            f"by={by!r} cannot be used with a population grid, which has no country column; pass "
            "the countries of residence, by=['RU', 'CN'] or a GeoDataFrame of country polygons, "
            "or by=None for totals"
        )
    if isinstance(by, Sequence):
        codes = [c for c in country_codes(by) if c not in (exclude or ())]
        return [(c, _union(territory(c))) for c in codes]
    raise InputTypeError(
        f"by {type(by).__name__} is not usable; expected None, a list of codes or a GeoDataFrame"
    )


def _union(gdf: Any) -> Any:
    geoms = np.asarray(gdf.to_crs(4326).geometry if gdf.crs is not None else gdf.geometry)
    return shapely.union_all(geoms)


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
    sums: pd.DataFrame, countries: list[tuple[str, Any]], radii: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the per-radius table (cumulative) and the per-band table of the zonal sums."""
    cols = ["population", "cells", "nodata_cells"]
    table_rows, band_rows = [], []
    lo = np.concatenate([[0.0], radii[:-1]])
    for j, (name, _) in enumerate(countries):
        part = sums.iloc[j * len(radii) : (j + 1) * len(radii)][cols]
        cum = part.cumsum()
        for i, r in enumerate(radii):
            table_rows.append((name, r, r / 1000, *cum.iloc[i].tolist()))
            band_rows.append((name, lo[i], r, *part.iloc[i].tolist()))
    table = pd.DataFrame(table_rows, columns=["country", "radius_m", "radius_km", *cols])
    bands = pd.DataFrame(band_rows, columns=["country", "distance_min_m", "distance_max_m", *cols])
    return table, bands


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
    by : list of str, GeoDataFrame or None
        Countries of residence (codes or names, drawn with :func:`layers.territory`),
        country polygons, or None for totals.
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
    countries = _countries(by, exclude)
    area, rule, codes = _exclusion_area(src, exclude, by)
    rings = geo.rings(src.geometry, [float(r) for r in radii])
    bands = np.asarray(rings.geometry, dtype=object)
    if area is not None:
        bands = shapely.difference(bands, area)
    pieces = [
        band if poly is None else shapely.intersection(band, poly)
        for _, poly in countries
        for band in bands
    ]
    table, band_table = _tables(grid.zonal_sum(pieces, progress=progress), countries, radii)
    d, people, groups = _cell_distances(src, grid, radii, bands, countries, area, progress)
    buffer_error = (
        float(np.nanmax(rings["error_m"])) if "error_m" in rings.columns else float("nan")
    )
    provenance = src.provenance.merge(
        grid.provenance,
        method=GRID_METHOD,
        source=src.label,
        radii_m=[float(r) for r in radii],
        boundary_variant=src.variant,
        accuracy_m=buffer_error,
        accuracy="largest boundary error of the geodesic bands, measured by geo.rings",
        grid_kind=grid.kind,
        grid_crs=grid.crs.to_string(),
        excluded=rule,
    )
    return Exposure(
        kind="grid",
        radii_m=tuple(float(r) for r in radii),
        by=None if by is None else "country",
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
    )


def _cell_distances(
    src: SourceDescription,
    grid: PopulationGrid,
    radii: np.ndarray,
    bands: np.ndarray,
    countries: list,
    area: Any,
    progress: bool | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact distance, people and country of each non-empty cell centre within the top radius.

    Sorted by distance. Cells are read a window at a time; only the cells within the
    top radius are kept (8 + 8 + 1 bytes each until the final sort), so memory
    follows the number of cells near the source, not the size of the grid.
    """
    index = geo.DistanceIndex(src.geometry)
    reach = shapely.union_all(bands)
    if reach.is_empty:
        return np.empty(0), np.empty(0), np.empty(0, dtype=object)
    for poly in [area, *[p for _, p in countries if p is not None]]:
        if poly is not None:
            shapely.prepare(poly)
    names = np.asarray([name for name, _ in countries], dtype=object)
    code_type = np.min_scalar_type(len(countries))  # country index; len(countries) = none
    ds, ps, gs = [], [], []
    for lonlat, people, _ in grid.cells(tuple(reach.bounds), progress=progress):
        x, y = lonlat[:, 0], lonlat[:, 1]
        # country (and exclusion) first: distances are only computed for cells counted
        group = np.full(len(people), len(countries), dtype=code_type)
        for i, (_, poly) in enumerate(countries):
            todo = np.flatnonzero(group == len(countries))
            if poly is not None:
                todo = todo[shapely.contains_xy(poly, x[todo], y[todo])]
            group[todo] = i
        keep = group != len(countries)
        if area is not None:
            keep &= ~shapely.contains_xy(area, x, y)
        if not keep.any():
            continue
        lonlat, people, group = lonlat[keep], people[keep], group[keep]
        # geo measures in pieces of bounded size, so a whole window goes in one call
        d = np.asarray(index.distance_to(lonlat, max_distance=float(radii[-1])), dtype=np.float64)
        near = np.isfinite(d)
        ds.append(d[near])
        ps.append(people[near])
        gs.append(group[near])
    if not ds:
        return np.empty(0), np.empty(0), np.empty(0, dtype=object)
    d = np.concatenate(ds)
    del ds
    order = np.argsort(d, kind="stable")
    d = d[order]
    people = np.concatenate(ps)[order]
    del ps
    return d, people, names[np.concatenate(gs)[order]]
