"""Exact partial-cell coverage of polygons over a population grid (exactextract).

Every polygon is taken apart into clusters of parts that lie far apart
(:func:`layers.grid_windows.part_clusters`), so that a geometry cut at ±180 is read
through one window per part, never across the globe; exactextract then reads each
cluster's window in pieces of at most ``max_cells`` cells. The answers for one polygon
are the sums (or the concatenation) over its clusters.
"""

from __future__ import annotations

from typing import Any

import geopandas
import numpy as np
import pandas as pd
from exactextract import exact_extract
from exactextract.raster import RasterSource

from layers._progress import fraction_callback, progress_bar
from layers.grid_windows import part_clusters

__all__ = ["cell_fractions", "zone_sums"]

# The value exactextract gives nodata cells in cell_fractions (people are never negative:
# PopulationGrid.read_window refuses negative values).
_NODATA = -1.0


class _CountSource(RasterSource):
    """Feeds exactextract people per cell, window by window, with nodata as NaN.

    With ``window`` (row0, col0, nrows, ncols) it shows exactextract only that window of
    the grid, as a raster of its own: cells outside it are not seen, read or counted.
    """

    def __init__(self, grid: Any, ds: Any, window: tuple[int, int, int, int] | None = None) -> None:
        super().__init__()
        self.grid, self.ds = grid, ds
        self.row0, self.col0 = (0, 0) if window is None else window[:2]
        t = grid.transform
        if window is None:
            self._extent = grid.bounds
        else:
            row0, col0, nrows, ncols = window
            self._extent = (
                t.c + t.a * col0,
                t.f + t.e * (row0 + nrows),
                t.c + t.a * (col0 + ncols),
                t.f + t.e * row0,
            )

    def res(self) -> tuple[float, float]:
        return abs(self.grid.transform.a), abs(self.grid.transform.e)

    def extent(self) -> tuple[float, float, float, float]:
        return self._extent  # type: ignore[no-any-return]

    def srs_wkt(self) -> str:
        return self.grid.crs.to_wkt()  # type: ignore[no-any-return]

    def nodata_value(self) -> None:
        return None

    def read_window(self, x0: int, y0: int, nx: int, ny: int) -> np.ndarray:
        # NaN, not a masked array: exactextract 0.3 ignores the mask of some windows
        # (counting nodata cells as valid), while it always skips NaN.
        window = self.grid.read_window(self.ds, self.row0 + y0, self.col0 + x0, ny, nx)
        return window.filled(np.nan)  # type: ignore[no-any-return]


