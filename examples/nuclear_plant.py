"""A nuclear power plant's 20, 30 and 80 km zones, by country and admin-1 region.

Fukushima Daiichi (141.0329°E, 37.4213°N): the people in the GeoNames settlements
within 20, 30 and 80 km by exact WGS84 geodesic distance, per prefecture (its ISO
3166-2 code and name, from the shipped admin-1 polygons), printed and drawn in
``nuclear_plant.html`` with the three rings and the settlements counted.

Usage: python examples/nuclear_plant.py [--out DIR] [--plant NAME --lon X --lat Y]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from layers.sites import read_sites
from layers.sites_exposure import sites_exposure
from maps import RiskMap

ZONES = ("20km", "30km", "80km")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="People within a nuclear plant's zones.")
    parser.add_argument("--out", default=".", help="folder for nuclear_plant.html")
    parser.add_argument("--plant", default="Fukushima Daiichi")
    parser.add_argument("--lon", type=float, default=141.0329)
    parser.add_argument("--lat", type=float, default=37.4213)
    args = parser.parse_args(argv)
    plant = pd.DataFrame({"name": [args.plant], "lon": [args.lon], "lat": [args.lat]})
    sites = read_sites(plant, radius=list(ZONES), crs="EPSG:4326")
    result = sites_exposure(sites, by=["country", "admin1"])
    print(f"{args.plant} ({args.lon}, {args.lat}): people within each zone")
    for row in result.table.itertuples():
        print(f"  within {row.radius_km:>4.0f} km: {row.population:>10,} in {row.places} places")
    print("by country and admin-1 region (ISO 3166-2):")
    for row in result.groups.itertuples():
        print(
            f"  {row.radius_km:>4.0f} km  {row.admin1:<7} {row.admin1_name:<22} "
            f"{row.population:>10,}"
        )
    rmap = RiskMap(title=f"{args.plant}: 20, 30 and 80 km zones")
    rmap.add_rings(result.rings(), name="Planning zones", outside_only=False)
    rmap.add_settlements(result.places, radius_m=ZONES[-1], name="Settlements")
    rmap.add_table(result.table.drop(columns=["site", "radius_m"]), title="Population per zone")
    rmap.add_provenance(result.provenance)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"map: {rmap.save(out / 'nuclear_plant.html')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
