"""Brute-force references for the geodesy in ``geo``, written independently of it.

Nothing here imports ``geo``: these functions are the yardstick its answers are
measured against, so they only use pyproj's ``Geod`` (Karney's algorithm),
numpy and shapely, and favour methods that are easy to trust over fast ones.

Edges of lines and polygons are read the way GeoJSON and shapely read them:
straight in lon/lat. An edge from ``(lon0, lat0)`` to ``(lon1, lat1)`` is the
path ``(lon0 + t (lon1 - lon0), lat0 + t (lat1 - lat0))`` for ``t`` in [0, 1].

Two independent references for the distance from a point to a geometry:

* :func:`distance_to` -- exact geodesic minimisation by branch and bound. The
  distance to a piece of edge is bounded below by ``(d0 + d1 - L) / 2``, where
  ``d0``, ``d1`` are the geodesic distances to its ends and ``L`` an upper bound
  of its length along the path (a point of the piece is at most ``s`` from one
  end and ``L - s`` from the other). Pieces that cannot hold the minimum are
  dropped, the rest split until nearly straight and short (2 % of the distance,
  20 m to 5 km), where a golden-section search on ``Geod.inv`` finishes to well
  under a millimetre.
* :func:`distance_to_aeqd` -- the textbook recipe: densify the geometry in lon/lat
  to < 100 m spacing, project it into an azimuthal-equidistant projection centred
  on the point, take the planar distance from the origin.

Both are slow (milliseconds a point) and meant for a few hundred points.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from pyproj import Geod, Transformer

__all__ = [
    "GEOD",
    "HALF_CIRCUMFERENCE",
    "distance_to",
    "distance_to_aeqd",
    "boundary_samples",
    "points_around",
    "split_antimeridian",
    "contract_bound",
]

GEOD = Geod(ellps="WGS84")
_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)

#: Pole-to-pole geodesic distance, metres, computed here rather than taken from geo.
HALF_CIRCUMFERENCE = float(GEOD.inv(0.0, 90.0, 0.0, -90.0)[2])

# A piece is finished by golden-section search once it is shorter than 2 % of the best
# distance so far (clipped to 20 m .. 5 km) and spans at most 1 degree of longitude, so that
# it is nearly straight and the distance along it has a single minimum.
_LEAF_MIN_M, _LEAF_MAX_M, _LEAF_FRACTION, _LEAF_MAX_DLON = 20.0, 5_000.0, 0.02, 1.0
_SPLIT = 8  # a piece is split into this many sub-pieces per round
_GOLDEN_TOL_M = 1e-5  # golden-section search stops when the bracket is this short


def contract_bound(radius_m: float) -> float:
    """Allowed buffer boundary error at radius ``radius_m`` (metres): max(10 m, 5e-5 R)."""
    return max(10.0, 5e-5 * float(radius_m))


def _ecef(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points on the WGS84 ellipsoid surface in Earth-centred Cartesian metres, shape (n, 3)."""
    lam = np.radians(lon)
    phi = np.radians(lat)
    sin_phi = np.sin(phi)
    n = _A / np.sqrt(1 - _E2 * sin_phi**2)
    return np.column_stack(
        [n * np.cos(phi) * np.cos(lam), n * np.cos(phi) * np.sin(lam), n * (1 - _E2) * sin_phi]
    )


