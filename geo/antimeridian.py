"""Lines and rings that cross the antimeridian or circle a pole, made valid in lon/lat.

Geodesic constructions produce sequences of points whose longitude may jump from
+180 to -180. Here they are unwrapped (longitude made continuous), closed over a
pole when they circle one, and cut at ±180 into parts that each lie in
[-180, 180], as RFC 7946 asks, so that nothing is smeared across the map.
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["split_line", "ring_to_polygon", "polygons_only", "WORLD"]

#: The whole lon/lat plane.
WORLD = shapely.box(-180.0, -90.0, 180.0, 90.0)


def _unwrap(lon: np.ndarray) -> np.ndarray:
    """Longitudes (degrees) made continuous: no step between neighbours exceeds 180°."""
    return np.degrees(np.unwrap(np.radians(lon)))


def _cut(geometry: shapely.Geometry) -> shapely.Geometry:
    """Cut an unwrapped geometry at every ±180 + k·360 and shift each piece into [-180, 180]."""
    xmin, _, xmax, _ = geometry.bounds
    pieces = []
    for k in range(int(np.floor((xmin + 180) / 360)), int(np.floor((xmax + 180) / 360)) + 1):
        west = -180.0 + 360.0 * k
        piece = shapely.clip_by_rect(geometry, west, -90.0, west + 360.0, 90.0)
        if not piece.is_empty:
            pieces.append(shapely.transform(piece, lambda xy, s=360.0 * k: xy - [s, 0.0]))
    return shapely.union_all(pieces) if len(pieces) > 1 else pieces[0]


def split_line(coords: np.ndarray) -> shapely.LineString | shapely.MultiLineString:
    """Split a lon/lat line where it crosses the antimeridian (RFC 7946).

    Consecutive points are joined the short way round (the way a geodesic goes).

    Parameters
    ----------
    coords : ndarray of shape (n, 2)
        The line's points, (lon, lat) in degrees.

    Returns
    -------
    LineString or MultiLineString
        The line itself when it stays within [-180, 180] degrees of longitude; otherwise
        its pieces on either side of ±180°, each shifted into [-180, 180].

    Examples
    --------
    >>> import numpy as np
    >>> line = split_line(np.array([[170.0, 0.0], [-170.0, 10.0]]))
    >>> [[round(x, 1) for x in part.bounds] for part in line.geoms]
    [[-180.0, 5.0, -170.0, 10.0], [170.0, 0.0, 180.0, 5.0]]
    """
    lon = _unwrap(coords[:, 0])
    line = shapely.LineString(np.column_stack([lon, coords[:, 1]]))
    if lon.min() >= -180.0 and lon.max() <= 180.0:
        return line
    xmin, _, xmax, _ = line.bounds
    parts = []
    for k in range(int(np.floor((xmin + 180) / 360)), int(np.floor((xmax + 180) / 360)) + 1):
        west = -180.0 + 360.0 * k
        piece = shapely.intersection(line, shapely.box(west, -90.0, west + 360.0, 90.0))
        for part in shapely.get_parts(piece):
            if shapely.get_type_id(part) == 1 and part.length > 0:
                parts.append(shapely.transform(part, lambda xy, s=360.0 * k: xy - [s, 0.0]))
    merged = shapely.line_merge(shapely.MultiLineString(parts))
    return merged


def ring_to_polygon(
    lon: np.ndarray, lat: np.ndarray, *, inside: tuple[float, float]
) -> shapely.Polygon | shapely.MultiPolygon:
    """Return the region a closed lon/lat ring bounds on the sphere, as polygons in [-180, 180].

    Parameters
    ----------
    lon, lat : ndarray
        The ring's points in degrees (longitudes in any range; they are unwrapped).
    inside : (lon, lat)
        A point known to lie in the region. A ring on a sphere bounds two regions;
        this picks the right one (it matters when the region holds a pole, or is
        larger than a hemisphere).

    Returns
    -------
    Polygon or MultiPolygon
        In lon/lat degrees, cut at ±180°, closed over the pole it circles, if any.

    Examples
    --------
    A ring around the North Pole at 80° N bounds the polar cap:

    >>> import numpy as np
    >>> lon = np.arange(-180.0, 180.0, 10.0)
    >>> cap = ring_to_polygon(lon, np.full(len(lon), 80.0), inside=(0.0, 90.0))
    >>> [round(x, 1) for x in cap.bounds]
    [-180.0, 80.0, 180.0, 90.0]
    """
    lon = _unwrap(np.r_[lon, lon[:1]])
    lat = np.r_[lat, lat[:1]]
    # Unwrapping may leave the closing point a whole turn away: the ring circles a pole.
    turns = int(np.rint((lon[-1] - lon[0]) / 360.0))
    lon[-1] = lon[0] + 360.0 * turns
    if turns == 0:
        region = shapely.make_valid(shapely.Polygon(np.column_stack([lon, lat])))
    else:
        # Close over the north pole (the other pole is reached through the complement).
        closure = np.array([[lon[-1], 90.0], [lon[0], 90.0]])
        ring = np.vstack([np.column_stack([lon, lat]), closure])
        region = shapely.make_valid(shapely.Polygon(ring))
    region = _cut(region)
    if not shapely.intersects_xy(region, *inside):
        region = shapely.difference(WORLD, region)
    # Pieces cut at ±180 meet along a meridian; a 1e-9° grid (0.1 mm) closes the hair-thin
    # gaps and spikes their floating-point ends can leave there.
    return polygons_only(shapely.set_precision(region, 1e-9))


def polygons_only(geometry: shapely.Geometry) -> shapely.Polygon | shapely.MultiPolygon:
    """Return the polygonal part of a geometry: its polygons, without lines or points.

    Parts are taken as they are, in their order, without a union: the polygons of a valid
    geometry do not overlap (those of a collection may; union it first).

    Parameters
    ----------
    geometry : shapely.Geometry
        Any geometry; collections are searched to the bottom, so that the MultiPolygon of a
        GeometryCollection (as ``shapely.make_valid`` returns) counts as well.

    Returns
    -------
    Polygon or MultiPolygon
        The one polygon, a MultiPolygon of several, or an empty Polygon if there is none.

    Examples
    --------
    >>> from shapely import GeometryCollection, LineString, box
    >>> mixed = GeometryCollection([box(0, 0, 1, 1), LineString([(2, 2), (3, 3)])])
    >>> polygons_only(mixed).wkt
    'POLYGON ((1 0, 1 1, 0 1, 0 0, 1 0))'
    >>> polygons_only(LineString([(2, 2), (3, 3)])).is_empty
    True
    """
    parts = shapely.get_parts(geometry)
    while (shapely.get_type_id(parts) >= 4).any():  # multi-part members of a collection
        parts = shapely.get_parts(parts)
    polygons = list(parts[shapely.get_type_id(parts) == 3])
    if not polygons:
        return shapely.Polygon()
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)
