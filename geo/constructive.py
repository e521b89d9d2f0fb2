"""Geodesic buffers and distance bands on the WGS84 ellipsoid.

A buffer is built in two stages:

1. an outline with the right shape: the geometry (simplified by a few hundred
   metres at most) joined with exact geodesic circles centred along its boundary;
2. every vertex of that outline is moved to exactly ``distance`` metres from the
   geometry, along the geodesic through its nearest point of the geometry; then
   each edge whose midpoint is still off by more than half the tolerance is split,
   and the new vertex moved the same way, until none is.

The error reported is the largest |d − distance| measured on the final vertices
and edge midpoints (d: exact distance to the source geometry, see ``distance_to``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from geo._boundary import edge_length_bound
from geo._prepared import Prepared
from geo.antimeridian import WORLD, polygons_only, ring_to_polygon
from geo.errors import InputError
from geo.units import HALF_CIRCUMFERENCE_M, WGS84, check_distance, parse_distance
from geo.validation import as_geometry

__all__ = ["buffer", "rings", "default_tolerance"]

#: Points per circle in the first-stage outline (the second stage adds what is needed).
_CIRCLE_POINTS = 72
#: Rounds of edge splitting before giving up on a tolerance (each halves the worst edges).
_MAX_ROUNDS = 24
#: Vertices a ring may grow to while its edges are split.
_MAX_RING_VERTICES = 200_000


def default_tolerance(distance: float) -> float:
    """Return the boundary error (m) guaranteed for a buffer of ``distance`` metres.

    Parameters
    ----------
    distance : float
        The buffer's radius in metres.

    Returns
    -------
    float
        ``max(10 m, 5e-5 × distance)``, in metres: the default ``tolerance`` of
        :func:`buffer` and :func:`rings`.

    Examples
    --------
    >>> default_tolerance(50_000), default_tolerance(1_000_000)
    (10.0, 50.0)
    """
    return max(10.0, 5e-5 * distance)


def buffer(
    geometry: Any,
    distance: float | str,
    *,
    tolerance: float | None = None,
    return_error: bool = False,
) -> shapely.Polygon | shapely.MultiPolygon | tuple[shapely.Polygon | shapely.MultiPolygon, float]:
    """Every point within ``distance`` metres of a geometry, on the WGS84 ellipsoid.

    Parameters
    ----------
    geometry : shapely geometry, (lon, lat) pair, GeoSeries or GeoDataFrame
        Point, line or polygon (or Multi*), in lon/lat degrees (or with a CRS).
    distance : float or str
        The radius in metres, or a string with a unit such as ``"200km"``.
        At most half the Earth's circumference (20,003,931 m).
    tolerance : float, optional
        Largest accepted error of the boundary, in metres. Default
        ``max(10 m, 5e-5 × distance)``.
    return_error : bool, default False
        If True, also return the boundary error achieved, in metres.

    Returns
    -------
    Polygon or MultiPolygon, or (geometry, error_m)
        In lon/lat degrees, cut at the antimeridian (RFC 7946) and closed over a
        pole it contains. ``error_m`` is the largest |d − distance| measured on the
        boundary's vertices and edge midpoints.

    Raises
    ------
    InputError
        If the distance is negative, NaN or over half the circumference, or the
        geometry is empty or out of range.

    Examples
    --------
    >>> area, error = buffer((131.87, 43.12), "200km", return_error=True)
    >>> error <= 10.0
    True
    """
    geom = as_geometry(geometry)
    radius = parse_distance(distance)
    tol = (
        default_tolerance(radius)
        if tolerance is None
        else check_distance(tolerance, name="tolerance")
    )
    if tol <= 0:
        raise InputError(f"tolerance is {tol!r} m; expected a positive number of metres")
    if radius == 0:
        result = polygons_only(geom)
        return (result, 0.0) if return_error else result
    if radius >= HALF_CIRCUMFERENCE_M - tol:
        # No two points of the (oblate) ellipsoid are farther apart than pole to pole.
        return (WORLD, 0.0) if return_error else WORLD
    source = Prepared(geom)
    outline = _outline(geom, source.polygons, radius)
    result, error = _snap(outline, source, radius, tol)
    return (result, error) if return_error else result


def rings(
    geometry: Any, distances: Any, *, outside_only: bool = False, tolerance: float | None = None
):
    """Distance bands around a geometry: 0–d1, d1–d2, …, as a GeoDataFrame.

    Parameters
    ----------
    geometry : shapely geometry, GeoSeries or GeoDataFrame
        The source, in lon/lat degrees (or with a CRS).
    distances : sequence of float or str
        Band limits in metres (or strings such as ``"50km"``), increasing.
    outside_only : bool, default False
        If True, the first band excludes the source polygon itself.
    tolerance : float, optional
        Largest accepted boundary error in metres; default per band limit
        ``max(10 m, 5e-5 × distance)``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per band, EPSG:4326, with columns ``distance_min`` and
        ``distance_max`` (metres), ``error_m`` (largest boundary error of the
        band's two limits, metres) and ``geometry``.

    Examples
    --------
    >>> bands = rings((131.87, 43.12), ["50km", "100km"])
    >>> list(bands["distance_max"])
    [50000.0, 100000.0]
    """
    import geopandas

    geom = as_geometry(geometry)
    limits = [parse_distance(d) for d in np.atleast_1d(np.asarray(distances, dtype=object))]
    if not limits:
        raise InputError("distances is empty; give at least one band limit, e.g. ['50km', '100km']")
    if any(b <= a for a, b in zip(limits, limits[1:], strict=False)):
        raise InputError(
            f"distances {limits!r} (metres) must increase strictly; sort them and drop repeats"
        )
    if limits[0] == 0:
        limits = limits[1:]
    polygons = polygons_only(geom)
    inner = polygons if outside_only and not polygons.is_empty else None
    inner_error = 0.0
    rows = []
    previous = 0.0
    for limit in limits:
        outer, outer_error = buffer(geom, limit, tolerance=tolerance, return_error=True)
        band = outer if inner is None else shapely.difference(outer, inner)
        rows.append(
            {
                "distance_min": previous,
                "distance_max": limit,
                "error_m": max(outer_error, inner_error),
                "geometry": polygons_only(band),
            }
        )
        previous, inner, inner_error = limit, outer, outer_error
    return geopandas.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


# -- stage 1: an outline with the right shape -------------------------------------------------


def _outline(
    geom: shapely.Geometry, polygons: shapely.Geometry | None, radius: float
) -> shapely.Geometry:
    """Union of the (simplified) geometry and geodesic circles centred along its boundary."""
    # Circles no farther apart than radius/4 leave scallops of at most radius/128; simplifying
    # by less than that keeps the outline's shape. The second stage removes both errors.
    spacing = radius / 4.0
    simple = shapely.simplify(geom, min(radius / 200.0, 500.0) / 111_320.0, preserve_topology=True)
    centres = _points_along(simple, spacing)
    circles = _circles(centres, radius)
    pieces = [circles]
    if polygons is not None:
        pieces.append(
            shapely.simplify(
                polygons, min(radius / 200.0, 500.0) / 111_320.0, preserve_topology=True
            )
        )
    return shapely.make_valid(shapely.union_all(pieces))


def _points_along(geom: shapely.Geometry, spacing: float) -> np.ndarray:
    """Vertices of the geometry's linework, with more added so none are over ``spacing`` apart."""
    out = []
    for part in shapely.get_parts(geom):
        type_id = shapely.get_type_id(part)
        lines = [part.exterior, *part.interiors] if type_id == 3 else [part]
        for line in lines:
            xy = shapely.get_coordinates(line)
            if len(xy) < 2:
                out.append(xy)
                continue
            a, b = xy[:-1], xy[1:]
            length = edge_length_bound(a, b)
            pieces = np.maximum(1, np.ceil(length / spacing)).astype(int)
            seg = np.repeat(np.arange(len(a)), pieces)
            t = (np.arange(len(seg)) - np.repeat(np.cumsum(pieces) - pieces, pieces)) / pieces[seg]
            out.append(np.vstack([a[seg] + (b[seg] - a[seg]) * t[:, None], xy[-1:]]))
    return np.unique(np.vstack(out), axis=0)


def _circles(centres: np.ndarray, radius: float) -> shapely.Geometry:
    """Union of exact geodesic circles (as polygons) of ``radius`` metres around each centre."""
    m = len(centres)
    az = np.linspace(0.0, 360.0, _CIRCLE_POINTS, endpoint=False)
    lon0 = np.repeat(centres[:, 0], len(az))
    lat0 = np.repeat(centres[:, 1], len(az))
    lon, lat, _ = WGS84.fwd(lon0, lat0, np.tile(az, m), np.full(len(lon0), radius))
    lon = lon.reshape(m, -1)
    lat = lat.reshape(m, -1)
    # Circles that cross the antimeridian or hold a pole need care; the rest are plain polygons.
    jumps = np.abs(np.diff(lon, axis=1, append=lon[:, :1])).max(axis=1) > 180.0
    holds_pole = (
        WGS84.inv(centres[:, 0], centres[:, 1], centres[:, 0], np.full(m, 90.0))[2] <= radius
    ) | (WGS84.inv(centres[:, 0], centres[:, 1], centres[:, 0], np.full(m, -90.0))[2] <= radius)
    special = jumps | holds_pole
    plain = shapely.polygons(np.stack([lon[~special], lat[~special]], axis=-1))
    careful = [
        ring_to_polygon(lon[i], lat[i], inside=tuple(centres[i])) for i in np.flatnonzero(special)
    ]
    return shapely.union_all(np.concatenate([plain, np.array(careful, dtype=object)]))


# -- stage 2: move the outline onto the exact distance ----------------------------------------


def _on_frame(xy: np.ndarray) -> np.ndarray:
    """Tell vertices on the antimeridian or a pole: edges of the lon/lat plane, not the buffer."""
    return (np.abs(xy[:, 0]) >= 180.0 - 1e-9) | (np.abs(xy[:, 1]) >= 90.0 - 1e-9)


def _project(xy: np.ndarray, source: Prepared, radius: float, tol: float) -> np.ndarray:
    """Move points onto distance ``radius`` along the geodesic from their nearest boundary point."""
    xy = xy.copy()
    todo = np.arange(len(xy))
    for _ in range(8):
        if not len(todo):
            break
        d, foot = source.nearest(xy[todo])
        off = np.abs(d - radius) > tol / 4.0
        todo, d, foot = todo[off], d[off], foot[off]
        ok = d > 0
        todo, foot = todo[ok], foot[ok]
        az = WGS84.inv(foot[:, 0], foot[:, 1], xy[todo, 0], xy[todo, 1])[0]
        lon, lat, _ = WGS84.fwd(foot[:, 0], foot[:, 1], az, np.full(len(todo), radius))
        # A vertex stays on its side of the cut at ±180 (past it, it rests on the cut): one that
        # crossed would turn its edges the long way round the world.
        lon = lon + 360.0 * np.round((xy[todo, 0] - lon) / 360.0)
        xy[todo, 0], xy[todo, 1] = np.clip(lon, -180.0, 180.0), lat
    return xy


def _project_on_meridian(xy: np.ndarray, source: Prepared, radius: float) -> np.ndarray:
    """Move points on the antimeridian along it onto distance ``radius`` (secant steps)."""
    xy = xy.copy()
    lat0 = xy[:, 1].copy()
    f0 = source.nearest(xy)[0] - radius
    lat1 = np.clip(lat0 + 0.01, -89.999, 89.999)
    for _ in range(12):
        f1 = source.nearest(np.column_stack([xy[:, 0], lat1]))[0] - radius
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(f1 != f0, f1 * (lat1 - lat0) / (f1 - f0), 0.0)
        lat0, f0 = lat1, f1
        lat1 = np.clip(lat1 - step, -90.0, 90.0)
        if np.all(np.abs(f1) < 1e-3):
            break
    xy[:, 1] = lat0
    return xy


def _snap_ring(xy: np.ndarray, source: Prepared, radius: float, tol: float) -> np.ndarray:
    """Snap one closed ring (first vertex not repeated) onto the exact distance, splitting edges."""
    frame = _on_frame(xy)
    meridian = frame & (np.abs(xy[:, 1]) < 90.0 - 1e-9)
    free = ~frame
    xy = xy.copy()
    if free.any():
        xy[free] = _project(xy[free], source, radius, tol)
    if meridian.any():
        xy[meridian] = _project_on_meridian(xy[meridian], source, radius)
    # Along a smooth stretch of the buffer's boundary the nearest points move at most
    # 1/cos(radius / R) times as far as the boundary itself (the offset of a geodesic
    # is shorter than the geodesic); a larger jump means a corner.
    stretch = 1.1 / np.cos(min(radius / 6_371_008.8, 1.4))
    for _ in range(_MAX_ROUNDS):
        frame = _on_frame(xy)
        nxt = np.roll(np.arange(len(xy)), -1)
        real = ~(frame & frame[nxt])  # an edge along the antimeridian or a pole is not boundary
        mid = (xy + xy[nxt]) / 2.0
        # The midpoint and the quarter points: an edge whose deviation is not a symmetric
        # bulge (it grazes a notch) can be worst away from its middle.
        off = np.zeros(len(xy))
        for t in (0.25, 0.5, 0.75):
            d_t = source.nearest(xy + (xy[nxt] - xy) * t)[0]
            off = np.maximum(off, np.abs(d_t - radius))
        # Where the nearest points of an edge's two ends lie far apart, the edge spans a
        # corner where two arcs meet; its worst point need not be the midpoint, so such
        # edges are split until they are shorter than the tolerance.
        d_vertex, foot = source.nearest(xy)
        edge = edge_length_bound(xy, xy[nxt])
        jump = edge_length_bound(foot, foot[nxt])
        corner = (jump > stretch * edge + tol) & (edge > tol / 2.0)
        # An edge shorter than a quarter of the tolerance gains nothing from a split: where its
        # ends cannot reach the radius (the sharpest corners), splitting would only pile up
        # vertices; the error measured afterwards says how close they came.
        # Nor does an edge neither of whose ends reached the radius (both stuck in a corner).
        reached = np.abs(d_vertex - radius) <= tol / 4.0
        useful = (edge > tol / 4.0) & (reached | reached[nxt])
        bad = np.flatnonzero(real & ((off > tol / 2.0) | corner) & useful)
        if not len(bad) or len(xy) + len(bad) > _MAX_RING_VERTICES:
            break  # done, or the error measured afterwards says how far from done
        new = _project(mid[bad], source, radius, tol)
        # Near a sharp corner the projection can slide a midpoint onto an end of its edge;
        # the plain midpoint then still halves the edge.
        slid = (edge_length_bound(new, xy[bad]) < edge[bad] / 4.0) | (
            edge_length_bound(new, xy[nxt[bad]]) < edge[bad] / 4.0
        )
        new[slid] = mid[bad][slid]
        xy = np.insert(xy, bad + 1, new, axis=0)
    return xy


def _boundary_error(area: shapely.Geometry, source: Prepared, radius: float) -> float:
    """Largest |d − radius| (m) over the vertices and edge quarter points of an area's boundary.

    Edges along the antimeridian or a pole belong to the lon/lat plane, not to the buffer,
    and are left out.
    """
    samples = []
    for poly in shapely.get_parts(area):
        for ring in [poly.exterior, *poly.interiors]:
            xy = shapely.get_coordinates(ring)
            a, b = xy[:-1], xy[1:]
            frame_a, frame_b = _on_frame(a), _on_frame(b)
            real = ~(frame_a & frame_b)
            samples.append(a[~frame_a])
            for t in (0.25, 0.5, 0.75):
                samples.append((a + (b - a) * t)[real])
    points = np.vstack(samples) if samples else np.empty((0, 2))
    if not len(points):
        return 0.0
    return float(np.abs(source.nearest(points)[0] - radius).max())


def _snap(
    outline: shapely.Geometry, source: Prepared, radius: float, tol: float
) -> tuple[shapely.Polygon | shapely.MultiPolygon, float]:
    """Snap every ring of the outline onto the exact distance; return the area and its error (m)."""
    polygons = []
    for poly in shapely.get_parts(polygons_only(outline)):
        # A hole of the outline is real only if it holds points farther than the radius; near
        # the largest radii the outline may keep a sliver of a hole around the antipode of a
        # point that is in fact within reach.
        holes = [ring for ring in poly.interiors if _hole_depth(ring, source) > radius]
        rings_xy = [
            _snap_ring(shapely.get_coordinates(ring)[:-1], source, radius, tol)
            for ring in [poly.exterior, *holes]
        ]
        polygons.append(shapely.make_valid(shapely.Polygon(rings_xy[0], rings_xy[1:])))
    result = polygons_only(shapely.union_all(polygons)) if polygons else shapely.Polygon()
    result = _without_dust(result, tol**2)
    return result, _boundary_error(result, source, radius)


def _hole_depth(ring: shapely.LinearRing, source: Prepared) -> float:
    """Distance (m) from a point inside a hole of the outline to the source geometry."""
    inner = shapely.Polygon(ring).representative_point()
    return float(source.distances(shapely.get_coordinates(inner))[0])


def _without_dust(area: shapely.Geometry, min_m2: float) -> shapely.Polygon | shapely.MultiPolygon:
    """Drop parts and fill holes smaller than ``min_m2`` square metres.

    Moving vertices near a corner can twist a ring into a hair-thin loop, which repair turns
    into specks. Anything narrower than the tolerance lies within it of the boundary anyway.
    """

    def big(ring) -> bool:
        # Local scale is enough to tell a speck from a part (a geodesic area of a polygon
        # spanning the whole lon/lat plane would be degenerate along ±180 and the poles).
        poly = shapely.Polygon(ring)
        scale = (WGS84.a * np.pi / 180.0) ** 2 * max(np.cos(np.radians(poly.centroid.y)), 1e-6)
        return poly.area * scale >= min_m2

    kept = []
    for poly in shapely.get_parts(area):
        if big(poly.exterior):
            kept.append(shapely.Polygon(poly.exterior, [h for h in poly.interiors if big(h)]))
    return polygons_only(shapely.MultiPolygon(kept)) if len(kept) != 1 else kept[0]
