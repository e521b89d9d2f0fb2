"""Exposure over a population grid on a Dask cluster: one task per window of cells.

Used by :func:`layers.exposure` when the population is a grid given as
``grid.to_dask()`` (:class:`~layers.grid_windows.DaskGrid`). The question is built here,
as in memory (:func:`~layers.analysis.grids.grid_question`: the bands, the groups, the
band x group zones, in the grid's CRS); the grid is cut into a fixed lattice of squares
(:func:`~layers.grid_windows.lattice_windows`) and each square the zones reach is one
task. A task opens the file on its worker, reads its square only, takes the exact
fraction of each of its cells inside each zone (exactextract) and returns the zone sums
and the curve's entries (the exact geodesic distance of each cell centre, its share of
people and its group). The squares are disjoint, so the sums add up and every cell's
entries come from one task; the tables and curve are then those of the in-memory path.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

import geo
from geo.validation import import_optional
from layers.analysis.grids import (
    GridQuestion,
    curve_entries,
    grid_question,
    measure_entries,
    sorted_curve,
    zone_totals,
)
from layers.analysis.result import Exposure
from layers.analysis.source import SourceDescription
from layers.grid import PopulationGrid
from layers.grid_extract import cell_fractions
from layers.grid_windows import DaskGrid, lattice_windows, part_clusters

__all__ = ["dask_grid_exposure", "question_windows"]


def _window_task(
    grid: PopulationGrid,
    window: tuple[int, int, int, int],
    zones: list[Any],
    index: geo.DistanceIndex,
    shape: tuple[int, int, int],
    top: float,
) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Return the zone sums and the measured curve entries of one window's cells.

    Runs on a worker, once per window.
    """
    nzones, ngroups, nbands = shape
    geoms = np.asarray(zones, dtype=object)
    cells = cell_fractions(grid, geoms, max_cells=window[2] * window[3], window=window)
    totals = zone_totals(cells, nzones)
    entries = curve_entries(cells, ngroups, nbands)
    del cells
    return totals, measure_entries(index, grid, entries, top)


def question_windows(
    grid: PopulationGrid, zones: np.ndarray, side: int
) -> list[tuple[int, int, int, int]]:
    """Return the squares of ``side`` cells that the zones (in the grid's CRS) reach.

    Each zone is taken apart as for a read in memory
    (:func:`~layers.grid_windows.part_clusters`: a question cut at ±180 reaches the
    squares at both edges of the grid, not every square between them).

    Parameters
    ----------
    grid : PopulationGrid
        The grid.
    zones : numpy.ndarray
        Polygons in the grid's CRS (object array).
    side : int
        Cells per side of the lattice's squares.

    Returns
    -------
    list of (row0, col0, nrows, ncols)
        Disjoint windows, row by row.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> from affine import Affine
    >>> grid = object.__new__(PopulationGrid)  # only its size and transform are read
    >>> grid.height, grid.width = 180, 360
    >>> grid.transform, grid.bounds = Affine(1, 0, -180, 0, -1, 90), (-180, -90, 180, 90)
    >>> pacific = shapely.MultiPolygon([shapely.box(170, -20, 180, -10),
    ...                                 shapely.box(-180, -20, -175, -10)])
    >>> question_windows(grid, np.array([pacific]), 64)
    [(64, 0, 64, 64), (64, 320, 64, 40)]
    """
    windows = []
    for zone in zones:
        for piece in part_clusters(zone, grid.bounds):
            window = grid.window_of(tuple(shapely.bounds(piece)))
            if window is not None:
                windows.append(window)
    return lattice_windows((grid.height, grid.width), side, windows)


def dask_grid_exposure(
    src: SourceDescription,
    population: DaskGrid,
    radii: np.ndarray,
    by: Any,
    exclude: tuple[str, ...] | None,
) -> Exposure:
    """Sum a population grid within each radius of a source on Dask, window by window.

    Parameters
    ----------
    src : SourceDescription
        The source (:func:`~layers.analysis.result.describe_source`).
    population : DaskGrid
        ``grid.to_dask(window_cells=...)``.
    radii : numpy.ndarray
        Ascending radii in metres.
    by, exclude
        As in :func:`~layers.analysis.grids.grid_exposure`.

    Returns
    -------
    Exposure
        Equal to :func:`~layers.analysis.grids.grid_exposure` on the same grid: the
        same tables (sums added in another order: to about 1e-12) and the same curve,
        here measured on the cluster with the sums.

    Examples
    --------
    >>> import dask, pathlib, tempfile, numpy as np, rasterio
    >>> from affine import Affine
    >>> from layers.grid import population_grid
    >>> from layers.analysis.source import describe_source
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "people.tif"
    >>> profile = dict(driver="GTiff", width=100, height=100, count=1, dtype="float64",
    ...                crs="EPSG:4326", transform=Affine(0.01, 0, 127.5, 0, -0.01, 41.5))
    >>> with rasterio.open(path, "w", **profile) as ds:
    ...     ds.write(np.ones((100, 100)), 1)  # one person per cell
    >>> grid = population_grid(path, kind="count").to_dask(window_cells=900)
    >>> src = describe_source((128.0, 41.0))
    >>> with dask.config.set(scheduler="synchronous"):
    ...     result = dask_grid_exposure(src, grid, np.array([10_000.0, 20_000.0]), None, None)
    >>> result.table[["radius_km", "population"]].round(1)
       radius_km  population
    0       10.0       336.1
    1       20.0      1344.7
    >>> folder.cleanup()
    """
    dask = import_optional("dask")
    grid = population.grid
    question: GridQuestion = grid_question(src, radii, by, exclude)
    zones = grid.to_grid_crs(question.pieces)
    nzones = len(zones)
    shape = (nzones, len(question.names), len(radii))
    shared_grid = dask.delayed(grid, pure=True, traverse=False)
    shared_index = dask.delayed(geo.DistanceIndex(src.geometry), pure=True, traverse=False)
    task = dask.delayed(_window_task, pure=True)
    boxes = shapely.box(*shapely.bounds(zones).T)
    tasks = []
    for window in question_windows(grid, zones, population.side):
        row0, col0, nrows, ncols = window
        t = grid.transform
        square = shapely.box(
            t.c + t.a * col0,
            t.f + t.e * (row0 + nrows),
            t.c + t.a * (col0 + ncols),
            t.f + t.e * row0,
        )
        # each task gets only the zones whose bounds meet its square (None for the rest)
        meets = shapely.intersects(boxes, square)
        mine = [z if m else None for z, m in zip(zones, meets, strict=True)]
        tasks.append(task(shared_grid, window, mine, shared_index, shape, float(radii[-1])))
    (results,) = dask.compute(tasks)
    totals = np.zeros((nzones, 3))
    parts: list[tuple[np.ndarray, ...]] = []
    for window_totals, entries in results:
        totals += window_totals
        parts.append(entries)
    if parts:
        d, cell, group, share = (np.concatenate(a) for a in zip(*parts, strict=True))
    else:
        d, cell, group, share = (
            np.empty(0),
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty(0),
        )
    curve = sorted_curve(d, cell, group, share, question.labels())
    return question.exposure(src, grid, radii, totals, curve=curve)
