"""A set of points prepared for repeated "which are within R of this geometry?" queries."""

from __future__ import annotations

from typing import Any

import numpy as np

from geo._boundary import Boundary, ecef
from geo._prepared import Prepared
from geo.measurement import DistanceIndex
from geo.units import WGS84, check_distance
from geo.validation import as_geometry, as_points

__all__ = ["PointIndex"]


class PointIndex:
    """Points (e.g. settlements) indexed once, then queried by geometry and radius.

    A query costs a few spatial-index look-ups and exact geodesic distances for the
    points near the geometry only, whatever the number of points indexed.

    Parameters
    ----------
    points : array_like of shape (n, 2), or GeoSeries/GeoDataFrame of points
        Points in lon/lat degrees (or with a CRS).

    Examples
    --------
    >>> from shapely import box
    >>> index = PointIndex([(0.5, 0.5), (1.5, 0.5), (3.0, 0.5)])
    >>> positions, metres = index.within(box(0, 0, 1, 1), "100km")
    >>> positions.tolist(), [f"{m:.0f}" for m in metres]
    ([0, 1], ['0', '55658'])
    """

    def __init__(self, points: Any) -> None:
        # scipy.spatial takes 0.3-0.5 s to import (python -X importtime), a third of `import geo`
        from scipy.spatial import cKDTree

        self.lonlat, _ = as_points(points)
        self.n = len(self.lonlat)
        # Only the k-d tree of unit positions: the inside test reads the coordinates
        # (no GEOS point per place, which cost 40-70 MB and 0.3 s for the settlements).
        self._tree = cKDTree(ecef(self.lonlat[:, 0], self.lonlat[:, 1]))

    def __repr__(self) -> str:
        return f"<PointIndex of {self.n} points>"

    def within(self, geometry: Any, distance: float | str) -> tuple[np.ndarray, np.ndarray]:
        """Points within ``distance`` metres of a geometry, with their exact distances.

        Parameters
        ----------
        geometry : shapely geometry, GeoSeries/GeoDataFrame, or DistanceIndex
            The geometry, in lon/lat degrees (or with a CRS); pass a
            :class:`~geo.DistanceIndex` to reuse a prepared one.
        distance : float or str
            The radius in metres (a Python or numpy real number), or a string such as
            ``"200km"``.

        Returns
        -------
        positions : ndarray of int
            Positions (0-based, ascending) of the points within the radius.
        distance_m : ndarray of float
            Their geodesic distances in metres (0 inside polygons), the same values
            :func:`geo.distance_to` gives.

        Examples
        --------
        >>> from shapely import LineString
        >>> index = PointIndex([(0.0, 0.0), (0.0, 0.5), (0.0, 2.0)])
        >>> positions, metres = index.within(LineString([(1, -1), (1, 1)]), "120km")
        >>> positions.tolist(), [f"{m / 1000:.1f} km" for m in metres]
        ([0, 1], ['111.3 km', '111.3 km'])
        """
        if isinstance(geometry, DistanceIndex):
            source = geometry.prepared
        else:
            source = Prepared(as_geometry(geometry))
        radius = check_distance(distance, name="distance")
        candidates = self._near_boundary(source.boundary, radius)
        inside = np.flatnonzero(source.inside(self.lonlat))
        positions = np.union1d(candidates, inside)
        metres = source.distances(self.lonlat[positions], max_distance=radius)
        keep = metres <= radius
        return positions[keep], metres[keep]

    def around(self, centres: Any, distances: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Points within each centre's own distance, with their exact distances, in one batch.

        One ball query of the index for all centres (a chord is never longer than the
        geodesic, so the ball holds every point within reach), then one vectorised
        ``Geod.inv`` on the candidate pairs.

        Parameters
        ----------
        centres : array_like of shape (m, 2), or GeoSeries/GeoDataFrame of points
            The centres, in lon/lat degrees (or with a CRS).
        distances : float, str or array_like of m of them
            Each centre's radius in metres (or strings such as ``"30km"``); one value
            applies to every centre.

        Returns
        -------
        centre : ndarray of int
            Position of the centre of each pair.
        position : ndarray of int
            Position of the indexed point of each pair (ascending within a centre).
        distance_m : ndarray of float
            The pair's geodesic distance in metres (``Geod.inv``), at most the centre's radius.

        Examples
        --------
        >>> index = PointIndex([(0.0, 0.0), (0.0, 0.5), (0.0, 2.0)])
        >>> centre, position, metres = index.around([(0.0, 0.0), (0.0, 2.1)], ["60km", "20km"])
        >>> centre.tolist(), position.tolist(), [f"{m / 1000:.1f}" for m in metres]
        ([0, 0, 1], [0, 1, 2], ['0.0', '55.3', '11.1'])
        """
        xy, _ = as_points(centres, what="centres")
        values = np.atleast_1d(np.asarray(distances, dtype=object))
        if len(values) == 1:
            values = np.repeat(values, len(xy))
        if len(values) != len(xy):
            raise ValueError(
                f"distances holds {len(values)} values for {len(xy)} centres; give one "
                "distance, or one per centre"
            )
        radii = np.array([check_distance(v, name="distance") for v in values], dtype=float)
        if not len(xy) or not self.n:
            return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, float))
        hits = self._tree.query_ball_point(ecef(xy[:, 0], xy[:, 1]), radii + 1.0)
        counts = np.array([len(h) for h in hits], dtype=np.int64)
        centre = np.repeat(np.arange(len(xy), dtype=np.int64), counts)
        position = np.concatenate([np.sort(np.asarray(h, dtype=np.int64)) for h in hits])
        if not len(position):
            return centre, position, np.zeros(0, float)
        metres = WGS84.inv(
            xy[centre, 0], xy[centre, 1], self.lonlat[position, 0], self.lonlat[position, 1]
        )[2]
        keep = metres <= radii[centre]
        return centre[keep], position[keep], np.asarray(metres, dtype=float)[keep]

    def _near_boundary(self, boundary: Boundary, radius: float) -> np.ndarray:
        """Positions of every point that may lie within ``radius`` of the boundary (a superset)."""
        # Keep boundary vertices no more than `step` apart along each part: every boundary point
        # is then within step/2 (chord) of a kept one, and a point within `radius` of the
        # boundary is within radius + step/2 + half a segment (chord) of a kept vertex.
        step = max(radius / 4.0, 1_000.0)
        along = boundary.pos - boundary.pos[boundary.part_start]
        bucket = np.floor(along / step).astype(np.int64)
        first = np.r_[
            True,
            (bucket[1:] != bucket[:-1]) | (boundary.part_start[1:] != boundary.part_start[:-1]),
        ]
        last = np.r_[first[1:], True]
        centres = boundary.xyz[first | last]
        reach = radius + step / 2.0 + boundary.half_max + 1.0
        hits = self._tree.query_ball_point(centres, reach, return_sorted=False)
        if not len(hits):
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate([np.asarray(h, dtype=np.int64) for h in hits]))
