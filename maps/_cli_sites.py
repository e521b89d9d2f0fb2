"""``riskmap exposure --sites FILE``: people within each range of each site.

Every option given with ``--sites`` is used or refused by name: ``--country`` counts
only the residents of those countries, ``--json`` prints the tables as JSON, ``--map`` and
``--png`` draw each site's range rings and the settlements counted; ``--out``,
``--boundary``, ``--variants``, ``--kind`` and ``--population`` have no meaning for a
sites table (or no writer yet) and are refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import layers
from geo.errors import InputError
from layers.sites import sites_source
from layers.sites_exposure import sites_exposure
from maps.panel import Table
from maps.riskmap import RiskMap

__all__ = ["cmd_sites", "sites_title"]

#: Options of ``riskmap exposure`` that a sites table cannot use, and why.
_REFUSED = {
    "around": "give --around or --sites, not both",
    "boundary": "--sites counts around points, not a territory's boundary; drop --boundary",
    "variants": "--variants needs a territory (--around COUNTRY), not --sites; drop it",
    "kind": "--sites counts the packaged settlements, not a GeoTIFF; drop --kind",
    "out": "--sites results cannot be written to a file yet; drop --out and use --json "
    "(or the map's table, --map FILE.html)",
}


def _refuse(args: argparse.Namespace) -> None:
    for option, why in _REFUSED.items():
        value = getattr(args, option, None)
        if value:
            shown = "" if value is True else f" {value}"
            raise InputError(
                f"--{option.replace('_', '-')}{shown} with --sites {args.sites}: {why}"
            )


def sites_title(count: int, label: str) -> str:
    """Say what a sites table is, in words: ``"1 site in plants.csv"``.

    Parameters
    ----------
    count : int
        Number of sites.
    label : str
        Where they come from (a file name).

    Returns
    -------
    str

    Examples
    --------
    >>> sites_title(1, "plants.csv"), sites_title(3, "plants.csv")
    ('1 site in plants.csv', '3 sites in plants.csv')
    """
    return f"{count:,} site{'' if count == 1 else 's'} in {label}"


def _records(frame: Any) -> Any:
    return None if frame is None else json.loads(frame.to_json(orient="records"))


def _print_tables(result: Any, title: str, countries: list[str] | None) -> None:
    table = result.groups if result.by else result.table
    rows = table.drop(columns=["radius_m"]).rename(columns={"radius_km": "within (km)"})
    who = f" (residents of {', '.join(countries)})" if countries else ""
    print(Table(f"Population within each range of {title}{who}", rows).to_text())
    if result.union is not None:
        union = result.union.drop(columns=["radius_m"]).rename(columns={"radius_km": "within (km)"})
        print(
            "\n" + Table("Within range of at least one site (each counted once)", union).to_text()
        )
    print(f"\nmethod: {result.provenance.method}")
    print(f"sources: {result.provenance.attribution()}")


def _draw(args: argparse.Namespace, result: Any, title: str, out: Any) -> None:
    rmap = RiskMap(title=f"Population within range of {title}")
    rmap.add_rings(result.rings(), name="Range rings", outside_only=False)
    if len(result.places):
        rmap.add_settlements(result.places.drop_duplicates("position"), name="Settlements in range")
    rmap.add_table(result.table.drop(columns=["radius_m"]), title="Population within range")
    rmap.add_provenance(result.provenance)
    if args.map:
        print(f"map: {rmap.save(args.map, self_contained=not args.linked)}", file=out)
    if args.png:
        print(f"image: {rmap.to_png(args.png)}", file=out)


def cmd_sites(args: argparse.Namespace, radius: list[float] | None, by: Any) -> int:
    r"""Run ``riskmap exposure --sites FILE``: print (or write) each site's counts.

    Parameters
    ----------
    args : argparse.Namespace
        The ``exposure`` options (``sites``, ``range_column``, ``crs``, ``country`` as
        alpha-2 codes or None, ``json``, ``map``, ``png``, ``linked``, and the options
        refused with ``--sites``).
    radius : list of float or None
        ``--radius`` in metres, for every site; None to read ``--range-column``.
    by : str or list of str
        ``--by``, as :func:`layers.sites_exposure.sites_exposure` takes it.

    Returns
    -------
    int
        0.

    Examples
    --------
    >>> import tempfile
    >>> path = f"{tempfile.mkdtemp()}/one.csv"
    >>> _ = open(path, "w").write("name,lon,lat\nV,131.89,43.11\n")
    >>> ns = argparse.Namespace(sites=path, range_column=None, crs="EPSG:4326", country=["RU"],
    ...     json=True, map=None, png=None, linked=False)
    >>> cmd_sites(ns, [10_000.0], "country")  # doctest: +ELLIPSIS
    {"sites": "1 site in one.csv", "countries": ["RU"], "table": [{"site": "V", ...
    0
    """
    _refuse(args)
    if radius is None and not args.range_column:
        raise InputError(
            f"--sites {args.sites!r} needs its ranges: --range-column COL (e.g. range_km), "
            "or --radius 30km for every site"
        )
    source = sites_source(args.sites, range=args.range_column, radius=radius, crs=args.crs)
    countries = args.country
    settlements = layers.settlements(country=countries) if countries else None
    result = sites_exposure(source, settlements, by=by, union=True)
    title = sites_title(len(source.data), Path(str(args.sites)).name)
    out = sys.stderr if args.json else sys.stdout
    if args.json:
        body = {
            "sites": title,
            "countries": countries,
            "table": _records(result.table),
            "groups": _records(result.groups),
            "union": _records(result.union),
            "provenance": result.provenance.to_dict(),
        }
        print(json.dumps(body))
    else:
        _print_tables(result, title, countries)
    if args.map or args.png:
        _draw(args, result, title, out)
    return 0
