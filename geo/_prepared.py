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

    def intersecting(self, tree: shapely.STRtree) -> np.ndarray:
        """Positions of the geometries of ``tree`` that intersect the polygonal part (ints).

        The query uses the prepared polygons, so it holds the same lock as :meth:`inside`.
        """
        if self.polygons is None:
            return np.zeros(0, dtype=np.int64)
        with self._geos_lock:
            return tree.query(self.polygons, predicate="intersects")

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
                out[piece_inside] = -self.boundary.nearest_piece(piece[piece_inside])[0]

        in_pieces(len(lonlat), measure)
        return result

    def nearest(self, lonlat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance in metres to the boundary (not 0 inside polygons), and the nearest point.

        Returns arrays of shape (n,) (metres) and (n, 2) (lon, lat degrees).
        """
        return self.boundary.nearest(lonlat)
