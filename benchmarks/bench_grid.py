"""Measure population-grid exposure at scale: time, peak memory and the sums' exactness.

A synthetic count grid (float32, tiled 512 x 512, deflate) covering 120-140°E, 30-50°N is
written into a temporary folder (never kept): by default 10,000 x 10,000 cells of 0.002°,
100 million cells, 400 MB if it were read whole as float32. Each cell holds
``f(lon, lat) = 10 + 2 (lon - 120) + (lat - 30)`` people at its centre. ``f`` is linear, so
the people in any polygon, summed with exact partial-cell coverage, are known in closed form:
``area(P) * f(centroid(P)) / cell_area`` (areas in square degrees, the grid's own plane).

The question is the scenario's: people within 50, 100 and 200 km of North Korea (the packaged
territory with its territorial sea) living in China, Russia and South Korea::

    layers.exposure(layers.territory("KP"), grid, ["50km", "100km", "200km"],
                    by=["CN", "RU", "KR"])

Each measured call runs in its own child process, so its peak resident memory
(``ru_maxrss``) is its own; every window read from the grid is recorded.

Rows:

1. zonal sums alone (``PopulationGrid.zonal_sum`` over the 9 band x country zones);
2. the whole ``layers.exposure`` call: the geodesic bands, the band x country zones and their
   sums by exact cell fractions (no distance is measured: the curve waits until it is asked for);
3. the first ``Exposure.curve`` at 2,001 radii (every 100 m) from that result: the exact
   geodesic distance of every non-empty cell centre within 200 km, then the curve;
4. a second ``Exposure.curve`` (the distances are kept).

The check column compares the table with the closed form (largest relative difference over
the 9 country x radius rows) and, for the curve, its value at 200 km with the table (whole
cells by their centre against partial cells by their covered fraction).

Usage::

    python benchmarks/bench_grid.py                 # 10,000 x 10,000 cells, about 2 minutes
    python benchmarks/bench_grid.py --size 2000     # 2,000 x 2,000 cells (0.01°), seconds
    python benchmarks/bench_grid.py --size 2000 --size 10000
    python benchmarks/bench_grid.py --global --keep /tmp/global30.tif   # grid written once
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

WEST, NORTH, SPAN_DEG = 120.0, 50.0, 20.0
RADII = ["50km", "100km", "200km"]
RADII_M = [50_000.0, 100_000.0, 200_000.0]
COUNTRIES = ["CN", "RU", "KR"]
#: Where the synthetic grid is written (the system's temporary folder by default).
TMP = os.environ.get("BENCH_GRID_TMP") or None


#: The global grid of ``--global``: 30 arc-seconds, 43,200 x 21,600 cells.
GLOBAL_COLS, GLOBAL_ROWS = 43_200, 21_600


def people_per_cell(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The analytic field: people in a cell centred at (lon, lat), degrees (positive everywhere)."""
    if os.environ.get("BENCH_GRID_GLOBAL") == "1":
        return 10.0 + (lon + 180.0) / 36.0 + (lat + 90.0) / 18.0
    return 10.0 + 2.0 * (lon - WEST) + 1.0 * (lat - (NORTH - SPAN_DEG))


def make_grid(path: Path, n: int) -> float:
    """Write the n x n count grid, a block of rows at a time; return the cell size (degrees)."""
    import rasterio
    from affine import Affine
    from rasterio.windows import Window

    if os.environ.get("BENCH_GRID_GLOBAL") == "1":
        return _make_global(path)
    h = SPAN_DEG / n
    profile = {
        "driver": "GTiff", "width": n, "height": n, "count": 1, "dtype": "float32",
        "crs": "EPSG:4326", "transform": Affine(h, 0.0, WEST, 0.0, -h, NORTH), "nodata": -1.0,
        "tiled": True, "blockxsize": 512, "blockysize": 512, "compress": "deflate",
        "predictor": 3,
    }  # fmt: skip
    lon = WEST + (np.arange(n) + 0.5) * h
    with rasterio.open(path, "w", **profile) as ds:
        for r in range(0, n, 512):
            k = min(512, n - r)
            lat = NORTH - (np.arange(r, r + k) + 0.5) * h
            ds.write(people_per_cell(lon[None, :], lat[:, None]).astype("float32"), 1,
                     window=Window(0, r, n, k))  # fmt: skip
    return h


