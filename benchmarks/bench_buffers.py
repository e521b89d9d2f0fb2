"""Sweep geo.buffer over real territories: reported error, measured error, time, vertices.

For every territory and radius chosen, the buffer is built once (timed), and its boundary
is measured on >= 2,000 points sampled along it with the test suite's brute-force reference
(tests/reference.py, which shares no code with geo), and on the 100 vertices and edge
midpoints that geo.distance_to puts farthest from the radius (2,000 samples spread along
a boundary of 40,000 vertices can step over the one vertex that is off; the reference,
not geo, measures those too). A row is right when

    measured <= reported <= bound,  bound = max(10 m, 5e-5 R),

that is, the buffer holds the bound it promises, and the error it reports does not
understate what the reference measures. The worst rows (largest measured / bound, then
largest reported / bound) are printed at the end, with every row that fails.

    python benchmarks/bench_buffers.py                       # the 30 largest, the known cases
    python benchmarks/bench_buffers.py --all                 # every territory riskmap ships
    python benchmarks/bench_buffers.py --codes FJ,KI,TV --radii 50km,200km --variants osm-sea
    python benchmarks/bench_buffers.py --extremes     # the largest, polar and ±180 ones, 7 radii

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
#: --extremes: the largest territories, the polar ones and those across ±180 ...
EXTREMES = ["AQ", "RU", "CA", "GL", "US", "CN", "BR", "AU", "NO", "FJ", "KI", "NZ", "TV"]
#: ... at these radii (from a few vertices' spacing to the width of a continent) ...
EXTREME_RADII = "0.5km,5km,30km,50km,100km,200km,1000km"
#: ... with and without the territorial sea.
EXTREME_VARIANTS = "osm-land,osm-sea"
#: Vertices and edge midpoints, ranked by geo's own distance, that the reference also measures.
WORST_CHECKED = 100


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
    xy = np.vstack([reference.boundary_samples(buf, samples), _worst_points(buf, source, radius)])
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


def _worst_points(buf, source, radius: float) -> np.ndarray:
    """The boundary points geo puts farthest from the radius, to measure by the reference."""

    def off_by(points: np.ndarray) -> np.ndarray:
        return np.abs(geo.distance_to(points, source) - radius)

    return reference.farthest_boundary_points(buf, off_by, WORST_CHECKED)


def _row(r: dict) -> str:
    return (
        f"| {r['code']} | {r['variant']} | {r['radius_km']:,g} | {r['reported_m']:.2f} | "
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
    elif args.extremes:
        codes = EXTREMES
    elif args.all:
        codes = list(table.index)
    else:
        codes = list(table.sort_values("area_km2", ascending=False).index[: args.largest])
        codes += [c for c in ANTIMERIDIAN if c not in codes]
    cases = [(c, v, r) for c in codes for v in variants for r in radii]
    if not args.codes and not args.extremes:
        cases = KNOWN_CASES + [c for c in cases if c not in KNOWN_CASES]
    return cases


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--codes", help="comma-separated ISO alpha-2 codes (default: see --all)")
    parser.add_argument("--all", action="store_true", help="every code of layers.country_table()")
    parser.add_argument(
        "--extremes",
        action="store_true",
        help=f"{','.join(EXTREMES)} at {EXTREME_RADII} ({EXTREME_VARIANTS}) unless given",
    )
    parser.add_argument("--largest", type=int, default=30, help="the N largest by area (30)")
    parser.add_argument("--radii", help="comma-separated (50km,200km)")
    parser.add_argument("--variants", help=f"comma-separated of {', '.join(VARIANTS)} (osm-land)")
    parser.add_argument("--samples", type=int, default=2_050, help="boundary samples (2,050)")
    parser.add_argument("--top", type=int, default=15, help="worst rows shown at the end (15)")
    args = parser.parse_args(argv)
    args.radii = args.radii or (EXTREME_RADII if args.extremes else "50km,200km")
    args.variants = args.variants or (EXTREME_VARIANTS if args.extremes else "osm-land")
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
