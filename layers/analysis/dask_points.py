"""Exposure over a Dask GeoDataFrame of settlements: distances on the cluster, sums here.

Used by :func:`layers.exposure` when the population layer is a dask-geopandas
GeoDataFrame. Each partition is checked and measured where it lives, with the
same prepared :class:`geo.DistanceIndex` (one task in the graph, shipped once to
each worker), culled at the largest radius plus the edge width. Only the places
within that distance, their distances and each partition's row count come back;
the tables, bands, curve and edge list are then built by the same in-memory
arithmetic as for a GeoDataFrame
(:func:`layers.analysis.points.exposure_from_distances`),
so the result is the same as for the same rows in memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

import geo
from geo.errors import InputError, InputTypeError
from geo.validation import import_optional
from layers.analysis.points import (
    _grouping,
    check_settlements,
    exposure_from_distances,
    max_distance,
)
from layers.analysis.result import Exposure
from layers.analysis.source import SourceDescription

__all__ = ["dask_settlement_exposure"]


def _near_partition(
    part: Any, index: geo.DistanceIndex, max_distance: float, group_col: str | None, number: int
) -> tuple[Any, np.ndarray, int]:
    """Return the rows within ``max_distance`` metres, their distances, and the row count.

    Runs on a worker, once per partition.
    """
    try:
        check_settlements(part, group_col)
        d = np.asarray(index.distance_to(part, max_distance=max_distance), dtype=np.float64)
    except InputError as exc:  # say where, since the row labels are only unique per partition
        raise type(exc)(f"in partition {number} of the settlements: {exc}") from None
    near = np.flatnonzero(np.isfinite(d))
    return part.iloc[near], d[near], len(part)


def dask_settlement_exposure(
    src: SourceDescription,
    settlements: Any,
    radii: np.ndarray,
    by: Any,
    exclude: tuple[str, ...] | None,
    edge_m: float,
) -> Exposure:
    """Count a Dask GeoDataFrame of settlements within each radius of a source.

    Parameters
    ----------
    src : SourceDescription
        The source (:func:`~layers.analysis.result.describe_source`).
    settlements : dask_geopandas.GeoDataFrame
        Settlement points with a ``population`` column (people) and a CRS.
    radii : numpy.ndarray
        Ascending radii in metres.
    by, exclude, edge_m
        As in :func:`~layers.analysis.points.settlement_exposure` (``edge_m`` in metres).

    Returns
    -------
    Exposure
        Equal to the in-memory result on the same rows. Only the places within
        the largest radius plus ``edge_m`` (metres) are brought back from the cluster.

    Examples
    --------
    >>> import dask, dask_geopandas, numpy as np, shapely, layers
    >>> from layers.analysis.source import describe_source
    >>> towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
    >>> src = describe_source(shapely.Point(131.9, 43.1))
    >>> with dask.config.set(scheduler="synchronous"):
    ...     result = dask_settlement_exposure(
    ...         src, dask_geopandas.from_geopandas(towns, npartitions=2),
    ...         np.array([20_000.0]), None, None, 5_000.0,
    ...     )
    >>> result.population()
    609981.0
    """
    dask = import_optional("dask")
    group_col, _ = _grouping(by)
    meta: Any = getattr(settlements, "_meta", None)
    if not hasattr(meta, "geometry") or not hasattr(meta, "columns"):
        raise InputTypeError(
            f"population is a Dask {type(settlements).__name__}; expected a dask-geopandas "
            "GeoDataFrame of settlement points with a 'population' column and a CRS "
            "(dask_geopandas.read_parquet or dask_geopandas.from_geopandas)"
        )
    check_settlements(meta, group_col)  # columns, dtype and CRS, before any work is sent
    if not settlements.crs.equals("EPSG:4326"):  # places are reported in lon/lat
        settlements = settlements.to_crs("EPSG:4326")
    index = geo.DistanceIndex(src.geometry)
    max_d = max_distance(radii, edge_m)

    shared = dask.delayed(index, pure=True, traverse=False)
    measure = dask.delayed(_near_partition, pure=True)
    tasks = [
        measure(part, shared, max_d, group_col, i)
        for i, part in enumerate(settlements.to_delayed())
    ]
    (results,) = dask.compute(tasks)
    frames, distances, counts = zip(*results, strict=True)
    near = pd.concat(frames)  # partition order is row order, as in memory
    near.attrs = dict(meta.attrs)  # the layer's provenance
    return exposure_from_distances(
        src,
        near,
        np.concatenate(distances),
        radii,
        by,
        exclude,
        edge_m,
        index=index,
        settlements=int(sum(counts)),
    )
