"""Geodesic buffers and distance bands on the WGS84 ellipsoid.

A buffer is built in two stages:

1. an outline with the right shape: the geometry (simplified by a few hundred
   metres at most) joined with exact geodesic circles centred along its boundary (for a
   band of :func:`rings` at least twice as far out as the one inside it, circles around
   that band's buffer where it has fewer vertices, and around the geometry again if that
   snaps short);
2. the outline is given vertices at the spacing a circle of the radius needs for the
   tolerance, and every vertex is moved to exactly ``distance`` metres from the
   geometry, along the geodesic through its nearest point of the geometry, or, where
   two arcs of the boundary meet, to where their two circles cross; then each edge
   whose error bound is over half the tolerance is split, and the new vertex moved
   the same way, until none is (see :mod:`geo._snap`).

The error reported is a bound of |d − distance| over every point of the returned
boundary, not only its vertices (d: exact distance to the source geometry, see
``distance_to``): each edge is sampled at its midpoint and the pieces between
bounded by the curvature of distance on the ellipsoid. When the bound is over the
tolerance, the result comes back anyway, with an :class:`~geo.errors.AccuracyWarning`.

A process keeps the last 32 buffers it built: the same geometry (in any ring order or
orientation) at the same radius and tolerance is not built again.
"""

from __future__ import annotations

import hashlib
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import shapely

from geo._boundary import edge_length_bound, edge_points
from geo._prepared import Prepared
from geo._snap import KnownEdges, area_error, on_frame, snap_ring
from geo.antimeridian import WORLD, polygons_only, ring_to_polygon
from geo.errors import AccuracyWarning, InputError
from geo.units import HALF_CIRCUMFERENCE_M, WGS84, check_distance, parse_distance
from geo.validation import as_geometry

__all__ = ["FEATURES", "ONE_SUBJECT_KINDS", "buffer", "rings", "default_tolerance"]

#: Points per circle in the first-stage outline (the second stage adds what is needed).
_CIRCLE_POINTS = 48

#: Buffers built in this process, by (the geometry normalised, radius, tolerance), with their
#: error bounds: a map buffers a territory again for each layer that shows it (the summit
#: buffers North Korea at 200 km three times, each 0.2 s). Geometries are immutable.
_BUILT: OrderedDict[tuple[bytes, float, float], tuple[Any, float]] = OrderedDict()
#: Buffers kept in :data:`_BUILT`, the least recently used dropped first.
_BUILT_MAX = 32
#: Held while :data:`_BUILT` is read or changed (buffers are built in threads, too).
_BUILT_LOCK = threading.Lock()


