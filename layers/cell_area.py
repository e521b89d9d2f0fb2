"""Areas of population-grid cells on the WGS84 ellipsoid.

A density grid (people per km²) becomes people per cell through each cell's area.
For grids in longitude/latitude the area is exact (a zone between two parallels and
two meridians, by the authalic-latitude integral); for projected grids each cell's
four corners are taken to an equal-area projection of the ellipsoid (EPSG:6933) and
the quadrilateral's area is measured there.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
from pyproj import CRS, Transformer

from geo.errors import DataError
from geo.units import WGS84

__all__ = ["cell_areas_km2", "zone_area_m2"]

_EQUAL_AREA_CRS = CRS.from_epsg(6933)  # cylindrical equal-area on the WGS84 ellipsoid


def zone_area_m2(lat1: Any, lat2: Any, dlon: float) -> np.ndarray:
    """Return the exact area of a cell between two parallels and two meridians.

    Parameters
    ----------
    lat1, lat2 : float or array_like
        Latitudes of the cell's edges, in degrees.
    dlon : float
        Width of the cell in longitude, in degrees.

    Returns
    -------
    numpy.ndarray
        Area on the WGS84 ellipsoid in square metres (closed form, via the
        authalic-latitude integral).

    Examples
    --------
    >>> f"{zone_area_m2(-90, 90, 360) / 1e12:.4f}"  # whole ellipsoid, million km²
    '510.0656'
    """
    a, f = WGS84.a, WGS84.f
    e2 = f * (2 - f)
    e = math.sqrt(e2)

    def q(lat: np.ndarray) -> np.ndarray:
        s = np.sin(np.radians(lat))
        return s / (1 - e2 * s * s) + np.arctanh(e * s) / e

    lat1 = np.asarray(lat1, dtype=np.float64)
    lat2 = np.asarray(lat2, dtype=np.float64)
    return np.abs(a * a * (1 - e2) * math.radians(dlon) / 2 * (q(lat2) - q(lat1)))


@lru_cache(maxsize=16)
def _to_equal_area(crs_wkt: str) -> Transformer:
    return Transformer.from_crs(CRS.from_wkt(crs_wkt), _EQUAL_AREA_CRS, always_xy=True)


def cell_areas_km2(
    transform: Any, crs: CRS, window: tuple[int, int, int, int], *, name: str = "grid"
) -> np.ndarray:
    """Return the area of each cell of a window on the WGS84 ellipsoid.

    Parameters
    ----------
    transform : affine.Affine
        The grid's north-up pixel-to-CRS transform.
    crs : pyproj.CRS
        The grid's CRS (geographic: exact zones; projected: corners measured in EPSG:6933).
    window : (row0, col0, nrows, ncols)
        The cells, as grid rows and columns.
    name : str, default "grid"
        The grid's name, for the error message.

    Returns
    -------
    numpy.ndarray
        Square kilometres, shape ``(nrows, ncols)`` (a read-only broadcast view for
        lon/lat grids, whose cells of a row all have the same area).

    Raises
    ------
    DataError
        If cells fall outside the area the projected CRS can map.

    Examples
    --------
    >>> from affine import Affine
    >>> from pyproj import CRS
    >>> t = Affine(1.0, 0, 0.0, 0, -1.0, 1.0)  # 1° cells, the first row from the equator north
    >>> area = cell_areas_km2(t, CRS.from_epsg(4326), (0, 0, 1, 2))
    >>> area.shape, f"{area[0, 0]:,.1f}"
    ((1, 2), '12,308.5')
    """
    row0, col0, nrows, ncols = window
    t = transform
    rows = np.arange(row0, row0 + nrows + 1, dtype=np.float64)
    if crs.is_geographic:
        lat = t.f + t.e * rows
        area = zone_area_m2(lat[1:], lat[:-1], abs(t.a))[:, None]
        return np.broadcast_to(area / 1e6, (nrows, ncols))
    cols = np.arange(col0, col0 + ncols + 1, dtype=np.float64)
    x, y = np.meshgrid(t.c + t.a * cols, t.f + t.e * rows)
    ex, ey = _to_equal_area(crs.to_wkt()).transform(x, y)
    # shoelace over each cell's four corners (counter-clockwise sign does not matter)
    x0, x1, x2, x3 = ex[:-1, :-1], ex[:-1, 1:], ex[1:, 1:], ex[1:, :-1]
    y0, y1, y2, y3 = ey[:-1, :-1], ey[:-1, 1:], ey[1:, 1:], ey[1:, :-1]
    twice = (x0 * y1 - x1 * y0) + (x1 * y2 - x2 * y1) + (x2 * y3 - x3 * y2) + (x3 * y0 - x0 * y3)
    out = np.abs(twice) / 2 / 1e6
    if not np.isfinite(out).all():
        raise DataError(
            f"cells of {name!r} fall outside the area its CRS {crs.to_string()!r} can map, "
            "so their area is unknown; use a count grid, or clip the grid to the projection's "
            "valid area"
        )
    return out
