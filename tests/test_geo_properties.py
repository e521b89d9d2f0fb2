"""Property-based checks of geo on random points, lines and small polygons anywhere on Earth.

Geometries are drawn anywhere, with extra weight near ±180 degrees and the poles;
those crossing ±180 are split there (RFC 7946) before use. Every property is checked
against the brute-force reference in tests/reference.py. Example counts are bounded
and the runs derandomised, so the default suite stays fast and repeatable.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from reference import (
    GEOD,
    boundary_samples,
    contract_bound,
    split_antimeridian,
)
from reference import (
    distance_to as ref_distance_to,
)

import geo

FAST = settings(max_examples=200, deadline=None, derandomize=True)
MEDIUM = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
# Buffers are the slow part: no shrinking, so a failure costs seconds, not minutes.
SLOW = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)

longitudes = st.one_of(
    st.floats(-180, 180),
    st.floats(175, 180),
    st.floats(-180, -175),
    st.sampled_from([-180.0, 180.0]),
)
latitudes = st.one_of(
    st.floats(-90, 90), st.floats(85, 90), st.floats(-90, -85), st.sampled_from([-90.0, 0.0, 90.0])
)
lonlat = st.tuples(longitudes, latitudes)


def _tolerance(ref: np.ndarray) -> np.ndarray:
    return np.where(np.abs(ref) <= 5_000_000.0, 1.0, 1e-6 * np.abs(ref))


@st.composite
def shapes(draw, kinds=("polygon", "line", "point")):
    """A small valid lon/lat geometry, split at ±180 when it crosses it."""
    kind = draw(st.sampled_from(kinds))
    clon = draw(longitudes)
    clat = draw(st.one_of(st.floats(-88, 88), st.floats(80, 89.5), st.floats(-89.5, -80)))
    room = 89.9 - abs(clat)  # keep every vertex off the pole lines
    r_deg = draw(st.floats(min_value=0.005, max_value=max(0.006, min(3.0, room))))
    stretch = 1.0 / max(
        np.cos(np.radians(clat)), 0.05
    )  # degrees of longitude are short near the poles
    if kind == "point":
        return shapely.Point(clon, clat)
    k = draw(st.integers(3, 8) if kind == "polygon" else st.integers(2, 5))
    angles = draw(
        st.lists(st.floats(0, 2 * np.pi, exclude_max=True), min_size=k, max_size=k, unique=True)
    )
    reach = np.array(draw(st.lists(st.floats(0.2, 1.0), min_size=k, max_size=k)))
    if kind == "polygon":  # star-shaped about its centre in lon/lat, hence simple
        angles = np.sort(angles)
    dlon = np.clip(r_deg * reach * np.cos(angles) * stretch, -60, 60)
    coords = np.column_stack([clon + dlon, clat + r_deg * reach * np.sin(angles)])
    geom = shapely.Polygon(coords) if kind == "polygon" else shapely.LineString(coords)
    if kind == "polygon" and (not geom.is_valid or geom.area < 1e-12):
        geom = shapely.LineString(coords)
    geom = split_antimeridian(geom) if np.abs(coords[:, 0]).max() > 180 else geom
    # A sliver past ±180 can split into nothing but points, which are dropped: draw again.
    assume(not geom.is_empty)
    return geom


@st.composite
def queries(draw, geom):
    """Points at random azimuths and distances (to 19,000 km) from the vertices, and anywhere."""
    verts = shapely.get_coordinates(geom)
    n = draw(st.integers(1, 6))
    idx = draw(st.lists(st.integers(0, len(verts) - 1), min_size=n, max_size=n))
    az = draw(st.lists(st.floats(-180, 180), min_size=n, max_size=n))
    dist = draw(
        st.lists(
            st.one_of(st.floats(0, 5_000), st.floats(0, 500_000), st.floats(0, 19_000_000)),
            min_size=n,
            max_size=n,
        )
    )
    lon, lat, _ = GEOD.fwd(verts[idx, 0], verts[idx, 1], az, dist)
    anywhere = draw(st.lists(lonlat, min_size=0, max_size=2))
    return np.concatenate([np.column_stack([lon, lat]), np.array(anywhere).reshape(-1, 2)])


def _report(pts, got, ref, what):
    bad = ~(np.abs(got - ref) <= _tolerance(ref))
    return (
        f"{what}: "
        + "; ".join(
            f"point {tuple(pts[i])}: expected {ref[i]:.4f} m, got {got[i]:.4f} m"
            for i in np.flatnonzero(bad)
        )
        if bad.any()
        else ""
    )


def _is_split(geom) -> bool:
    return bool((np.abs(np.abs(shapely.get_coordinates(geom)[:, 0]) - 180) < 1e-12).any())


# --------------------------------------------------------------------------- point to point


@FAST
@given(lonlat, lonlat)
def test_distance_is_geod_inv_and_symmetric(a, b):
    expected = GEOD.inv(*a, *b)[2]
    d_ab = geo.distance(a, b)
    assert abs(d_ab - expected) <= 1e-6
    assert abs(geo.distance(b, a) - d_ab) <= 1e-6


# --------------------------------------------------------------------------- point to geometry


@MEDIUM
@given(st.data())
def test_distance_to_matches_reference(data):
    geom = data.draw(shapes())
    pts = data.draw(queries(geom))
    signed_ref = ref_distance_to(pts, geom, signed=True)
    ref = np.maximum(signed_ref, 0.0)
    got = geo.distance_to(pts, geom)
    message = _report(pts, got, ref, f"distance_to({geom.wkt})")
    assert not message, message
    signed = geo.distance_to(pts, geom, signed=True)
    outside = ref > 0
    assert np.array_equal(signed[outside], got[outside]), "signed differs from unsigned outside"
    assert (signed[~outside] <= 1e-6).all()  # on the boundary: 0 up to rounding
    if not _is_split(geom):  # depth under a cut at ±180 is a matter of convention
        message = _report(pts, signed, signed_ref, f"signed distance_to({geom.wkt})")
        assert not message, message


@MEDIUM
@given(st.data(), st.floats(0, 3_000_000))
def test_max_distance_only_cuts(data, max_distance):
    geom = data.draw(shapes())
    pts = data.draw(queries(geom))
    index = geo.DistanceIndex(geom)
    full = index.distance_to(pts)
    capped = index.distance_to(pts, max_distance=max_distance)
    assert np.array_equal(np.isinf(capped), full > max_distance) or (
        # a point within the error bound of the cut may fall either side
        np.all(np.abs(full[np.isinf(capped) != (full > max_distance)] - max_distance) <= 1.0)
    )
    kept = ~np.isinf(capped)
    assert np.allclose(capped[kept], full[kept], rtol=0, atol=1e-6)
    assert np.allclose(full, geo.distance_to(pts, geom), rtol=0, atol=1e-6)


@MEDIUM
@given(shapes(kinds=("polygon", "line")))
def test_vertices_and_edge_points_are_at_zero(geom):
    verts = shapely.get_coordinates(geom)
    assert np.abs(geo.distance_to(verts, geom)).max() <= 1e-6
    edges = shapely.get_parts(
        shapely.boundary(geom) if geom.geom_type.endswith("Polygon") else geom
    )
    mids = np.concatenate(
        [
            shapely.get_coordinates(
                shapely.line_interpolate_point(e, [0.37, 0.81], normalized=True)
            )
            for e in edges
        ]
    )
    # A point on an edge, straight in lon/lat, is on the geometry: distance 0 (to float precision).
    assert np.abs(geo.distance_to(mids, geom)).max() <= 1e-3


# --------------------------------------------------------------------------- buffer


_RADII = st.floats(np.log(100.0), np.log(2_000_000.0))


@pytest.mark.slow
@SLOW
@given(shapes(), _RADII)
def test_buffer_boundary_is_at_the_radius(geom, log_radius):
    _check_buffer(geom, float(np.exp(log_radius)))


@settings(SLOW, max_examples=4)
@given(shapes(), _RADII)
def test_buffer_boundary_is_at_the_radius_few(geom, log_radius):
    """The slow test's first 4 shapes, so that the default run buffers random shapes too."""
    _check_buffer(geom, float(np.exp(log_radius)))


