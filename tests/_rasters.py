"""Small GeoTIFFs for the grid tests: one writer, so that every test's file is made the same way."""

from __future__ import annotations

import numpy as np
import rasterio
from rasterio.transform import from_origin


def write_tif(path, values, *, left=0.0, top=10.0, cell=1.0, nodata=-1.0, dtype="float32"):
    """Write ``values`` (rows north to south) as a one-band EPSG:4326 GeoTIFF; return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    values = np.asarray(values, dtype)
    profile = {
        "driver": "GTiff",
        "width": values.shape[1],
        "height": values.shape[0],
        "count": 1,
        "dtype": dtype,
        "crs": "EPSG:4326",
        "nodata": nodata,
        "transform": from_origin(left, top, cell, cell),
    }
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(values, 1)
    return path
