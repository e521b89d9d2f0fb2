"""A file as the source distances are measured from.

:func:`read_geometry_file` reads any file geopandas opens (GeoJSON, GeoPackage,
Shapefile, FlatGeobuf, GeoParquet) with the CRS it declares, or a CSV of points with
the CRS given, refusing a file without one; :func:`layers.resolve_source` turns a path
into a :class:`layers.Source` of kind ``"file"`` with it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from geo.errors import CRSError, InputError, InputTypeError
from geo.validation import to_wgs84
from layers.provenance import DataSource, Provenance
from layers.settlement_tables import read_table

__all__ = ["is_file_path", "read_geometry_file"]


def is_file_path(text: str) -> bool:
    """Whether a source written as text names an existing file.

    Parameters
    ----------
    text : str
        What the user wrote.

    Returns
    -------
    bool
        True for a path to an existing file (it has a suffix or a folder in it).

    Examples
    --------
    >>> is_file_path("KP"), is_file_path("no/such/file.geojson")
    (False, False)
    """
    text = text.strip()
    return bool(text) and (Path(text).suffix != "" or os.sep in text) and Path(text).is_file()


def read_geometry_file(path: str | os.PathLike[str], *, crs: Any = None) -> Any:
    """Read a file's features, in EPSG:4326, as a source layer.

    Parameters
    ----------
    path : str or path-like
        Any file geopandas reads (GeoJSON, GeoPackage, Shapefile, FlatGeobuf,
        GeoParquet), with the CRS it declares; or a CSV with lon/lat columns.
    crs : CRS input, optional
        CRS of a CSV's coordinate columns (required for a CSV; files carry theirs).

    Returns
    -------
    geopandas.GeoDataFrame
        The features with a geometry, EPSG:4326, ``attrs["kind"] == "file"`` (its
        features together are one source: the distance to the nearest of them) and
        ``attrs["provenance"]`` naming the file.

    Raises
    ------
    InputError
        A path that does not exist, or a file with no features.
    CRSError
        A file that declares no CRS, or a CSV without ``crs``.

    Examples
    --------
    >>> import tempfile, geopandas, shapely
    >>> path = f"{tempfile.mkdtemp()}/zone.geojson"
    >>> geopandas.GeoDataFrame(geometry=[shapely.box(10, 50, 11, 51)], crs=4326).to_file(path)
    >>> zone = read_geometry_file(path)
    >>> zone.attrs["kind"], zone.geometry.iloc[0].bounds
    ('file', (10.0, 50.0, 11.0, 51.0))
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"path {path!r:.60} of type {type(path).__name__} is not a path")
    frame, label = read_table(path, crs=crs, what="source")
    if frame.crs is None:
        raise CRSError(
            f"source file {label!r} declares no CRS, and riskmap does not guess one; write "
            "the file with its CRS (e.g. gdf.set_crs('EPSG:4326').to_file(...)), or read it "
            "with geopandas, set_crs, and pass the GeoDataFrame"
        )
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if frame.empty:
        raise InputError(f"source file {label!r} has no features with a geometry")
    data = to_wgs84(frame, what=f"source file {label!r}")
    data.attrs["kind"] = "file"
    Provenance(
        sources=(
            DataSource(
                name=f"user file {label}",
                version="",
                licence="as given by its publisher",
                attribution="",
            ),
        ),
        method="user-supplied geometry",
        details={"file": label, "features": int(len(data))},
    ).attach(data)
    return data