def _pieces(grid: Any, geoms: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Zone number and geometry of every cluster of parts of every zone."""
    zone, pieces = [], []
    for i, geom in enumerate(geoms):
        if geom is None:
            continue
        for piece in part_clusters(geom, grid.bounds):
            zone.append(i)
            pieces.append(piece)
    return np.asarray(zone, dtype=np.int64), pieces


def _extract(
    grid: Any,
    pieces: list[Any],
    ops: list[str],
    max_cells: int,
    progress: bool | None,
    desc: str,
    window: tuple[int, int, int, int] | None = None,
) -> pd.DataFrame:
    vec = geopandas.GeoDataFrame(geometry=pieces, crs=grid.crs)
    bar = progress_bar(total=len(vec), desc=desc, unit="zone", progress=progress)
    with bar, grid._open() as ds:
        return exact_extract(  # type: ignore[no-any-return]
            _CountSource(grid, ds, window),
            vec,
            ops,
            output="pandas",
            # it may read a row more on each side of its blocks: half the budget
            max_cells_in_memory=max(1, max_cells // 2),
            progress=fraction_callback(bar),
        )


def zone_sums(
    grid: Any, geoms: np.ndarray, *, max_cells: int, progress: bool | None = None
) -> pd.DataFrame:
    """Return the people and cells inside each polygon, with exact partial-cell coverage.

    Parameters
    ----------
    grid : layers.grid.PopulationGrid
        The grid.
    geoms : numpy.ndarray
        Polygons in the grid's CRS (object array); empty or missing ones count 0.
    max_cells : int
        Most cells read at once.
    progress : bool, optional
        Show a progress bar over the pieces read.

    Returns
    -------
    pandas.DataFrame
        One row per polygon: ``population`` (people), ``cells`` (cells covered, partial
        cells by fraction) and ``nodata_cells`` (the same for cells without data).

    Examples
    --------
    See :meth:`layers.grid.PopulationGrid.zonal_sum`, which calls it.

    >>> zone_sums.__name__
    'zone_sums'
    """
    out = pd.DataFrame(
        {"population": 0.0, "cells": 0.0, "nodata_cells": 0.0}, index=range(len(geoms))
    )
    zone, pieces = _pieces(grid, geoms)
    if not pieces:
        return out
    stats = _extract(
        grid,
        pieces,
        ["people=sum", "valid=count", "covered=count(default_value=0)"],
        max_cells,
        progress,
        "zonal sums",
    )
    frame = pd.DataFrame(
        {
            "population": stats["people"].to_numpy(np.float64),
            "cells": stats["covered"].to_numpy(np.float64),
            "nodata_cells": (stats["covered"] - stats["valid"]).to_numpy(np.float64),
        }
    )
    sums = frame.groupby(zone).sum()
    out.loc[sums.index, ["population", "cells", "nodata_cells"]] = sums.to_numpy()
    return out


def cell_fractions(
    grid: Any,
    geoms: np.ndarray,
    *,
    max_cells: int,
    progress: bool | None = None,
    window: tuple[int, int, int, int] | None = None,
) -> pd.DataFrame:
    """Return every cell each polygon covers, with the fraction of it covered.

    Parameters
    ----------
    grid : layers.grid.PopulationGrid
        The grid.
    geoms : numpy.ndarray
        Polygons in the grid's CRS (object array); empty or missing ones cover nothing.
    max_cells : int
        Most cells read at once.
    progress : bool, optional
        Show a progress bar over the pieces read.
    window : (row0, col0, nrows, ncols), optional
        Only the cells of this window (the Dask path: one task per window, whose sums
        over disjoint windows add up to the whole); the whole grid by default.

    Returns
    -------
    pandas.DataFrame
        One row per (polygon, cell): ``zone`` (the polygon's position), ``cell`` (row ×
        width + column in the grid), ``fraction`` (of the cell's area, in the grid's
        CRS, inside the polygon, in (0, 1]) and ``people`` (people in the whole cell;
        NaN for nodata).

    Examples
    --------
    See :meth:`layers.grid.PopulationGrid.cell_fractions`, which calls it.

    >>> cell_fractions.__name__
    'cell_fractions'
    """
    if window is None:
        zone, pieces = _pieces(grid, geoms)
    else:  # the window is read as it is: no part of the zones lies in another window
        present = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
        zone, pieces = np.asarray(present, dtype=np.int64), [geoms[i] for i in present]
    columns = {"zone": np.int64, "cell": np.int64, "fraction": np.float64, "people": np.float64}
    if not pieces:
        return pd.DataFrame({k: np.empty(0, v) for k, v in columns.items()})
    stats = _extract(
        grid,
        pieces,
        # nodata cells are listed too, marked by a value no cell of people can hold
        [f"{op}(default_value={_NODATA})" for op in ("cell_id", "coverage", "values")],
        max_cells,
        progress,
        "cell fractions",
        window,
    )
    cells = [np.asarray(a, dtype=np.int64) for a in stats["cell_id"]]
    if window is not None:  # numbered in the window: renumber in the grid
        row0, col0, _, ncols = window
        cells = [(row0 + c // ncols) * grid.width + col0 + c % ncols for c in cells]
    sizes = np.fromiter((len(c) for c in cells), dtype=np.int64, count=len(cells))
    frame = pd.DataFrame(
        {
            "zone": np.repeat(zone, sizes),
            "cell": np.concatenate(cells) if cells else np.empty(0, np.int64),
            "fraction": np.concatenate([np.asarray(a, np.float64) for a in stats["coverage"]]),
            "people": np.concatenate([np.asarray(a, np.float64) for a in stats["values"]]),
        }
    )
    del stats, cells
    frame.loc[frame["people"] == _NODATA, "people"] = np.nan
    frame = frame[frame["fraction"] > 0]
    return frame.reset_index(drop=True)
