"""Stage 2 of a buffer: rings moved onto the exact distance, and a bound on their error.

Points are moved onto distance R from the source geometry along the geodesic from their
nearest source point (:func:`settle`); where two arcs of the buffer's boundary meet (a
corner: the nearest source point jumps from one stretch of boundary to another), the point
goes to where the two geodesic circles cross, found by Newton steps, instead of being pushed
back and forth between them.

The error of a ring is bounded between its samples, not only measured on them
(:func:`edge_errors`). Let d be the distance to the source (0 inside it), and x(s) a piece
of lon/lat-straight edge between two samples, s its length parameter in metres. For any
fixed point f, the Hessian of d_f²/2 on the WGS84 ellipsoid is at most the identity (its
curvature is positive), so along the edge d_f(x(s))² has a second derivative of at most 2k,
k a little over 1 for the lon/lat edge's own turn (see :func:`_curvature`). Hence:

* d² = min over f of d_f², so d² - k s² is concave: d² is at least the straight line between
  its two end values less k s (L - s) (an edge that cuts inside the radius, like a chord of
  a circle, is caught);
* d ≤ d_f for the nearest points f0 and f1 of the two ends, and each d_f² is at most its
  tangent parabola from its end: the edge can bulge past R only as far as the smaller of the
  two parabolas allows (an edge that spans a corner is caught).

The largest of these over every piece of every edge is what :func:`area_error` reports.
"""

from __future__ import annotations

import numpy as np
import shapely

from geo._boundary import edge_length_bound, edge_points
from geo._prepared import Prepared
from geo.units import WGS84

__all__ = [
    "KnownEdges",
    "area_error",
    "edge_errors",
    "measure",
    "on_frame",
    "settle",
    "snap_ring",
    "spacing",
]

_A = WGS84.a
_E2 = WGS84.es
#: Smallest radius of curvature of the ellipsoid (meridian, at the equator), metres.
_RHO_MIN = _A * (1.0 - _E2)
#: Rounds of edge splitting before giving up on a tolerance (each halves the worst edges).
_MAX_ROUNDS = 24
#: Vertices a ring may grow to while its edges are split.
_MAX_RING_VERTICES = 200_000
#: Where along an edge its error is sampled (the pieces between are bounded, see
#: :func:`edge_errors`).
_SAMPLES = (0.5,)


def on_frame(xy: np.ndarray) -> np.ndarray:
    """Tell vertices on the antimeridian or a pole: edges of the lon/lat plane, not the buffer."""
    return (np.abs(xy[:, 0]) >= 180.0 - 1e-9) | (np.abs(xy[:, 1]) >= 90.0 - 1e-9)


def measure(xy: np.ndarray, source: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m) from each point to the source (0 inside it) and a nearest source point."""
    d, foot = source.nearest(xy)
    _zero_inside(xy, d, foot, source)
    return d, foot


def _zero_inside(xy: np.ndarray, d: np.ndarray, foot: np.ndarray, source: Prepared) -> None:
    """Set the distance of points inside the source to 0 and their nearest point to themselves."""
    if source.polygons is not None:
        inside = source.inside(xy)
        d[inside] = 0.0
        foot[inside] = xy[inside]


# -- placing points on the distance --------------------------------------------------------


def _same_side(lon: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Longitudes kept on their side of the cut at ±180 (past it, they rest on the cut).

    A vertex that crossed would turn its edges the long way round the world.
    """
    return np.clip(lon + 360.0 * np.round((before - lon) / 360.0), -180.0, 180.0)


def _radial(xy: np.ndarray, foot: np.ndarray, radius: float) -> np.ndarray:
    """Points moved along the geodesic from their nearest source point to distance ``radius``."""
    az = WGS84.inv(foot[:, 0], foot[:, 1], xy[:, 0], xy[:, 1])[0]
    lon, lat, _ = WGS84.fwd(foot[:, 0], foot[:, 1], az, np.full(len(xy), radius))
    return np.column_stack([_same_side(lon, xy[:, 0]), lat])


