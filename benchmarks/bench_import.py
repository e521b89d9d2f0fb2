"""Start-up time: ``import geo``, ``import layers``, ``import maps``, ``riskmap --help``.

Each import runs in a new ``python -c`` process (and the installed ``riskmap`` script
next to this Python, when there is one, prints its help), the targets interleaved
round by round so that a busy machine slows them alike; the median wall time of the
rounds is compared with the baseline ``import numpy, shapely, pyproj`` (what any
computation with riskmap has to load). The bars: ``geo`` <= 1.3 x the baseline,
``maps`` <= 2 x. The packages import their submodules on first use, so the rows
``geo.distance``, ``layers.exposure`` and ``maps.RiskMap`` time an import and the
first read of a name: where the cost of a real start went.

``--detail MODULE`` also prints the slowest imports under MODULE by
``python -X importtime`` (cumulative microseconds, as Python reports them), and
``--heavy`` whether scipy.spatial, numba, matplotlib, folium, geopandas, pandas,
pyogrio, rasterio or exactextract each target loads (for ``riskmap --help``: what
``import maps.cli`` loads).

Usage: python benchmarks/bench_import.py [--rounds 7] [--detail geo] [--heavy]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGETS = {
    "baseline": "import numpy, shapely, pyproj",
    "geo": "import geo",
    "layers": "import layers",
    "maps": "import maps",
    # The first use of a name imports its submodule: where the start-up cost went.
    "geo.distance": "import geo; geo.distance",
    "layers.exposure": "import layers; layers.exposure",
    "maps.RiskMap": "import maps; maps.RiskMap",
}
BARS = {"geo": 1.3, "maps": 2.0}
#: The command-line entry point, installed next to the interpreter (``pip install -e .``).
CLI = Path(sys.executable).with_name("riskmap")
HEAVY = (
    "scipy.spatial",
    "numba",
    "matplotlib",
    "folium",
    "geopandas",
    "pandas",
    "pyogrio",
    "rasterio",
    "exactextract",
)


def command(code: str) -> list[str]:
    """The command line that runs a target: ``python -c code``, or ``riskmap --help``."""
    return [str(CLI), "--help"] if code == "riskmap --help" else [sys.executable, "-c", code]


def wall(code: str) -> float:
    """Seconds for a fresh process to run ``code`` (see :func:`command`) and exit."""
    t = time.perf_counter()
    subprocess.run(command(code), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def importtime(module: str, top: int = 15) -> list[tuple[int, str]]:
    """The ``top`` largest cumulative import times (microseconds) under ``module``."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    rows = []
    for line in out.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line.split("|")
            rows.append((int(cumulative), name.rstrip()))
    return sorted(rows, reverse=True)[:top]


def heavy(code: str) -> list[str]:
    """Which of the heavy packages running ``code`` (a target's Python) loads."""
    probe = f"{code}\nimport sys; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="fresh interpreters per target")
    parser.add_argument("--detail", action="append", default=[], help="module for -X importtime")
    parser.add_argument("--heavy", action="store_true", help="list heavy packages each loads")
    args = parser.parse_args(argv)
    if CLI.exists():
        TARGETS["cli"] = "riskmap --help"
    else:
        print(f"no {CLI} (pip install -e .): riskmap --help not timed")
    for code in TARGETS.values():  # warm the file-system cache and the bytecode
        wall(code)
    times: dict[str, list[float]] = {name: [] for name in TARGETS}
    for _ in range(args.rounds):
        for name, code in TARGETS.items():
            times[name].append(wall(code))
    base = statistics.median(times["baseline"])
    print(f"median of {args.rounds} fresh interpreters each, interleaved ({sys.executable})")
    print("| import | median (s) | × baseline | bar |")
    print("|---|---:|---:|---|")
    failed = False
    for name, code in TARGETS.items():
        m = statistics.median(times[name])
        bar = BARS.get(name)
        verdict = "" if bar is None else (f"≤ {bar} ✓" if m / base <= bar else f"≤ {bar} ✗")
        failed |= bar is not None and m / base > bar
        print(f"| `{code}` | {m:.3f} | {m / base:.2f} | {verdict} |")
    if args.heavy:
        print(f"\nwhat each loads of {', '.join(HEAVY)}:")
        for code in TARGETS.values():
            if code != TARGETS["baseline"]:
                probe = "import maps.cli" if code == "riskmap --help" else code
                print(f"  {code}: {', '.join(heavy(probe)) or 'none'}")
    for module in args.detail:
        print(f"\nslowest imports under {module} (cumulative µs, python -X importtime):")
        for us, mod in importtime(module):
            print(f"  {us:>9,}  {mod}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
