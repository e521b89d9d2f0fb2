"""The ``riskmap exposure`` command: population within distances of a source, and its outputs.

Imported when the command runs, so that ``riskmap --help`` and the other commands start
without pandas, geopandas or folium.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import layers
from geo.errors import InputError
from layers import BOUNDARY_VARIANTS
from layers.analysis import compare_populations
from layers.analysis.compare_sources import SETTLEMENT_NAMES, check_population
from layers.analysis.export import export_format, ring_layer
from layers.countries import resolve_countries
from layers.files import is_file_path, read_geometry_file
from layers.grid_products import PRODUCTS
from layers.output import check_target
from layers.sources import Source
from maps._cli_options import codes, country_names, only_countries, refuse_dropped
from maps._cli_options import radii as parse_radii
from maps._cli_sites import cmd_sites
from maps.panel import Table
from maps.report import excluded_text
from maps.riskmap import RiskMap

#: Source kinds that are areas: drawn as such, their rings outside them.
_AREAS = ("territory", "region")


def _coverage_cell(ratio: float, note: str) -> str:
    if note == "unknown" or ratio != ratio:  # NaN: not a country, or no known total
        return note or ""
    return f"{ratio:.0%}" + (f" ({note})" if note else "")


def _exposure_rows(exp: Any) -> Any:
    """Return the table as printed: radius in km, whole people, coverage in per cent."""
    table = exp.table
    columns = {"country": table["country"]}
    # a breakdown by polygons (admin-1 regions, a user's layer): its key and the key's name
    for col in (exp.by, f"{exp.by}_name"):
        if exp.by not in (None, "country") and col in table.columns:
            columns[col] = table[col]
    rows = pd.DataFrame(
        {
            **columns,
            "within (km)": [f"{r / 1000:g}" for r in table["radius_m"]],
            "population": table["population"].round().astype("int64"),
        }
    )
    if "places" in table.columns:  # settlements (a grid counts cells, not places)
        rows["places"] = table["places"]
    if "coverage" in table.columns:
        rows["coverage"] = [
            _coverage_cell(r, n)
            for r, n in zip(table["coverage"], table["coverage_note"], strict=True)
        ]
    return rows


def _print_source(exp: Any) -> None:
    """Print what the answer is measured from, what was left out, and what to doubt."""
    if exp.boundary_variant is not None:
        others = [v for v in BOUNDARY_VARIANTS if v != exp.boundary_variant]
        print(
            f"boundary: {exp.source}; other variants: --boundary {' or '.join(others)}, "
            "or --variants for the range"
        )
    line = exp.provenance.details.get("border_line")
    if line:
        print(f"border: {line}")
    print(f"excluded: {excluded_text(exp.excluded)}")
    if "coverage" in exp.table.columns:
        print(
            "coverage = people in the country's settlements in the data ÷ its population; "
            "above 120% places are counted twice, below 60% the points miss people"
        )
    for warning in exp.warnings:
        print(f"warning: {warning}")


def _print_exposure(exp: Any, label: str, radii: list[float]) -> None:
    title = f"Population within {', '.join(f'{r / 1000:g}' for r in radii)} km of {label}"
    print(Table(title, _exposure_rows(exp)).to_text())
    _print_source(exp)
    edge = exp.edge
    if edge is not None and len(edge):
        shown = edge[edge["population"] > 0]
        print(f"\nsettlements within ±{exp.edge_m / 1000:g} km of a radius (population > 0):")
        for row in shown.head(12).itertuples(index=False):
            side = "inside" if row.inside else "outside"
            print(
                f"  {row.name}, {row.country}: population {row.population:,.0f}, "
                f"{row.distance_km:,.2f} km ({side} {row.radius_m / 1000:g} km)"
            )
        if len(shown) > 12:
            print(f"  … and {len(shown) - 12} more")


def _populations(values: Sequence[str] | None) -> list[str]:
    """Return the ``--population`` sources (default ``["geonames"]``); refuse countries."""
    names = [c.strip() for v in values or () for c in v.split(",") if c.strip()]
    if not names:
        return ["geonames"]
    try:
        for name in names:
            check_population(name)
    except InputError as exc:
        try:
            resolve_countries(country_names(values or ()))
        except InputError:
            raise exc from None
        raise InputError(
            f"--population {','.join(names)!r} names countries; countries of residence are "
            f"--country now: use --country {','.join(names)}"
        ) from None
    return names


def _by(text: str) -> str | list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or any(p not in ("country", "admin1") for p in parts):
        raise InputError(f"--by {text!r}: expected country, admin1 or country,admin1")
    return parts[0] if len(parts) == 1 else parts


def _print_comparison(result: Any, label: str) -> None:
    """Print every source x variant x country x radius, then the low / median / high."""
    t = result.table
    rows = pd.DataFrame(
        {
            "source": t["population_source"],
            "release": t["release"],
            "year": [("" if y is None or y != y else f"{y:.0f}") for y in t["year"]],
            "counts": t["counts"],
            "boundary": t["boundary"],
            "country": t["country"],
            "within (km)": [f"{r:g}" for r in t["radius_km"]],
            "population": [("-" if p != p else f"{p:,.0f}") for p in t["population"]],
            "places": [("" if p != p else f"{p:.0f}") for p in t["places"]],
            "coverage": [
                _coverage_cell(r, n) for r, n in zip(t["coverage"], t["coverage_note"], strict=True)
            ],
            "status": [x.split(":")[0] for x in t["status"]],  # the reasons are warnings
        }
    )
    print(
        Table(
            f"Population within {', '.join(f'{r / 1000:g}' for r in result.radii_m)} km "
            f"of {label}, by source",
            rows,
        ).to_text()
    )
    ranges = result.ranges.copy()
    shown = pd.DataFrame(
        {
            "country": ranges["country"],
            "within (km)": [f"{r:g}" for r in ranges["radius_km"]],
            **{
                k: [("-" if v != v else f"{v:,.0f}") for v in ranges[k]]
                for k in ("low", "median", "high")
            },
            "counted": ranges["counted"],
            "left out": ranges["left_out"],
        }
    )
    print("\n" + Table("Range over the sources and variants counted", shown).to_text())
    print(
        "coverage = the source's people in the country ÷ its population (settlements: in the "
        "data; grids: over its territory)"
    )
    for warning in result.warnings:
        print(f"warning: {warning}")


def _cmd_compare(args: argparse.Namespace, source: Any, label: str, populations: list[str]) -> int:
    """``riskmap exposure --population A,B,...``: every source x variant, and the range."""
    for option in ("map", "png", "out"):
        if getattr(args, option):
            raise InputError(
                f"--{option} shows one exposure; give one --population source with it "
                f"(not {len(populations)}: {','.join(populations)})"
            )
    countries = codes(args.country)
    result = compare_populations(
        source,
        parse_radii(args.radius),
        populations=_grids(populations, args.kind),
        variants=list(BOUNDARY_VARIANTS) if args.variants else None,
        country=countries,
        by="country" if _by(args.by) == "country" else None,
    )
    if args.json:
        print(result.to_json())
        return 0
    _print_comparison(result, label)
    print(f"\nmethod: {result.provenance.method}")
    print(f"sources: {result.provenance.attribution()}")
    return 0


def _grids(populations: list[str], kind: Any) -> Any:
    """Return the ``--population`` sources, a GeoTIFF opened with ``--kind`` if given."""
    if kind is None:
        return populations
    files = [
        p
        for p in populations
        if p.lower() not in SETTLEMENT_NAMES and p.split(":")[0] not in PRODUCTS
    ]
    if not files:
        raise InputError(
            f"--kind {kind} says what a GeoTIFF --population holds, but --population "
            f"{','.join(populations)} names no GeoTIFF (products know their kind); drop --kind"
        )
    return {p: layers.population_grid(p, kind=kind) if p in files else p for p in populations}


def _population_layer(source: Any, spec: str, radii: list[float], by: Any, kind: Any) -> Any:
    """Return the exposure of one grid ``--population`` source; None for the settlements."""
    if spec.lower() in SETTLEMENT_NAMES:
        if kind:
            _grids([spec], kind)  # refuses --kind, naming it
        return None
    countries = by if isinstance(by, list) else None
    got = compare_populations(
        source, radii, populations=_grids([spec], kind), country=countries, by=by, coverage=False
    )
    for warning in got.warnings:  # a grid that misses part of the area says so
        print(f"warning: {spec}: {warning.split(': ', 1)[-1]}", file=sys.stderr)
    return next(iter(got.exposures.values()))


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse a bad --map/--png/--out name or folder before any work is done."""
    for option, suffixes in (("map", (".html", ".htm")), ("png", (".png", ".svg", ".pdf"))):
        path = getattr(args, option)
        if path and Path(path).suffix.lower() not in suffixes:
            raise InputError(
                f"--{option} {path!r} does not end in {' or '.join(suffixes)}; name the file "
                f"e.g. --{option} {Path(path).with_suffix(suffixes[0]).name}"
            )
        if path:
            _check_target(option, path)
    if args.out and not args.sites:  # --sites refuses --out by name
        _check_target("out", args.out)
        export_format(args.out)


