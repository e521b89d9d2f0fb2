"""The last step of a nearest-point search: walk the foot along the boundary to a true minimum.

A search proposes a foot on the densified boundary (segment ``seg``, parameter ``t``);
:func:`walk` moves it, segment by segment, until the geodesic distance to the point
grows both ways along the boundary. Moving a foot by ``dx`` along the boundary in
azimuth ``theta`` changes the distance by ``-cos(az - theta) dx`` (the first variation of
a geodesic's length), where ``az`` is the geodesic's azimuth at the foot, which
``Geod.inv`` gives with the distance. So every measurement also tells which way, if
any, is downhill, and a segment whose two ends are known (distance and slope) holds its
minimum where their cubic (Hermite) interpolant has it; one more measurement there
gives the exact distance.

Points farther than a quarter of the Earth's circumference need it most: there the
distance along a straight stretch of boundary is concave (it keeps falling until the
stretch turns away), so the nearest point is at a corner of the densified boundary or
close to one, which no Newton step on a straight stretch finds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from geo.units import WGS84

__all__ = ["slopes", "tangent_azimuth", "walk"]

_A = WGS84.a
_E2 = WGS84.es
#: Mean Earth radius (m), for the curvature bounds that only decide where to look.
_R = 6_371_008.8
#: A slope (metres per metre) this close to 0 is flat: over a 2 km segment it gains < 0.1 mm.
_FLAT = 5e-8
#: Segments walked at most (the foot proposed is nearly always within one or two).
_MAX_STEPS = 24


def tangent_azimuth(dlon: np.ndarray, dlat: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Azimuth (degrees) of a lon/lat-straight path with steps ``dlon``, ``dlat`` at ``lat``.

    The path ``(lon0 + t dlon, lat0 + t dlat)`` runs east at ``N cos(lat) dlon`` metres and
    north at ``M dlat`` metres per unit of ``t`` (N, M: the ellipsoid's radii of curvature).
    """
    phi = np.radians(lat)
    w = 1.0 - _E2 * np.sin(phi) ** 2
    east = np.radians(dlon) * _A / np.sqrt(w) * np.cos(phi)
    north = np.radians(dlat) * _A * (1.0 - _E2) / w**1.5
    return np.degrees(np.arctan2(east, north))


def _slope(b: Any, seg: np.ndarray, lat: np.ndarray, az: np.ndarray, sign: Any) -> np.ndarray:
    """Rate (m/m) at which the distance changes moving along ``seg`` (forward if sign > 0)."""
    theta = tangent_azimuth(b.dlon[seg], b.dlat[seg], lat)
    return -sign * np.cos(np.radians(az - theta))


def _hermite_min(f0, f1, m0, m1) -> np.ndarray:
    """Where on [0, 1] the cubic with values f0, f1 and slopes m0, m1 is least."""
    a1 = m0
    a2 = 3.0 * (f1 - f0) - 2.0 * m0 - m1
    a3 = 2.0 * (f0 - f1) + m0 + m1
    with np.errstate(invalid="ignore", divide="ignore"):
        disc = np.sqrt(np.maximum(a2 * a2 - 3.0 * a1 * a3, 0.0))
        cubic = np.abs(a3) > 1e-12 * (np.abs(a1) + np.abs(a2) + 1e-300)
        r1 = np.where(cubic, (-a2 + disc) / (3.0 * a3), -a1 / (2.0 * a2))
        r2 = np.where(cubic, (-a2 - disc) / (3.0 * a3), -a1 / (2.0 * a2))
    u = np.column_stack([np.zeros_like(f0), np.ones_like(f0), r1, r2])
    u = np.where(np.isfinite(u), np.clip(u, 0.0, 1.0), 0.0)
    value = f0[:, None] + u * (a1[:, None] + u * (a2[:, None] + u * a3[:, None]))
    return u[np.arange(len(u)), np.argmin(value, axis=1)]


