"""Geometry made ready for display: simplified to a stated tolerance, rounded, labelled.

Display geometry is drawn, never measured: every number on a map comes from
the full geometry, before any of this.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

from geo.errors import InputError

__all__ = [
    "METRES_PER_DEGREE_MAX",
    "display_geometry",
    "display_decimals",
    "marker_radius",
    "top_point",
    "format_km",
    "format_int",
]

#: The most metres one degree can span in any direction on WGS84 (a degree of
#: latitude at the poles, 111,694 m, rounded up): a tolerance in degrees of
#: ``t_m / METRES_PER_DEGREE_MAX`` moves no point by more than ``t_m`` metres.
METRES_PER_DEGREE_MAX = 111_700.0


def display_decimals(tolerance_m: float) -> int:
    """Return how many decimals of a degree keep rounding under ``tolerance_m`` / 10 metres."""
    step = tolerance_m / METRES_PER_DEGREE_MAX / 10.0
    return int(min(7, max(3, math.ceil(-math.log10(step))))) if step > 0 else 7


def display_geometry(geometry: Any, tolerance_m: float) -> Any:
    """Return ``geometry`` simplified so that no vertex moves more than ``tolerance_m`` metres.

    Parameters
    ----------
    geometry : shapely geometry
        In lon/lat degrees.
    tolerance_m : float
        Largest displacement allowed, in metres (0 keeps every vertex).

    Returns
    -------
    shapely geometry
        Simplified with Douglas–Peucker (topology preserved) using a tolerance in
        degrees that is at most ``tolerance_m`` metres in any direction, then
        rounded to :func:`display_decimals` decimals.
    """
    if not math.isfinite(tolerance_m) or tolerance_m < 0:
        raise InputError(
            f"display tolerance {tolerance_m!r} m is not a distance >= 0; "
            "give it in metres, e.g. 200.0"
        )
    if geometry is None or geometry.is_empty:
        return geometry
    if tolerance_m > 0 and shapely.get_type_id(geometry) != 0:
        geometry = shapely.simplify(
            geometry, tolerance_m / METRES_PER_DEGREE_MAX, preserve_topology=True
        )
    decimals = display_decimals(tolerance_m)
    return shapely.transform(geometry, lambda xy: np.round(xy, decimals))


def marker_radius(population: np.ndarray) -> np.ndarray:
    """Marker radius in pixels: area grows with population, 2 px minimum, 22 px maximum."""
    pop = np.clip(np.asarray(population, dtype=float), 0, None)
    return np.round(np.clip(2.0 + 12.0 * np.sqrt(pop / 1e6), 2.0, 22.0), 1)


def top_point(geometry: Any) -> tuple[float, float]:
    """Return the (lon, lat) vertex of ``geometry`` furthest north: where a ring's label sits."""
    xy = shapely.get_coordinates(geometry)
    i = int(np.argmax(xy[:, 1]))
    return float(xy[i, 0]), float(xy[i, 1])


def format_km(metres: float, *, decimals: int = 1) -> str:
    """Format a distance in metres as kilometres: ``684475.2 -> '684.5 km'``."""
    return f"{metres / 1000.0:,.{decimals}f} km"


def format_int(value: float) -> str:
    """Format a count with thousands separators; NaN shows as an en dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{int(round(float(value))):,}"