def _check_target(option: str, path: str) -> None:
    try:
        check_target(path)
    except InputError as exc:
        raise InputError(f"--{option} {path}: {exc}") from None


def _around(args: argparse.Namespace) -> Any:
    """Resolve ``--around``, with ``--crs`` for a CSV and ``--boundary`` for a country."""
    text = args.around
    if args.crs and not is_file_path(text):
        raise InputError(
            f"--crs {args.crs} gives the CRS of a CSV's lon/lat columns, but --around {text!r} "
            "is no file; drop --crs"
        )
    if args.crs:
        return Source("file", read_geometry_file(text, crs=args.crs), Path(text).name)
    source = layers.resolve_source(text, boundary=args.boundary)
    if args.boundary and source.kind != "territory":
        raise InputError(
            f"--boundary {args.boundary} chooses how a country's territory is drawn, but "
            f"--around {text!r} is a {source.kind} ({source.name}); drop --boundary"
        )
    return source


def cmd_exposure(args: argparse.Namespace) -> int:
    """Run ``riskmap exposure``; return the exit status."""
    refuse_dropped(args)
    populations = _populations(args.population)
    _check_outputs(args)
    if args.sites:
        if populations != ["geonames"]:
            raise InputError(
                f"--sites counts the packaged settlements; --population {','.join(populations)} "
                "is not available with --sites"
            )
        radius = parse_radii(args.radius) if args.radius else None
        args.country = codes(args.country)
        return cmd_sites(args, radius, _by(args.by))
    if not args.around:
        raise InputError("give what to measure from: --around SOURCE or --sites FILE")
    radii = parse_radii(args.radius)
    countries = codes(args.country)
    source = _around(args)
    kind = source.kind
    label = source.place.describe() if source.place else source.label
    if args.variants and kind != "territory":
        raise InputError(
            f"--variants needs a territory (a country code) but --around is {args.around!r}"
        )
    if source.notes:  # the name read one way of two: said once, before the numbers
        print(f"note: {source.notes}", file=sys.stderr if args.json else sys.stdout)
    if len(populations) > 1:
        return _cmd_compare(args, source, label, populations)
    split = _by(args.by)
    regions = countries is not None and "admin1" in split  # the regions of these countries
    by = split if regions or not countries else countries
    exp = _population_layer(source, populations[0], radii, by, args.kind)
    settlements = layers.settlements() if exp is None or args.variants else None
    if exp is None:
        exp = layers.exposure(source, settlements, radii, by=by)
    if regions and countries:
        exp = only_countries(exp, countries)
    out = sys.stderr if args.json else sys.stdout
    if args.json:
        print(exp.to_json())
    else:
        _print_exposure(exp, label, radii)
        if args.variants:
            who_counts: list[str | None] = list(countries) if countries else [None]
            for country in who_counts:
                var = layers.exposure_variants(source, settlements, radii[-1], country=country)
                who = f"residents of {country}" if country else "people"
                rows = var.table[["boundary", "population", "places"]].copy()
                rows["population"] = rows["population"].round().astype("int64")
                title = f"{who} within {radii[-1] / 1000:g} km, by boundary variant"
                print("\n" + Table(title, rows).to_text())
                print(f"  range: {var.low:,.0f} – {var.high:,.0f}")
        print(f"\nmethod: {exp.provenance.method}")
        print(f"sources: {exp.provenance.attribution()}")
    if args.out:
        rings = None
        if export_format(args.out) != ".csv":
            rings = ring_layer(source, radii, outside_only=kind in _AREAS)
        print(f"file: {exp.to_file(args.out, rings=rings)}", file=out)
    if args.map or args.png:
        rmap = RiskMap(title=f"Population within {radii[-1] / 1000:g} km of {label}")
        if kind in _AREAS:
            rmap.add_territory(source.data)
        elif kind == "border":
            rmap.add_border(source.data, fit=True)
        of = source.name
        rmap.add_rings(source.data, radii, of=of, outside_only=kind in _AREAS)
        rmap.add_exposure(exp, of=of, countries=countries, rings=False)  # drawn above
        if args.map:
            print(f"map: {rmap.save(args.map, self_contained=not args.linked)}", file=out)
        if args.png:
            print(f"image: {rmap.to_png(args.png)}", file=out)
    return 0
