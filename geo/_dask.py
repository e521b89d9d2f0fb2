"""Distances for Dask collections: the same exact query, run partition by partition.

Dask is optional (riskmap's ``dask`` extra). Nothing here imports it at
module level, so ``import geo`` stays light; the public functions in
:mod:`geo.measurement` come here only when they are given a Dask collection.

The prepared :class:`~geo.DistanceIndex` enters the task graph once, as
one key that every partition's task depends on: each worker receives it once
(as its geometry, see ``DistanceIndex.__reduce__``) however many partitions it
runs.
"""

from __future__ import annotations

from typing import Any

from geo.errors import InputTypeError
from geo.units import check_distance
from geo.validation import import_optional, to_wgs84

__all__ = ["distance_to_partitions"]

#: Name of the Series of distances returned for Dask input.
DISTANCE_NAME = "distance_m"


def _partition_distances(part: Any, index: Any, max_distance: float | None, signed: bool) -> Any:
    import pandas as pd

    d = index.distance_to(part, max_distance=max_distance, signed=signed)
    return pd.Series(d, index=part.index, dtype="float64", name=DISTANCE_NAME)


def distance_to_partitions(
    index: Any, points: Any, *, max_distance: float | str | None, signed: bool
) -> Any:
    """Return a lazy Dask Series of distances in metres, one partition per input partition.

    Parameters
    ----------
    index : DistanceIndex
        The prepared geometry, shipped once to the workers.
    points : dask_geopandas.GeoDataFrame or dask_geopandas.GeoSeries
        Points with a CRS (reprojected lazily to EPSG:4326 when needed).
    max_distance : float, str or None
        In metres (or a string such as ``"50km"``); farther points come back as ``inf``.
    signed : bool
        Negative depth inside polygons instead of 0.

    Returns
    -------
    dask.dataframe.Series
        Float64 distances in metres named ``"distance_m"``, with the index and
        partitions of ``points``; nothing is computed until ``.compute()``.
    """
    dask = import_optional("dask")
    import pandas as pd

    if not hasattr(points, "crs") or not hasattr(points, "map_partitions"):
        raise InputTypeError(
            f"points is a Dask {type(points).__name__}; expected a dask-geopandas GeoDataFrame "
            "or GeoSeries of points with a CRS (build one with dask_geopandas.from_geopandas, "
            "dask_geopandas.read_parquet or dask_geopandas.points_from_xy)"
        )
    if max_distance is not None:
        max_distance = check_distance(max_distance, name="max_distance")
    points = to_wgs84(points, what="points")
    # One key for the index: shipped once per worker, not once per partition.
    shared = dask.delayed(index, pure=True, traverse=False)
    return points.map_partitions(
        _partition_distances,
        shared,
        max_distance,
        bool(signed),
        meta=pd.Series(dtype="float64", name=DISTANCE_NAME),
    )
