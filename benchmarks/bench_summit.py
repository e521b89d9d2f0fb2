"""The summit example's wall time and peak memory, warm and cold, over several runs.

Each run is a fresh ``python examples/summit_2019.py`` process; its wall time and
peak resident memory (the child's ``ru_maxrss``) are recorded. *Cold* is a first
run after a fresh clone and install: riskmap's own packages are read from a copy without
bytecode (on ``PYTHONPATH``), numba's compiled cache (``NUMBA_CACHE_DIR``) and the derived
territories (``RISKMAP_DATA_DIR``) are new empty folders, so all of riskmap's is built
again, without touching the checkout's caches. The libraries keep the bytecode pip
compiled when it installed them (an empty ``PYTHONPYCACHEPREFIX`` would compile the
standard library and every dependency again, which no install leaves to the first run).
*Warm* runs use the normal caches, after one untimed run. The bars: warm <= 5 s, cold
<= 15 s, <= 400 MB.

``--expect FILE`` checks that every run prints the same text as FILE (the lines
naming the output files aside).

Usage: python benchmarks/bench_summit.py [--runs 3] [--expect /tmp/summit_ref.txt]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "summit_2019.py"
#: riskmap's import packages, copied for a cold run.
PACKAGES = ("geo", "layers", "maps")
BARS = {"warm": 5.0, "cold": 15.0}
PEAK_BAR_MB = 400.0


def run(out_dir: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and printed text of one run in a fresh process."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--out", out_dir],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak, not all children's
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"the summit example failed (exit {os.waitstatus_to_exitcode(status)})")
    return wall, usage.ru_maxrss / 1024.0, stdout


def _fresh_install(folder: Path) -> dict[str, str]:
    """The environment of a first run: riskmap's packages copied without bytecode, empty caches."""
    code, no_bytecode = folder / "code", shutil.ignore_patterns("__pycache__")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, code / package, ignore=no_bytecode)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(folder / "numba"))
    env["RISKMAP_DATA_DIR"] = str(folder / "data")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(code), env.get("PYTHONPATH")) if p)
    return env


def _text(stdout: str) -> list[str]:
    return [ln for ln in stdout.splitlines() if not ln.startswith(("Map:", "Image:"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind")
    parser.add_argument("--expect", type=Path, help="text the example must print")
    args = parser.parse_args(argv)
    expected = _text(args.expect.read_text()) if args.expect else None
    rows: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": []}
    same = True
    with tempfile.TemporaryDirectory(prefix="riskmap-summit-") as tmp:
        out = str(Path(tmp) / "out")
        run(out, dict(os.environ))  # warms the caches for the warm runs
        for i in range(args.runs):
            for kind in ("cold", "warm"):
                env = dict(os.environ) if kind == "warm" else _fresh_install(Path(tmp) / str(i))
                wall, peak, stdout = run(out, env)
                rows[kind].append((wall, peak))
                same &= expected is None or _text(stdout) == expected
    print(f"{args.runs} runs of each kind, interleaved ({SCRIPT.name})")
    print("| run | wall (s), each | median wall (s) | peak RSS (MB), max | bars |")
    print("|---|---|---:|---:|---|")
    failed = False
    for kind, values in rows.items():
        walls = [w for w, _ in values]
        peak = max(p for _, p in values)
        med = statistics.median(walls)
        ok = med <= BARS[kind] and peak <= PEAK_BAR_MB
        failed |= not ok
        each = ", ".join(f"{w:.1f}" for w in walls)
        bars = f"≤ {BARS[kind]:g} s, ≤ {PEAK_BAR_MB:g} MB {'✓' if ok else '✗'}"
        print(f"| {kind} | {each} | {med:.1f} | {peak:.0f} | {bars} |")
    if expected is not None:
        print("printed text: " + ("the same as " if same else "DIFFERENT from ") + str(args.expect))
        failed |= not same
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