def forget_built_buffers() -> None:
    """Drop the buffers this process has built, so that the next ones are built anew.

    For benchmarks that time a buffer more than once, and tests that watch one being built.
    """
    with _BUILT_LOCK:
        _BUILT.clear()


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
    features: str | None = None,
) -> Any:
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
    features : {"each", "union"}, optional
        What to do with a GeoSeries/GeoDataFrame of several rows: ``"each"``
        buffers every feature (a GeoSeries with the input's index), ``"union"``
        gives the one area within ``distance`` of any of them. By default several
        rows are refused, unless the frame is a riskmap layer of one subject (see
        :func:`rings`).

    Returns
    -------
    Polygon or MultiPolygon, or (geometry, error_m)
        In lon/lat degrees, cut at the antimeridian (RFC 7946) and closed over a
        pole it contains. ``error_m`` (metres) bounds |d − distance| over every point
        of the boundary (d: exact distance to the geometry), not only its vertices.
        With ``features="each"``: a GeoSeries (EPSG:4326), and ``error_m`` an array
        with one bound per feature.

    Raises
    ------
    InputError
        If the distance is negative, NaN or over half the circumference, the
        geometry is empty or out of range, or it holds several features and
        ``features`` is not given.

    Warns
    -----
    AccuracyWarning
        If the error bound achieved is over ``tolerance`` (the result is returned anyway).

    Examples
    --------
    >>> area, error = buffer((131.87, 43.12), "200km", return_error=True)
    >>> error <= 10.0
    True
    """
    radius = parse_distance(distance)
    tol = _tolerance(radius, tolerance)
    per_feature = _feature_rows(geometry, features)
    if per_feature is not None:
        import geopandas

        pairs = [
            _buffer(as_geometry(part, what=f"feature {label!r}"), radius, tol)
            for label, _, part in per_feature
        ]
        areas = geopandas.GeoSeries(
            [a for a, _ in pairs], index=[label for label, _, _ in per_feature], crs="EPSG:4326"
        )
        errors = np.array([e for _, e in pairs])
        for (_, _, part), e in zip(per_feature, errors, strict=True):
            _warn_if_missed(as_geometry(part), radius, float(e), tol)
        return (areas, errors) if return_error else areas
    geom = as_geometry(geometry)
    result, error = _buffer(geom, radius, tol)
    _warn_if_missed(geom, radius, error, tol)
    return (result, error) if return_error else result


def _tolerance(radius: float, tolerance: float | None) -> float:
    """Return the checked tolerance (m) for a radius: the one given, or the default bound."""
    tol = (
        default_tolerance(radius)
        if tolerance is None
        else check_distance(tolerance, name="tolerance")
    )
    if tol <= 0:
        raise InputError(f"tolerance is {tol!r} m; expected a positive number of metres")
    return tol


def _buffer(
    geom: shapely.Geometry,
    radius: float,
    tol: float,
    prepare: Callable[[], Prepared] | None = None,
    inner: tuple[shapely.Geometry, float] | None = None,
) -> tuple[shapely.Polygon | shapely.MultiPolygon, float]:
    """Return the buffer of a checked geometry and the bound (m) of its boundary error.

    ``prepare`` gives the geometry prepared for distances, when the caller shares one (the
    bands of :func:`rings` do); it is called only if the buffer is not built already.
    ``inner`` is (the buffer at a smaller radius r1, r1), when the caller has one: the
    outline is then drawn r − r1 around that smoother area, as every point within r of the
    geometry is within r − r1 of its r1 buffer (the geodesic to the geometry crosses it).
    """
    if radius == 0:
        return polygons_only(geom), 0.0
    if radius >= HALF_CIRCUMFERENCE_M - tol:
        # No two points of the (oblate) ellipsoid are farther apart than pole to pole.
        return WORLD, 0.0
    # Normalised, a geometry given with its rings or parts in another order is the same key.
    key = (hashlib.sha256(shapely.to_wkb(shapely.normalize(geom))).digest(), radius, tol)
    with _BUILT_LOCK:
        if key in _BUILT:
            _BUILT.move_to_end(key)
            return _BUILT[key]
    source = Prepared(geom) if prepare is None else prepare()
    built = None
    if inner is not None:
        built = _snap(_outline(inner[0], inner[0], radius - inner[1]), source, radius, tol)
    if built is None or built[1] > tol:  # no inner buffer, or its outline snapped short
        direct = _snap(_outline(geom, source.polygons, radius), source, radius, tol)
        built = direct if built is None or direct[1] <= built[1] else built
    with _BUILT_LOCK:
        _BUILT[key] = built
        if len(_BUILT) > _BUILT_MAX:
            _BUILT.popitem(last=False)
    return built


def _warn_if_missed(
    geom: shapely.Geometry, radius: float, error: float, tol: float, stacklevel: int = 3
) -> None:
    """Warn (AccuracyWarning) when a buffer's error bound is over its tolerance."""
    if error <= tol:
        return
    west, south, east, north = geom.bounds
    warnings.warn(
        f"buffer of {radius:,.0f} m around a geometry of {shapely.get_num_coordinates(geom):,} "
        f"vertices (lon {west:.2f} to {east:.2f}, lat {south:.2f} to {north:.2f}): its boundary "
        f"is within {error:,.1f} m of the radius, over the bound of {tol:,.1f} m; the result is "
        "returned with that error (return_error=True, error_m in rings). Simplify the geometry "
        "or pass a larger tolerance to silence this",
        AccuracyWarning,
        stacklevel=stacklevel,
    )


#: ``attrs["kind"]`` of riskmap layers whose rows are parts of one subject (a territory's
#: pieces, a border's land and sea parts): their rings are around the rows together.
ONE_SUBJECT_KINDS = ("territory", "border", "region", "admin1", "land", "place", "point", "file")

#: What :func:`rings` does with several features: rings around each, or around them together.
FEATURES = ("each", "union")


def _feature_rows(geometry: Any, features: str | None) -> list[tuple[Any, str | None, Any]] | None:
    """Return (label, name, geometry) per feature when rings go around each, else None.

    None means the input is one geometry (or ``features="union"``, or a riskmap layer of
    one subject): its rows are measured together.
    """
    if features is not None and features not in FEATURES:
        raise InputError(
            f"features={features!r} is not one of {', '.join(map(repr, FEATURES))}; "
            "'each' gives rings around every feature, 'union' around them together"
        )
    rows = getattr(geometry, "geometry", geometry) if hasattr(geometry, "crs") else None
    if rows is None or len(rows) <= 1 or features == "union":
        return None
    kind = getattr(geometry, "attrs", {}).get("kind")
    if features is None:
        if kind in ONE_SUBJECT_KINDS:
            return None
        labels = ", ".join(repr(x) for x in list(rows.index[:5])) + (", …" if len(rows) > 5 else "")
        raise InputError(
            f"geometry holds {len(rows)} features (rows {labels}) and rings around them would "
            "merge them into one; pass features='each' for rings around every feature (with "
            "its id and name), or features='union' for rings around them together"
        )
    names = geometry["name"] if "name" in getattr(geometry, "columns", ()) else None
    out = []
    for i, label in enumerate(rows.index):
        name = None if names is None else str(names.iloc[i])
        out.append((label, name, rows.iloc[[i]]))
    return out


def rings(
    geometry: Any,
    distances: Any,
    *,
    outside_only: bool = False,
    tolerance: float | None = None,
    features: str | None = None,
):
    """Distance bands around a geometry: 0–d1, d1–d2, …, as a GeoDataFrame.

    Parameters
    ----------
    geometry : shapely geometry, GeoSeries or GeoDataFrame
        The source, in lon/lat degrees (or with a CRS).
    distances : sequence of float or str
        Band limits in metres (or strings such as ``"50km"``), increasing.
    outside_only : bool, default False
        If True, the first band excludes the source polygon itself (each feature's
        own polygon with ``features="each"``).
    tolerance : float, optional
        Largest accepted boundary error in metres; default per band limit
        ``max(10 m, 5e-5 × distance)``.
    features : {"each", "union"}, optional
        What to do with a GeoSeries/GeoDataFrame of several rows: ``"each"`` gives
        the bands of every feature (ArcGIS' "range rings from features"),
        ``"union"`` the bands around all of them together (every point within d of
        any). By default several rows are refused, unless the frame is a riskmap
        layer of one subject (``attrs["kind"]`` in :data:`ONE_SUBJECT_KINDS`: a
        territory's pieces, a border's land and sea parts), whose rows are measured
        together.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per band, EPSG:4326, with columns ``distance_min`` and
        ``distance_max`` (metres), ``error_m`` (bound of the boundary error of the
        band's two limits, metres) and ``geometry``. With ``features="each"`` the
        rows go feature by feature, led by ``feature`` (the row's index label) and
        ``name`` (its ``name`` column, or None).

    Raises
    ------
    InputError
        Distances that do not increase, are empty or are a single 0; several features
        without ``features=``.

    Warns
    -----
    AccuracyWarning
        If a band limit's error bound is over its tolerance (the bands are returned anyway).

    Examples
    --------
    >>> bands = rings((131.87, 43.12), ["50km", "100km"])
    >>> list(bands["distance_max"])
    [50000.0, 100000.0]
    >>> import geopandas
    >>> sites = geopandas.GeoDataFrame(
    ...     {"name": ["A", "B"]}, geometry=geopandas.points_from_xy([0, 10], [0, 0]), crs=4326
    ... )
    >>> each = rings(sites, ["50km"], features="each")
    >>> each[["feature", "name", "distance_max"]].to_dict("records")
    [{'feature': 0, 'name': 'A', 'distance_max': 50000.0}, \
{'feature': 1, 'name': 'B', 'distance_max': 50000.0}]
    """
    import geopandas

    limits = _band_limits(distances)
    per_feature = _feature_rows(geometry, features)
    if per_feature is None:
        rows = _bands(as_geometry(geometry), limits, outside_only, tolerance)
        return geopandas.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    rows = []
    for label, name, part in per_feature:
        for row in _bands(
            as_geometry(part, what=f"feature {label!r}"), limits, outside_only, tolerance
        ):
            rows.append({"feature": label, "name": name, **row})
    return geopandas.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def _band_limits(distances: Any) -> list[float]:
    """Return the checked band limits (metres, increasing, no leading 0)."""
    limits = [parse_distance(d) for d in np.atleast_1d(np.asarray(distances, dtype=object))]
    if any(b <= a for a, b in zip(limits, limits[1:], strict=False)):
        raise InputError(
            f"distances {limits!r} (metres) must increase strictly; sort them and drop repeats"
        )
    if limits and limits[0] == 0:  # the first band starts at 0 anyway
        limits = limits[1:]
        if not limits:
            raise InputError(
                "distances is a single 0, which gives no band (the first band starts at 0); "
                "give at least one band limit above 0, e.g. ['50km', '100km']"
            )
    if not limits:
        raise InputError("distances is empty; give at least one band limit, e.g. ['50km', '100km']")
    return limits


def _bands(
    geom: shapely.Geometry, limits: list[float], outside_only: bool, tolerance: float | None
) -> list[dict[str, Any]]:
    """Return the band rows (distance_min, distance_max, error_m, geometry) of one geometry."""
    polygons = polygons_only(geom)
    inner = polygons if outside_only and not polygons.is_empty else None
    inner_error = 0.0
    rows = []
    previous = 0.0
    prepare = cache(lambda: Prepared(geom))  # one index of the geometry for every band limit
    for limit in limits:
        tol = _tolerance(limit, tolerance)
        # a band's outer buffer is outlined around the one inside it, if that met its bound
        met = inner_error <= _tolerance(previous, tolerance)
        nest = met and _outline_around(inner, geom, previous, limit)
        outer, outer_error = _buffer(geom, limit, tol, prepare, (inner, previous) if nest else None)
        _warn_if_missed(geom, limit, outer_error, tol, stacklevel=5)
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
    return rows


def _outline_around(area: Any, geom: shapely.Geometry, radius: float, limit: float) -> bool:
    """Whether the outline of a band limit is better drawn around the buffer at ``radius``.

    It is when the limit is at least twice the radius (closer limits would put circles at
    every vertex of the smaller buffer), the buffer has fewer vertices than the geometry
    (a point or a short line is outlined faster itself), and it touches neither ±180 nor a
    pole, whose cut edges are no part of its boundary.
    """
    if area is None or radius <= 0 or limit < 2.0 * radius:
        return False
    xy = shapely.get_coordinates(area)
    return len(xy) < shapely.get_num_coordinates(geom) and not on_frame(xy).any()


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
        pieces.append(polygons_only(simple))
    return shapely.make_valid(shapely.union_all(pieces))


def _points_along(geom: shapely.Geometry, spacing: float) -> np.ndarray:
    """Circle centres along the geometry's linework, none over ``spacing`` apart along it.

    A polygon's ring needs no centre at a vertex where it turns into the polygon (a reflex
    vertex): a point outside nearest to an edge there is nearer to a centre beyond the turn
    than to one along a straight edge as far away, so the circles' scallops stay within
    what ``spacing`` allows. Its other vertices are all kept (a corner that sticks out is
    where a circle must be), and between them vertices and points on the edges are added
    so that no stretch of boundary between two centres is longer than ``spacing``.
    """
    out = []
    for part in shapely.get_parts(geom):
        type_id = shapely.get_type_id(part)
        lines = [part.exterior, *part.interiors] if type_id == 3 else [part]
        for k, line in enumerate(lines):
            xy = shapely.get_coordinates(line)
            if len(xy) < 2:
                out.append(xy)
                continue
            a, b = xy[:-1], xy[1:]
            length = edge_length_bound(a, b)
            pieces = np.maximum(1, np.ceil(length / (spacing / 2.0))).astype(int)
            pts, seg, step = edge_points(a, b, pieces)
            keep = np.ones(len(seg), dtype=bool)
            if type_id == 3 and len(a) >= 3:
                # The vertex of each edge's start, kept if the ring turns out of the polygon
                # there or if it is the first past a multiple of half the spacing along the
                # ring: then no stretch between centres is over half the spacing and an edge
                # of at most half the spacing.
                turn = _turns_out(a, exterior=k == 0)
                along = np.cumsum(np.r_[0.0, length[:-1]]) // (spacing / 2.0)
                due = np.r_[True, along[1:] != along[:-1]]
                keep = (step > 0) | (turn | due)[seg]
            out.append(np.vstack([pts[keep], xy[-1:]]))
    return np.unique(np.vstack(out), axis=0)


def _turns_out(a: np.ndarray, *, exterior: bool) -> np.ndarray:
    """Whether a polygon ring (vertices ``a``, closing one left out) is convex at each vertex.

    Convex: the ring turns towards the polygon's inside there (the inside is the ring's for an
    exterior ring, the other side for a hole), as seen in the lon/lat plane, whose turns are
    those on the ground (a linear map of the tangent plane keeps the sign of a turn).
    """
    prev, nxt = np.roll(a, 1, axis=0), np.roll(a, -1, axis=0)
    cross = (a[:, 0] - prev[:, 0]) * (nxt[:, 1] - a[:, 1]) - (a[:, 1] - prev[:, 1]) * (
        nxt[:, 0] - a[:, 0]
    )
    area2 = float(np.sum(a[:, 0] * nxt[:, 1] - nxt[:, 0] * a[:, 1]))
    inside = np.sign(area2) if exterior else -np.sign(area2)
    return cross * inside > 0


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


def _snap(
    outline: shapely.Geometry, source: Prepared, radius: float, tol: float
) -> tuple[shapely.Polygon | shapely.MultiPolygon, float]:
    """Snap every ring of the outline onto the exact distance; return the area and its error (m)."""
    polygons = []
    known = KnownEdges()  # the bound of every snapped edge, for those the repair leaves as they are
    for poly in shapely.get_parts(polygons_only(outline)):
        # A hole of the outline is real only if it holds points farther than the radius; near
        # the largest radii the outline may keep a sliver of a hole around the antipode of a
        # point that is in fact within reach.
        holes = [ring for ring in poly.interiors if _hole_depth(ring, source) > radius]
        rings_xy = []
        for ring in [poly.exterior, *holes]:
            xy, edge_error = snap_ring(shapely.get_coordinates(ring)[:-1], source, radius, tol)
            known.add(xy, edge_error)
            rings_xy.append(xy)
        # "structure" repair fills what a twisted ring covers twice, where "linework" would
        # cut a hole in it, and on a snapped outline of 80,000 vertices it is 15 times faster.
        rebuilt = shapely.Polygon(rings_xy[0], rings_xy[1:])
        polygons.append(shapely.make_valid(rebuilt, method="structure", keep_collapsed=False))
    result = polygons_only(shapely.union_all(polygons)) if polygons else shapely.Polygon()
    result, dust = _without_dust(result, tol**2)
    # A speck dropped (or a pinhole filled) of area A has every point within sqrt(A / pi) of
    # its own boundary, which lies within that boundary's error of the radius.
    error = area_error(result, source, radius, known)
    for ring in dust:
        error = max(
            error, area_error(shapely.Polygon(ring), source, radius, known) + _inradius(ring)
        )
    return result, error


def _hole_depth(ring: shapely.LinearRing, source: Prepared) -> float:
    """Distance (m) from a point inside a hole of the outline to the source geometry."""
    inner = shapely.Polygon(ring).representative_point()
    return float(source.distances(shapely.get_coordinates(inner))[0])


def _area_m2(ring: shapely.LinearRing) -> float:
    """Area (m²) of the polygon a ring bounds, at the local scale of its centroid.

    Local scale is enough to tell a speck from a part (a geodesic area of a polygon spanning
    the whole lon/lat plane would be degenerate along ±180 and the poles).
    """
    poly = shapely.Polygon(ring)
    scale = (WGS84.a * np.pi / 180.0) ** 2 * max(np.cos(np.radians(poly.centroid.y)), 1e-6)
    return float(poly.area * scale)


def _inradius(ring: shapely.LinearRing) -> float:
    """Upper bound (m) of the distance from any point inside a ring to the ring."""
    return float(np.sqrt(_area_m2(ring) / np.pi))


def _without_dust(
    area: shapely.Geometry, min_m2: float
) -> tuple[shapely.Polygon | shapely.MultiPolygon, list[shapely.LinearRing]]:
    """Drop parts and fill holes smaller than ``min_m2`` square metres; also return their rings.

    Moving vertices near a corner can twist a ring into a hair-thin loop, which repair turns
    into specks. Anything narrower than the tolerance lies within it of the boundary anyway.
    """
    kept, dropped = [], []
    for poly in shapely.get_parts(area):
        if _area_m2(poly.exterior) < min_m2:
            dropped.append(poly.exterior)
            continue
        holes = [h for h in poly.interiors if _area_m2(h) >= min_m2]
        dropped.extend(h for h in poly.interiors if _area_m2(h) < min_m2)
        kept.append(shapely.Polygon(poly.exterior, holes))
    result = polygons_only(shapely.MultiPolygon(kept)) if len(kept) != 1 else kept[0]
    return result, dropped