def _make_global(path: Path) -> float:
    """Write the global 30" grid of the same kind (tiled 512 x 512, deflate), strip by strip."""
    import rasterio
    from affine import Affine
    from rasterio.windows import Window

    h = 1 / 120
    profile = {
        "driver": "GTiff", "width": GLOBAL_COLS, "height": GLOBAL_ROWS, "count": 1,
        "dtype": "float32", "crs": "EPSG:4326", "transform": Affine(h, 0.0, -180.0, 0.0, -h, 90.0),
        "nodata": -1.0, "tiled": True, "blockxsize": 512, "blockysize": 512, "compress": "deflate",
        "predictor": 3, "BIGTIFF": "YES",
    }  # fmt: skip
    lon = -180.0 + (np.arange(GLOBAL_COLS) + 0.5) * h
    with rasterio.open(path, "w", **profile) as ds:
        for r in range(0, GLOBAL_ROWS, 512):
            k = min(512, GLOBAL_ROWS - r)
            lat = 90.0 - (np.arange(r, r + k) + 0.5) * h
            ds.write(people_per_cell(lon[None, :], lat[:, None]).astype("float32"), 1,
                     window=Window(0, r, GLOBAL_COLS, k))  # fmt: skip
    return h


def _country_zones(layers, geo, shapely):
    """The band x country zones of ``by="country"`` (every country reached, and the rest)."""
    from layers.analysis.grid_breakdown import grid_breakdown
    from layers.analysis.grids import _pieces

    source = layers.territory("KP")
    bands = np.asarray(geo.rings(source, RADII_M).geometry, dtype=object)
    names, zones = _pieces(bands, grid_breakdown("country", ("KP",), shapely.union_all(bands)))
    keys = [(name, i) for name in names for i in range(len(RADII_M))]
    return source, zones, keys


# --------------------------------------------------------------------------- child process


def _zones(layers, geo, shapely):
    """The 9 zones (band i x country j) and their closed-form people, as the library builds them."""
    source = layers.territory("KP")
    bands = np.asarray(geo.rings(source, RADII_M).geometry, dtype=object)
    zones, keys = [], []
    for code in COUNTRIES:
        country = shapely.union_all(np.asarray(layers.territory(code).to_crs(4326).geometry))
        for i, band in enumerate(bands):
            zones.append(shapely.intersection(band, country))
            keys.append((code, i))
    return source, zones, keys


def _expected(zones, h: float) -> np.ndarray:
    import shapely

    zones = np.asarray(zones, dtype=object)
    c = shapely.centroid(zones)
    area = shapely.area(zones)
    f = np.where(area > 0, people_per_cell(shapely.get_x(c), shapely.get_y(c)), 0.0)
    return area * f / (h * h)


