"""Exposure of N random points to North Korea at 200 radii: in memory vs a local Dask cluster.

    python benchmarks/bench_dask.py --n 3000000 [--partitions 12] [--workers 2] [--repeat 2]

The points come from the test suite's generator (tests/test_dask.py): a fifth around North
Korea, the rest worldwide. Prints one Markdown row: best-of-N seconds in memory, on the
cluster with the points already held by the workers, and once including generating them
there; the number of places brought back; whether both results are identical (to_json).
Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test's generator

import dask  # noqa: E402
import dask.dataframe as dd  # noqa: E402
from dask.distributed import Client, LocalCluster, wait  # noqa: E402
from test_dask import make_points  # noqa: E402

import layers  # noqa: E402

RADII = np.arange(1, 201) * 1000.0


def best(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def in_memory(source, partitions, per, repeat):
    gdf = pd.concat([make_points(i, per) for i in range(partitions)])
    return best(lambda: layers.exposure(source, gdf, RADII), repeat)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3_000_000)
    ap.add_argument("--partitions", type=int, default=12)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    per = a.n // a.partitions
    kp = layers.territory("KP")
    with dask.config.set({"dataframe.convert-string": False}):
        t_mem, exp_mem = in_memory(kp, a.partitions, per, a.repeat)
        with (
            LocalCluster(
                n_workers=a.workers,
                processes=True,
                threads_per_worker=1,
                host="127.0.0.1",
                dashboard_address=None,
            ) as cluster,
            Client(cluster),
        ):
            ddf = dd.from_map(make_points, range(a.partitions), n=per, meta=make_points(0, 0))
            t_e2e, _ = best(
                lambda: layers.exposure(kp, ddf, RADII), 1
            )  # generation on workers + exposure
            held = ddf.persist()
            wait(held)
            t_dask, exp_dask = best(lambda: layers.exposure(kp, held, RADII), a.repeat)
    same = exp_mem.to_json() == exp_dask.to_json()
    print(
        f"| {a.n:,} points, {a.partitions} partitions | in memory {t_mem:.2f} s | "
        f"LocalCluster {a.workers}x1 thread, data held on workers {t_dask:.2f} s | "
        f"incl. generating the points on the workers {t_e2e:.2f} s | "
        f"places returned {len(exp_dask.places):,} | identical {same} | "
        f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores |"
    )


if __name__ == "__main__":
    main()
