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
    "node_boxes",
    "node_reach",
    "nearest_by_geodesic",
    "open_rivals",
    "tangent_floor",
]

#: Smallest radius of curvature of the WGS84 ellipsoid (m): the meridian's, at the equator.
_RHO_MIN = WGS84.a * (1.0 - WGS84.es)
#: Largest radius of curvature (m): every normal section's, at the poles.
_RHO_MAX = WGS84.a**2 / WGS84.b
#: Metres by which a densified segment's chord may exceed the chord to the boundary it
#: stands for (the surface path bows out of its chord by well under a metre).
CHORD_SLACK_M = 1.0
#: Largest Gaussian curvature of the WGS84 ellipsoid (1/m^2): 1 / (M N) at the equator, 1 / b^2.
_K_MAX = 1.0 / WGS84.b**2
#: Largest normal curvature (1/m): the meridian's at the equator, a / b^2.
_KAPPA_MAX = WGS84.a / WGS84.b**2
#: Distance (m) below which the distance from a point is smooth and the Hessian comparison
#: holds: pi / sqrt(K_max) = pi b (19,970 km), the least conjugate distance (Rauch), and below
#: half the shortest closed geodesic (a meridian, 20,004 km), so below the injectivity radius
#: (Klingenberg). A millimetre per 20,000 km is kept in hand.
_SMOOTH_M = np.pi * WGS84.b * (1.0 - 1e-10)


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


def tangent_floor(d: np.ndarray, lead: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Lower bound (m) of the geodesic distance from a point ``P`` to any ``X`` near ``Y``.

    ``d`` is the distance (m) from ``P`` to ``Y``; ``lead`` (m) bounds ``u . (X - Y)`` from
    above, with ``u`` the unit tangent at ``Y`` of the geodesic towards ``P`` (ECEF); ``reach``
    (m) bounds the geodesic distance ``l`` from ``Y`` to ``X``. The bound is::

        D(X) >= d - lead - k1 l^2 / 2 - kappa^2 l^3 / 6

    Proof: along the unit-speed geodesic ``s(t)`` from ``Y`` to ``X``, ``g(t) = D(s(t))`` has
    ``g(0) = d``, ``g'(0) = -u . s'(0)`` (first variation) and ``g'' = Hess D(s', s') >= -k1``,
    ``k1 = max(0, -sqrt(K) cot(sqrt(K) D))`` at the largest ``D <= d + l`` on the way (Hessian
    comparison under Gaussian curvature ``<= K = 1/b^2``, valid while ``D < pi b``, where the
    distance is smooth: no cut point is nearer, see ``_SMOOTH_M``). So ``D(X) >= d - l u . s'(0)
    - k1 l^2 / 2``. And ``X - Y = integral of s'``, with ``s'' = k_n n`` (a geodesic's
    acceleration is normal to the surface), ``|k_n| <= kappa = a / b^2``, and ``|u . n| <=
    kappa t`` at ``s(t)`` (``u . n(Y) = 0``, and the normal turns at most at rate ``kappa``):
    ``|u . (X - Y) - l u . s'(0)| <= kappa^2 l^3 / 6``.

    Where ``d + reach`` reaches ``pi b``, or ``reach >= d`` (the geodesic could pass ``P``),
    it returns ``-inf``: nothing is claimed.
    """
    d, lead, reach = (np.asarray(x, dtype=float) for x in (d, lead, reach))
    top = d + reach
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.sqrt(_K_MAX) * np.minimum(top, _SMOOTH_M)
        k1 = np.maximum(0.0, -np.sqrt(_K_MAX) * np.cos(x) / np.sin(x))
    out = d - lead - k1 * reach**2 / 2.0 - _KAPPA_MAX**2 * reach**3 / 6.0
    # Rounding in the measured distance and the ECEF arithmetic: a micrometre per 1,000 km.
    out = out - 1e-12 * d - 1e-6
    return np.where((top < _SMOOTH_M) & (reach < d), out, -np.inf)


def node_boxes(b: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each tree node's oriented box: centre (n, 3), axes (n, 3, 3) as rows, half-sizes (n, 3).

    The axes are the principal axes of the node's vertices, so that a node along a coast is a
    long thin box; every vertex lies inside, with ``CHORD_SLACK_M`` to spare for the boundary's
    path between vertices (its segments are straight in ECEF, and a box is convex).
    """
    lo, hi = b.tree.nodes[0], np.minimum(b.tree.nodes[1], b.n - 1)
    xyz = b.xyz
    count = (hi - lo + 1).astype(float)
    # Per-node means and covariances from prefix sums, relative to a point near the data.
    ref = xyz.mean(axis=0)
    rel = xyz - ref
    s1 = np.vstack([np.zeros(3), np.cumsum(rel, axis=0)])
    s2 = np.concatenate([np.zeros((1, 3, 3)), np.cumsum(rel[:, :, None] * rel[:, None, :], axis=0)])
    mean = (s1[hi + 1] - s1[lo]) / count[:, None]
    cov = (s2[hi + 1] - s2[lo]) / count[:, None, None] - mean[:, :, None] * mean[:, None, :]
    _, vecs = np.linalg.eigh(cov)
    axes = np.ascontiguousarray(np.swapaxes(vecs, 1, 2))  # rows: the axes
    # Every vertex of every node, projected on its node's axes.
    k = np.repeat(np.arange(len(lo)), hi - lo + 1)
    start = np.repeat(np.cumsum(hi - lo + 1) - (hi - lo + 1), hi - lo + 1)
    v = np.repeat(lo, hi - lo + 1) + np.arange(len(k)) - start
    proj = np.einsum("ikj,ij->ik", axes[k], rel[v] - mean[k])
    low = np.full((len(lo), 3), np.inf)
    high = np.full((len(lo), 3), -np.inf)
    np.minimum.at(low, k, proj)
    np.maximum.at(high, k, proj)
    centre = ref + mean + np.einsum("ik,ikj->ij", (low + high) / 2.0, axes)
    half = (high - low) / 2.0 * (1.0 + 1e-9) + CHORD_SLACK_M
    return centre, axes, half


