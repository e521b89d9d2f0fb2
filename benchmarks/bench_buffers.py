"""Sweep geo.buffer over real territories: reported error, measured error, time, vertices.

For every territory and radius chosen, the buffer is built once (timed), and its boundary
is measured on >= 2,000 points sampled along it with the test suite's brute-force reference
(tests/reference.py, which shares no code with geo). A row is right when

    measured <= reported <= bound,  bound = max(10 m, 5e-5 R),

that is, the buffer holds the bound it promises, and the error it reports does not
understate what the reference measures. The worst rows (largest measured / bound, then
largest reported / bound) are printed at the end, with every row that fails.

    python benchmarks/bench_buffers.py                       # the 30 largest, the known cases
    python benchmarks/bench_buffers.py --all                 # every territory riskmap ships
    python benchmarks/bench_buffers.py --codes FJ,KI,TV --radii 50km,200km --variants osm-sea

Codes with no territory in a variant (layers.territory raises InputError) are skipped.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import shapely

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
import reference  # noqa: E402  (the test suite's brute-force reference)

import geo  # noqa: E402
import layers  # noqa: E402

#: Variants by name: keyword arguments of layers.territory.
VARIANTS = {
    "osm-land": {},
    "osm-sea": {"land_only": False},
    "naturalearth": {"source": "naturalearth"},
}
#: Cases once reported wrong, each (code, variant, radius in metres).
KNOWN_CASES = [
    ("US", "osm-land", 100_000.0),
    ("AQ", "osm-land", 100_000.0),
    ("FJ", "osm-land", 20_000.0),
    ("RU", "osm-land", 100_000.0),
    ("RU", "osm-land", 50_000.0),
    ("CN", "osm-land", 100_000.0),
    ("FJ", "osm-sea", 200_000.0),
]
#: Island states across (or beside) ±180.
ANTIMERIDIAN = ["FJ", "KI", "TV", "NZ", "US", "RU"]


def measure(code: str, variant: str, radius: float, samples: int) -> dict | None:
    """One row: the buffer of a territory at a radius, timed and measured on the reference."""
    try:
        source = layers.territory(code, **VARIANTS[variant]).geometry.iloc[0]
    except geo.InputError:
        return None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", geo.AccuracyWarning)
        start = time.perf_counter()
        buf, reported = geo.buffer(source, radius, return_error=True)
        seconds = time.perf_counter() - start
    xy = reference.boundary_samples(buf, samples)
    measured = float(np.abs(reference.distance_to(xy, source) - radius).max())
    bound = reference.contract_bound(radius)
    return {
        "code": code,
        "variant": variant,
        "radius_km": radius / 1000.0,
        "reported_m": reported,
        "measured_m": measured,
        "bound_m": bound,
        "seconds": seconds,
        "vertices": int(shapely.get_num_coordinates(buf)),
        "samples": len(xy),
        "warned": any(w.category is geo.AccuracyWarning for w in caught),
        "ok": measured <= reported + 1e-6 and reported <= bound,
    }


def _row(r: dict) -> str:
    return (
        f"| {r['code']} | {r['variant']} | {r['radius_km']:,.0f} | {r['reported_m']:.2f} | "
        f"{r['measured_m']:.2f} | {r['bound_m']:.1f} | {r['seconds']:.2f} | {r['vertices']:,} | "
        f"{'yes' if r['warned'] else 'no'} | {'ok' if r['ok'] else '**FAIL**'} |"
    )


HEADER = (
    "| code | variant | radius km | reported m | measured m | bound m | time s | vertices | "
    "warned | |\n|---|---|---|---|---|---|---|---|---|---|"
)


def _cases(args: argparse.Namespace) -> list[tuple[str, str, float]]:
    """The (code, variant, radius) rows to run, in order, without repeats."""
    table = layers.country_table()
    radii = [geo.parse_distance(r) for r in args.radii.split(",")]
    variants = args.variants.split(",")
    if args.codes:
        codes = [c.strip().upper() for c in args.codes.split(",")]
    elif args.all:
        codes = list(table.index)
    else:
        codes = list(table.sort_values("area_km2", ascending=False).index[: args.largest])
        codes += [c for c in ANTIMERIDIAN if c not in codes]
    cases = [(c, v, r) for c in codes for v in variants for r in radii]
    if not args.codes:
        cases = KNOWN_CASES + [c for c in cases if c not in KNOWN_CASES]
    return cases


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--codes", help="comma-separated ISO alpha-2 codes (default: see --all)")
    parser.add_argument("--all", action="store_true", help="every code of layers.country_table()")
    parser.add_argument("--largest", type=int, default=30, help="the N largest by area (30)")
    parser.add_argument("--radii", default="50km,200km", help="comma-separated (50km,200km)")
    parser.add_argument(
        "--variants", default="osm-land", help=f"comma-separated of {', '.join(VARIANTS)}"
    )
    parser.add_argument("--samples", type=int, default=2_050, help="boundary samples (2,050)")
    parser.add_argument("--top", type=int, default=15, help="worst rows shown at the end (15)")
    args = parser.parse_args(argv)
    unknown = set(args.variants.split(",")) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variant(s) {sorted(unknown)}; choose from {list(VARIANTS)}")
    print(HEADER, flush=True)
    rows = []
    for code, variant, radius in _cases(args):
        r = measure(code, variant, radius, args.samples)
        if r is None:
            continue
        rows.append(r)
        print(_row(r), flush=True)
    if not rows:
        return
    print(f"\nWorst {args.top} by measured / bound:\n\n{HEADER}")
    for r in sorted(rows, key=lambda r: -r["measured_m"] / r["bound_m"])[: args.top]:
        print(_row(r))
    print(f"\nWorst {args.top} by reported / bound:\n\n{HEADER}")
    for r in sorted(rows, key=lambda r: -r["reported_m"] / r["bound_m"])[: args.top]:
        print(_row(r))
    failed = [r for r in rows if not r["ok"]]
    slowest = max(r["seconds"] for r in rows)
    print(f"\n{len(rows)} rows, {len(failed)} failing; slowest buffer {slowest:.1f} s")
    for r in failed:
        print(_row(r))


if __name__ == "__main__":
    main()