def child(mode: str, path: str, h: float) -> None:
    import shapely

    import geo
    import layers

    by_country = os.environ.get("BENCH_GRID_GLOBAL") == "1"
    make_zones = _country_zones if by_country else _zones
    source, zones, keys = make_zones(layers, geo, shapely)
    groups = sorted({k for k, _ in keys}, key=[k for k, _ in keys].index)
    expected = _expected(zones, h)
    grid = layers.population_grid(path, kind="count")
    reads: list[int] = []
    read_window = grid.read_window

    def recording_read(ds, row0, col0, nrows, ncols):  # records every window read
        reads.append(nrows * ncols)
        return read_window(ds, row0, col0, nrows, ncols)

    grid.read_window = recording_read
    # time the steps of layers.exposure: geodesic bands, zonal sums, cell-centre distances
    from layers.analysis import grids as exposure_grid

    seconds: dict[str, float] = {}

    def timed(name, func):
        def call(*args, **kwargs):
            t0 = time.perf_counter()
            result = func(*args, **kwargs)
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t0
            return result

        return call

    grid.zonal_sum = timed("zonal", grid.zonal_sum)
    geo.rings = timed("rings", geo.rings)
    grid.cell_fractions = timed("fractions", grid.cell_fractions)
    exposure_grid.grid_question = timed("question", exposure_grid.grid_question)
    exposure_grid.measure_entries = timed("cells", exposure_grid.measure_entries)
    # the bands are built by the timed call, not taken from those the zones above were cut from
    from geo.constructive import forget_built_buffers

    forget_built_buffers()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out: dict = {"mode": mode, "baseline_mb": baseline / 1024}
    t0 = time.perf_counter()
    if mode == "zonal":
        got = grid.zonal_sum(zones)["population"].to_numpy()
        out["seconds"] = time.perf_counter() - t0
        cum_got, cum_exp = got, expected
    else:
        result = layers.exposure(source, grid, RADII, by="country" if by_country else COUNTRIES)
        out["seconds"] = time.perf_counter() - t0
        out["step_seconds"] = dict(seconds)
        out["exposure_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        table = result.table.set_index(["country", "radius_m"])["population"]
        cum_got = np.array([table[(c, RADII_M[i])] for c, i in keys])
        cum_exp = np.concatenate(
            [np.cumsum(expected[j * 3 : j * 3 + 3]) for j in range(len(groups))]
        )
        t1 = time.perf_counter()
        curve = result.curve(step_m=100.0)
        out["curve_seconds"] = time.perf_counter() - t1
        out["curve_distance_seconds"] = seconds.get("cells", 0.0)
        t1 = time.perf_counter()
        result.curve(step_m=100.0)
        out["curve_again_seconds"] = time.perf_counter() - t1
        out["curve_radii"] = len(curve)
        out["curve_cells"] = int(curve["places"].iloc[-1])
        out["curve_vs_table"] = float(curve["population"].iloc[-1] / result.population())
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ok = cum_exp > 0
    out["max_rel_diff"] = float(np.max(np.abs(cum_got - cum_exp)[ok] / cum_exp[ok]))
    out["people_200km"] = float(np.sum(cum_exp.reshape(len(groups), 3)[:, -1]))
    out["groups"] = len(groups)
    out["zones"] = len(zones)
    out["reads"] = len(reads)
    out["largest_read"] = max(reads)
    out["cells_read"] = int(sum(reads))
    print(json.dumps(out))


def run_child(mode: str, path: Path, h: float) -> dict:
    env = dict(os.environ, RISKMAP_PROGRESS="0")
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path), repr(h)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode:
        raise SystemExit(f"child {mode} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the table


def run(sizes: list[int], keep: Path | None = None) -> str:
    lines = [
        "| grid | step | zones | time s | peak RSS MB (before the call) | largest read, cells "
        "| cells read | check |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="riskmap-bench-grid-", dir=TMP) as tmp:
            path = Path(tmp) / "synthetic_count.tif" if keep is None else keep
            t0 = time.perf_counter()
            # --keep: the global grid is written once and reused (its cells are fixed)
            h = 1 / 120 if keep is not None and keep.exists() else make_grid(path, n)
            made = time.perf_counter() - t0
            size_mb = path.stat().st_size / 2**20
            grid = f"{n:,} × {n:,} ({h:g}°, {n * n / 1e6:,.0f} M cells)"
            if os.environ.get("BENCH_GRID_GLOBAL") == "1":
                grid = f'global 30" {GLOBAL_COLS:,} × {GLOBAL_ROWS:,}, by country'
            print(f"{grid}: written in {made:.1f} s, {size_mb:.0f} MB on disk", file=sys.stderr)
            z = run_child("zonal", path, h)
            e = run_child("exposure", path, h)

        def mem(r: dict) -> str:
            return f"{r['peak_mb']:,.0f} ({r['baseline_mb']:,.0f})"

        lines.append(
            f"| {grid} | zonal sums | {z['zones']} | {z['seconds']:.2f} | {mem(z)} | "
            f"{z['largest_read']:,} | {z['cells_read']:,} in {z['reads']} windows | "
            f"max rel. diff vs closed form {z['max_rel_diff']:.1e} |"
        )
        steps = e["step_seconds"]
        exposure_mem = f"{e['exposure_peak_mb']:,.0f} ({e['baseline_mb']:,.0f})"
        lines.append(
            f"| {grid} | `layers.exposure`: bands {steps['rings']:.2f} s (zones "
            f"{steps['question']:.2f} s), cell fractions {steps['fractions']:.2f} s | "
            f"{e['zones']} | {e['seconds']:.2f} | {exposure_mem} | "
            f"{e['largest_read']:,} | {e['cells_read']:,} in {e['reads']} windows | "
            f"table max rel. diff {e['max_rel_diff']:.1e}; {e['people_200km']:,.0f} people "
            f"within 200 km; {e['seconds'] / z['seconds']:.1f} × the zonal sums, "
            f"{(e['seconds'] - steps['rings']) / z['seconds']:.1f} × without the bands |"
        )
        lines.append(
            f"| {grid} | first `Exposure.curve`, {e['curve_radii']:,} radii: distances of "
            f"{e['curve_cells']:,} cell centres {e['curve_distance_seconds']:.1f} s | – | "
            f"{e['curve_seconds']:.2f} | {mem(e)} | – | – | curve / table at 200 km "
            f"{e['curve_vs_table']:.5f} |"
        )
        lines.append(
            f"| {grid} | second `Exposure.curve` | – | {e['curve_again_seconds']:.3f} "
            "| – | – | – | the same curve |"
        )
    header = (
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; peak RSS is the child "
        "process's ru_maxrss, in brackets its value after imports and inputs, before the call.\n"
    )
    return header + "\n" + "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size", type=int, action="append", help="cells per side (repeatable); 10000 by default"
    )
    parser.add_argument(
        "--global",
        dest="whole",
        action="store_true",
        help='the global 30" grid (43,200 x 21,600 cells), by="country" (about 4 GB on disk)',
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="TIF",
        help="with --global: write the grid to TIF and keep it, or reuse TIF if it exists",
    )
    args = parser.parse_args()
    if args.keep is not None and not args.whole:
        parser.error("--keep goes with --global (the one grid whose cells do not hang on --size)")
    if args.whole:
        os.environ["BENCH_GRID_GLOBAL"] = "1"  # read by the child processes too
        print(run([GLOBAL_COLS], keep=args.keep))
        return
    print(run(args.size or [10_000]))


if __name__ == "__main__":
    main()