def _lead(u: np.ndarray, y: np.ndarray, centre, axes, half) -> np.ndarray:
    """Upper bound (m) of ``u . (X - y)`` over every X of the boxes given (row by row)."""
    along = np.einsum("ij,ikj->ik", u, axes)  # u in each box's axes
    return np.einsum("ij,ij->i", u, centre - y) + np.einsum("ij,ij->i", np.abs(along), half)


def _toward(lonlat: np.ndarray, az: np.ndarray) -> np.ndarray:
    """Return unit tangent vectors (ECEF) at ``lonlat`` in azimuth ``az`` (degrees)."""
    lam, phi, a = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1]), np.radians(az)
    east = np.column_stack([-np.sin(lam), np.cos(lam), np.zeros(len(lam))])
    north = np.column_stack([-np.sin(phi) * np.cos(lam), -np.sin(phi) * np.sin(lam), np.cos(phi)])
    return np.sin(a)[:, None] * east + np.cos(a)[:, None] * north


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


def nearest_by_geodesic(
    b: Any,
    lonlat: np.ndarray,
    q: np.ndarray,
    upper: np.ndarray,
    foot: np.ndarray | None = None,
    az: np.ndarray | None = None,
):
    """Exact nearest boundary vertex of each point, as (seg, t) with its distance and azimuth.

    ``q`` holds the points in ECEF metres. ``upper`` (m) is a distance already reached for
    each point; the search only keeps nodes that may hold a nearer point: by chord
    (:func:`geodesic_floor`) and by the distance and azimuth measured at the parent's
    representative (:func:`tangent_floor` over the node's box, and the triangle inequality over
    its sphere), both before the node is measured, then by its own measurement; a leaf's
    vertices are measured only where a segment at them may hold a nearer point. Returns
    ``found, seg, t, foot, az, dist`` of the best vertex found (at ``t = 0``, or the last vertex
    of a line at ``t = 1``), ready for the walk, after ``found``: whether a vertex nearer than
    ``upper`` was found at all.

    ``foot`` (lon, lat) and ``az`` (degrees), where given, are the boundary point at which
    ``upper`` was measured and the geodesic's azimuth there, towards the point: the first
    anchor. A node whose sphere holds its anchor keeps it instead of being measured, so that a
    search seeded by a good foot measures little but what lies near a tie with it.
    """
    lo, hi, left, centre, radius = b.tree.nodes
    rep = b.node_rep
    box_c, box_axes, box_half = b.node_box
    n = len(lonlat)
    best = np.asarray(upper, dtype=float).copy()
    best_v = np.full(n, -1, dtype=np.int64)
    best_az = np.zeros(n)
    pi = np.arange(n)
    node = np.zeros(n, dtype=np.int64)
    # Each (point, node)'s anchor: the parent's representative z, measured at base, with u the
    # tangent there towards the point; no X of the node is nearer than the bounds from it.
    base, z, u = np.full(n, -np.inf), np.zeros((n, 3)), np.zeros((n, 3))
    if foot is not None and az is not None:
        base, z, u = best - _GAIN_M, ecef(foot[:, 0], foot[:, 1]), _toward(foot, az)
    leaves: list[tuple[np.ndarray, ...]] = []

    def anchored(pi, node, base, z, u):
        """Whether the anchor leaves room for a nearer point in the node."""
        ext = np.linalg.norm(z - centre[node], axis=1) + radius[node] + CHORD_SLACK_M
        ell = arc_bound(ext)
        lead = _lead(u, z, box_c[node], box_axes[node], box_half[node])
        floor = np.maximum(base - ell, tangent_floor(base, lead, ell))
        return floor < best[pi] - _GAIN_M

    while len(pi):
        # A node farther in chord than any geodesic shorter than the best can reach, or ruled
        # out from its parent's anchor, is dropped before its representative is measured.
        gap = np.linalg.norm(q[pi] - centre[node], axis=1) - radius[node] - CHORD_SLACK_M
        keep = geodesic_floor(gap) < best[pi] - _GAIN_M
        keep[keep] = anchored(pi[keep], node[keep], base[keep], z[keep], u[keep])
        pi, node, base, z, u = pi[keep], node[keep], base[keep], z[keep], u[keep]
        # A node that holds its anchor keeps it; any other is measured at its representative.
        new = np.linalg.norm(z - centre[node], axis=1) > radius[node]
        m, v = np.flatnonzero(new), rep[node[new]]
        az_v, _, d = WGS84.inv(b.lonlat[v, 0], b.lonlat[v, 1], lonlat[pi[m], 0], lonlat[pi[m], 1])
        _keep_best(best, best_v, best_az, pi[m], v, d, az_v)
        base[m], z[m], u[m] = d - _GAIN_M, b.xyz[v], _toward(b.lonlat[v], az_v)
        keep = np.ones(len(pi), dtype=bool)
        keep[m] = anchored(pi[m], node[m], base[m], z[m], u[m])
        pi, node, base, z, u = pi[keep], node[keep], base[keep], z[keep], u[keep]
        leaf = left[node] < 0
        leaves.append((pi[leaf], node[leaf], base[leaf], z[leaf], u[leaf]))
        inner = ~leaf
        pi, node = np.repeat(pi[inner], 2), np.repeat(left[node[inner]], 2)
        node = node + np.tile([0, 1], len(node) // 2)
        base, z = np.repeat(base[inner], 2), np.repeat(z[inner], 2, axis=0)
        u = np.repeat(u[inner], 2, axis=0)
    _measure_leaves(b, lonlat, leaves, best, best_v, best_az)
    found = best_v >= 0
    v = np.maximum(best_v, 0)
    # The vertex as the start of its segment, or as the end of a line's last one.
    ends = ~b.has_next[v] & (b.prev_seg[v] >= 0)
    seg = np.where(ends, b.prev_seg[v], v)
    t = np.where(ends, 1.0, 0.0)
    return found, seg, t, b.lonlat[v], best_az, best


def _measure_leaves(b: Any, lonlat, leaves, best, best_v, best_az) -> None:
    """Measure the vertices of the leaves left where a segment at them may hold a nearer point.

    Each segment of a leaf (vertex ``v`` to ``v + 1``) is judged from its leaf's anchor by the
    triangle inequality and :func:`tangent_floor` (``u . (X - z)`` is linear along the segment's
    chord, so greatest at one of its ends; the path bows out of the chord by under
    ``CHORD_SLACK_M``); a vertex is measured when a segment at it is kept.
    """
    if not leaves:
        return
    lo, hi = b.tree.nodes[0], b.tree.nodes[1]
    pi, node, base, z, u = (np.concatenate([leaf[k] for leaf in leaves]) for k in range(5))
    # Every segment of the leaves left: lo .. hi - 1, each from v to its next vertex.
    count = hi[node] - lo[node]
    pi, base = np.repeat(pi, count), np.repeat(base, count)
    z, u = np.repeat(z, count, axis=0), np.repeat(u, count, axis=0)
    start = np.repeat(np.cumsum(count) - count, count)
    v = np.repeat(lo[node], count) + np.arange(len(pi)) - start
    w = np.where(b.has_next[v], v + 1, v)
    far = np.maximum(np.linalg.norm(z - b.xyz[v], axis=1), np.linalg.norm(z - b.xyz[w], axis=1))
    ell = arc_bound(far + CHORD_SLACK_M)
    lead = np.maximum(
        np.einsum("ij,ij->i", u, b.xyz[v] - z), np.einsum("ij,ij->i", u, b.xyz[w] - z)
    )
    floor = np.maximum(base - ell, tangent_floor(base, lead + CHORD_SLACK_M, ell))
    keep = floor < best[pi] - _GAIN_M
    pi, v = np.concatenate([pi[keep], pi[keep]]), np.concatenate([v[keep], w[keep]])
    # Each (point, vertex) once.
    key = np.unique(pi * np.int64(b.n) + v)
    pi, v = key // b.n, key % b.n
    az, _, d = WGS84.inv(b.lonlat[v, 0], b.lonlat[v, 1], lonlat[pi, 0], lonlat[pi, 1])
    _keep_best(best, best_v, best_az, pi, v, d, az)


def _keep_best(best, best_v, best_az, pi, v, d, az) -> None:
    """Record, per point, the nearest vertex measured so far."""
    if not len(pi):
        return
    order = np.lexsort((d, pi))  # by point, nearest first
    pi, v, d, az = pi[order], v[order], d[order], az[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    pi, v, d, az = pi[first], v[first], d[first], az[first]
    better = d < best[pi]
    i = pi[better]
    best[i], best_v[i], best_az[i] = d[better], v[better], az[better]


def open_rivals(b: Any, q: np.ndarray, foot: np.ndarray, az: np.ndarray, dist: np.ndarray, seg):
    """Whether anything but the walked foot's own segments may be nearer, per point (bools).

    The chord bound and the foot's tangent bound (:func:`tangent_floor`, anchored at the foot,
    ``dist`` metres from each point) are applied to every node and then every segment of the
    tree, compiled, with no geodesic measured; a point for which only the segment through its
    foot and the two next to it are left is proved nearest to its foot (the walk has left it at
    their minimum). The others need :func:`nearest_by_geodesic`.
    """
    lo, hi, left, centre, radius = b.tree.nodes
    box_c, box_axes, box_half = b.node_box
    z = ecef(foot[:, 0], foot[:, 1])
    u = _toward(foot, az)
    out = np.zeros(len(q), dtype=np.bool_)
    _open_rivals(
        np.ascontiguousarray(q),
        z,
        np.ascontiguousarray(u),
        np.ascontiguousarray(dist, dtype=float),
        np.ascontiguousarray(seg, dtype=np.int64),
        b.xyz,
        b.has_next,
        b.next_seg,
        b.prev_seg,
        lo,
        hi,
        left,
        centre,
        radius,
        box_c,
        box_axes,
        box_half,
        out,
    )
    return out


@njit(cache=True, nogil=True, inline="always")
def _floor1(base, lead, ell, chord_gap):  # pragma: no cover - compiled
    """Return the largest of three lower bounds (m), scalar: chord, triangle and tangent."""
    c = min(max(chord_gap, 0.0), 2.0 * _RHO_MAX)
    out = 2.0 * _RHO_MAX * np.arcsin(c / (2.0 * _RHO_MAX)) * (1.0 - 1e-12)
    out = max(out, base - ell)
    top = base + ell
    if top < _SMOOTH_M and ell < base:
        x = np.sqrt(_K_MAX) * top
        k1 = max(0.0, -np.sqrt(_K_MAX) * np.cos(x) / np.sin(x))
        t = base - lead - k1 * ell * ell / 2.0 - _KAPPA_MAX**2 * ell**3 / 6.0
        out = max(out, t - 1e-12 * base - 1e-6)
    return out


@njit(cache=True, nogil=True, inline="always")
def _arc1(chord):  # pragma: no cover - compiled
    """:func:`arc_bound`, scalar."""
    c = min(chord, 2.0 * _RHO_MIN)
    return 2.0 * _RHO_MIN * np.arcsin(c / (2.0 * _RHO_MIN)) * (1.0 + 1e-9) + 1e-3


@njit(cache=True, nogil=True)
def _open_rivals(
    q,
    z,
    u,
    dist,
    seg,
    xyz,
    has_next,
    next_seg,
    prev_seg,
    lo,
    hi,
    left,
    centre,
    radius,
    box_c,
    box_axes,
    box_half,
    out,
):  # pragma: no cover - compiled
    """Depth-first over the tree per point; see :func:`open_rivals`."""
    stack = np.empty(128, dtype=np.int64)
    n = len(xyz)
    for i in range(len(q)):
        base = dist[i] - _GAIN_M
        limit = dist[i] - _GAIN_M
        own = seg[i]
        after = next_seg[own + 1] if own + 1 < n else -1
        before = prev_seg[own]
        stack[0] = 0
        sp = 1
        while sp > 0 and not out[i]:
            sp -= 1
            k = stack[sp]
            gq = 0.0
            gz = 0.0
            lead = 0.0
            for c in range(3):
                gq += (q[i, c] - centre[k, c]) ** 2
                gz += (z[i, c] - centre[k, c]) ** 2
                lead += u[i, c] * (box_c[k, c] - z[i, c])
            for r in range(3):
                along = 0.0
                for c in range(3):
                    along += u[i, c] * box_axes[k, r, c]
                lead += abs(along) * box_half[k, r]
            ell = _arc1(np.sqrt(gz) + radius[k] + 1.0)
            gap = np.sqrt(gq) - radius[k] - 1.0
            if _floor1(base, lead, ell, gap) >= limit:
                continue
            if left[k] >= 0:
                stack[sp] = left[k]
                stack[sp + 1] = left[k] + 1
                sp += 2
                continue
            for j in range(lo[k], hi[k]):
                if j == own or j == after or j == before:
                    continue
                w = j + 1 if has_next[j] else j
                l1 = 0.0
                l2 = 0.0
                d1 = 0.0
                d2 = 0.0
                g1 = 0.0
                g2 = 0.0
                for c in range(3):
                    l1 += u[i, c] * (xyz[j, c] - z[i, c])
                    l2 += u[i, c] * (xyz[w, c] - z[i, c])
                    d1 += (xyz[j, c] - z[i, c]) ** 2
                    d2 += (xyz[w, c] - z[i, c]) ** 2
                    g1 += (xyz[j, c] - q[i, c]) ** 2
                    g2 += (xyz[w, c] - q[i, c]) ** 2
                ell = _arc1(np.sqrt(max(d1, d2)) + 1.0)
                # The nearest point of a segment is within half its length of one of its ends.
                half2 = 0.0
                for c in range(3):
                    half2 += (xyz[w, c] - xyz[j, c]) ** 2
                gap = np.sqrt(min(g1, g2)) - np.sqrt(half2) / 2.0 - 1.0
                if _floor1(base, max(l1, l2) + 1.0, ell, gap) < limit:
                    out[i] = True
                    break
