"""Geodesic distances on the WGS84 ellipsoid: between points, and from points to geometries."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from geo._prepared import Prepared
from geo.antimeridian import split_line
from geo.errors import InputError
from geo.units import WGS84, check_distance, parse_distance
from geo.validation import as_geometry, as_points, is_dask_collection

__all__ = ["distance", "distance_to", "DistanceIndex", "geodesic_line", "radials"]


def distance(a: Any, b: Any) -> float | np.ndarray:
    """Geodesic distance in metres between points on the WGS84 ellipsoid.

    Parameters
    ----------
    a, b : (lon, lat) pair, shapely Point, array_like of shape (n, 2), or GeoSeries of points
        Points in degrees, longitude first. One point against many broadcasts.

    Returns
    -------
    float or ndarray
        Distance in metres (Karney's algorithm, pyproj ``Geod``): a float when both
        arguments are single points, otherwise an array of shape (n,).

    Raises
    ------
    InputError
        If a coordinate is NaN or out of range, or the two arrays have different lengths.

    Examples
    --------
    >>> vladivostok, pyongyang = (131.8735, 43.1056), (125.7543, 39.0339)
    >>> print(f"{distance(vladivostok, pyongyang) / 1000:.1f} km")
    684.5 km
    """
    xa, scalar_a = as_points(a, what="a")
    xb, scalar_b = as_points(b, what="b")
    if len(xa) != len(xb) and len(xa) != 1 and len(xb) != 1:
        raise InputError(
            f"a has {len(xa)} points and b has {len(xb)}; expected equal lengths, or one point "
            "against many"
        )
    xa, xb = np.broadcast_arrays(xa, xb)
    d = np.asarray(WGS84.inv(xa[:, 0], xa[:, 1], xb[:, 0], xb[:, 1])[2], dtype=float)
    return float(d[0]) if scalar_a and scalar_b else d


class DistanceIndex:
    """A geometry prepared for many exact distance queries.

    Building the index densifies the geometry's boundary (its edges are straight
    in lon/lat, as in GeoJSON and shapely) and puts it in a spatial index; each
    query then costs about one geodesic inverse per point.

    Parameters
    ----------
    geometry : shapely geometry, (lon, lat) pair, GeoSeries or GeoDataFrame
        The geometry to measure to, in lon/lat degrees (or with a CRS).

    Attributes
    ----------
    geometry : shapely.Geometry
        The checked geometry, in lon/lat degrees (repaired if it was invalid).

    Examples
    --------
    >>> from shapely import box
    >>> index = DistanceIndex(box(0, 0, 1, 1))
    >>> d = index.distance_to([(0.5, 0.5), (2.0, 0.5)])
    >>> print([f"{x:.1f}" for x in d])
    ['0.0', '111315.3']
    """

    def __init__(self, geometry: Any) -> None:
        self._prepared = Prepared(as_geometry(geometry))

    @property
    def geometry(self) -> shapely.Geometry:
        """The checked geometry, in lon/lat degrees."""
        return self._prepared.geometry

    @property
    def prepared(self) -> Prepared:
        """The geometry with its densified boundary and polygonal part, for geo's own use.

        Its methods take (n, 2) float64 lon/lat arrays that are already checked.
        """
        return self._prepared

    def __reduce__(self) -> tuple[Any, ...]:
        # Dask ships the index to its workers: the prepared geometry pickles as its geometry
        # alone and is rebuilt there (see Prepared.__reduce__).
        return (_from_prepared, (self._prepared,))

    def __repr__(self) -> str:
        return (
            f"<DistanceIndex {self.geometry.geom_type}, "
            f"{self._prepared.boundary.n} boundary vertices>"
        )

    def inside(self, points: Any) -> bool | np.ndarray:
        """Whether each point lies inside (or on) the polygonal part of the geometry.

        Parameters
        ----------
        points : (lon, lat) pair, Point, array_like (n, 2), or GeoSeries/GeoDataFrame of points
            The points, in degrees (or with a CRS).

        Returns
        -------
        bool or ndarray of bool
            A bool for one point, otherwise an array of shape (n,); always False
            where the geometry has no polygon.

        Examples
        --------
        >>> from shapely import box
        >>> DistanceIndex(box(0, 0, 1, 1)).inside([(0.5, 0.5), (1.0, 0.5), (2.0, 0.5)])
        array([ True,  True, False])
        """
        xy, scalar = as_points(points)
        inside = self._prepared.inside(xy)
        return bool(inside[0]) if scalar else inside

    def distance_to(
        self, points: Any, *, max_distance: float | str | None = None, signed: bool = False
    ) -> float | np.ndarray:
        """Exact geodesic distance in metres from each point to the geometry.

        Parameters
        ----------
        points : (lon, lat) pair, Point, array_like (n, 2), or GeoSeries/GeoDataFrame of points
            The points, in degrees (or with a CRS). A dask-geopandas GeoSeries/GeoDataFrame
            (with a CRS) is measured partition by partition on its Dask scheduler.
        max_distance : float or str, optional
            In metres (or a string such as ``"50km"``). Points farther than this come back
            as ``inf``; they are culled by the index, so a small ``max_distance`` makes the
            query much faster.
        signed : bool, default False
            If True, points inside a polygon get the negative distance to its
            boundary (their depth) instead of 0. Edges that are no coastline do not
            count for a depth: the stretches of lon = ±180 where the polygon goes on
            across the antimeridian, and edges along a pole (lat = ±90). A polygon with
            no other edge (the whole globe) gives ``-inf``.

        Returns
        -------
        float, ndarray or dask.dataframe.Series
            Distance in metres: a float for one point, otherwise an array of shape (n,);
            for Dask input, a lazy float64 Series ``"distance_m"`` (metres) with the
            input's index and partitions (bad coordinates raise when it is computed).
            Within 5,000 km the error is below 1 m (it is far smaller in practice);
            every value is the exact distance to a real point of the geometry.

        Examples
        --------
        >>> from shapely import box
        >>> index = DistanceIndex(box(0, 0, 1, 1))
        >>> print(f"{index.distance_to((0.5, 0.5), signed=True):.1f}")
        -55287.2
        >>> index.distance_to([(0.5, 0.5), (3.0, 0.5)], max_distance=100_000).tolist()
        [0.0, inf]
        """
        if is_dask_collection(points):
            # Only Dask input needs Dask and pandas: a lazy import keeps ``import geo`` light.
            from geo._dask import distance_to_partitions

            return distance_to_partitions(self, points, max_distance=max_distance, signed=signed)
        xy, scalar = as_points(points)
        if max_distance is not None:
            max_distance = check_distance(max_distance, name="max_distance")
        result = self._prepared.distances(xy, max_distance=max_distance, signed=signed)
        return float(result[0]) if scalar else result

    def nearest_points(self, points: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return the distance in metres to the boundary, and the nearest boundary point.

        Parameters
        ----------
        points : array_like of shape (n, 2), or anything :meth:`distance_to` accepts
            Points in lon/lat degrees.

        Returns
        -------
        distance : ndarray of shape (n,)
            Metres to the boundary (not 0 inside polygons).
        foot : ndarray of shape (n, 2)
            The nearest boundary point (lon, lat degrees) of each point.

        Examples
        --------
        >>> from shapely import box
        >>> metres, foot = DistanceIndex(box(0, 0, 1, 1)).nearest_points([(0.5, 0.2)])
        >>> print(f"{metres[0]:.1f}", foot.round(6).tolist())
        22114.9 [[0.5, 0.0]]
        """
        xy, _ = as_points(points)
        return self._prepared.nearest(xy)


