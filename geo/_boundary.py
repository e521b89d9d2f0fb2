"""The densified boundary of a geometry, and the exact nearest point on it.

A geometry's linework (polygon rings, lines, points) is densified in lon/lat,
because an edge means what GeoJSON and shapely say: straight in lon/lat. The
short segments between its vertices go into a tree in Earth-centred (ECEF)
metres. A query then:

1. finds the nearest short segment in ECEF with a bounding-sphere tree over the
   segments (chord distance never exceeds geodesic distance, so the search
   bounds are rigorous), and maps its nearest point back to the segment's
   lon/lat parameter;
2. measures the exact WGS84 geodesic distance to that foot (pyproj, Karney), and
   where the geodesic does not meet the boundary at a right angle, steps the foot
   along the boundary (a Newton step, under a quarter of the circumference) and
   then walks it to a true local minimum (:mod:`geo._walk`);
3. within 800 km, measures every other stretch of boundary that could still be
   nearer: no geodesic shorter than the distance ``g`` found has a chord longer than
   :func:`geo._geodesic_bound.chord_reach` ``(g)``, so a second chord search for
   segments within that chord, off the stretch already walked, finds them
   (:meth:`Boundary._rivals`); beyond 800 km, where chord order and geodesic order
   part, proves the foot nearest (:meth:`Boundary._certify`): the foot's distance
   and azimuth bound the distance to every node of the tree from below
   (:func:`geo._geodesic_bound.tangent_floor`), and what they leave open, the walked
   stretch included, is searched by branch and bound on geodesic distances.

On timezone polygons the chord search alone had picked the wrong stretch below
15,000 km (on 40,000 points over the globe each: Tokyo 319 m too far at 10,564 km,
Sao Paulo 217 m at 13,835 km, Moscow 2,362 m at 12,806 km).

Far points came out up to 1.5 m too far at 8,000-19,000 km, and tens of km near the
antipode, for two reasons: the Newton step's along-track formula holds only while the
distance along a straight stretch is convex (beyond 10,000 km it pointed to the far
side of the great circle, the step was refused and the foot stayed on a slope), and
chord order near the antipode is not geodesic order.

Large batches are cut into pieces measured on every core at once: the tree
search and pyproj's geodesics both release the GIL.

Every distance returned is the exact geodesic distance to a real point of the
boundary, so errors can only overestimate.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

import numpy as np
import shapely

from geo._geodesic_bound import (
    CHORD_SLACK_M,
    chord_reach,
    ecef,
    nearest_by_geodesic,
    node_boxes,
    node_reach,
    open_rivals,
)
from geo._segment_tree import SegmentTree
from geo._walk import slopes, walk
from geo.errors import InputError
from geo.units import WGS84

__all__ = [
    "Boundary",
    "THREADS_ENV",
    "ecef",
    "edge_length_bound",
    "edge_points",
    "in_pieces",
    "threads",
]

_A = WGS84.a
_E2 = WGS84.es
#: Mean Earth radius (m), for spherical estimates that only steer the search.
_R = 6_371_008.8
#: Longest densified segment (m). Short segments make the ECEF chord a faithful
#: stand-in for the lon/lat edge, and keep the candidate search tight.
_MAX_SEGMENT_M = 2_000.0
#: Largest gap (m) between a lon/lat-straight edge and its chord that we accept;
#: near the poles, lon/lat-straight edges curve more and get more vertices.
_MAX_SAGITTA_M = 0.05
#: Chord distance (m) beyond which the far-field check runs.
_FAR_M = 800_000.0
#: Rival stretches measured per point before the search on geodesic distances takes over.
_ROUNDS = 2
#: Points per batch, so that memory stays bounded for millions of points.
_CHUNK = 65_536
#: Below this many points a batch is measured on one thread (threads would cost more).
_MIN_PARALLEL = 20_000
#: Sets the threads for large batches; unset, there is one per core.
THREADS_ENV = "RISKMAP_THREADS"


def threads() -> int:
    """Threads for a large batch: ``RISKMAP_THREADS`` if set, otherwise one per core.

    Set it to 1 where the caller already runs one process or thread per core (a
    multiprocessing pool, a Dask worker with several threads) so that cores are not
    shared twice over.
    """
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return os.cpu_count() or 1
    if not raw.isdigit() or int(raw) < 1:
        raise InputError(
            f"{THREADS_ENV}={raw!r} is not a number of threads; set it to a whole number "
            "of at least 1 (1 keeps every computation on the calling thread), or unset it "
            "for one thread per core"
        )
    return int(raw)


def in_pieces(n: int, measure: Callable[[int, int], None]) -> None:
    """Call ``measure(lo, hi)`` on consecutive pieces of ``range(n)``, on :func:`threads` threads.

    A piece holds at most ``_CHUNK`` points, so that memory follows the piece, not ``n``;
    batches under ``_MIN_PARALLEL`` points stay on the calling thread.
    """
    workers = threads()  # read (and checked) on every call, whatever the batch's size
    if n < _MIN_PARALLEL:
        workers = 1
    pieces = workers * -(-n // (_CHUNK * workers)) or 1  # a whole number of rounds
    edges = np.linspace(0, n, pieces + 1).astype(int)
    if workers == 1:
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            measure(lo, hi)
        return
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(measure, edges[:-1], edges[1:]))


def _linework(geometry: shapely.Geometry) -> list[np.ndarray]:
    """Coordinate arrays of every ring, line and point of ``geometry`` (lon, lat)."""
    parts = []
    for part in shapely.get_parts(geometry):
        type_id = shapely.get_type_id(part)
        if type_id == 3:  # Polygon
            for ring in [part.exterior, *part.interiors]:
                parts.append(shapely.get_coordinates(ring))
        elif type_id == 7:  # nested collection
            parts.extend(_linework(part))
        else:
            parts.append(shapely.get_coordinates(part))
    # Repeated vertices make zero-length segments, which a walk along the boundary cannot cross.
    parts = [p[np.r_[True, (np.diff(p, axis=0) != 0).any(axis=1)]] for p in parts if len(p)]
    return parts


def edge_length_bound(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimate from above the length (m) of lon/lat-straight edges from ``a`` to ``b``.

    Taken along the edge as drawn in lon/lat, not the short way round: an edge
    from 170° to -170° runs 340° west, through 0°.
    """
    chord = np.linalg.norm(ecef(b[:, 0], b[:, 1]) - ecef(a[:, 0], a[:, 1]), axis=1)
    cos_max = np.maximum(np.cos(np.radians(a[:, 1])), np.cos(np.radians(b[:, 1])))
    along = np.hypot(
        np.radians(b[:, 0] - a[:, 0]) * cos_max * _A, np.radians(b[:, 1] - a[:, 1]) * _A
    )
    return np.maximum(chord, along)


