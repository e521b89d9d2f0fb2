"""Which cells of a population grid a question needs: windows that follow the geometry.

A geometry cut at ±180 (Russia, Fiji, Chukotka, a ring around a Pacific island) has
parts at both edges of a lon/lat grid; its bounding box spans the whole globe, so a
window taken from it would read every cell of every row it touches. Here a geometry is
taken apart first: its polygons are grouped into clusters whose bounding boxes lie far
apart (:func:`part_clusters`), and each cluster is read through its own window
(:func:`window_of`). The sum over the clusters is the sum over the geometry, since the
clusters are disjoint pieces of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from geo.errors import InputError

__all__ = [
    "GAP_FRACTION",
    "DaskGrid",
    "lattice_windows",
    "part_clusters",
    "rows_per_window",
    "window_of",
]

#: Parts of a geometry whose bounding boxes are farther apart than this fraction of the
#: grid's width (or height) are read through separate windows.
GAP_FRACTION = 0.05


def window_of(
    transform: Any, shape: tuple[int, int], bounds: tuple[float, float, float, float]
) -> tuple[int, int, int, int] | None:
    """Return the window of cells covering bounds in the grid's CRS.

    Parameters
    ----------
    transform : affine.Affine
        The grid's north-up pixel-to-CRS transform.
    shape : (height, width)
        The grid's size in cells.
    bounds : (xmin, ymin, xmax, ymax)
        In the grid's CRS (degrees or metres, as the grid is).

    Returns
    -------
    tuple of int or None
        ``(row0, col0, nrows, ncols)`` in cells, clipped to the grid; None if the
        bounds miss the grid.

    Examples
    --------
    >>> from affine import Affine
    >>> t = Affine(1.0, 0, -180.0, 0, -1.0, 90.0)  # a 1° global grid
    >>> window_of(t, (180, 360), (170.5, 60.0, 180.0, 70.0))
    (20, 350, 10, 10)
    >>> window_of(t, (180, 360), (200.0, 0.0, 210.0, 10.0)) is None
    True
    """
    t = transform
    height, width = shape
    xmin, ymin, xmax, ymax = bounds
    col0 = max(0, math.floor((xmin - t.c) / t.a))
    col1 = min(width, math.ceil((xmax - t.c) / t.a))
    row0 = max(0, math.floor((ymax - t.f) / t.e))
    row1 = min(height, math.ceil((ymin - t.f) / t.e))
    if col1 <= col0 or row1 <= row0:
        return None
    return row0, col0, row1 - row0, col1 - col0


def rows_per_window(ncols: int, block_rows: int, budget: int) -> int:
    """Return the rows to read at once: at most ``budget`` cells, whole blocks if possible.

    Parameters
    ----------
    ncols : int
        Columns of the window.
    block_rows : int
        Rows of the file's blocks (tiles or strips).
    budget : int
        Most cells to read at once.

    Returns
    -------
    int
        At least 1; a multiple of ``block_rows`` when a block's rows fit the budget.

    Examples
    --------
    >>> rows_per_window(43_200, 512, 1 << 20), rows_per_window(43_200, 512, 1 << 25)
    (24, 512)
    """
    rows = max(1, budget // max(ncols, 1))
    return rows - rows % block_rows if rows >= block_rows else rows


def _clusters_1d(lo: np.ndarray, hi: np.ndarray, gap: float) -> np.ndarray:
    """Label intervals so that intervals closer than ``gap`` share a label."""
    order = np.argsort(lo, kind="stable")
    labels = np.empty(len(lo), dtype=np.int64)
    label, reach = -1, -math.inf
    for i in order:
        if lo[i] > reach + gap:
            label += 1
            reach = hi[i]
        else:
            reach = max(reach, hi[i])
        labels[i] = label
    return labels


def part_clusters(geometry: Any, extent: tuple[float, float, float, float]) -> list[Any]:
    """Split a geometry into clusters of its parts that lie far apart, one window each.

    Parameters
    ----------
    geometry : shapely geometry
        A polygon or multipolygon in the grid's CRS.
    extent : (xmin, ymin, xmax, ymax)
        The grid's bounds in its CRS; parts farther apart than :data:`GAP_FRACTION`
        of its width (in x) or height (in y) go to different clusters.

    Returns
    -------
    list of shapely geometry
        Disjoint pieces whose union is ``geometry`` (the geometry itself when it
        is in one piece); an empty list for an empty geometry.

    Examples
    --------
    A band around a Pacific island cut at ±180 comes back as its two halves:

    >>> east, west = shapely.box(170, -20, 180, -10), shapely.box(-180, -20, -175, -10)
    >>> ring = shapely.MultiPolygon([east, west])
    >>> [p.bounds for p in part_clusters(ring, (-180, -90, 180, 90))]
    [(-180.0, -20.0, -175.0, -10.0), (170.0, -20.0, 180.0, -10.0)]
    """
    if geometry is None or shapely.is_empty(geometry):
        return []
    parts = shapely.get_parts(geometry)
    parts = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    if len(parts) == 0:
        return []
    if len(parts) == 1:
        return [parts[0]]
    bounds = shapely.bounds(parts)
    xmin, ymin, xmax, ymax = extent
    by_x = _clusters_1d(bounds[:, 0], bounds[:, 2], GAP_FRACTION * (xmax - xmin))
    out = []
    for label in np.unique(by_x):
        members = np.flatnonzero(by_x == label)
        sub = bounds[members]
        by_y = _clusters_1d(sub[:, 1], sub[:, 3], GAP_FRACTION * (ymax - ymin))
        for ylabel in np.unique(by_y):
            chosen = parts[members[by_y == ylabel]]
            out.append(chosen[0] if len(chosen) == 1 else shapely.multipolygons(chosen))
    return out


def lattice_windows(
    shape: tuple[int, int], side: int, windows: list[tuple[int, int, int, int]]
) -> list[tuple[int, int, int, int]]:
    """Return the squares of a fixed lattice of cells that meet any of the windows.

    The squares are disjoint by construction (``side`` x ``side`` cells, the last row and
    column clipped to the grid), so sums over them add up to the sum over the windows'
    cells, and each is read by one task.

    Parameters
    ----------
    shape : (height, width)
        The grid's size in cells.
    side : int
        Cells per side of a square.
    windows : list of (row0, col0, nrows, ncols)
        The windows the question needs (:func:`window_of`).

    Returns
    -------
    list of (row0, col0, nrows, ncols)
        Row by row, then column by column.

    Examples
    --------
    >>> lattice_windows((100, 300), 64, [(10, 250, 5, 50), (70, 0, 10, 10)])
    [(0, 192, 64, 64), (0, 256, 64, 44), (64, 0, 36, 64)]
    """
    height, width = shape
    keys: set[tuple[int, int]] = set()
    for row0, col0, nrows, ncols in windows:
        for i in range(row0 // side, (row0 + nrows - 1) // side + 1):
            for j in range(col0 // side, (col0 + ncols - 1) // side + 1):
                keys.add((i, j))
    return [
        (i * side, j * side, min(side, height - i * side), min(side, width - j * side))
        for i, j in sorted(keys)
    ]


@dataclass(frozen=True)
class DaskGrid:
    """A population grid whose exposure runs on Dask, one task per window of cells.

    Made by :meth:`layers.grid.PopulationGrid.to_dask`; give it to
    :func:`layers.exposure` as the population. The tasks run on the Dask scheduler in
    use: a ``dask.distributed.Client`` sends them to its cluster, whose workers open the
    grid's file themselves (it must be at the same path on each: a shared disk).

    Attributes
    ----------
    grid : layers.grid.PopulationGrid
        The grid.
    window_cells : int
        Most cells a task reads: the grid is cut into squares of about this many cells
        (a multiple of 256 per side when that many fit), and a task reads one square.

    Examples
    --------
    >>> DaskGrid(grid=None, window_cells=1 << 20).side
    1024
    >>> DaskGrid(grid=None, window_cells=1_000).side
    31
    """

    grid: Any
    window_cells: int

    def __post_init__(self) -> None:
        cells = self.window_cells
        if isinstance(cells, bool) or not isinstance(cells, int) or cells < 1:
            raise InputError(
                f"window_cells {cells!r} is not a number of cells; expected a positive "
                "integer, e.g. 1_048_576 (squares of 1,024 x 1,024 cells)"
            )

    @property
    def side(self) -> int:
        """Cells per side of the squares a task reads."""
        side = math.isqrt(max(1, self.window_cells))
        return side - side % 256 if side >= 256 else side
