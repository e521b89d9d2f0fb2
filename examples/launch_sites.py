"""Launch sites with their own ranges: rings, radials and the people inside each range.

Reads ``launch_sites.csv`` (name, lon, lat and each site's ranges with their unit),
counts the GeoNames settlements within every range of every site by exact WGS84
geodesic distance (and within range of any site, each person once), prints the
tables, and writes ``launch_sites.html``: each site's range rings, eight geodesic
radials per site to its outer range, and the settlements counted.

Usage: python examples/launch_sites.py [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geo
from layers.sites import read_sites
from layers.sites_exposure import sites_exposure
from maps import RiskMap

TABLE = Path(__file__).resolve().with_name("launch_sites.csv")
AZIMUTHS = (0, 45, 90, 135, 180, 225, 270, 315)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="People within range of launch sites.")
    parser.add_argument("--out", default=".", help="folder for launch_sites.html (default: here)")
    args = parser.parse_args(argv)
    sites = read_sites(TABLE, range="range", crs="EPSG:4326")
    result = sites_exposure(sites, by="country", union=True)
    print("Population within each site's ranges (GeoNames settlements, WGS84 geodesic)")
    for row in result.table.itertuples():
        print(
            f"  {row.site:<12} {row.radius_km:>7,.0f} km  {row.population:>12,}"
            f"  ({row.places} places)"
        )
    print("By country of residence, outer range:")
    outer = result.groups.merge(sites[["name", "range_max_m"]], left_on="site", right_on="name")
    for row in outer[outer["radius_m"] == outer["range_max_m"]].itertuples():
        print(f"  {row.site:<12} {row.country:<3} {row.population:>12,}")
    union = result.union.iloc[0]
    print(
        f"Within the outer range of at least one site: {union['population']:,.0f} people "
        f"in {int(union['places']):,} places (each counted once)"
    )

    rmap = RiskMap(title="Launch sites: people within range")
    rmap.add_rings(result.rings(), name="Range rings", outside_only=False)
    for name, point, reach in zip(sites["name"], sites.geometry, sites["range_max_m"], strict=True):
        for line in geo.radials((point.x, point.y), AZIMUTHS, reach).geometry:
            end = (
                line.geoms[-1].coords[-1]
                if line.geom_type == "MultiLineString"
                else line.coords[-1]
            )
            rmap.add_geodesic_line(
                (point.x, point.y), end, labels=(name, ""), group="Radials", show=False
            )
    rmap.add_settlements(result.places.drop_duplicates("position"), name="Settlements in range")
    rmap.add_table(result.table.drop(columns=["radius_m"]), title="Population within range")
    rmap.add_provenance(result.provenance)
    print(f"map: {rmap.save(Path(args.out) / 'launch_sites.html')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
