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
from numba import njit

from geo.units import WGS84

__all__ = ["arc_bound", "node_reach", "nearest_by_geodesic"]

#: Smallest radius of curvature of the WGS84 ellipsoid (m): the meridian's, at the equator.
_RHO_MIN = WGS84.a * (1.0 - WGS84.es)
#: A node whose lower bound is within this of the best distance cannot improve it (m).
_GAIN_M = 1e-4


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


def nearest_by_geodesic(b: Any, lonlat: np.ndarray, upper: np.ndarray):
    """Exact nearest boundary vertex of each point, as (seg, t) with its distance and azimuth.

    ``upper`` (m) is a distance already reached for each point; the search only keeps nodes
    that may hold a nearer point. Returns ``found, seg, t, foot, az, dist`` of the best vertex found
    (at ``t = 0``, or the last vertex of a line at ``t = 1``), ready for the walk, after
    ``found``: whether a vertex nearer than ``upper`` was found at all.
    """
    lo, hi, left, _, _ = b.tree.nodes
    rep, reach = b.node_rep, b.node_reach
    n = len(lonlat)
    best = np.asarray(upper, dtype=float).copy()
    best_v = np.full(n, -1, dtype=np.int64)
    best_az = np.zeros(n)
    pi = np.arange(n)
    node = np.zeros(n, dtype=np.int64)
    leaf_pi, leaf_node = [], []
    while len(pi):
        v = rep[node]
        az, _, d = WGS84.inv(b.lonlat[v, 0], b.lonlat[v, 1], lonlat[pi, 0], lonlat[pi, 1])
        _keep_best(best, best_v, best_az, pi, v, d, az)
        keep = d - reach[node] < best[pi] - _GAIN_M
        pi, node = pi[keep], node[keep]
        leaf = left[node] < 0
        leaf_pi.append(pi[leaf])
        leaf_node.append(node[leaf])
        pi, node = pi[~leaf], node[~leaf]
        pi = np.repeat(pi, 2)
        node = np.repeat(left[node], 2) + np.tile([0, 1], len(node))
    pi, node = np.concatenate(leaf_pi), np.concatenate(leaf_node)
    # Every vertex of the leaves left: lo .. hi (the last segment's end included).
    count = hi[node] - lo[node] + 1
    pi = np.repeat(pi, count)
    start = np.repeat(np.cumsum(count) - count, count)
    v = np.minimum(np.repeat(lo[node], count) + np.arange(len(pi)) - start, b.n - 1)
    az, _, d = WGS84.inv(b.lonlat[v, 0], b.lonlat[v, 1], lonlat[pi, 0], lonlat[pi, 1])
    _keep_best(best, best_v, best_az, pi, v, d, az)
    found = best_v >= 0
    v = np.maximum(best_v, 0)
    # The vertex as the start of its segment, or as the end of a line's last one.
    ends = ~b.has_next[v] & (b.prev_seg[v] >= 0)
    seg = np.where(ends, b.prev_seg[v], v)
    t = np.where(ends, 1.0, 0.0)
    return found, seg, t, b.lonlat[v], best_az, best


def _keep_best(best, best_v, best_az, pi, v, d, az) -> None:
    """Record, per point, the nearest vertex measured so far."""
    order = np.lexsort((d, pi))  # by point, nearest first
    pi, v, d, az = pi[order], v[order], d[order], az[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    pi, v, d, az = pi[first], v[first], d[first], az[first]
    better = d < best[pi]
    i = pi[better]
    best[i], best_v[i], best_az[i] = d[better], v[better], az[better]