def _path_length_bound(lon0, lat0, lon1, lat1) -> np.ndarray:
    """Upper bound (metres) of the ground length of lon/lat-straight pieces.

    Along the piece, ground speed is sqrt(M^2 dphi^2 + (N cos phi)^2 dlam^2); M
    (meridian radius) grows with |phi| and N cos phi shrinks with it, so each is
    bounded by its value at the extreme |phi| the piece reaches.
    """
    phi0 = np.radians(lat0)
    phi1 = np.radians(lat1)
    dphi = np.abs(phi1 - phi0)
    dlam = np.radians(np.abs(np.asarray(lon1) - np.asarray(lon0)))
    abs_hi = np.maximum(np.abs(phi0), np.abs(phi1))
    straddles = np.sign(phi0) * np.sign(phi1) < 0
    abs_lo = np.where(straddles, 0.0, np.minimum(np.abs(phi0), np.abs(phi1)))
    w_hi = 1 - _E2 * np.sin(abs_hi) ** 2
    m_max = _A * (1 - _E2) / w_hi**1.5
    w_lo = 1 - _E2 * np.sin(abs_lo) ** 2
    ncos_max = _A / np.sqrt(w_lo) * np.cos(abs_lo)
    return np.hypot(m_max * dphi, ncos_max * dlam) * (1 + 1e-12) + 1e-9


def _inv_from(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    lons = np.asarray(lons, dtype=float)
    if lons.size == 0:
        return np.empty(0)
    return GEOD.inv(
        np.full(lons.shape, lon), np.full(lons.shape, lat), lons, np.asarray(lats, float)
    )[2]


class _Edges:
    """The boundary of a geometry as lon/lat-straight edges (points are zero-length edges)."""

    def __init__(self, geometry: shapely.Geometry):
        starts, ends = [], []
        for part in _flat_parts(geometry):
            kind = shapely.get_type_id(part)
            if kind == 0:  # Point
                xy = shapely.get_coordinates(part)
                starts.append(xy)
                ends.append(xy)
            elif kind in (1, 2):  # LineString, LinearRing
                xy = shapely.get_coordinates(part)
                starts.append(xy[:-1])
                ends.append(xy[1:])
            elif kind == 3:  # Polygon: every ring is boundary
                for ring in [part.exterior, *part.interiors]:
                    xy = shapely.get_coordinates(ring)
                    starts.append(xy[:-1])
                    ends.append(xy[1:])
        s = np.concatenate(starts)
        e = np.concatenate(ends)
        self.lon0, self.lat0 = s[:, 0].copy(), s[:, 1].copy()
        self.lon1, self.lat1 = e[:, 0].copy(), e[:, 1].copy()
        self.length = _path_length_bound(self.lon0, self.lat0, self.lon1, self.lat1)
        self.xyz0 = _ecef(self.lon0, self.lat0)
        self.xyz1 = _ecef(self.lon1, self.lat1)


def _flat_parts(geometry: shapely.Geometry):
    for part in shapely.get_parts(geometry):
        if shapely.get_type_id(part) == 7 or shapely.get_num_geometries(part) > 1:
            yield from _flat_parts(part)
        elif not part.is_empty:
            yield part


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry | None:
    polys = [p for p in _flat_parts(geometry) if shapely.get_type_id(p) == 3]
    return shapely.union_all(polys) if polys else None


def _golden(lon, lat, p0lon, p0lat, p1lon, p1lat) -> np.ndarray:
    """Minimum over t in [0, 1] of the geodesic distance to each piece, vectorised."""
    dlon = p1lon - p0lon
    dlat = p1lat - p0lat

    def f(t):
        return _inv_from(lon, lat, p0lon + t * dlon, p0lat + t * dlat)

    g = (math.sqrt(5) - 1) / 2
    longest = float(_path_length_bound(p0lon, p0lat, p1lon, p1lat).max())
    iterations = max(
        1, math.ceil(math.log(max(longest, _GOLDEN_TOL_M) / _GOLDEN_TOL_M) / -math.log(g))
    )
    a = np.zeros(p0lon.shape)
    b = np.ones(p0lon.shape)
    c = b - g * (b - a)
    d = a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iterations):
        left = fc < fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        new_c = np.where(left, b - g * (b - a), d)
        new_d = np.where(left, c, a + g * (b - a))
        t_new = np.where(left, new_c, new_d)
        f_new = f(t_new)
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
        c, d = new_c, new_d
    return np.minimum(fc, fd)


