"""A DistanceIndex and a PointIndex shared by many threads: same answers, no crash.

GEOS builds parts of a prepared geometry's index (and an STRtree) lazily, on the first
query that needs them, and two threads doing that at once corrupt the heap
(libgeos/geos#825): the process aborts ("unaligned tcache chunk detected"), segfaults or
hangs. That kills the interpreter, so each run is a subprocess, with a fresh index per
round and eight threads released at once by a barrier.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import sys
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    import shapely

    import geo

    rng = np.random.default_rng(int(sys.argv[1]))
    sets = [np.column_stack([rng.uniform(124, 130, 5000), rng.uniform(37, 43, 5000)])
            for _ in range(8)]
    for r in range(3):
        # A fresh, valid star with 100,000 vertices: its index is built by the first query.
        angles = np.linspace(0, 2 * np.pi, 100_000, endpoint=False)
        radius = 2.0 + 0.3 * np.sin(7 * angles) + 0.05 * np.sin(301 * angles + r)
        star = shapely.Polygon(
            np.column_stack([127 + radius * np.cos(angles), 40 + radius * np.sin(angles)])
        )
        index = geo.DistanceIndex(star)
        points = geo.PointIndex(sets[r])
        barrier = threading.Barrier(8)

        def work(k):
            barrier.wait(timeout=60)
            inside = index.inside(sets[k])
            metres = index.distance_to(sets[k])
            positions, _ = points.within(index, 1000.0)
            return inside, metres, positions

        with ThreadPoolExecutor(8) as pool:
            shared = list(pool.map(work, range(8)))
        # The same questions on one thread, to a second index of the same star.
        alone = geo.DistanceIndex(star)
        for k, (inside, metres, positions) in enumerate(shared):
            assert (inside == alone.inside(sets[k])).all()
            assert (metres == alone.distance_to(sets[k])).all()
            assert (positions == geo.PointIndex(sets[r]).within(alone, 1000.0)[0]).all()
    print("ok")
    """
)


@pytest.mark.parametrize(
    "seed", [1, pytest.param(2, marks=pytest.mark.slow), pytest.param(3, marks=pytest.mark.slow)]
)
def test_indexes_shared_by_eight_threads(seed):
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(seed)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", (
        f"eight threads sharing one fresh index: exit code {run.returncode} "
        f"(negative: killed by that signal), stderr:\n{run.stderr[-2000:]}"
    )
