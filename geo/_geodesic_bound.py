"""Nearest boundary point by branch and bound on geodesic distances, for points far away.

The chord search of :mod:`geo._segment_tree` ranks boundary points by their straight-line
distance through the Earth. On a sphere that is the geodesic order; on the ellipsoid the two
orders differ, and the difference grows with distance: towards a point's antipode geodesics
from it fan out round the ellipsoid's antipodal caustic instead of meeting at one point, so
that stretches of coast hundreds of kilometres apart can rank one way by chord and the other
way by geodesic (a point 650 km from North Korea's antipode came out 486 m too far, one 390
km from it 40 km too far). There the search is redone on geodesic distances themselves.

The same tree of bounding spheres is descended, but a node is judged by the geodesic
distance ``d`` from the point to one boundary vertex ``Y`` of the node: by the triangle
inequality no point ``X`` of the node is nearer than ``d - s(Y, X)``, and ``s(Y, X)`` is at
most the arc of the ellipsoid's tightest curvature over the chord from ``Y`` to the node's
sphere's far side (:func:`arc_bound`). ``d`` is also the exact distance to a real boundary
point, so the best one seen bounds the answer from above, and a node whose lower bound is
above it is dropped. At the leaves every vertex is measured and the walk of
:mod:`geo._walk` takes the best one to the exact minimum.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from geo._jit import njit
from geo.units import WGS84

__all__ = [
    "CHORD_SLACK_M",
    "arc_bound",
    "chord_reach",
    "ecef",
    "geodesic_floor",
    "node_reach",
    "nearest_by_geodesic",
]

#: Smallest radius of curvature of the WGS84 ellipsoid (m): the meridian's, at the equator.
_RHO_MIN = WGS84.a * (1.0 - WGS84.es)
#: Largest radius of curvature (m): every normal section's, at the poles.
_RHO_MAX = WGS84.a**2 / WGS84.b
#: Metres by which a densified segment's chord may exceed the chord to the boundary it
#: stands for (the surface path bows out of its chord by well under a metre).
CHORD_SLACK_M = 1.0


def chord_reach(geodesic: np.ndarray) -> np.ndarray:
    """Largest chord (m) between two points ``geodesic`` m apart along a WGS84 geodesic.

    With ``R = a^2 / b``, the chord of a geodesic of length ``s <= pi R`` is at most
    ``2 R sin(s / 2R)``, the chord of a great circle of radius ``R``. Proof: along a unit-speed
    geodesic ``X(s)`` from ``X0``, ``h = |X - X0|^2 / 2`` has ``h'' = 1 - k (X - X0) . n``,
    with ``n`` the outward normal and ``k >= 1 / R`` the normal curvature (the geodesic's
    curvature as a space curve). Every normal curvature of the ellipsoid is at least
    ``1 / R``, so the ellipsoid lies in the ball of radius ``R`` tangent to it at ``X(s)``
    (Blaschke's rolling theorem), which gives ``(X - X0) . n >= |X - X0|^2 / 2R``. Hence
    ``h'' + h / R^2 <= 1`` with ``h(0) = h'(0) = 0``, and Sturm comparison with the circle,
    whose ``h`` solves it with equality, gives ``h(s) <= R^2 (1 - cos(s / R))`` while
    ``s <= pi R`` (20,105 km, beyond every shortest geodesic).

    So a boundary point nearer than ``s`` along the surface lies within this chord: the
    chord search's test of whether its winner can be beaten.
    """
    s = np.minimum(np.asarray(geodesic, dtype=float), np.pi * _RHO_MAX)
    return 2.0 * _RHO_MAX * np.sin(s / (2.0 * _RHO_MAX)) * (1.0 + 1e-12) + 1e-6


def geodesic_floor(chord: np.ndarray) -> np.ndarray:
    """Smallest geodesic distance (m) between two surface points ``chord`` m apart.

    The inverse of :func:`chord_reach`: no geodesic shorter than this has so long a chord.
    """
    c = np.clip(np.asarray(chord, dtype=float), 0.0, 2.0 * _RHO_MAX)
    return 2.0 * _RHO_MAX * np.arcsin(c / (2.0 * _RHO_MAX)) * (1.0 - 1e-12)


#: A node whose lower bound is within this of the best distance cannot improve it (m).
_GAIN_M = 1e-4


def ecef(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Earth-centred, Earth-fixed coordinates (m) on the WGS84 ellipsoid surface."""
    lam = np.radians(lon)
    phi = np.radians(lat)
    sin_phi = np.sin(phi)
    cos_phi = np.cos(phi)
    n = WGS84.a / np.sqrt(1.0 - WGS84.es * sin_phi * sin_phi)
    out = np.empty((len(lam), 3))
    out[:, 0] = n * cos_phi * np.cos(lam)
    out[:, 1] = n * cos_phi * np.sin(lam)
    out[:, 2] = n * (1.0 - WGS84.es) * sin_phi
    return out


def arc_bound(chord: np.ndarray) -> np.ndarray:
    """Upper bound (m) of the geodesic distance between two surface points ``chord`` m apart.

    A normal section of the ellipsoid joins them, its curvature is at most ``1 / _RHO_MIN``
    (and the geodesic is no longer than it); a plane curve of curvature at most ``k`` over a
    chord ``c`` is no longer than the circular arc ``2 asin(c k / 2) / k`` (Schur).
    """
    c = np.minimum(chord, 2.0 * _RHO_MIN)
    return 2.0 * _RHO_MIN * np.arcsin(c / (2.0 * _RHO_MIN)) * (1.0 + 1e-9) + 1e-3


def node_reach(b: Any) -> tuple[np.ndarray, np.ndarray]:
    """Each tree node's representative vertex, and the geodesic reach from it over the node.

    The representative is the node's vertex nearest its sphere's centre, so that the reach
    (from it to the sphere's far side) is little more than the sphere's radius.
    """
    lo, hi, _, centre, radius = b.tree.nodes
    rep = _nearest_vertex(b.xyz, lo, np.minimum(hi, b.n - 1), centre)
    # The segments' surface paths bow out of their chords by well under a metre.
    chord = np.linalg.norm(centre - b.xyz[rep], axis=1) + radius + 1.0
    return rep, arc_bound(chord)


@njit(cache=True, nogil=True)
def _nearest_vertex(xyz, lo, hi, centre):  # pragma: no cover - compiled
    """For each node, the vertex of lo .. hi (both included) nearest to its centre."""
    out = np.empty(len(lo), dtype=np.int64)
    for k in range(len(lo)):
        best, best_d2 = lo[k], np.inf
        for j in range(lo[k], hi[k] + 1):
            d2 = 0.0
            for c in range(3):
                d2 += (xyz[j, c] - centre[k, c]) ** 2
            if d2 < best_d2:
                best, best_d2 = j, d2
        out[k] = best
    return out


def nearest_by_geodesic(b: Any, lonlat: np.ndarray, q: np.ndarray, upper: np.ndarray):
    """Exact nearest boundary vertex of each point, as (seg, t) with its distance and azimuth.

    ``q`` holds the points in ECEF metres. ``upper`` (m) is a distance already reached for
    each point; the search only keeps nodes that may hold a nearer point: by chord
    (:func:`geodesic_floor`) and by the distance measured at the parent's representative
    (over the node's own, smaller sphere), both before the node is measured, then by its own
    measurement; a leaf's vertices are measured only where its representative leaves room.
    Returns ``found, seg, t, foot, az, dist`` of the best vertex found (at ``t = 0``, or the
    last vertex of a line at ``t = 1``), ready for the walk, after ``found``: whether a vertex
    nearer than ``upper`` was found at all.
    """
    lo, hi, left, centre, radius = b.tree.nodes
    rep, reach = b.node_rep, b.node_reach
    n = len(lonlat)
    best = np.asarray(upper, dtype=float).copy()
    best_v = np.full(n, -1, dtype=np.int64)
    best_az = np.zeros(n)
    pi = np.arange(n)
    node = np.zeros(n, dtype=np.int64)
    # Each (point, node)'s anchor, the parent's representative z measured at base: by the
    # triangle inequality no point X of the node is nearer than base - arc_bound(|z - X|).
    base, z = np.full(n, -np.inf), np.zeros((n, 3))
    leaves: list[tuple[np.ndarray, ...]] = []
    while len(pi):
        # A node farther in chord than any geodesic shorter than the best can reach, or too far
        # from its parent's anchor, is dropped before its representative is measured.
        gap = np.linalg.norm(q[pi] - centre[node], axis=1) - radius[node] - CHORD_SLACK_M
        ext = np.linalg.norm(z - centre[node], axis=1) + radius[node] + CHORD_SLACK_M
        keep = (geodesic_floor(gap) < best[pi] - _GAIN_M) & (
            base - arc_bound(ext) < best[pi] - _GAIN_M
        )
        pi, node = pi[keep], node[keep]
        v = rep[node]
        az, _, d = WGS84.inv(b.lonlat[v, 0], b.lonlat[v, 1], lonlat[pi, 0], lonlat[pi, 1])
        _keep_best(best, best_v, best_az, pi, v, d, az)
        keep = d - reach[node] < best[pi] - _GAIN_M
        pi, node, v, az, d = pi[keep], node[keep], v[keep], az[keep], d[keep]
        base, z = d - _GAIN_M, b.xyz[v]
        ext = np.linalg.norm(z - centre[node], axis=1) + radius[node] + CHORD_SLACK_M
        keep = base - arc_bound(ext) < best[pi] - _GAIN_M
        pi, node, base, z = pi[keep], node[keep], base[keep], z[keep]
        leaf = left[node] < 0
        leaves.append((pi[leaf], node[leaf], base[leaf], z[leaf]))
        inner = ~leaf
        pi, node = np.repeat(pi[inner], 2), np.repeat(left[node[inner]], 2)
        node = node + np.tile([0, 1], len(node) // 2)
        base, z = np.repeat(base[inner], 2), np.repeat(z[inner], 2, axis=0)
    _measure_leaves(b, lonlat, leaves, best, best_v, best_az)
    found = best_v >= 0
    v = np.maximum(best_v, 0)
    # The vertex as the start of its segment, or as the end of a line's last one.
    ends = ~b.has_next[v] & (b.prev_seg[v] >= 0)
    seg = np.where(ends, b.prev_seg[v], v)
    t = np.where(ends, 1.0, 0.0)
    return found, seg, t, b.lonlat[v], best_az, best


def _measure_leaves(b: Any, lonlat, leaves, best, best_v, best_az) -> None:
    """Measure the vertices of the leaves left that their anchors do not rule out."""
    lo, hi = b.tree.nodes[0], b.tree.nodes[1]
    pi, node, base, z = (np.concatenate([leaf[k] for leaf in leaves]) for k in range(4))
    # Every vertex of the leaves left: lo .. hi (the last segment's end included).
    count = hi[node] - lo[node] + 1
    pi, base, z = np.repeat(pi, count), np.repeat(base, count), np.repeat(z, count, axis=0)
    start = np.repeat(np.cumsum(count) - count, count)
    v = np.minimum(np.repeat(lo[node], count) + np.arange(len(pi)) - start, b.n - 1)
    keep = base - arc_bound(np.linalg.norm(z - b.xyz[v], axis=1)) < best[pi] - _GAIN_M
    pi, v = pi[keep], v[keep]
    az, _, d = WGS84.inv(b.lonlat[v, 0], b.lonlat[v, 1], lonlat[pi, 0], lonlat[pi, 1])
    _keep_best(best, best_v, best_az, pi, v, d, az)


def _keep_best(best, best_v, best_az, pi, v, d, az) -> None:
    """Record, per point, the nearest vertex measured so far."""
    order = np.lexsort((d, pi))  # by point, nearest first
    pi, v, d, az = pi[order], v[order], d[order], az[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    pi, v, d, az = pi[first], v[first], d[first], az[first]
    better = d < best[pi]
    i = pi[better]
    best[i], best_v[i], best_az[i] = d[better], v[better], az[better]