def _distance_to_edges(lon: float, lat: float, edges: _Edges) -> float:
    """Exact geodesic distance (metres) from one point to the nearest point of the edges."""
    p = _ecef(np.array([lon]), np.array([lat]))[0]
    c0 = np.linalg.norm(edges.xyz0 - p, axis=1)  # chord <= geodesic distance
    c1 = np.linalg.norm(edges.xyz1 - p, axis=1)
    near = np.minimum(c0, c1)
    k = min(16, near.size)
    best = np.argpartition(near, k - 1)[:k]
    ub = float(
        min(
            _inv_from(lon, lat, edges.lon0[best], edges.lat0[best]).min(),
            _inv_from(lon, lat, edges.lon1[best], edges.lat1[best]).min(),
        )
    )
    slack = 1e-6  # metres: chord and Geod.inv round differently at the last digits
    keep = (c0 + c1 - edges.length) / 2 <= ub + slack
    p0lon, p0lat = edges.lon0[keep], edges.lat0[keep]
    p1lon, p1lat = edges.lon1[keep], edges.lat1[keep]
    d0 = _inv_from(lon, lat, p0lon, p0lat)
    d1 = _inv_from(lon, lat, p1lon, p1lat)
    length = edges.length[keep]
    while True:
        ub = min(ub, float(d0.min()), float(d1.min()))
        keep = (d0 + d1 - length) / 2 <= ub + slack
        p0lon, p0lat, p1lon, p1lat = p0lon[keep], p0lat[keep], p1lon[keep], p1lat[keep]
        d0, d1, length = d0[keep], d1[keep], length[keep]
        leaf_m = min(max(_LEAF_FRACTION * ub, _LEAF_MIN_M), _LEAF_MAX_M)
        big = (length > leaf_m) | (np.abs(p1lon - p0lon) > _LEAF_MAX_DLON)
        if not big.any():
            break
        # Split the long pieces into _SPLIT sub-pieces; keep the short ones as they are.
        t = np.linspace(0.0, 1.0, _SPLIT + 1)
        blon0, blat0, blon1, blat1 = p0lon[big], p0lat[big], p1lon[big], p1lat[big]
        lons = blon0[:, None] + t[None, :] * (blon1 - blon0)[:, None]
        lats = blat0[:, None] + t[None, :] * (blat1 - blat0)[:, None]
        lons[:, 0], lons[:, -1] = blon0, blon1  # exact ends, no rounding
        lats[:, 0], lats[:, -1] = blat0, blat1
        dist = np.empty(lons.shape)
        dist[:, 0], dist[:, -1] = d0[big], d1[big]
        dist[:, 1:-1] = _inv_from(lon, lat, lons[:, 1:-1].ravel(), lats[:, 1:-1].ravel()).reshape(
            lons.shape[0], _SPLIT - 1
        )
        nlon0, nlat0 = lons[:, :-1].ravel(), lats[:, :-1].ravel()
        nlon1, nlat1 = lons[:, 1:].ravel(), lats[:, 1:].ravel()
        small = ~big
        p0lon = np.concatenate([p0lon[small], nlon0])
        p0lat = np.concatenate([p0lat[small], nlat0])
        p1lon = np.concatenate([p1lon[small], nlon1])
        p1lat = np.concatenate([p1lat[small], nlat1])
        d0 = np.concatenate([d0[small], dist[:, :-1].ravel()])
        d1 = np.concatenate([d1[small], dist[:, 1:].ravel()])
        length = np.concatenate([length[small], _path_length_bound(nlon0, nlat0, nlon1, nlat1)])
    moving = length > 1e-9
    if moving.any():
        ub = min(
            ub,
            float(
                _golden(lon, lat, p0lon[moving], p0lat[moving], p1lon[moving], p1lat[moving]).min()
            ),
        )
    return ub


def _as_xy(points) -> np.ndarray:
    xy = np.asarray(points, dtype=float)
    return xy.reshape(1, 2) if xy.ndim == 1 else xy


