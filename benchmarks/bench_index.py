"""One settlement index per process: the time of a second exposure on a new source.

``layers.exposure`` on the packaged settlements (234,908 places, sections included)
builds their ``geo.PointIndex`` once per process (``layers.settlement_index``); every
later call on another source measures only the places near that source. Prints, in
seconds and in geod units (the time of ``pyproj.Geod.inv`` on 1,000,000 random pairs
in the same run, median of 3): the first call (index built), then each later call on
a source not seen before, median of 5. The bar is 0.05 geod units for a later call.

Usage: python benchmarks/bench_index.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import shapely
from pyproj import Geod

import layers


def geod_unit(n: int = 1_000_000, repeat: int = 3) -> float:
    """Median time (s) of Geod.inv on n random pairs."""
    rng = np.random.default_rng(0)
    lon1, lon2 = rng.uniform(-180, 180, (2, n))
    lat1, lat2 = rng.uniform(-90, 90, (2, n))
    geod = Geod(ellps="WGS84")
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        geod.inv(lon1, lat1, lon2, lat2)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    places = layers.settlements(include_sections=True)
    kp = layers.territory("KP", land_only=False)
    # new sources: points and boxes over the globe, each used once
    rng = np.random.default_rng(1)
    sources = [
        shapely.Point(x, y)
        for x, y in zip(rng.uniform(-170, 170, 5), rng.uniform(-60, 70, 5), strict=True)
    ]
    sources += [
        shapely.box(x, y, x + 3, y + 2)
        for x, y in zip(rng.uniform(-170, 165, 5), rng.uniform(-60, 65, 5), strict=True)
    ]
    unit = geod_unit()
    t = time.perf_counter()
    layers.exposure(kp, places, ["200km"], by=None)
    first = time.perf_counter() - t
    later = {"point": [], "box": []}
    for source in sources:
        kind = "point" if source.geom_type == "Point" else "box"
        t = time.perf_counter()
        layers.exposure(source, places, ["200km"], by=None)
        later[kind].append(time.perf_counter() - t)
    kr_sea = layers.territory("KR", land_only=False)
    t = time.perf_counter()
    layers.exposure(kr_sea, places, ["200km"], by=None)
    kr = time.perf_counter() - t
    print(f"geod unit (Geod.inv on 1,000,000 pairs, median of 3): {unit:.3f} s")
    print("| call | time (s) | geod units |")
    print("|---|---:|---:|")
    print(
        f"| first: North Korea and sea, 200 km (index built) | {first:.3f} | {first / unit:.3f} |"
    )
    for kind, times in later.items():
        m = statistics.median(times)
        print(
            f"| later: a new {kind}, 200 km (median of {len(times)}) | {m:.4f} | {m / unit:.4f} |"
        )
    print(f"| later: South Korea with its sea, 200 km | {kr:.4f} | {kr / unit:.4f} |")


if __name__ == "__main__":
    main()