def _from_prepared(prepared: Prepared) -> DistanceIndex:
    """Unpickle a :class:`DistanceIndex` around its (already checked and rebuilt) geometry."""
    index = DistanceIndex.__new__(DistanceIndex)
    index._prepared = prepared
    return index


def distance_to(
    points: Any, geometry: Any, *, max_distance: float | str | None = None, signed: bool = False
) -> float | np.ndarray:
    """Exact geodesic distance in metres from each point to the nearest point of a geometry.

    Parameters
    ----------
    points : (lon, lat) pair, Point, array_like of shape (n, 2), or GeoSeries/GeoDataFrame of points
        The points, in degrees, longitude first (or with a CRS, reprojected to EPSG:4326).
        A dask-geopandas GeoSeries/GeoDataFrame is measured partition by partition.
    geometry : shapely geometry, GeoSeries, GeoDataFrame or DistanceIndex
        Point, LineString, Polygon or Multi* in lon/lat degrees (or with a CRS).
        Edges are straight in lon/lat, as in GeoJSON and shapely. A
        :class:`DistanceIndex` is used as it is (its geometry prepared once).
    max_distance : float or str, optional
        In metres (or a string such as ``"50km"``). Points farther than this come back as
        ``inf``, cheaply.
    signed : bool, default False
        If True, points inside a polygon get minus their distance to its boundary, not
        counting its cuts along ±180 where it goes on across the antimeridian, nor edges
        along a pole (see :meth:`DistanceIndex.distance_to`).

    Returns
    -------
    float, ndarray or dask.dataframe.Series
        Distance in metres on the WGS84 ellipsoid (0 inside polygons unless ``signed``):
        a float for one point, an array otherwise, and for Dask input a lazy Series of
        metres aligned with the input's partitions. Error below 1 m within 5,000 km.

    See Also
    --------
    DistanceIndex : build once, query many times.

    Examples
    --------
    >>> from shapely import LineString
    >>> meridian = LineString([(0, -10), (0, 10)])
    >>> print(f"{distance_to((1, 0), meridian):.3f}")
    111319.491

    Inside the cap north of 80°N, the depth is the distance to the 80th parallel:

    >>> from shapely import box
    >>> print(f"{distance_to((0, 89.5), box(-180, 80, 180, 90), signed=True):.1f}")
    -1060978.9
    """
    index = geometry if isinstance(geometry, DistanceIndex) else DistanceIndex(geometry)
    return index.distance_to(points, max_distance=max_distance, signed=signed)