def distance_to(points, geometry: shapely.Geometry, *, signed: bool = False) -> np.ndarray:
    """Reference distance (metres) from each (lon, lat) point to a lon/lat geometry.

    Points inside (or on) a polygon are at 0; with ``signed=True`` points inside
    get minus their distance to the polygon's boundary.
    """
    xy = _as_xy(points)
    edges = _Edges(geometry)
    out = np.array([_distance_to_edges(x, y, edges) for x, y in xy])
    area = _polygonal(geometry)
    if area is not None:
        inside = shapely.intersects_xy(area, xy[:, 0], xy[:, 1])
        out[inside] = -out[inside] if signed else 0.0
    return out


def distance_to_aeqd(
    points, geometry: shapely.Geometry, *, spacing_deg: float = 0.0008
) -> np.ndarray:
    """Reference distance (metres) by densifying in lon/lat and projecting to a per-point AEQD.

    ``spacing_deg`` = 0.0008 degrees keeps every densified edge under 90 m on the
    ground (one degree is at most 111.7 km along either axis).
    """
    xy = _as_xy(points)
    dense = shapely.segmentize(geometry, spacing_deg)
    area = _polygonal(geometry)
    boundary = (
        dense
        if area is None
        else shapely.union_all(
            [dense.boundary if shapely.get_type_id(p) == 3 else p for p in _flat_parts(dense)]
        )
    )
    out = np.empty(len(xy))
    for i, (x, y) in enumerate(xy):
        tr = Transformer.from_crs(
            "EPSG:4326",
            f"+proj=aeqd +lat_0={float(y)!r} +lon_0={float(x)!r} +ellps=WGS84 +units=m",
            always_xy=True,
        )
        projected = shapely.transform(
            boundary, lambda c, tr=tr: np.column_stack(tr.transform(c[:, 0], c[:, 1]))
        )
        out[i] = shapely.distance(projected, shapely.Point(0.0, 0.0))
    if area is not None:
        out[shapely.intersects_xy(area, xy[:, 0], xy[:, 1])] = 0.0
    return out


def boundary_samples(geometry: shapely.Geometry, n: int, *, min_per_ring: int = 8) -> np.ndarray:
    """About ``n`` (lon, lat) points spread along the rings of a (Multi)Polygon.

    Points are interpolated linearly in lon/lat along the ring edges (what
    ``shapely.line_interpolate_point`` does), shared in proportion to the edges'
    lengths in degrees, with at least ``min_per_ring`` on every ring. Edges on the
    antimeridian cut (both ends at the same |lon| = 180) or along a pole line
    (|lat| = 90) are left out: there RFC 7946 splits the surface, the buffer does
    not end there.
    """
    cut = 1e-7  # degrees, about 1 cm
    segments = []  # per ring: (starts, ends) of the edges that are real boundary
    for part in _flat_parts(geometry):
        if shapely.get_type_id(part) != 3:
            continue
        for ring in [part.exterior, *part.interiors]:
            xy = shapely.get_coordinates(ring)
            s, e = xy[:-1], xy[1:]
            on_cut = ((np.abs(np.abs(s[:, 0]) - 180) < cut) & (np.abs(s[:, 0] - e[:, 0]) < cut)) | (
                (np.abs(np.abs(s[:, 1]) - 90) < cut) & (np.abs(s[:, 1] - e[:, 1]) < cut)
            )
            if (~on_cut).any():
                segments.append((s[~on_cut], e[~on_cut]))
    lengths = [np.hypot(*(e - s).T) for s, e in segments]
    total = sum(float(x.sum()) for x in lengths)
    out = []
    for (s, e), seg_len in zip(segments, lengths, strict=True):
        k = max(min_per_ring, int(np.ceil(n * seg_len.sum() / total)))
        cum = np.concatenate([[0.0], np.cumsum(seg_len)])
        at = (np.arange(k) + 0.5) / k * cum[-1]
        i = np.clip(np.searchsorted(cum, at, side="right") - 1, 0, len(seg_len) - 1)
        t = np.where(seg_len[i] > 0, (at - cum[i]) / np.where(seg_len[i] > 0, seg_len[i], 1), 0.0)
        out.append(s[i] + t[:, None] * (e[i] - s[i]))
    xy = np.concatenate(out)
    # A sample can still land on a cut where a real edge ends on it.
    keep = (np.abs(xy[:, 0]) < 180 - cut) & (np.abs(xy[:, 1]) < 90 - cut)
    return xy[keep]


