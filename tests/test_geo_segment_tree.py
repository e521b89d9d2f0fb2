"""The segment tree's search against brute force (ECEF metres), and the threads that run it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from shapely import Polygon

import geo._boundary as boundary_module
from geo import DistanceIndex, InputError
from geo._boundary import ecef
from geo._segment_tree import SegmentTree


def brute_force(q: np.ndarray, xyz: np.ndarray, seg_vec: np.ndarray) -> np.ndarray:
    """Chord distance from each query point to its nearest segment, over all segments."""
    len2 = np.einsum("ij,ij->i", seg_vec, seg_vec)
    out = []
    for batch in np.array_split(q, max(1, len(q) // 50)):
        w = batch[:, None, :] - xyz[None, :, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(len2 > 0, np.einsum("qij,ij->qi", w, seg_vec) / len2, 0.0)
        diff = w - np.clip(t, 0.0, 1.0)[:, :, None] * seg_vec[None, :, :]
        out.append(np.sqrt(np.einsum("qij,qij->qi", diff, diff)).min(axis=1))
    return np.concatenate(out)


def random_linework(rng: np.random.Generator, parts: int) -> tuple[np.ndarray, np.ndarray]:
    """Random walks round East Asia, as segments; each part's last vertex is a lone point."""
    xyz, seg_vec = [], []
    for _ in range(parts):
        n = int(rng.integers(1, 400))
        start = rng.uniform([100.0, 20.0], [150.0, 60.0])
        lonlat = start + np.cumsum(rng.normal(0.0, 0.05, (n, 2)), axis=0)
        p = ecef(lonlat[:, 0], lonlat[:, 1])
        v = np.zeros_like(p)
        v[:-1] = p[1:] - p[:-1]
        xyz.append(p)
        seg_vec.append(v)
    return np.vstack(xyz), np.vstack(seg_vec)


@pytest.mark.parametrize("parts", [1, 3, 40])
def test_nearest_is_the_brute_force_minimum(parts):
    rng = np.random.default_rng(parts)
    xyz, seg_vec = random_linework(rng, parts)
    lon = rng.uniform(-180.0, 180.0, 600)
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, 600)))
    near = xyz[rng.integers(0, len(xyz), 300)] + rng.normal(0.0, 5_000.0, (300, 3))
    q = np.vstack([ecef(lon, lat), near])
    seg, t, chord = SegmentTree(xyz, seg_vec).nearest(q, np.inf)
    expected = brute_force(q, xyz, seg_vec)
    np.testing.assert_allclose(chord, expected, rtol=0, atol=1e-6)
    # The returned segment and parameter give a point at exactly that distance.
    foot = xyz[seg] + t[:, None] * seg_vec[seg]
    np.testing.assert_allclose(np.linalg.norm(q - foot, axis=1), chord, rtol=0, atol=1e-6)
    assert np.all((t >= 0) & (t <= 1))


def test_bound_per_point_and_nothing_within_it():
    rng = np.random.default_rng(7)
    xyz, seg_vec = random_linework(rng, 5)
    q = xyz[rng.integers(0, len(xyz), 200)] + rng.normal(0.0, 50_000.0, (200, 3))
    expected = brute_force(q, xyz, seg_vec)
    factor = rng.choice([0.5, 0.999, 1.001, 2.0], size=len(q))
    seg, _, chord = SegmentTree(xyz, seg_vec).nearest(q, expected * factor)
    hit = factor > 1
    np.testing.assert_allclose(chord[hit], expected[hit], rtol=0, atol=1e-6)
    assert np.all(seg[~hit] == -1) and np.all(np.isinf(chord[~hit]))


def test_a_single_point():
    p = ecef(np.array([127.0]), np.array([40.0]))
    q = ecef(np.array([128.0, 127.0]), np.array([40.0, 40.0]))
    seg, t, chord = SegmentTree(p, np.zeros_like(p)).nearest(q, np.inf)
    assert seg.tolist() == [0, 0] and t.tolist() == [0.0, 0.0]
    np.testing.assert_allclose(chord, [np.linalg.norm(q[0] - p[0]), 0.0], atol=1e-9)


def random_polygon(rng: np.random.Generator) -> Polygon:
    """A star-shaped polygon of 300 vertices round (130, 40)."""
    angle = np.sort(rng.uniform(0.0, 2 * np.pi, 300))
    radius = rng.uniform(1.0, 3.0, 300)
    return Polygon(np.column_stack([130 + radius * np.cos(angle), 40 + radius * np.sin(angle)]))


def test_threads_give_the_same_answer(monkeypatch):
    """Large batches are cut into pieces measured on several threads: nothing may change."""
    rng = np.random.default_rng(3)
    index = DistanceIndex(random_polygon(rng))
    lon = rng.uniform(100.0, 160.0, 50_000)
    lat = rng.uniform(10.0, 70.0, 50_000)
    xy = np.column_stack([lon, lat])
    monkeypatch.setenv("RISKMAP_THREADS", "1")
    one = index.distance_to(xy)
    monkeypatch.setenv("RISKMAP_THREADS", "3")
    monkeypatch.setattr(boundary_module, "_CHUNK", 7_000)
    many = index.distance_to(xy)
    np.testing.assert_array_equal(one, many)


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_bad_thread_count_is_refused(monkeypatch, value):
    monkeypatch.setenv("RISKMAP_THREADS", value)
    with pytest.raises(InputError, match=rf"RISKMAP_THREADS='{re.escape(value)}'.*at least 1"):
        DistanceIndex(Polygon([(0, 0), (1, 0), (1, 1)])).distance_to((2.0, 0.5))


def test_thread_count_from_the_environment(monkeypatch):
    monkeypatch.delenv("RISKMAP_THREADS", raising=False)
    assert boundary_module.threads() == (os.cpu_count() or 1)
    monkeypatch.setenv("RISKMAP_THREADS", " 4 ")
    assert boundary_module.threads() == 4


@pytest.mark.slow  # 6-10 s; test_geo_threads runs a fresh index on eight threads by default
def test_fresh_indexes_on_threads_do_not_crash():
    """A prepared geometry is not safe to first use from two threads (GEOS builds its index
    then): the inside test must stay on one thread. Before it did, this crashed the process."""
    script = textwrap.dedent(
        """
        import numpy as np
        from shapely import Polygon
        import geo
        rng = np.random.default_rng(0)
        angle = np.sort(rng.uniform(0.0, 2 * np.pi, 20_000))
        radius = rng.uniform(0.50, 0.52, 20_000)
        ring = np.column_stack([130 + radius * np.cos(angle), 40 + radius * np.sin(angle)])
        xy = np.column_stack([rng.uniform(125, 135, 40_000), rng.uniform(35, 45, 40_000)])
        for _ in range(20):
            geo.distance_to(xy, Polygon(ring))
        print("done")
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "done", run.stderr[-2000:]
