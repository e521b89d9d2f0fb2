"""A bounding-sphere tree over a polyline's segments in Earth-centred metres, and its search.

The densified boundary of a geometry is a sequence of short straight segments in ECEF
(``xyz[j]`` to ``xyz[j] + seg_vec[j]``). Consecutive segments lie close together, so a
balanced binary tree over index ranges, each node holding a sphere that encloses its
segments, is a good spatial index: a query descends the nearer child first and prunes
every node whose sphere lies beyond the best segment found so far.

The search is exact in chord metres: it returns the segment nearest to each query point
and the parameter of the nearest point on it. It is compiled with numba and releases the
GIL, so that callers can run it on several threads at once.
"""

from __future__ import annotations

import numpy as np

from geo._jit import njit

__all__ = ["SegmentTree"]

#: Segments per leaf (4 to 8 measure best on coastlines; larger leaves prune worse from afar).
_LEAF_SIZE = 8
#: Traversal stack: a depth-first search holds at most one entry more than the tree's depth.
_STACK = 128
#: The tree's nodes as :func:`_build` returns them: lo, hi, left, centre, radius.
_Nodes = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class SegmentTree:
    """Bounding-sphere tree over segments ``xyz[j] -> xyz[j] + seg_vec[j]`` (ECEF metres).

    Parameters
    ----------
    xyz, seg_vec : ndarray of shape (n, 3)
        Start and direction of each segment, in metres; a zero ``seg_vec`` is a single point.
    """

    def __init__(self, xyz: np.ndarray, seg_vec: np.ndarray) -> None:
        self.xyz = np.ascontiguousarray(xyz, dtype=float)
        self.seg_vec = np.ascontiguousarray(seg_vec, dtype=float)
        self.seg_len2 = np.einsum("ij,ij->i", self.seg_vec, self.seg_vec)
        # Five arrays (lo, hi, left, centre, radius): the tuple's length lets the type checker
        # match ``*self.nodes`` to the compiled search's parameters.
        self.nodes: _Nodes = _build(self.xyz, self.seg_vec, _LEAF_SIZE)

    def nearest(
        self, q: np.ndarray, bound: float | np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest segment to each ECEF point, among those within ``bound`` chord metres.

        Parameters
        ----------
        q : ndarray of shape (n, 3)
            Query points, ECEF metres.
        bound : float or ndarray of shape (n,)
            Search radius in chord metres (``inf`` for none), one for all points or one each.

        Returns
        -------
        seg : ndarray of int
            Index of the nearest segment, -1 where none is within ``bound``.
        t : ndarray of float
            Parameter (0 to 1) of the nearest point along that segment.
        chord : ndarray of float
            Chord distance in metres to that point, ``inf`` where none is within ``bound``.
        """
        q = np.ascontiguousarray(q, dtype=float)
        # A fresh writable array every time: one compiled signature serves all calls.
        bound = np.array(np.broadcast_to(bound, (len(q),)), dtype=float)
        seg = np.full(len(q), -1, dtype=np.int64)
        t = np.zeros(len(q))
        chord = np.full(len(q), np.inf)
        _search(q, bound, self.xyz, self.seg_vec, self.seg_len2, *self.nodes, seg, t, chord)
        return seg, t, chord

    def nearest_apart(
        self,
        q: np.ndarray,
        bound: np.ndarray,
        starts: np.ndarray,
        next_seg: np.ndarray,
        prev_seg: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest segment within ``bound`` that is not on a run through ``starts``.

        A run through segment ``s`` is ``s`` and the segments joined to it, both ways along the
        boundary (``next_seg[j + 1]`` follows segment ``j``, ``prev_seg[j]`` precedes it), as far
        as they stay within ``bound`` of the query point. ``starts`` holds, per point, the
        segments whose runs are left out (-1: none). Returns ``seg, t, chord`` as :meth:`nearest`.
        """
        q = np.ascontiguousarray(q, dtype=float)
        bound = np.array(np.broadcast_to(bound, (len(q),)), dtype=float)
        starts = np.ascontiguousarray(starts, dtype=np.int64)
        starts = starts.reshape(-1, 1) if starts.ndim == 1 else starts
        seg = np.full(len(q), -1, dtype=np.int64)
        t = np.zeros(len(q))
        chord = np.full(len(q), np.inf)
        _search_apart(
            q,
            bound,
            starts,
            np.ascontiguousarray(next_seg, dtype=np.int64),
            np.ascontiguousarray(prev_seg, dtype=np.int64),
            self.xyz,
            self.seg_vec,
            self.seg_len2,
            *self.nodes,
            seg,
            t,
            chord,
        )
        return seg, t, chord


@njit(cache=True, nogil=True)
def _build(xyz, seg_vec, leaf_size):  # pragma: no cover - compiled
    """Nodes of the tree: each halves its parent's index range.

    Node 0 is the root; the children of node ``k`` are ``left[k]`` and ``left[k] + 1``
    (``left`` is -1 at a leaf). Each node's sphere is centred on the box of its segment
    ends and reaches the farthest of them, so it holds every segment of its range.
    Scalar loops only: they compile in a fraction of the time array expressions take.
    """
    n = len(xyz)
    # Halving stops at ranges of leaf_size or fewer, so a leaf holds at least half of that.
    size = 2 * (n // ((leaf_size + 1) // 2) + 1)
    lo = np.empty(size, dtype=np.int64)
    hi = np.empty(size, dtype=np.int64)
    left = np.full(size, -1, dtype=np.int64)
    centre = np.empty((size, 3))
    radius = np.empty(size)
    lo[0], hi[0] = 0, n
    count = 1
    stack = np.empty(_STACK, dtype=np.int64)
    stack[0] = 0
    sp = 1
    while sp > 0:
        sp -= 1
        node = stack[sp]
        a, b = lo[node], hi[node]
        for k in range(3):
            low, high = np.inf, -np.inf
            for j in range(a, b):
                start, end = xyz[j, k], xyz[j, k] + seg_vec[j, k]
                low, high = min(low, start, end), max(high, start, end)
            centre[node, k] = (low + high) / 2.0
        r2 = 0.0
        for j in range(a, b):
            d_start = d_end = 0.0
            for k in range(3):
                d_start += (xyz[j, k] - centre[node, k]) ** 2
                d_end += (xyz[j, k] + seg_vec[j, k] - centre[node, k]) ** 2
            r2 = max(r2, d_start, d_end)
        radius[node] = np.sqrt(r2) * (1.0 + 1e-12) + 1e-6  # never too small through rounding
        if b - a > leaf_size:
            mid = (a + b) // 2
            left[node] = count
            lo[count], hi[count] = a, mid
            lo[count + 1], hi[count + 1] = mid, b
            stack[sp], stack[sp + 1] = count, count + 1
            sp += 2
            count += 2
    return lo[:count], hi[:count], left[:count], centre[:count], radius[:count]


@njit(cache=True, nogil=True, inline="always")
def _gap(qx, qy, qz, centre, radius, node):  # pragma: no cover - compiled
    """Distance from q to the node's sphere: a lower bound for its segments."""
    dx = qx - centre[node, 0]
    dy = qy - centre[node, 1]
    dz = qz - centre[node, 2]
    return np.sqrt(dx * dx + dy * dy + dz * dz) - radius[node]


@njit(cache=True, nogil=True)
def _search(
    q, bound, xyz, seg_vec, seg_len2, lo, hi, left, centre, radius, out_seg, out_t, out_chord
):  # pragma: no cover - compiled
    """Depth-first, nearer child first; fills out_* (see :meth:`SegmentTree.nearest`).

    Compares squared distances at the leaves, so that a segment costs one division at most.
    """
    stack = np.empty(_STACK, dtype=np.int64)
    stack_gap = np.empty(_STACK)
    for i in range(len(q)):
        qx, qy, qz = q[i, 0], q[i, 1], q[i, 2]
        best = bound[i]
        best_seg = -1
        best_t = 0.0
        stack[0] = 0
        stack_gap[0] = _gap(qx, qy, qz, centre, radius, 0)
        sp = 1
        while sp > 0:
            sp -= 1
            node = stack[sp]
            if stack_gap[sp] > best:
                continue
            if left[node] < 0:
                best2 = best * best
                for j in range(lo[node], hi[node]):
                    wx = qx - xyz[j, 0]
                    wy = qy - xyz[j, 1]
                    wz = qz - xyz[j, 2]
                    along = wx * seg_vec[j, 0] + wy * seg_vec[j, 1] + wz * seg_vec[j, 2]
                    w2 = wx * wx + wy * wy + wz * wz
                    tt = 0.0
                    if along <= 0.0:
                        e2 = w2
                    elif along >= seg_len2[j]:
                        tt = 1.0
                        e2 = w2 - 2.0 * along + seg_len2[j]
                    else:
                        tt = along / seg_len2[j]
                        e2 = w2 - along * tt
                    if e2 < best2 or (best_seg < 0 and e2 <= best2):
                        best2, best_seg, best_t = e2, j, tt
                        best = np.sqrt(max(e2, 0.0))
                continue
            a = left[node]
            b = a + 1
            gap_a = _gap(qx, qy, qz, centre, radius, a)
            gap_b = _gap(qx, qy, qz, centre, radius, b)
            if gap_a > gap_b:  # push the farther child first, so that the nearer is searched first
                a, b, gap_a, gap_b = b, a, gap_b, gap_a
            if gap_b <= best:
                stack[sp], stack_gap[sp] = b, gap_b
                sp += 1
            if gap_a <= best:
                stack[sp], stack_gap[sp] = a, gap_a
                sp += 1
        out_seg[i] = best_seg
        out_t[i] = best_t
        out_chord[i] = best if best_seg >= 0 else np.inf


@njit(cache=True, nogil=True, inline="always")
def _seg_dist2(qx, qy, qz, xyz, seg_vec, seg_len2, j):  # pragma: no cover - compiled
    """Squared chord distance from q to segment j, and the parameter of its nearest point."""
    wx = qx - xyz[j, 0]
    wy = qy - xyz[j, 1]
    wz = qz - xyz[j, 2]
    along = wx * seg_vec[j, 0] + wy * seg_vec[j, 1] + wz * seg_vec[j, 2]
    w2 = wx * wx + wy * wy + wz * wz
    if along <= 0.0:
        return w2, 0.0
    if along >= seg_len2[j]:
        return w2 - 2.0 * along + seg_len2[j], 1.0
    tt = along / seg_len2[j]
    return w2 - along * tt, tt


@njit(cache=True, nogil=True)
def _mark_run(
    qx, qy, qz, bound2, start, xyz, seg_vec, seg_len2, next_seg, prev_seg, mark, stamp
):  # pragma: no cover - compiled
    """Mark ``start`` and the segments joined to it, both ways, while they lie within the bound."""
    mark[start] = stamp
    if seg_len2[start] == 0.0 and prev_seg[start] >= 0:  # a line's or ring's last vertex
        start = prev_seg[start]
        mark[start] = stamp
    for way in range(2):
        j = start
        for _ in range(len(mark)):
            if way == 0 and seg_len2[j] == 0.0:  # a lone point: no way on
                break
            j = next_seg[j + 1] if way == 0 else prev_seg[j]
            if j < 0 or mark[j] == stamp:
                break
            if _seg_dist2(qx, qy, qz, xyz, seg_vec, seg_len2, j)[0] >= bound2:
                break
            mark[j] = stamp


@njit(cache=True, nogil=True)
def _search_apart(
    q,
    bound,
    starts,
    next_seg,
    prev_seg,
    xyz,
    seg_vec,
    seg_len2,
    lo,
    hi,
    left,
    centre,
    radius,
    out_seg,
    out_t,
    out_chord,
):  # pragma: no cover - compiled
    """Nearest segment within ``bound`` outside the runs through ``starts`` (see nearest_apart)."""
    mark = np.zeros(len(xyz), dtype=np.int64)
    stack = np.empty(_STACK, dtype=np.int64)
    for i in range(len(q)):
        qx, qy, qz = q[i, 0], q[i, 1], q[i, 2]
        best = bound[i]
        best2 = best * best
        for k in range(starts.shape[1]):
            if starts[i, k] >= 0:
                _mark_run(
                    qx,
                    qy,
                    qz,
                    best2,
                    starts[i, k],
                    xyz,
                    seg_vec,
                    seg_len2,
                    next_seg,
                    prev_seg,
                    mark,
                    i + 1,
                )
        best_seg = -1
        best_t = 0.0
        stack[0] = 0
        sp = 1
        while sp > 0:
            sp -= 1
            node = stack[sp]
            if _gap(qx, qy, qz, centre, radius, node) >= best:
                continue
            if left[node] < 0:
                for j in range(lo[node], hi[node]):
                    if mark[j] == i + 1:
                        continue
                    if (
                        seg_len2[j] == 0.0
                        and j > 0
                        and mark[j - 1] == i + 1
                        and seg_len2[j - 1] > 0
                    ):
                        continue  # the last vertex of a run's line or ring: on the run
                    e2, tt = _seg_dist2(qx, qy, qz, xyz, seg_vec, seg_len2, j)
                    if e2 < best2:
                        best2, best_seg, best_t = e2, j, tt
                        best = np.sqrt(max(e2, 0.0))
                continue
            a = left[node]
            b = a + 1
            if _gap(qx, qy, qz, centre, radius, a) > _gap(qx, qy, qz, centre, radius, b):
                a, b = b, a
            stack[sp], stack[sp + 1] = b, a  # the nearer child on top, searched first
            sp += 2
        out_seg[i] = best_seg
        out_t[i] = best_t
        out_chord[i] = best if best_seg >= 0 else np.inf