def geodesic_line(
    a: Any, b: Any, *, spacing: float | str = 10_000.0
) -> shapely.LineString | shapely.MultiLineString:
    """Return the geodesic between two points as a densified lon/lat line, for drawing.

    Parameters
    ----------
    a, b : (lon, lat) pair or shapely Point
        End points in degrees.
    spacing : float or str, default 10000
        Largest distance between vertices, in metres (or a string such as ``"5km"``).

    Returns
    -------
    LineString or MultiLineString
        Vertices on the WGS84 geodesic from ``a`` to ``b``; split into two lines
        where it crosses the antimeridian (RFC 7946).

    Examples
    --------
    >>> line = geodesic_line((170, 50), (-170, 50))
    >>> line.geom_type, len(line.geoms)
    ('MultiLineString', 2)
    """
    xa, _ = as_points(a, what="a")
    xb, _ = as_points(b, what="b")
    for name, xy in (("a", xa), ("b", xb)):
        if len(xy) != 1:
            raise InputError(
                f"{name} holds {len(xy)} points; expected one end point, a (lon, lat) pair "
                "or a shapely Point"
            )
    spacing = check_distance(spacing, name="spacing")
    if spacing <= 0:
        raise InputError(f"spacing is {spacing!r} m; expected a positive number of metres")
    total = WGS84.inv(xa[0, 0], xa[0, 1], xb[0, 0], xb[0, 1])[2]
    n_inner = max(0, int(np.ceil(total / spacing)) - 1)
    mid = WGS84.npts(xa[0, 0], xa[0, 1], xb[0, 0], xb[0, 1], n_inner) if n_inner else []
    coords = np.vstack([xa[:1], np.asarray(mid, dtype=float).reshape(-1, 2), xb[:1]])
    return split_line(_with_antimeridian_crossings(coords))


