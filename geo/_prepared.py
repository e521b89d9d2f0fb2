"""A checked geometry prepared for queries on plain lon/lat arrays: geo's internal layer.

The public functions of :mod:`geo` check what they are given once, at the door
(:mod:`geo.validation`). Past it they work through :class:`Prepared`, whose methods
take (n, 2) float64 arrays of lon/lat degrees that are already checked, and check
nothing again: a buffer asks for thousands of nearest points in dozens of batches.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import shapely

from geo._boundary import Boundary, in_pieces
from geo.antimeridian import polygons_only

__all__ = ["Prepared"]


class Prepared:
    """A checked lon/lat geometry, its densified boundary and its prepared polygonal part.

    Parameters
    ----------
    geometry : shapely.Geometry
        A valid, non-empty geometry in lon/lat degrees, as
        :func:`geo.validation.as_geometry` returns it.

    Attributes
    ----------
    geometry : shapely.Geometry
        The geometry given.
    boundary : Boundary
        Its densified linework (polygon rings, lines, points), indexed for nearest points.
    polygons : Polygon, MultiPolygon or None
        Its polygonal part (see :func:`geo.antimeridian.polygons_only`), prepared for the
        inside test; None when it has none.
    """

    def __init__(self, geometry: shapely.Geometry) -> None:
        # GEOS builds parts of a prepared geometry's index lazily, on the first queries that need
        # them, and two threads doing that at once corrupt the heap (libgeos/geos#825: the process
        # aborts with "unaligned tcache chunk detected", or hangs). Every GEOS query on the
        # prepared polygons therefore holds this lock, so that an index is safe to share.
        self._geos_lock = threading.Lock()
        self.geometry = geometry
        self.boundary = Boundary(geometry)
        # The boundary that depths are measured to: built on the first signed query, and only
        # when the polygons have edges along ±180 or ±90 (otherwise it is ``boundary`` itself).
        self._coast: Boundary | None = None
        self._coast_built = False
        self._coast_lock = threading.Lock()
        polygons = polygons_only(geometry)
        self.polygons = None if polygons.is_empty else polygons
        if self.polygons is not None:
            shapely.prepare(self.polygons)
            self.inside(np.array([self.polygons.centroid.coords[0]]))  # build the index now

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle the geometry alone (Dask ships it to its workers) and rebuild the rest: the
        # densified boundary and its segment tree pickle ~100x larger than the geometry's WKB,
        # and a prepared geometry loses its preparation in a pickle.
        return (Prepared, (self.geometry,))

    def inside(self, lonlat: np.ndarray) -> np.ndarray:
        """Whether each (lon, lat) point lies inside (or on) the polygonal part (bool array).

        Safe from many threads at once: the GEOS query holds the index's lock.
        """
        inside = np.zeros(len(lonlat), dtype=bool)
        if self.polygons is None:
            return inside
        # GEOS makes a point for each coordinate it tests: first drop those outside the box.
        west, south, east, north = self.polygons.bounds
        x, y = lonlat[:, 0], lonlat[:, 1]
        near = np.flatnonzero((x >= west) & (x <= east) & (y >= south) & (y <= north))
        with self._geos_lock:
            inside[near] = shapely.intersects_xy(self.polygons, x[near], y[near])
        return inside

    def distances(
        self, lonlat: np.ndarray, *, max_distance: float | None = None, signed: bool = False
    ) -> np.ndarray:
        """Exact geodesic distance in metres from each point to the geometry, shape (n,).

        ``max_distance`` (metres, checked) turns farther points into ``inf``; ``signed`` gives
        points inside a polygon minus their distance to its boundary instead of 0.
        """
        # One inside test for the whole batch, on this thread (GEOS queries hold the lock).
        inside = self.inside(lonlat)
        result = np.zeros(len(lonlat))

        def measure(lo: int, hi: int) -> None:
            piece, piece_inside = lonlat[lo:hi], inside[lo:hi]
            out = result[lo:hi]
            away = ~piece_inside
            out[away] = self.boundary.nearest_piece(piece[away], max_distance)[0]
            if signed and piece_inside.any():
                out[piece_inside] = -self._depth(piece[piece_inside])

        in_pieces(len(lonlat), measure)
        return result

    def coast(self) -> Boundary | None:
        """Return the boundary without cut and pole edges (see the module's docstring).

        ``boundary`` itself when the polygons have no such edge, None when they have nothing
        else (the whole globe). Built once, on first use; safe from many threads.
        """
        with self._coast_lock:
            if not self._coast_built:
                real = real_edges(self.geometry)
                if real is None:
                    self._coast = self.boundary
                elif not real.is_empty:
                    self._coast = Boundary(real)
                self._coast_built = True
            return self._coast

    def _depth(self, lonlat: np.ndarray) -> np.ndarray:
        """Geodesic distance (m) from points inside the polygons to their real edges."""
        coast = self.coast()
        if coast is None:  # a polygon that covers the globe has no edge at any distance
            return np.full(len(lonlat), np.inf)
        return coast.nearest_piece(lonlat)[0]

    def nearest(self, lonlat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance in metres to the boundary (not 0 inside polygons), and the nearest point.

        Returns arrays of shape (n,) (metres) and (n, 2) (lon, lat degrees).
        """
        return self.boundary.nearest(lonlat)


def real_edges(geometry: shapely.Geometry) -> shapely.GeometryCollection | None:
    """Return the linework of ``geometry`` without its polygons' edges that are no coastline.

    Dropped are the stretches of edges along lon = ±180 that the polygons also touch from the
    other side of the antimeridian (there the area goes on), and edges along lat = ±90 (the
    pole, one point). Lines and points stay as they are.

    Returns
    -------
    GeometryCollection or None
        The real edges as a flat collection of lines and points (rings that lose no edge stay
        closed; empty when nothing is left), or None when no edge is dropped.
    """
    polygons = polygons_only(geometry)
    if polygons.is_empty:
        return None
    west, south, east, north = polygons.bounds
    if -180.0 < west and east < 180.0 and -90.0 < south and north < 90.0:
        return None  # nothing reaches the cut or a pole: nothing to drop
    rings = [
        shapely.get_coordinates(ring)
        for part in shapely.get_parts(polygons)
        for ring in [part.exterior, *part.interiors]
    ]
    # The latitude stretches along which the polygons run on each side of the cut.
    along = {side: _merged(_cut_stretches(rings, side)) for side in (180.0, -180.0)}
    lines: list[shapely.Geometry] = []
    dropped = False
    for xy in rings:
        pieces, ring_dropped = _kept_pieces(xy, along)
        dropped |= ring_dropped
        lines.extend(shapely.linestrings(p) for p in pieces)
    if not dropped:
        return None
    others = [p for p in _flat(geometry) if shapely.get_type_id(p) != 3 and not shapely.is_empty(p)]
    return shapely.GeometryCollection(lines + others)


def _flat(geometry: shapely.Geometry) -> list[shapely.Geometry]:
    """Return the single parts (points, lines, polygons) of a geometry, collections opened."""
    parts = shapely.get_parts(geometry)
    while (shapely.get_type_id(parts) >= 4).any():
        parts = shapely.get_parts(parts)
    return list(parts)


def _cut_stretches(rings: list[np.ndarray], side: float) -> list[tuple[float, float]]:
    """(south, north) of every ring edge that runs along the meridian ``side`` (±180)."""
    out: list[tuple[float, float]] = []
    for xy in rings:
        a, b = xy[:-1], xy[1:]
        on = (a[:, 0] == side) & (b[:, 0] == side) & (a[:, 1] != b[:, 1])
        lo, hi = np.minimum(a[on, 1], b[on, 1]), np.maximum(a[on, 1], b[on, 1])
        out.extend(zip(lo.tolist(), hi.tolist(), strict=True))
    return out


def _merged(stretches: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Return the union of latitude stretches, as sorted disjoint (south, north) pairs."""
    out: list[tuple[float, float]] = []
    for lo, hi in sorted(stretches):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _kept_pieces(
    xy: np.ndarray, along: dict[float, list[tuple[float, float]]]
) -> tuple[list[np.ndarray], bool]:
    """Return the runs of a closed ring that are real edges, and whether any edge was dropped."""
    if not ((np.abs(xy[:, 0]) == 180.0).any() or (np.abs(xy[:, 1]) == 90.0).any()):
        return [xy], False  # most rings: nothing on the cut or a pole
    segments: list[tuple[tuple[float, float], tuple[float, float]]] = []
    dropped = False
    for (x0, y0), (x1, y1) in zip(xy[:-1].tolist(), xy[1:].tolist(), strict=True):
        if abs(y0) == 90.0 and y1 == y0:  # along a pole
            dropped = True
            continue
        if abs(x0) == 180.0 and x1 == x0 and y1 != y0:
            kept = _outside(y0, y1, along[-x0])
            dropped |= kept != [(y0, y1)]
            segments.extend(((x0, a), (x0, b)) for a, b in kept)
            continue
        segments.append(((x0, y0), (x1, y1)))
    if not dropped:
        return [xy], False
    runs: list[list[tuple[float, float]]] = []
    for start, end in segments:
        if runs and runs[-1][-1] == start:
            runs[-1].append(end)
        else:
            runs.append([start, end])
    if len(runs) > 1 and runs[-1][-1] == runs[0][0]:  # the ring's start is not a break
        runs[0] = runs.pop()[:-1] + runs[0]
    return [np.array(run) for run in runs], True


def _outside(
    y0: float, y1: float, stretches: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Return the parts of the edge from latitude y0 to y1 outside ``stretches``, in order."""
    lo, hi = min(y0, y1), max(y0, y1)
    kept, at = [], lo
    for s, n in stretches:
        if n <= at or s >= hi:
            continue
        if s > at:
            kept.append((at, s))
        at = max(at, n)
    if at < hi:
        kept.append((at, hi))
    return kept if y0 < y1 else [(b, a) for a, b in reversed(kept)]