def _densify(coords: np.ndarray) -> np.ndarray:
    """Add vertices along each lon/lat-straight edge so that no piece is long."""
    if len(coords) < 2:
        return coords
    a, b = coords[:-1], coords[1:]
    length = edge_length_bound(a, b)
    # A lon/lat-straight edge bows away from the geodesic by about s^2 tan(lat) / 8R.
    tan_lat = np.tan(np.radians(np.minimum(np.maximum(np.abs(a[:, 1]), np.abs(b[:, 1])), 89.999)))
    spacing = np.minimum(
        _MAX_SEGMENT_M, np.sqrt(8 * _R * _MAX_SAGITTA_M / np.maximum(tan_lat, 1e-9))
    )
    pieces = np.maximum(1, np.ceil(length / spacing)).astype(np.int64)
    return np.vstack([edge_points(a, b, pieces)[0], coords[-1:]])


def edge_points(
    a: np.ndarray, b: np.ndarray, pieces: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut each lon/lat-straight edge from ``a`` to ``b`` into ``pieces`` equal parts.

    Returns the points that start the parts (each edge's start included, its end not),
    the edge of each point and its place along it (0 at the start).
    """
    seg = np.repeat(np.arange(len(a)), pieces)
    step = np.arange(len(seg)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    t = step / pieces[seg]
    return a[seg] + (b[seg] - a[seg]) * t[:, None], seg, step


class Boundary:
    """Densified linework of a lon/lat geometry, indexed for nearest-point queries.

    Parameters
    ----------
    geometry : shapely.Geometry
        A valid, non-empty geometry in lon/lat degrees.
    """

    def __init__(self, geometry: shapely.Geometry) -> None:
        parts = [_densify(p) for p in _linework(geometry)]
        lonlat = np.vstack(parts)
        part_id = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
        self.lonlat = np.ascontiguousarray(lonlat)
        self.xyz = ecef(lonlat[:, 0], lonlat[:, 1])
        # Segment j joins vertex j and j + 1 when both belong to the same part.
        self.has_next = np.zeros(len(lonlat), dtype=bool)
        self.has_next[:-1] = part_id[:-1] == part_id[1:]
        seg_vec = np.zeros_like(self.xyz)
        seg_vec[:-1] = self.xyz[1:] - self.xyz[:-1]
        seg_vec[~self.has_next] = 0.0
        self.tree = SegmentTree(self.xyz, seg_vec)
        self.seg_len2 = self.tree.seg_len2
        seg_len = np.sqrt(self.seg_len2)
        self.half_max = float(seg_len.max(initial=0.0)) / 2.0
        # Position of every vertex along its part (m), for stepping the foot along the boundary.
        starts = np.r_[0, np.flatnonzero(~self.has_next[:-1]) + 1]
        cum = np.cumsum(np.r_[0.0, seg_len[:-1]])
        self.pos = cum
        self.part_start = np.repeat(starts, np.diff(np.r_[starts, len(lonlat)]))
        self.part_end = np.repeat(
            np.r_[starts[1:] - 1, len(lonlat) - 1], np.diff(np.r_[starts, len(lonlat)])
        )
        # Each segment's steps in lon/lat (degrees), for its direction at any latitude.
        self.dlon = np.zeros(len(lonlat))
        self.dlat = np.zeros(len(lonlat))
        j = np.flatnonzero(self.has_next)
        self.dlon[j] = lonlat[j + 1, 0] - lonlat[j, 0]
        self.dlat[j] = lonlat[j + 1, 1] - lonlat[j, 1]
        # The segment leaving each vertex and the one arriving at it (-1: none); a closed ring's
        # last vertex is its first, so a walk along the ring goes on across its closing vertex.
        self.n = len(lonlat)
        v = np.arange(self.n)
        self.next_seg = np.where(self.has_next, v, -1)
        self.prev_seg = np.where(v > self.part_start, v - 1, -1)
        closed = (self.part_end > self.part_start) & (
            lonlat[self.part_start] == lonlat[self.part_end]
        ).all(axis=1)
        last = closed & (v == self.part_end)
        self.next_seg[last] = self.part_start[last]
        first = closed & (v == self.part_start)
        self.prev_seg[first] = self.part_end[first] - 1
        self.node_rep, self.node_reach = node_reach(self)

    @cached_property
    def node_box(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each tree node's oriented box, built when a far search first needs it."""
        # 0.08 s for North Korea with its sea, 7x the rest of the index: a buffer or a
        # search that stays near the boundary never needs it.
        return node_boxes(self)

    # -- the search -------------------------------------------------------------------------

    def nearest(
        self, lonlat: np.ndarray, *, max_distance: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact geodesic distance (m) from each point to the boundary, and the nearest point.

        Parameters
        ----------
        lonlat : ndarray of shape (n, 2)
            Points in lon/lat degrees, already checked.
        max_distance : float, optional
            Points farther than this many metres come back as ``inf`` with a NaN foot,
            found cheaply.

        Returns
        -------
        distance : ndarray of shape (n,)
            Metres.
        foot : ndarray of shape (n, 2)
            The nearest boundary point (lon, lat) of each point.
        """
        distance = np.full(len(lonlat), np.inf)
        foot = np.full((len(lonlat), 2), np.nan)

        def measure(lo: int, hi: int) -> None:
            distance[lo:hi], foot[lo:hi] = self.nearest_piece(lonlat[lo:hi], max_distance)

        in_pieces(len(lonlat), measure)
        return distance, foot

    def nearest_piece(
        self, lonlat: np.ndarray, max_distance: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`nearest` on the calling thread, for a piece of at most ``_CHUNK`` points."""
        n = len(lonlat)
        q = ecef(lonlat[:, 0], lonlat[:, 1])
        # A point within max_distance of the boundary is within that chord distance of it, and
        # the densified segments stray from the boundary by under a metre: farther ones are culled.
        bound = np.inf if max_distance is None else max_distance + 1.0
        seg, t, chord = self.tree.nearest(q, bound)
        found = np.isfinite(chord)
        distance = np.full(n, np.inf)
        foot = np.full((n, 2), np.nan)
        idx = np.flatnonzero(found)
        if len(idx):
            first = seg[idx]
            distance[idx], foot[idx], az, seg[idx], t[idx] = self._refine(
                lonlat[idx], seg[idx], t[idx]
            )
            far = chord[idx] > _FAR_M
            starts = np.column_stack([first, seg[idx]])[~far]
            self._rivals(lonlat, q, idx[~far], starts, distance, foot)
            self._certify(lonlat, q, idx[far], distance, foot, az[far], seg)
        if max_distance is not None:
            far = distance > max_distance
            distance[far] = np.inf
            foot[far] = np.nan
        return distance, foot

    def point_at(self, seg: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Return the boundary point (lon, lat) at parameter ``t`` of each segment ``seg``."""
        a = self.lonlat[seg]
        b = self.lonlat[np.where(self.has_next[seg], seg + 1, seg)]
        return a + (b - a) * t[:, None]

    def _rivals(self, lonlat, q, idx, starts, distance, foot) -> None:
        """Measure, for each point of ``idx``, every other stretch of boundary that could be nearer.

        A boundary point nearer than the distance ``g`` found lies within the chord
        :func:`geo._geodesic_bound.chord_reach` ``(g)`` of the point. The stretch through the
        foot found (a run of segments joined to it, as far as they stay within that chord) has
        been walked to its minimum; any other segment within the chord is a rival, and the
        nearest rival is measured (and walked) in turn, its stretch left out of the next search,
        until none is left, for at most ``_ROUNDS`` rivals (on 40,000 points over the globe
        around large timezone polygons, none needed more to agree with the search on geodesic
        distances).
        """
        active = np.arange(len(idx))
        for _ in range(_ROUNDS):
            p = idx[active]
            bound = chord_reach(distance[p]) + CHORD_SLACK_M
            s2, t2, _ = self.tree.nearest_apart(
                q[p], bound, starts[active], self.next_seg, self.prev_seg
            )
            has = s2 >= 0
            active, p, s2, t2 = active[has], p[has], s2[has], t2[has]
            if not len(active):
                return
            d2, f2, _, s3, _ = self._refine(lonlat[p], s2, t2)
            better = d2 < distance[p]
            distance[p[better]] = d2[better]
            foot[p[better]] = f2[better]
            grown = np.full((len(starts), starts.shape[1] + 2), -1, dtype=np.int64)
            grown[:, : starts.shape[1]] = starts
            grown[active, -2], grown[active, -1] = s2, s3
            starts = grown

    def _certify(self, lonlat, q, far, distance, foot, az, seg) -> None:
        """Prove each foot of ``far`` nearest, or find a nearer one (:mod:`geo._geodesic_bound`).

        A branch and bound on geodesic distances, anchored first at the foot found (its
        distance and the geodesic's azimuth there): only nodes that its tangent bound, the
        chord bound and the triangle inequality leave open are measured, so that another
        stretch, or another minimum on the stretch already walked, is found wherever it is.
        """
        if not len(far):
            return
        # Most feet are proved nearest by bounds alone, compiled, with nothing measured.
        rival = open_rivals(self, q[far], foot[far], az, distance[far], seg[far])
        far, az = far[rival], az[rival]
        if not len(far):
            return
        found, seg, t, f, az, d = nearest_by_geodesic(
            self, lonlat[far], q[far], distance[far], foot[far], az
        )
        p = far[found]
        if not len(p):
            return
        seg, t, f, az, d = seg[found], t[found], f[found].copy(), az[found], d[found]
        walk(self, lonlat[p], seg, t, f, az, d)
        better = d < distance[p]
        distance[p[better]] = d[better]
        foot[p[better]] = f[better]

    def _refine(self, lonlat: np.ndarray, seg: np.ndarray, t: np.ndarray):
        """Exact distance to the chord foot, Newton steps along the boundary, then a walk.

        The Newton step models the boundary near the foot as a great circle: the spherical
        along-track offset ``atan2(sin d cos a, cos d)`` says how far to move. It only holds
        while the distance along a straight stretch is convex, i.e. under a quarter of the
        Earth's circumference (``cos d > 0``); beyond, it points to the far side of the great
        circle, so it is not taken there and the walk (:func:`geo._walk.walk`) finds the corner
        the nearest point sits at.
        """
        seg, t = seg.copy(), t.copy()
        foot = self.point_at(seg, t)
        az, _, dist = WGS84.inv(foot[:, 0], foot[:, 1], lonlat[:, 0], lonlat[:, 1])
        active = np.flatnonzero(np.cos(dist / _R) > 0.1)
        for _ in range(4):
            g_f, g_b, _, _ = slopes(self, seg[active], t[active], foot[active, 1], az[active])
            # > 0: forward is downhill, < 0: back is, 0: neither (a corner both ways uphill,
            # 94 % of the feet 200-1,000 km out, which a step would only measure to refuse).
            cos_a = np.where(g_f <= g_b, np.maximum(-g_f, 0.0), np.minimum(g_b, 0.0))
            cos_a = np.where(np.isfinite(cos_a), np.clip(cos_a, -1.0, 1.0), 0.0)
            gain = dist[active] * (1.0 - np.sqrt(np.maximum(0.0, 1.0 - cos_a * cos_a)))
            keep = gain > 1e-4
            active, cos_a = active[keep], cos_a[keep]
            if not len(active):
                break
            delta = dist[active] / _R
            along = np.arctan2(np.sin(delta) * cos_a, np.cos(delta)) * _R
            new_seg, new_t = self._step(seg[active], t[active], along)
            new_foot = self.point_at(new_seg, new_t)
            az2, _, d2 = WGS84.inv(
                new_foot[:, 0], new_foot[:, 1], lonlat[active, 0], lonlat[active, 1]
            )
            better = d2 < dist[active]
            active, new_seg, new_t, new_foot, az2, d2 = (
                x[better] for x in (active, new_seg, new_t, new_foot, az2, d2)
            )
            seg[active], t[active], foot[active], az[active], dist[active] = (
                new_seg,
                new_t,
                new_foot,
                az2,
                d2,
            )
        walk(self, lonlat, seg, t, foot, az, dist)
        return dist, foot, az, seg, t

    def _step(self, seg: np.ndarray, t: np.ndarray, along: np.ndarray):
        """Move a foot ``along`` metres along its part (clamped to the part's ends)."""
        here = self.pos[seg] + t * np.sqrt(self.seg_len2[seg])
        lo = self.pos[self.part_start[seg]]
        hi = self.pos[self.part_end[seg]]
        target = np.clip(here + along, lo, hi)
        new_seg = np.searchsorted(self.pos, target, side="right") - 1
        new_seg = np.clip(
            new_seg, self.part_start[seg], np.maximum(self.part_end[seg] - 1, self.part_start[seg])
        )
        length = np.sqrt(self.seg_len2[new_seg])
        with np.errstate(invalid="ignore", divide="ignore"):
            new_t = np.where(length > 0, (target - self.pos[new_seg]) / length, 0.0)
        return new_seg, np.clip(new_t, 0.0, 1.0)