def farthest_boundary_points(buf, off_by, n: int = 100) -> np.ndarray:
    """The ``n`` vertices and edge midpoints of a buffer's boundary that ``off_by`` ranks worst.

    ``off_by(points)`` gives each point's distance off the radius by the code under test
    (e.g. ``abs(geo.distance_to(points, source) - radius)``): the points are chosen by it and
    then measured by this module, since samples spread along a boundary of 40,000 vertices
    can step over the one vertex that is off (Antarctica's 30 km buffer: 3.9 m on 2,050
    samples, 15.1 m at one vertex). Edges on the antimeridian or along a pole (no part of
    the buffer's boundary) are left out.
    """
    parts = []
    for poly in shapely.get_parts(buf):
        for ring in [poly.exterior, *poly.interiors]:
            xy = shapely.get_coordinates(ring)
            a, b = xy[:-1], xy[1:]
            frame = (np.abs(a[:, 0]) >= 180 - 1e-7) & (np.abs(b[:, 0]) >= 180 - 1e-7)
            frame |= (np.abs(a[:, 1]) >= 90 - 1e-7) & (np.abs(b[:, 1]) >= 90 - 1e-7)
            parts += [a[~frame], (a[~frame] + b[~frame]) / 2.0]
    pts = np.unique(np.vstack(parts), axis=0)
    pts = pts[(np.abs(pts[:, 0]) < 180 - 1e-7) & (np.abs(pts[:, 1]) < 90 - 1e-7)]
    return pts[np.argsort(-off_by(pts))[:n]]


def points_around(
    geometry: shapely.Geometry,
    n: int,
    max_m: float,
    *,
    rng: np.random.Generator,
    min_m: float = 0.0,
) -> np.ndarray:
    """``n`` (lon, lat) points at geodesic distances in [min_m, max_m] from random vertices."""
    coords = shapely.get_coordinates(geometry)
    start = coords[rng.integers(0, len(coords), n)]
    az = rng.uniform(-180, 180, n)
    dist = rng.uniform(min_m, max_m, n)
    lon, lat, _ = GEOD.fwd(start[:, 0], start[:, 1], az, dist)
    return np.column_stack([lon, lat])


def split_antimeridian(geometry: shapely.Geometry) -> shapely.Geometry:
    """Split a lon/lat geometry with longitudes past ±180 into parts within [-180, 180]."""
    west = shapely.box(-540, -90, -180, 90)
    mid = shapely.box(-180, -90, 180, 90)
    east = shapely.box(180, -90, 540, 90)
    pieces = [
        shapely.intersection(geometry, mid),
        shapely.transform(shapely.intersection(geometry, east), lambda c: c - [360.0, 0.0]),
        shapely.transform(shapely.intersection(geometry, west), lambda c: c + [360.0, 0.0]),
    ]
    pieces = [p for p in pieces if not p.is_empty]
    parts = [
        q for p in pieces for q in shapely.get_parts(p) if not q.is_empty and q.geom_type != "Point"
    ]
    if len(parts) == 1:
        return parts[0]
    if all(q.geom_type == "Polygon" for q in parts):
        return shapely.MultiPolygon(parts)
    return shapely.MultiLineString([q for p in parts for q in shapely.get_parts(p)])