def _concave_slope(b: Any, seg: np.ndarray, dist: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Largest uphill slope (m/m) at a vertex from which segment ``seg`` may still end lower.

    Along a path the distance's second derivative is ``sin^2(a) m'/m + k_g sin(a)``, with
    ``m'/m = cot(d / R) / R`` on a sphere (negative beyond a quarter of the circumference)
    and ``k_g`` the path's geodesic curvature (at most ``tan(lat) / R`` for a lon/lat-straight
    one). Its most negative value ``-k`` bounds the fall below the tangent over the segment's
    length ``L`` by ``k L^2 / 2``: a slope under ``k L / 2`` may lead lower.
    """
    delta = dist / _R
    cot = np.cos(delta) / np.maximum(np.sin(delta), 1e-12)
    tan_lat = np.tan(np.radians(np.minimum(np.abs(lat), 89.99)))
    k = 1.01 * (np.maximum(-cot, 0.0) + tan_lat) / _R
    length = np.sqrt(b.seg_len2[np.maximum(seg, 0)])
    return np.where(seg >= 0, k * length / 2.0, 0.0)


def slopes(b: Any, seg: np.ndarray, t: np.ndarray, lat: np.ndarray, az: np.ndarray):
    """Slopes (m/m) of the distance moving forward and back from each foot, and their segments.

    Returns ``g_f, g_b, fwd, bwd``: ``inf`` and -1 where the boundary does not go on that way.
    """
    at_vertex = (t <= 0.0) | (t >= 1.0)
    vertex = np.where(t >= 1.0, seg + 1, seg)
    fwd = np.where(at_vertex, b.next_seg[vertex], seg)
    bwd = np.where(at_vertex, b.prev_seg[vertex], seg)
    g_f = np.where(fwd >= 0, _slope(b, np.maximum(fwd, 0), lat, az, 1.0), np.inf)
    g_b = np.where(bwd >= 0, _slope(b, np.maximum(bwd, 0), lat, az, -1.0), np.inf)
    return g_f, g_b, fwd, bwd


def walk(b: Any, lonlat, seg, t, foot, az, dist) -> None:
    """Move each foot downhill along the boundary ``b`` until neither way is downhill.

    ``seg``, ``t``, ``foot`` (lon, lat), ``az`` (the geodesic's azimuth at the foot, towards
    the point) and ``dist`` (metres) are updated in place; every distance kept is measured
    by ``Geod.inv`` to a real point of the boundary, and only ever decreases.
    """
    active = np.arange(len(lonlat))
    tried = np.zeros((len(lonlat), 2), dtype=bool)  # a vertex's uphill ways already looked at
    for _ in range(_MAX_STEPS):
        if not len(active):
            return
        s, tt = seg[active], t[active]
        # The way forward and the way back, from a segment's inside or from a vertex.
        g_f, g_b, fwd, bwd = slopes(b, s, tt, foot[active, 1], az[active])
        at_vertex = (tt <= 0.0) | (tt >= 1.0)
        # From a vertex, a way slightly uphill may still lead lower at the segment's far end,
        # where the distance along it is concave enough (see _concave_slope): look there too.
        reach_f = np.where(at_vertex, _concave_slope(b, fwd, dist[active], foot[active, 1]), 0.0)
        reach_b = np.where(at_vertex, _concave_slope(b, bwd, dist[active], foot[active, 1]), 0.0)
        open_f = (g_f < np.maximum(reach_f, -_FLAT)) & ~tried[active, 0]
        open_b = (g_b < np.maximum(reach_b, -_FLAT)) & ~tried[active, 1]
        g_f, g_b = np.where(open_f, g_f, np.inf), np.where(open_b, g_b, np.inf)
        downhill = open_f | open_b
        active, s, tt, g_f, g_b = (x[downhill] for x in (active, s, tt, g_f, g_b))
        fwd, bwd, at_vertex = fwd[downhill], bwd[downhill], at_vertex[downhill]
        if not len(active):
            return
        forward = g_f <= g_b
        j = np.where(forward, fwd, bwd)
        t0 = np.where(at_vertex, np.where(forward, 0.0, 1.0), tt)
        t1 = np.where(forward, 1.0, 0.0)
        g0 = np.where(forward, g_f, g_b)
        sign = np.where(forward, 1.0, -1.0)
        length = np.sqrt(b.seg_len2[j]) * np.abs(t1 - t0)
        end = b.point_at(j, t1)
        p = lonlat[active]
        az_e, _, d_e = WGS84.inv(end[:, 0], end[:, 1], p[:, 0], p[:, 1])
        g_e = _slope(b, j, end[:, 1], az_e, sign)
        d0 = dist[active]
        # Still downhill at the segment's end: go there, and look on from that vertex.
        on = (g_e < -_FLAT) & (d_e <= d0)
        # Otherwise the minimum is inside: where the cubic through both ends has it.
        u = _hermite_min(d0, d_e, g0 * length, g_e * length)
        t_m = t0 + (t1 - t0) * u
        inner = ~on & (u > 0.0) & (u < 1.0)
        mid = b.point_at(j, t_m)
        az_m, d_m = np.full(len(active), np.nan), np.full(len(active), np.inf)
        if inner.any():
            q = p[inner]
            az_m[inner], _, d_m[inner] = WGS84.inv(mid[inner, 0], mid[inner, 1], q[:, 0], q[:, 1])
        best_t = np.where(on | (d_e < np.minimum(d0, d_m)), t1, np.where(d_m < d0, t_m, np.nan))
        best_d = np.where(np.isnan(best_t), d0, np.where(best_t == t1, d_e, d_m))
        best_az = np.where(best_t == t1, az_e, az_m)
        moved = np.isfinite(best_t) & (best_d < d0)
        i = active[moved]
        seg[i], t[i], dist[i], az[i] = j[moved], best_t[moved], best_d[moved], best_az[moved]
        foot[i] = np.where((best_t[moved] == t1[moved])[:, None], end[moved], mid[moved])
        tried[i] = False
        stay = active[~moved]
        tried[stay, np.where(forward[~moved], 0, 1)] = True
        # A foot that did not move stays while it has a way not yet looked at.
        active = np.concatenate([i, stay[~tried[stay].all(axis=1)]])