def radials(centre: Any, azimuths: Any, length: Any, *, spacing: float | str = 10_000.0) -> Any:
    """Geodesic radials from a centre: lines along given azimuths, for range-ring maps.

    Parameters
    ----------
    centre : (lon, lat) pair or shapely Point
        Where the radials start, in degrees.
    azimuths : float or sequence of float
        Directions in degrees clockwise from north (any real values; 360 is north).
    length : float, str or sequence of them
        How far each radial goes, in metres (or strings such as ``"500km"``): one
        for all, or one per azimuth; at most half the Earth's circumference.
    spacing : float or str, default 10000
        Largest distance between vertices, in metres (or a string such as ``"5km"``).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per azimuth, EPSG:4326: ``azimuth`` (degrees, as given), ``length_m``
        (metres) and ``geometry``, a LineString whose every vertex lies on the WGS84
        geodesic (``Geod.fwd`` from the centre), split into a MultiLineString where it
        crosses the antimeridian (RFC 7946), as :func:`geodesic_line` does.

    Raises
    ------
    InputError
        A centre that is not one point; a negative, NaN or too long length; a
        non-positive spacing; a number of lengths that is neither one nor one per
        azimuth.

    Examples
    --------
    >>> lines = radials((131.87, 43.12), [0, 90, 180, 270], "100km")
    >>> [f"{x:.4f}" for x in lines.geometry.iloc[0].coords[-1]]
    ['131.8700', '44.0201']
    >>> radials((179.5, 0.0), [90], "200km").geometry.iloc[0].geom_type
    'MultiLineString'
    """
    import geopandas

    xy, _ = as_points(centre, what="centre")
    if len(xy) != 1:
        raise InputError(
            f"centre holds {len(xy)} points; expected one, a (lon, lat) pair or a shapely Point"
        )
    az = np.atleast_1d(np.asarray(azimuths, dtype=float))
    if az.ndim != 1 or not len(az) or not np.isfinite(az).all():
        raise InputError(
            f"azimuths {azimuths!r:.60} are not finite degrees; give one or more numbers, "
            "e.g. [0, 45, 90]"
        )
    given = np.atleast_1d(np.asarray(length, dtype=object))
    if len(given) not in (1, len(az)):
        raise InputError(
            f"length holds {len(given)} values for {len(az)} azimuths; give one length, "
            "or one per azimuth"
        )
    lengths = np.array([parse_distance(v) for v in given], dtype=float)
    lengths = np.broadcast_to(lengths, az.shape)
    step = check_distance(spacing, name="spacing")
    if step <= 0:
        raise InputError(f"spacing is {step!r} m; expected a positive number of metres")
    lines = []
    for a, total in zip(az, lengths, strict=True):
        n = max(1, int(np.ceil(total / step)))
        along = np.linspace(0.0, total, n + 1)
        lon, lat, _ = WGS84.fwd(
            np.full(n + 1, xy[0, 0]), np.full(n + 1, xy[0, 1]), np.full(n + 1, a), along
        )
        coords = np.column_stack([lon, lat])
        lines.append(split_line(_with_antimeridian_crossings(coords)))
    return geopandas.GeoDataFrame(
        {"azimuth": az, "length_m": np.asarray(lengths, dtype=float)},
        geometry=lines,
        crs="EPSG:4326",
    )


def _with_antimeridian_crossings(coords: np.ndarray) -> np.ndarray:
    """Insert, between vertices of a geodesic that cross ±180°, the exact point where it does.

    Cutting the line there with a straight lon/lat interpolation would leave that vertex off
    the geodesic (by metres to hundreds of metres on long steps).
    """
    jumps = np.flatnonzero(np.abs(np.diff(coords[:, 0])) > 180.0)
    if not len(jumps):
        return coords
    a, b = coords[jumps], coords[jumps + 1]
    az, _, length = WGS84.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    lo, hi = np.zeros(len(jumps)), np.asarray(length, dtype=float)
    sign_a = np.sign(a[:, 0])
    for _ in range(60):  # bisection on the distance along the geodesic, to well below a millimetre
        mid = (lo + hi) / 2.0
        lon = WGS84.fwd(a[:, 0], a[:, 1], az, mid)[0]
        same_side = np.sign(lon) == sign_a
        lo, hi = np.where(same_side, mid, lo), np.where(same_side, hi, mid)
    lon, lat, _ = WGS84.fwd(a[:, 0], a[:, 1], az, (lo + hi) / 2.0)
    crossing = np.column_stack([np.where(sign_a > 0, 180.0, -180.0), lat])
    return np.insert(coords, jumps + 1, crossing, axis=0)
