"""An exclave as the source: who lives within 50 and 100 km of Kaliningrad Oblast, by region.

Kaliningrad Oblast is Russia's exclave between Poland and Lithuania. The script takes
the oblast as an admin-1 region (``layers.resolve_source("Kaliningrad Oblast")``, the
same name the CLI and scenario files take), measures the exact geodesic distance from
every settlement to its polygon, leaves its own residents out, and breaks the people
in range down by country and admin-1 region (``by="admin1"``: Polish voivodeships,
Lithuanian counties, Belarusian and Latvian regions). It prints the numbers and writes
``region_exclave.html``, a map of the oblast, its 50/100 km rings and the settlements.

Usage: python examples/region_exclave.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pyproj import Geod

import layers
from maps import RiskMap

SOURCE = "Kaliningrad Oblast"
RADII = ("50km", "100km")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Exposure around an exclave, by region.")
    parser.add_argument("--out", default=".", help="folder for region_exclave.html")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    src = layers.resolve_source(SOURCE)
    area_m2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(src.data.geometry.union_all())[0])
    result = layers.exposure(src, layers.settlements(), list(RADII), by="admin1")
    print(f"Source: {src.name} (admin-1 region), area {area_m2 / 1e6:,.0f} km²")
    print(
        f"Residents left out: {result.excluded['population']:,.0f} people in "
        f"{result.excluded['places']} places ({result.excluded['rule']})"
    )
    for radius in RADII:
        rows = result.table[result.table["radius_km"] == float(radius[:-2])]
        print(
            f"Within {radius}: {rows['population'].sum():,} people in "
            f"{rows['places'].sum():,} places"
        )
        for row in rows[rows["population"] > 0].itertuples():
            print(
                f"  {row.country} {row.admin1:<8} {row.admin1_name:<30} "
                f"{row.population:>10,} {row.places:>5}"
            )
    print("Sources: " + "; ".join(f"{s.name} ({s.licence})" for s in result.provenance.sources))

    rm = RiskMap(title=f"Within {RADII[-1]} of {src.name}")
    rm.add_territory(src.data, name=src.name)
    rm.add_rings(src.data, list(RADII), of=src.name)
    rm.add_exposure(result, source=src.data, rings=False)
    path = rm.save(out / "region_exclave.html")
    print(f"Map: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