def _corner(xy: np.ndarray, fa: np.ndarray, fb: np.ndarray, radius: float) -> np.ndarray:
    """Where the geodesic circles of ``radius`` around ``fa`` and ``fb`` cross, near ``xy``.

    Newton steps: the gradient of the distance from a point is the unit vector of the
    geodesic leaving it. Points whose two gradients are (anti)parallel, or that do not
    converge, come back as NaN.
    """
    p = xy.copy()
    n = len(p)
    ones = np.ones(n)
    for _ in range(10):
        back_a, da = WGS84.inv(p[:, 0], p[:, 1], fa[:, 0], fa[:, 1])[0::2]
        back_b, db = WGS84.inv(p[:, 0], p[:, 1], fb[:, 0], fb[:, 1])[0::2]
        # Away from each foot: east and north components of the gradient.
        ax, ay = -np.sin(np.radians(back_a)), -np.cos(np.radians(back_a))
        bx, by = -np.sin(np.radians(back_b)), -np.cos(np.radians(back_b))
        det = ax * by - ay * bx
        ra, rb = radius - da, radius - db
        with np.errstate(divide="ignore", invalid="ignore"):
            dx = (ra * by - rb * ay) / det
            dy = (ax * rb - bx * ra) / det
        step = np.minimum(np.hypot(dx, dy), radius / 4.0)
        step = np.where(np.isfinite(step) & (np.abs(det) > 1e-3), step, np.nan)
        if np.all(np.nan_to_num(step) < 1e-4):
            break
        lon, lat, _ = WGS84.fwd(
            p[:, 0], p[:, 1], np.degrees(np.arctan2(dx, dy)), np.nan_to_num(step) * ones
        )
        p = np.column_stack([lon, lat])
        p[np.isnan(step)] = np.nan
    done = (np.abs(ra) < 1e-2) & (np.abs(rb) < 1e-2) & np.isfinite(p[:, 0])
    p[~done] = np.nan
    p[done, 0] = _same_side(p[done, 0], xy[done, 0])
    return p


