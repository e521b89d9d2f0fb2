"""Find cities still counted with their own districts in the packaged settlements.

For each of the most populous places that are not sections, sum the people of every
place within a radius (sections left out, as ``layers.settlements()`` does) and compare
the sum with the place's own GeoNames figure; print the places where it is above a ratio,
with the largest places in the disc: districts listed beside their city show up as names
such as "... Raion", "Alcaldía ...", "... District", borough or neighbourhood names.
A high ratio is a lead, not evidence: a city's real neighbours (Thāne beside Mumbai) do
the same. ``layers/data/README.md`` says which leads became rows of
``settlement_sections.csv`` and why::

    python tools/settlement_scan.py --radius 25 --top 300 --ratio 1.3

``--compare OLD.npz`` prints instead, for the cities named with ``--city NAME,CC``, the
people within the radius in an older ``cities500.npz`` and in this one (the README's
before/after table)::

    git show HEAD~3:layers/data/cities500.npz > /tmp/old.npz
    python tools/settlement_scan.py --compare /tmp/old.npz --radius 15 --city "Kyiv,UA;Shanghai,CN"
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["load", "main", "scan", "within"]

DATA = Path(__file__).resolve().parents[1] / "layers" / "data" / "cities500.npz"
EARTH_KM = 6371.0


def load(path: Path = DATA) -> dict[str, Any]:
    """Read a ``cities500.npz``: names, countries, coordinates, people, kept (not sections)."""
    a = np.load(path)
    return {
        "name": np.array(a["names"].tobytes().decode("utf-8").split("\n"), dtype=object),
        "country": a["country_codes"].astype(str)[a["country_index"]],
        "lon": a["lon_e5"] / 1e5,
        "lat": a["lat_e5"] / 1e5,
        "population": a["population"].astype(np.int64),
        "kept": a["section_of"] < 0,
    }


def _xyz(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lam, phi = np.radians(lon), np.radians(lat)
    return np.c_[np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)] * EARTH_KM


def within(places: dict[str, Any], i: int, radius_km: float, tree: Any = None) -> np.ndarray:
    """Rows within ``radius_km`` of place ``i`` (WGS84 geodesic distance), ``i`` included."""
    from pyproj import Geod
    from scipy.spatial import cKDTree

    xyz = _xyz(places["lon"], places["lat"])
    tree = tree if tree is not None else cKDTree(xyz)
    rows = np.array(sorted(tree.query_ball_point(xyz[i], radius_km * 1.01)), dtype=int)
    n = rows.size
    d = Geod(ellps="WGS84").inv(
        np.full(n, places["lon"][i]),
        np.full(n, places["lat"][i]),
        places["lon"][rows],
        places["lat"][rows],
    )[2]
    return rows[d <= radius_km * 1000]


def scan(
    places: dict[str, Any], *, radius_km: float, top: int, ratio: float
) -> list[tuple[float, int, np.ndarray]]:
    """Return (sum ÷ own figure, row, rows in the disc) of the ``top`` largest kept places.

    Only places whose disc holds more than ``ratio`` times their own figure, highest first.
    """
    from scipy.spatial import cKDTree

    kept = np.flatnonzero(places["kept"])
    sub = {k: v[kept] for k, v in places.items()}
    tree = cKDTree(_xyz(sub["lon"], sub["lat"]))
    order = np.argsort(-sub["population"], kind="stable")[:top]
    found = []
    for i in order.tolist():
        rows = within(sub, i, radius_km, tree)
        share = sub["population"][rows].sum() / sub["population"][i]
        if share > ratio:
            found.append((float(share), int(kept[i]), kept[rows]))
    return sorted(found, key=lambda f: -f[0])


def _row(places: dict[str, Any], name: str, code: str) -> int:
    rows = np.flatnonzero((places["name"] == name) & (places["country"] == code))
    if rows.size == 0:
        raise SystemExit(f"no place {name!r} in {code}; give --city NAME,CC as GeoNames spells it")
    return int(rows[np.argmax(places["population"][rows])])


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the scan, or the before/after comparison."""
    parser = argparse.ArgumentParser(
        prog="python tools/settlement_scan.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--radius", type=float, default=25.0, help="km (default 25)")
    parser.add_argument("--top", type=int, default=300, help="largest places to scan (300)")
    parser.add_argument("--ratio", type=float, default=1.3, help="report above (default 1.3)")
    parser.add_argument("--data", type=Path, default=DATA, help="a cities500.npz")
    parser.add_argument("--compare", type=Path, help="an older cities500.npz")
    parser.add_argument(
        "--city", action="append", default=[], help="NAME,CC (repeatable, or ';'-separated)"
    )
    args = parser.parse_args(argv)
    places = load(args.data)
    if args.compare:
        old = load(args.compare)
        print(f"| city | its figure | within {args.radius:g} km before | after | every record |")
        print("|---|---:|---:|---:|---:|")
        for city in [c.strip() for value in args.city for c in value.split(";") if c.strip()]:
            name, _, code = city.rpartition(",")
            out = []
            for p in (old, places):
                rows = within(p, _row(p, name, code), args.radius)
                out.append(p["population"][rows][p["kept"][rows]].sum())
            i = _row(places, name, code)
            every = places["population"][within(places, i, args.radius)].sum()
            pop = places["population"][i]
            print(f"| {name} | {pop:,} | {out[0]:,} | {out[1]:,} | {every:,} |")
        return 0
    for share, i, rows in scan(places, radius_km=args.radius, top=args.top, ratio=args.ratio):
        order = rows[np.argsort(-places["population"][rows], kind="stable")].tolist()
        largest = [r for r in order if r != i][:8]
        names = ", ".join(f"{places['name'][r]} {places['population'][r]:,}" for r in largest)
        print(
            f"{share:5.2f} {places['name'][i]} {places['country'][i]} "
            f"{places['population'][i]:,}: {names}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