def _check_buffer(geom, radius):
    buf, error_m = geo.buffer(geom, radius, return_error=True)
    assert buf.is_valid and isinstance(buf, (shapely.Polygon, shapely.MultiPolygon))
    verts = shapely.get_coordinates(geom)
    assert shapely.intersects_xy(buf, verts[:, 0], verts[:, 1]).all(), (
        "the buffer misses the source"
    )
    xy = boundary_samples(buf, 300, min_per_ring=2)
    ref = ref_distance_to(xy, geom)
    err = np.abs(ref - radius)
    bound = contract_bound(radius)
    i = int(np.argmax(err))
    assert err[i] <= bound, (
        f"buffer({geom.wkt}, {radius!r}): boundary point {tuple(xy[i])} is {ref[i]:.3f} m away "
        f"(error {err[i]:.3f} m > {bound:.1f} m)"
    )
    assert error_m <= bound
    # The error reported bounds every boundary point (up to rounding), not only some of them.
    assert error_m >= err.max() - 1e-3, (
        f"reported error {error_m:.3f} m < measured {err.max():.3f} m"
    )
    for part in shapely.get_parts(buf):
        x0, _, x1, _ = part.bounds
        # No smear: a part only spans most of the longitudes if it reaches a pole.
        if x1 - x0 > 300:
            assert max(abs(part.bounds[1]), abs(part.bounds[3])) > 60, (
                f"part spans {x0:.1f}..{x1:.1f}"
            )


# --------------------------------------------------------------------------- geodesic line


@MEDIUM
@given(lonlat, lonlat)
def test_geodesic_line_vertices_on_the_geodesic(a, b):
    _, _, total = GEOD.inv(*a, *b)
    line = geo.geodesic_line(a, b)
    verts = shapely.get_coordinates(line)
    n = len(verts)
    d_a = GEOD.inv(np.full(n, a[0]), np.full(n, a[1]), verts[:, 0], verts[:, 1])[2]
    d_b = GEOD.inv(verts[:, 0], verts[:, 1], np.full(n, b[0]), np.full(n, b[1]))[2]
    # A vertex s metres sideways of the geodesic lengthens a->v->b by about s^2/2 (1/d_a + 1/d_b).
    excess = np.maximum(d_a + d_b - total, 0.0)
    with np.errstate(divide="ignore"):
        sideways = np.sqrt(2 * excess / (1 / np.maximum(d_a, 1e-3) + 1 / np.maximum(d_b, 1e-3)))
    i = int(np.argmax(sideways))
    assert sideways[i] <= 1.0, f"vertex {tuple(verts[i])} is ~{sideways[i]:.2f} m off the geodesic"
    assert (np.abs(verts[:, 0]) <= 180).all() and (np.abs(verts[:, 1]) <= 90).all()