def _apart(f: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Whether two (lon, lat) points are more than about a metre apart (False if one is NaN)."""
    dx = (f[:, 0] - g[:, 0]) * np.cos(np.radians(f[:, 1]))
    with np.errstate(invalid="ignore"):
        return np.hypot(dx, f[:, 1] - g[:, 1]) > 1e-5


def _project(
    xy: np.ndarray, source: Prepared, radius: float, tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move points onto distance ``radius`` from the source, along geodesics or to corners.

    Returns the points, and the distance (m) from each to the source's boundary and its
    nearest boundary point, as :meth:`Prepared.nearest` measured them.
    """
    xy = xy.copy()
    d, foot = source.nearest(xy)
    history = [np.full_like(xy, np.nan), np.full_like(xy, np.nan)]  # earlier nearest points
    best, best_err = xy.copy(), np.abs(d - radius)
    best_d, best_foot = d.copy(), foot.copy()
    todo = np.flatnonzero((best_err > tol / 4.0) & (d > 0))
    for _ in range(8):
        if not len(todo):
            break
        here, f = xy[todo], foot[todo]
        candidates = [_radial(here, f, radius)]
        # A point whose nearest source point jumped sits where two arcs meet: moved onto one
        # circle it lands inside the other, so it goes to where the two circles cross.
        for earlier in history:
            e = earlier[todo]
            jumped = _apart(e, f)
            c = np.full_like(here, np.nan)
            if jumped.any():
                c[jumped] = _corner(here[jumped], e[jumped], f[jumped], radius)
            candidates.append(c)
        pick_xy, pick_foot = np.full_like(here, np.nan), np.full_like(here, np.nan)
        pick_d, pick_err = np.full(len(todo), np.nan), np.full(len(todo), np.inf)
        for c in candidates:
            ok = np.flatnonzero(np.isfinite(c[:, 0]))
            if not len(ok):
                continue
            dc, fc = source.nearest(c[ok])
            take = np.abs(dc - radius) < pick_err[ok]
            sel = ok[take]
            pick_xy[sel], pick_d[sel], pick_foot[sel] = c[sel], dc[take], fc[take]
            pick_err[sel] = np.abs(dc[take] - radius)
        moved = todo[_apart(pick_foot, f)]  # remember the last two distinct nearest points
        history[1][moved] = history[0][moved]
        history[0][moved] = foot[moved]
        xy[todo], d[todo], foot[todo] = pick_xy, pick_d, pick_foot
        improved = pick_err < best_err[todo]
        kept = todo[improved]
        best[kept], best_err[kept] = pick_xy[improved], pick_err[improved]
        best_d[kept], best_foot[kept] = pick_d[improved], pick_foot[improved]
        todo = todo[(pick_err > tol / 4.0) & (pick_d > 0)]
    return best, best_d, best_foot


def _project_on_meridian(xy: np.ndarray, source: Prepared, radius: float) -> np.ndarray:
    """Move points on the antimeridian along it onto distance ``radius``: the nearest crossing.

    Along the meridian the distance can cross the radius many times (islands on both
    sides of the cut): the crossing nearest the point is bracketed by steps that double
    away from it in both directions, then closed by regula falsi (Illinois), which keeps
    the bracket, where a plain secant from one side could run to another crossing or none.
    """
    xy = xy.copy()
    lon, lat = xy[:, 0], xy[:, 1].copy()

    def f(lats: np.ndarray, rows: np.ndarray) -> np.ndarray:
        at = np.column_stack([lon[rows], np.clip(lats, -90.0, 90.0)])
        return source.nearest(at)[0] - radius

    f0 = f(lat, np.arange(len(xy)))
    lo, hi = lat.copy(), lat.copy()  # the bracket: f(lo) and f(hi) of opposite signs
    f_lo, f_hi = f0.copy(), f0.copy()
    found = np.abs(f0) < 1e-3
    for step in 0.0005 * 2.0 ** np.arange(12):  # 55 m up to 113 km
        todo = np.flatnonzero(~found)
        if not len(todo):
            break
        for sign in (-1.0, 1.0):
            todo = np.flatnonzero(~found)
            probe = np.clip(lat[todo] + sign * step, -90.0, 90.0)
            fp = f(probe, todo)
            crossed = np.sign(fp) != np.sign(f0[todo])
            k = todo[crossed]
            lo[k], f_lo[k] = lat[k], f0[k]
            hi[k], f_hi[k] = probe[crossed], fp[crossed]
            found[k] = True
    found &= np.abs(f0) >= 1e-3  # the ones bracketed (the rest stay, or are on the radius)
    idx = np.flatnonzero(found)
    side = np.zeros(len(xy))
    for _ in range(40):
        if not len(idx):
            break
        a, b, fa, fb = lo[idx], hi[idx], f_lo[idx], f_hi[idx]
        c = b - fb * (b - a) / (fb - fa)
        fc = f(c, idx)
        left = np.sign(fc) == np.sign(fa)  # the root is between c and b
        # Illinois: halve the value kept twice on one side, so the bracket shrinks at both ends
        lo[idx] = np.where(left, c, a)
        f_lo[idx] = np.where(left, fc, np.where(side[idx] < 0, fa / 2.0, fa))
        hi[idx] = np.where(left, b, c)
        f_hi[idx] = np.where(left, np.where(side[idx] > 0, fb / 2.0, fb), fc)
        side[idx] = np.where(left, 1.0, -1.0)
        lat[idx] = c
        idx = idx[np.abs(fc) >= 1e-3]
    xy[:, 1] = np.clip(lat, -90.0, 90.0)
    return xy


def settle(
    xy: np.ndarray, source: Prepared, radius: float, tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move points onto distance ``radius`` (those on ±180 along it); return them measured.

    Returns the points, their distances (m, 0 inside the source) and nearest source points,
    as :func:`measure` gives them: those the placing measured last are kept, so that no point
    is measured twice; only those placed along ±180 are measured again.
    """
    xy = xy.copy()
    d, foot = np.full(len(xy), np.nan), np.full_like(xy, np.nan)
    free = ~on_frame(xy)
    if free.any():
        xy[free], d[free], foot[free] = _project(xy[free], source, radius, tol)
    # A point moved across ±180 rests on the cut: it is then placed along the meridian.
    meridian = on_frame(xy) & (np.abs(xy[:, 1]) < 90.0 - 1e-9)
    if meridian.any():
        xy[meridian] = _project_on_meridian(xy[meridian], source, radius)
    again = np.flatnonzero(~free | meridian)
    if len(again):
        d[again], foot[again] = source.nearest(xy[again])
    _zero_inside(xy, d, foot, source)
    return xy, d, foot


# -- the error between samples -------------------------------------------------------------


def _radii(phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Meridian radius M and parallel radius N cos(phi) (m) at latitudes ``phi`` (radians)."""
    w = 1.0 - _E2 * np.sin(phi) ** 2
    return _A * (1.0 - _E2) / w**1.5, _A / np.sqrt(w) * np.cos(phi)


def _speed_bound(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Upper bound (m) of the ground length of lon/lat-straight pieces from ``a`` to ``b``.

    Along the piece, ground speed is sqrt(M² dphi² + (N cos phi)² dlam²); M grows with
    |phi| and N cos phi shrinks with it, so each is bounded by its value at an end (or at
    the equator, when the piece crosses it).
    """
    phi0, phi1 = np.radians(a[:, 1]), np.radians(b[:, 1])
    hi = np.maximum(np.abs(phi0), np.abs(phi1))
    lo = np.where(phi0 * phi1 < 0, 0.0, np.minimum(np.abs(phi0), np.abs(phi1)))
    m_max = _radii(hi)[0]
    ncos_max = _radii(lo)[1]
    dlam = np.radians(b[:, 0] - a[:, 0])
    return np.hypot(m_max * (phi1 - phi0), ncos_max * dlam) * (1 + 1e-9) + 1e-9


def _curvature(a: np.ndarray, b: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """k: a bound of (d_f²)'' / 2 along lon/lat-straight pieces, per metre² of length.

    The surface contributes at most 1 (positive curvature); the piece's own turn away from
    a geodesic adds the distance ``reach`` (m) times its acceleration, at most
    1.62 tan|phi| / rho on a sphere of radius rho (the ellipsoid's flattening adds a little).
    """
    tan = np.tan(np.radians(np.minimum(np.maximum(np.abs(a[:, 1]), np.abs(b[:, 1])), 89.99999)))
    return 1.0 + reach * (1.7 * tan + 0.03) / _RHO_MIN + 1e-9


def _heading(xy: np.ndarray, dlon: np.ndarray, dlat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth (degrees) of lon/lat-straight edges at ``xy`` and their ground speed (m per edge)."""
    m, ncos = _radii(np.radians(xy[:, 1]))
    east, north = ncos * np.radians(dlon), m * np.radians(dlat)
    return np.degrees(np.arctan2(east, north)), np.hypot(east, north)


def _slope(xy, foot, d, az_edge, speed) -> np.ndarray:
    """Rate (m per m of edge at full speed) at which the distance to ``foot`` grows."""
    ok = d > 0
    out = np.zeros(len(xy))
    if ok.any():
        back = WGS84.inv(xy[ok, 0], xy[ok, 1], foot[ok, 0], foot[ok, 1])[0]
        out[ok] = -np.cos(np.radians(back - az_edge[ok])) * speed[ok]
    return out


def _piece_errors(a, b, da, db, sa, sb, radius) -> np.ndarray:
    """Bound of |d - radius| (m) along pieces from ``a`` to ``b`` (see the module's notes).

    ``da``, ``db``: distances at the ends; ``sa``: growth rate of the distance to a's nearest
    point leaving a towards b; ``sb``: that of b's nearest point leaving b towards a; both as
    fractions of the piece's length bound.
    """
    v = _speed_bound(a, b)
    k = _curvature(a, b, np.maximum(da, db) + v)
    # Lower: d² ≥ lerp(da², db²) - k s (v - s).
    s = np.clip(v / 2.0 - (db**2 - da**2) / (2.0 * k * v), 0.0, v)
    low2 = da**2 + (db**2 - da**2) * s / v - k * s * (v - s)
    lower = np.sqrt(np.maximum(low2, 0.0))
    # Upper: d ≤ min(d_fa, d_fb), each below its tangent parabola.

    def qa(s):
        return da**2 + 2.0 * s * da * sa + k * s**2

    def qb(s):
        return db**2 + 2.0 * (v - s) * db * sb + k * (v - s) ** 2

    c0 = da**2 - db**2 - 2.0 * v * db * sb - k * v**2
    c1 = 2.0 * (da * sa + db * sb + k * v)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = np.clip(np.where(c1 != 0, -c0 / c1, 0.0), 0.0, v)
    up2 = np.maximum.reduce([np.minimum(qa(t), qb(t)) for t in (np.zeros_like(v), v, cross)])
    upper = np.sqrt(np.maximum(up2, 0.0))
    return np.maximum(radius - lower, upper - radius)


def edge_errors(a, b, da, db, fa, fb, source: Prepared, radius: float) -> np.ndarray:
    """Bound of |d - radius| (m) over whole lon/lat-straight edges from ``a`` to ``b``.

    ``da``, ``fa`` (and ``db``, ``fb``) are :func:`measure` of the ends. Each edge is
    sampled at its midpoint and each half bounded (a midpoint sample costs one distance and
    lets an edge be 1.6 times longer than none does; on North Korea's 200 km buffer, three
    samples an edge needed 1.7 times the distances one does, for 1 % fewer vertices).
    """
    m = len(a)
    if not m:
        return np.empty(0)
    t = np.array([0.0, *_SAMPLES, 1.0])
    pts = a[None, :, :] + (b - a)[None, :, :] * t[1:-1, None, None]
    dm, fm = measure(pts.reshape(-1, 2), source)
    xy = np.concatenate([a[None], pts, b[None]])  # (5, m, 2)
    d = np.concatenate([da[None], dm.reshape(-1, m), db[None]])
    foot = np.concatenate([fa[None], fm.reshape(-1, m, 2), fb[None]])
    dlon, dlat = b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]
    worst = np.zeros(m)
    for j in range(len(t) - 1):
        p, q = xy[j], xy[j + 1]
        frac = t[j + 1] - t[j]
        az_p, v_p = _heading(p, dlon * frac, dlat * frac)
        az_q, v_q = _heading(q, -dlon * frac, -dlat * frac)
        v = _speed_bound(p, q)
        sp = _slope(p, foot[j], d[j], az_p, v_p / v)
        sq = _slope(q, foot[j + 1], d[j + 1], az_q, v_q / v)
        worst = np.maximum(worst, _piece_errors(p, q, d[j], d[j + 1], sp, sq, radius))
    return worst


# -- rings -------------------------------------------------------------------------------


def _ring_edge_errors(xy, d, foot, idx, source, radius) -> np.ndarray:
    """:func:`edge_errors` of a ring's edges ``idx`` (edge i joins vertex i and i + 1)."""
    nxt = (idx + 1) % len(xy)
    frame = on_frame(xy)
    out = np.zeros(len(idx))
    real = ~(frame[idx] & frame[nxt])  # an edge along the antimeridian or a pole is not boundary
    i, j = idx[real], nxt[real]
    out[real] = edge_errors(xy[i], xy[j], d[i], d[j], foot[i], foot[j], source, radius)
    return out


def spacing(radius: float, tol: float) -> float:
    """Longest edge (m) that stays within half the tolerance on a circle of ``radius`` metres.

    A chord of length L of a circle of radius R strays L² / 8R inside it, and the bound of
    :func:`edge_errors` adds about (L / pieces)² / 8R for its pieces between samples; kept to
    ``tol / 2`` with a margin, so that most edges of a ring placed at this spacing need no
    split. Boundaries that turn sharper (around corners) are split where they need it.
    """
    pieces = len(_SAMPLES) + 1
    chord = np.sqrt(4.0 * radius * tol / (1.0 + 1.0 / pieces**2))
    return float(min(0.9 * chord, radius / 4.0))


def _densified(xy: np.ndarray, step: float) -> np.ndarray:
    """Return a closed ring (first vertex not repeated) with no edge over ``step`` metres.

    Edges along the antimeridian or a pole are left whole (they are no part of the buffer's
    boundary, and points on them are placed along the meridian). A ring that would grow past
    ``_MAX_RING_VERTICES`` is left as it is, to be split where its errors say.
    """
    nxt = np.roll(xy, -1, axis=0)
    frame = on_frame(xy)
    length = edge_length_bound(xy, nxt)
    pieces = np.where(frame & np.roll(frame, -1), 1, np.ceil(length / step))
    pieces = np.maximum(pieces, 1).astype(np.int64)
    if pieces.sum() > _MAX_RING_VERTICES or (pieces == 1).all():
        return xy
    return edge_points(xy, nxt, pieces)[0]


def _slid(p: np.ndarray, a: np.ndarray, b: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Whether points ``p`` lie within a quarter of their edge's length of an end (a or b)."""
    quarter = length / 4.0
    with np.errstate(invalid="ignore"):
        return (edge_length_bound(p, a) < quarter) | (edge_length_bound(p, b) < quarter)


def _split(xy, d, foot, i, j, length, source: Prepared, radius: float, tol: float):
    """Return the vertex (with its distance and nearest point) that splits each edge i -> j.

    Its midpoint, placed onto the radius. Where that stays off the radius or goes to an end
    of its edge (near a sharp corner), and the two ends have nearest source points apart,
    the edge spans a corner of the buffer: the split goes to where the two ends' circles
    cross, if that is on the radius. It can lie beyond the edge (up to 4 edge lengths from
    its midpoint), where a ring folds back over the corner: the ring then goes round the
    corner instead of cutting across it (Antarctica's 30 km buffer had a hole whose ring
    cut a corner 15 m inside the radius). Otherwise a midpoint that went to an end is
    replaced by the plain midpoint, which still halves the edge.
    """
    mid = (xy[i] + xy[j]) / 2.0
    new, d_new, foot_new = settle(mid, source, radius, tol)
    slid = _slid(new, xy[i], xy[j], length)
    spans = (slid | (np.abs(d_new - radius) > tol / 4.0)) & _apart(foot[i], foot[j])
    spans &= ~on_frame(xy[i]) & ~on_frame(xy[j]) & (d[i] > 0) & (d[j] > 0)
    k = np.flatnonzero(spans)
    if len(k):
        c = _corner(mid[k], foot[i][k], foot[j][k], radius)
        ok = np.isfinite(c[:, 0])
        k, c = k[ok], c[ok]
    if len(k):
        dc, fc = measure(c, source)
        with np.errstate(invalid="ignore"):
            near = edge_length_bound(c, mid[k]) <= 4.0 * length[k]
        good = (np.abs(dc - radius) <= tol / 4.0) & near & ~_slid(c, xy[i][k], xy[j][k], length[k])
        good &= slid[k] | (np.abs(dc - radius) < np.abs(d_new[k] - radius))
        new[k[good]], d_new[k[good]], foot_new[k[good]] = c[good], dc[good], fc[good]
        slid[k[good]] = False
    if slid.any():
        new[slid] = mid[slid]
        d_new[slid], foot_new[slid] = measure(mid[slid], source)
    return new, d_new, foot_new


def snap_ring(
    xy: np.ndarray, source: Prepared, radius: float, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Snap one closed ring (first vertex not repeated) onto the exact distance, splitting edges.

    The ring is first given vertices at :func:`spacing`; then an edge is split while its
    error bound is over half the tolerance and over what its ends alone give (a split cannot
    help an end that did not reach the radius).

    Returns the ring and the error bound (m) of each edge (edge i joins vertex i and i + 1;
    NaN where an edge was split in the last round allowed and not measured again).
    """
    xy, d, foot = settle(_densified(xy, spacing(radius, tol)), source, radius, tol)
    err = np.full(len(xy), np.nan)  # bound per edge; NaN: not measured yet
    for _ in range(_MAX_ROUNDS):
        fresh = np.flatnonzero(np.isnan(err))
        err[fresh] = _ring_edge_errors(xy, d, foot, fresh, source, radius)
        nxt = np.roll(np.arange(len(xy)), -1)
        end = np.where(on_frame(xy), 0.0, np.abs(d - radius))
        ends = np.maximum(end, end[nxt])
        length = edge_length_bound(xy, xy[nxt])
        bad = np.flatnonzero((err > tol / 2.0) & (err > ends + tol / 8.0) & (length > tol / 8.0))
        if not len(bad) or len(xy) + len(bad) > _MAX_RING_VERTICES:
            break  # done, or the error measured afterwards says how far from done
        new, d_new, foot_new = _split(xy, d, foot, bad, nxt[bad], length[bad], source, radius, tol)
        err[bad] = np.nan
        xy = np.insert(xy, bad + 1, new, axis=0)
        d = np.insert(d, bad + 1, d_new)
        foot = np.insert(foot, bad + 1, foot_new, axis=0)
        err = np.insert(err, bad + 1, np.nan)
    return xy, err


def _edge_keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One byte string per edge from ``a`` to ``b``: its four coordinates, exactly."""
    return np.ascontiguousarray(np.hstack([a, b])).view(np.dtype((np.void, 32))).ravel()


class KnownEdges:
    """Error bounds (m) already measured for edges, looked up by their exact end points.

    An edge's bound holds whichever way it is walked, so each is kept both ways.
    """

    def __init__(self) -> None:
        self._keys: list[np.ndarray] = []
        self._errors: list[np.ndarray] = []
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None

    def add(self, xy: np.ndarray, err: np.ndarray) -> None:
        """Record the bounds ``err`` of a closed ring's edges (edge i: vertex i to i + 1)."""
        nxt = np.roll(xy, -1, axis=0)
        ok = np.isfinite(err)
        self._keys += [_edge_keys(xy[ok], nxt[ok]), _edge_keys(nxt[ok], xy[ok])]
        self._errors += [err[ok], err[ok]]
        self._sorted = None

    def lookup(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Return the recorded bound (m) of each edge from ``a`` to ``b`` (NaN where none is)."""
        out = np.full(len(a), np.nan)
        if self._sorted is None:
            keys = np.concatenate(self._keys) if self._keys else np.empty(0, "V32")
            errors = np.concatenate(self._errors) if self._errors else np.empty(0)
            order = np.argsort(keys)
            self._sorted = keys[order], errors[order]
        keys, errors = self._sorted
        if not len(keys) or not len(a):
            return out
        q = _edge_keys(a, b)
        pos = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
        hit = keys[pos] == q
        out[hit] = errors[pos[hit]]
        return out


def area_error(
    area: shapely.Geometry, source: Prepared, radius: float, known: KnownEdges | None = None
) -> float:
    """Bound (m) of |d − radius| over every point of an area's boundary.

    Edges along the antimeridian or a pole belong to the lon/lat plane, not to the buffer,
    and are left out. Edges in ``known`` (the same two end points, either way round) take
    the bound recorded there; the others are measured.
    """
    worst = 0.0
    for poly in shapely.get_parts(area):
        for ring in [poly.exterior, *poly.interiors]:
            xy = shapely.get_coordinates(ring)[:-1]
            if len(xy) < 2:
                continue
            nxt = np.roll(np.arange(len(xy)), -1)
            errors = np.full(len(xy), np.nan) if known is None else known.lookup(xy, xy[nxt])
            todo = np.flatnonzero(np.isnan(errors))
            if len(todo):
                ends = np.unique(np.concatenate([todo, nxt[todo]]))
                d, foot = np.zeros(len(xy)), np.zeros_like(xy)
                d[ends], foot[ends] = measure(xy[ends], source)
                errors[todo] = _ring_edge_errors(xy, d, foot, todo, source, radius)
            worst = max(worst, float(errors.max(initial=0.0)))
    return worst
