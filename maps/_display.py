"""Geometry made ready for display: simplified to a stated tolerance, rounded, labelled.

Display geometry is drawn, never measured: every number on a map comes from
the full geometry, before any of this.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import InputError, InputTypeError
from geo.validation import as_geometry, to_wgs84
from layers import Place, Provenance, Source

__all__ = [
    "METRES_PER_DEGREE_MAX",
    "as_frame",
    "check_bounds",
    "display_geometry",
    "display_decimals",
    "features",
    "label_of",
    "marker_radius",
    "provenance_of",
    "top_point",
    "format_km",
    "format_int",
    "notebook_frame",
    "check_tolerance",
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


def _is_pair(data: Any) -> bool:
    return isinstance(data, (tuple, list, np.ndarray)) and np.shape(data) == (2,)


def as_frame(data: Any, *, what: str) -> gpd.GeoDataFrame:
    """Return ``data`` as a GeoDataFrame in EPSG:4326 (refusing one without a CRS).

    ``data`` is a GeoDataFrame or GeoSeries (with a CRS), a shapely geometry or a
    ``(lon, lat)`` pair in degrees, a :class:`layers.Source` (its ``data``, with its
    provenance) or a :class:`layers.Place` (its point and name).
    """
    if isinstance(data, Source):
        data = data.data
    elif isinstance(data, Place):
        return gpd.GeoDataFrame(
            {"name": [data.name], "country": [data.country]},
            geometry=[as_geometry(data.lonlat, what=what)],
            crs="EPSG:4326",
        )
    elif _is_pair(data):
        data = as_geometry(data, what=f"{what} (lon, lat)")
    if isinstance(data, gpd.GeoSeries):
        data = gpd.GeoDataFrame(geometry=data)
    if isinstance(data, gpd.GeoDataFrame):
        frame = to_wgs84(data, what=what)
        frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
        if frame.empty:
            raise InputError(f"{what} has no geometry (0 non-empty rows); give at least one")
        return frame
    if isinstance(data, shapely.Geometry):
        if data.is_empty:
            raise InputError(f"{what} is an empty geometry; give one with coordinates")
        return gpd.GeoDataFrame(geometry=[data], crs="EPSG:4326")
    raise InputTypeError(
        f"{what} {data!r:.60} of type {type(data).__name__} is not a GeoDataFrame, GeoSeries, "
        "shapely geometry, (lon, lat) pair or layers.Source; pass e.g. layers.territory('KP'), "
        "layers.resolve_source('Vladivostok') or a result of geo.buffer"
    )


def provenance_of(data: Any) -> Provenance | None:
    """Return the provenance a layer carries in ``.attrs["provenance"]``, if any."""
    return Provenance.of(data) if hasattr(data, "attrs") else None


def check_bounds(bounds: Sequence[float]) -> tuple[float, float, float, float]:
    """Return ``(west, south, east, north)`` in degrees as floats, or raise naming the fix."""
    try:
        w, s, e, n = (float(v) for v in bounds)
    except (TypeError, ValueError) as exc:
        raise InputError(f"bounds {bounds!r} is not (west, south, east, north) in degrees") from exc
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InputError(
            f"bounds {bounds!r} is not (west, south, east, north) with west < east in "
            "[-180, 180] and south < north in [-90, 90]; note the (lon, lat) order"
        )
    return (w, s, e, n)


def features(geoms: Any, tolerance_m: float, *, tooltip: Sequence[str], style: Any) -> Any:
    """Return display features: geometry simplified to ``tolerance_m`` metres, style, tooltip."""
    shown = [display_geometry(g, tolerance_m) for g in geoms]
    style_col = np.broadcast_to(np.asarray(style, dtype=int), (len(shown),)).copy()
    return gpd.GeoDataFrame(
        {"style": style_col, "tooltip": list(tooltip)}, geometry=shown, crs="EPSG:4326"
    )


def label_of(row: pd.Series, fallback: str) -> str:
    """Return a row's ``name`` (or ``iso3``, ``iso2``), else ``fallback``."""
    for key in ("name", "iso3", "iso2"):
        if key in row and isinstance(row[key], str) and row[key]:
            return row[key]
    return fallback


def notebook_frame(page: str) -> str:
    """Return a whole HTML page as a notebook cell shows it: in an iframe, 60 % as high as wide."""
    return (
        '<div style="width:100%;"><div style="position:relative;width:100%;height:0;'
        'padding-bottom:60%;"><iframe srcdoc="' + html.escape(page) + '" style="position:absolute;'
        'width:100%;height:100%;left:0;top:0;border:none !important;" allowfullscreen>'
        "</iframe></div></div>"
    )


def check_tolerance(tolerance_m: Any) -> float:
    """Return a display tolerance in metres as a float, or refuse it with an example."""
    if (
        not isinstance(tolerance_m, (int, float))
        or not math.isfinite(tolerance_m)
        or tolerance_m < 0
    ):
        raise InputError(
            f"tolerance_m={tolerance_m!r} is not a distance >= 0 in metres; e.g. 200.0"
        )
    return float(tolerance_m)
