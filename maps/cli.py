"""The ``riskmap`` command line.

::

    riskmap distance Vladivostok Pyongyang
    riskmap exposure --around KP --radius 200km --country RU --map out.html
    riskmap run examples/summit_2019.toml --out results/

Distances take their unit (``200km``, ``124 mi``, ``108 nmi``, ``700000 m``).
Errors are reported as one line on stderr with a non-zero exit status
(set ``RISKMAP_DEBUG=1`` to see the traceback instead).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from geo.errors import RiskmapError
from layers.boundaries import BOUNDARY_VARIANTS, DEFAULT_BOUNDARY
from maps.cli_data import add_data_parser

__all__ = ["main", "build_parser"]

PROG = "riskmap"


#: What argparse takes as a value rather than an option: anything that starts with a dash
#: and a digit, so that ``--radius -5km`` reaches riskmap (which refuses it by name) and
#: ``riskmap distance -74.006,40.7128 2.3522,48.8566`` reads two coordinates.
_DASH_DIGIT = re.compile(r"^-\.?\d")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr like every other error.

    A value that starts with a dash and a digit (``-5km``, ``-74.006,40.7128``) is a
    value, not an option: riskmap has no option that starts with a digit.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _DASH_DIGIT

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _add_exposure_parser(sub: Any) -> None:
    """Add the ``exposure`` command and its options."""
    p = sub.add_parser(
        "exposure", help="population within distances of a territory, border or place"
    )
    p.add_argument(
        "--around",
        help="a country (KP, PRK, 'North Korea': its territory), a border (KP-RU), "
        "a region, a place ('Vladivostok,RU'), 'lon,lat' or a file (GeoJSON, GeoPackage...)",
    )
    p.add_argument(
        "--sites",
        metavar="FILE",
        help="a table of sites (CSV with lon/lat columns, or any file geopandas reads), "
        "each with its own range(s): see --range-column, or --radius for all",
    )
    p.add_argument(
        "--range-column",
        metavar="COL",
        help="column of each site's range(s), e.g. range_km or values like 30km",
    )
    p.add_argument("--crs", help="CRS of a CSV's lon/lat columns, e.g. EPSG:4326")
    p.add_argument(
        "--by",
        default="country",
        help="split the counts by country (default), admin1 or country,admin1",
    )
    p.add_argument(
        "--boundary",
        choices=list(BOUNDARY_VARIANTS),
        help=f"territory variant (default {DEFAULT_BOUNDARY}: "
        f"{BOUNDARY_VARIANTS[DEFAULT_BOUNDARY].label})",
    )
    p.add_argument(
        "--radius",
        action="append",
        metavar="DIST",
        help="distance with unit, e.g. 200km; repeat or give a comma list for several",
    )
    p.add_argument(
        "--country",
        action="append",
        metavar="COUNTRY",
        help="countries of residence to count (codes or names such as RU or Russia; "
        "repeat or give a comma list); default all",
    )
    p.add_argument(
        "--population",
        action="append",
        metavar="SOURCE[,SOURCE...]",
        help="who is counted: geonames (the packaged settlements, the default), a grid "
        "product with its year (ghs-pop:2020, worldpop-1km:2020:PRK+RUS; see riskmap data "
        "list), a GeoTIFF path or URL; several give a table of every source x boundary "
        "variant with the low/median/high (countries of residence are --country)",
    )
    p.add_argument(
        "--kind",
        choices=("count", "density"),
        help="what a GeoTIFF --population holds: people per cell (count) or per km² "
        "(density); needed when its name does not say",
    )
    p.add_argument(
        "--variants",
        action="store_true",
        help="also run every boundary variant (territory only) and show the range",
    )
    p.add_argument("--map", metavar="HTML", help="write an interactive map to this .html file")
    p.add_argument("--png", metavar="PNG", help="write a static image to this .png, .svg or .pdf")
    p.add_argument(
        "--out",
        metavar="FILE",
        help="write the exposure and its provenance to a file: .gpkg (with the rings), "
        ".geojson (with the rings), .csv (+ .provenance.json) or .parquet",
    )
    p.add_argument(
        "--self-contained", action="store_true", help="inline the map's JS/CSS (the default)"
    )
    p.add_argument(
        "--linked", action="store_true", help="link Leaflet from its CDNs (needs the network)"
    )
    p.add_argument("--json", action="store_true", help="print the exposure as JSON")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``riskmap`` command.

    Returns
    -------
    argparse.ArgumentParser
        The ``distance``, ``exposure`` and ``run`` commands and their options.

    Examples
    --------
    >>> args = build_parser().parse_args(
    ...     ["exposure", "--around", "KP", "--radius", "200km", "--country", "Russia,CN"]
    ... )
    >>> args.command, args.boundary, args.radius, args.country
    ('exposure', None, ['200km'], ['Russia,CN'])
    """
    parser = _Parser(
        prog=PROG, description="Who lives within X km of Y, and how far is A from B (WGS84)."
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("distance", help="geodesic distance between two places")
    p.add_argument("a", help="place name ('Vladivostok', 'Vladivostok,RU') or 'lon,lat'")
    p.add_argument("b", help="place name or 'lon,lat'")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")

    _add_exposure_parser(sub)

    p = sub.add_parser("run", help="run a scenario file: its claims, numbers and map")
    p.add_argument("scenario", help="scenario TOML file")
    p.add_argument("--out", default=".", help="folder for the map files (default: current folder)")
    p.add_argument("--no-png", action="store_true", help="skip the static image")
    p.add_argument(
        "--self-contained", action="store_true", help="inline the map's JS/CSS (the default)"
    )
    p.add_argument(
        "--linked", action="store_true", help="link Leaflet from its CDNs (needs the network)"
    )
    add_data_parser(sub)
    return parser


def _cmd_run(args: argparse.Namespace) -> int:
    from maps._cli_options import refuse_dropped
    from maps.scenario import run_scenario

    refuse_dropped(args)
    out = Path(args.out)
    result = run_scenario(
        args.scenario,
        out_dir=out,
        png=not args.no_png,
        self_contained=False if args.linked else (True if args.self_contained else None),
    )
    print(result.to_text())
    return 0


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    """Return the function that runs a command, importing what only that command needs."""
    if name == "distance":
        from maps._cli_distance import cmd_distance

        return cmd_distance
    if name == "exposure":
        from maps._cli_exposure import cmd_exposure

        return cmd_exposure
    if name == "data":
        from maps.cli_data import run_data

        return run_data
    return _cmd_run


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``riskmap`` command; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 when riskmap refuses the input or fails, 2 for a usage error.

    Examples
    --------
    >>> main(["distance", "131.8869,43.1056", "125.7625,39.0392"])
    from: 131.887,43.1056 (43.1056°N, 131.8869°E)
    to:   125.763,39.0392 (39.0392°N, 125.7625°E)
    distance: 684.393 km (369.5 nmi), WGS84 ellipsoid geodesic (pyproj Geod, Karney's algorithm)
    0
    """
    args = build_parser().parse_args(argv)
    try:
        return _command(args.command)(args)
    except BrokenPipeError:  # e.g. `riskmap ... | head`: the reader left, nothing to report
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (RiskmapError, ValueError, OSError) as exc:
        if os.environ.get("RISKMAP_DEBUG"):
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        from maps._cli_words import cli_words

        message = cli_words(message)  # the library's keywords as options
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
