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
from layers.regions import region_label

__all__ = [
    "METRES_PER_DEGREE_MAX",
    "as_frame",
    "check_bounds",
    "display_geometry",
    "display_decimals",
    "COARSE_TOLERANCE_M",
    "detail_inside",
    "continuous_cut",
    "shift_east",
    "wrap_lon",
    "features",
    "label_of",
    "is_region",
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


#: Display tolerance (metres) of a clipped territory beyond its box: at least this, or
#: 50 times the map's.
COARSE_TOLERANCE_M = 20_000.0


def detail_inside(geoms: Any, box: Sequence[float], tolerance_m: float) -> Any:
    """Return each geometry in display detail inside ``box``, coarser outside, as one shape.

    The two parts are joined by a union, so that neither an outline nor a seam of the
    fill runs along the box: where the outline crosses the box the coarse and the fine
    shapes meet within the coarse tolerance, beyond the box.

    Parameters
    ----------
    geoms : array_like of shapely geometries
        Polygons in lon/lat degrees.
    box : (west, south, east, north)
        Degrees.
    tolerance_m : float
        The map's display tolerance, metres; outside the box the shapes are simplified
        to ``max(COARSE_TOLERANCE_M, 50 * tolerance_m)`` metres.

    Returns
    -------
    numpy.ndarray of shapely geometries

    Examples
    --------
    >>> shown, = detail_inside([shapely.box(0, 0, 10, 1)], (0, 0, 2, 1), 200.0)
    >>> shown.bounds, shown.geom_type
    ((0.0, 0.0, 10.0, 1.0), 'Polygon')
    """
    geoms = np.asarray(geoms, dtype=object)
    coarse_m = max(COARSE_TOLERANCE_M, 50.0 * tolerance_m)
    coarse = shapely.simplify(geoms, coarse_m / METRES_PER_DEGREE_MAX, preserve_topology=True)
    window = shapely.box(*box)
    fine = shapely.make_valid(shapely.intersection(geoms, window))
    outside = shapely.make_valid(shapely.difference(coarse, window))
    joined = shapely.union(fine, outside)
    return np.where(shapely.is_empty(joined), geoms, joined)


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


def continuous_cut(lon: Any) -> float | None:
    """Return the meridian to cut the world at so that longitudes ``lon`` read continuously.

    Parameters
    ----------
    lon : array_like
        Longitudes in degrees, -180 to 180.

    Returns
    -------
    float or None
        None when they are already continuous (their widest gap holds ±180°);
        otherwise the middle of their widest gap, degrees: longitudes west of it read
        360° more (Chukotka's 171°E to 169°W as 171° to 191°).

    Examples
    --------
    >>> print(continuous_cut([172.0, 179.9, -179.9, -169.0]))
    1.5
    >>> print(continuous_cut([124.0, 131.0]))
    None
    """
    x = np.unique(np.asarray(lon, dtype=float))
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return None
    gaps = np.diff(x)
    i = int(np.argmax(gaps))
    wrap = x[0] + 360.0 - x[-1]
    if wrap >= gaps[i]:
        return None
    return float((x[i] + x[i + 1]) / 2)


def wrap_lon(lon: Any) -> Any:
    """Return longitudes in degrees brought into [-180, 180)."""
    return (np.asarray(lon, dtype=float) + 180.0) % 360.0 - 180.0


def shift_east(geometry: Any, cut: float | None) -> Any:
    """Return ``geometry`` with every part wholly west of ``cut`` moved 360° east.

    A part is a polygon, a line or a point of a (multi-part) geometry; parts cut at
    ±180° (as :func:`geo.buffer` cuts them) join their eastern halves, so that
    Leaflet, which takes longitudes beyond 180°, draws them whole. A part across the
    cut itself stays where it is (the cut lies in the widest gap of the subject).

    Parameters
    ----------
    geometry : shapely geometry or None
        In lon/lat degrees.
    cut : float or None
        From :func:`continuous_cut`; None returns ``geometry`` as it is.

    Returns
    -------
    shapely geometry

    Examples
    --------
    >>> g = shapely.MultiPolygon([shapely.box(175, 60, 180, 65), shapely.box(-180, 60, -175, 65)])
    >>> shift_east(g, 0.0).bounds
    (175.0, 60.0, 185.0, 65.0)
    """
    if cut is None or geometry is None or geometry.is_empty:
        return geometry
    parts = shapely.get_parts(geometry)
    if len(parts) > 1:
        moved = [shift_east(p, cut) for p in parts]
        if all(m is p for m, p in zip(moved, parts, strict=True)):
            return geometry
        if shapely.get_type_id(geometry) == 7:  # GeometryCollection
            return shapely.geometrycollections(moved)
        if shapely.get_type_id(geometry) == 6:  # MultiPolygon: no outline along the seam
            return _join_at_seam(moved)
        return type(geometry)(moved)
    if geometry.bounds[2] <= cut:
        return shapely.transform(geometry, lambda xy: xy + np.array([360.0, 0.0]))
    return geometry


def _join_at_seam(parts: Sequence[Any]) -> Any:
    """Return the polygons as one geometry, those meeting at 180° merged into one.

    Two halves of a ring cut at ±180° and joined east of it would each be drawn with
    their outline, a line along the meridian through the area; merged, there is none.
    """
    bounds = shapely.bounds(np.asarray(parts, dtype=object))
    at_seam = np.isclose(bounds[:, 0], 180.0, atol=1e-7) | np.isclose(
        bounds[:, 2], 180.0, atol=1e-7
    )
    if at_seam.sum() < 2:
        return shapely.MultiPolygon(list(parts))
    # A grid of 1e-9 degrees (0.1 mm) snaps the halves' shared vertices together.
    joined = shapely.get_parts(
        shapely.union_all([p for p, s in zip(parts, at_seam, strict=True) if s], grid_size=1e-9)
    )
    rest = [p for p, s in zip(parts, at_seam, strict=True) if not s]
    return shapely.MultiPolygon([*rest, *[g for g in joined if shapely.get_type_id(g) == 3]])


def marker_radius(population: np.ndarray) -> np.ndarray:
    """Marker radius in pixels: area grows with population, 1.5 px minimum, 14 px maximum.

    Small enough that the towns around a city of millions (Seoul's 50 places within
    30 km) stay apart at the zoom of a country: a million people is 8.5 px.
    """
    pop = np.clip(np.asarray(population, dtype=float), 0, None)
    return np.round(np.clip(1.5 + 7.0 * np.sqrt(pop / 1e6), 1.5, 14.0), 1)


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
    # An east past 180 is a view across the antimeridian (Leaflet's longitudes go on).
    if not (-180 <= w < e <= min(w + 360, 540) and -180 <= w <= 180 and -90 <= s < n <= 90):
        raise InputError(
            f"bounds {bounds!r} is not (west, south, east, north) with west < east in "
            "[-180, 180] (east up to west + 360 across the antimeridian) and south < north "
            "in [-90, 90]; note the (lon, lat) order"
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
    """Return a row's ``name`` (or ``iso3``, ``iso2``), else ``fallback``.

    An admin-1 region's row (:func:`layers.regions`) is named as everywhere else,
    :func:`layers.region_label`: its English name, code and country ("Chukotka
    Autonomous Okrug (RU-CHU), Russia", not Natural Earth's ``name``, "Chukchi ...").
    """
    if is_region(row):
        return region_label(pd.DataFrame([row]))
    for key in ("name", "iso3", "iso2"):
        if key in row and isinstance(row[key], str) and row[key]:
            return row[key]
    return fallback


def is_region(data: pd.Series | pd.DataFrame) -> bool:
    """Whether a row or a frame is of an admin-1 region layer (it has the region columns)."""
    names = data.index if isinstance(data, pd.Series) else data.columns
    return {"iso_3166_2", "name_en", "name", "admin", "region", "region_cod"} <= set(names)


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
