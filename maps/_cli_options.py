"""The values of ``riskmap exposure``'s options: distances and countries, comma lists.

Every distance goes through :func:`geo.parse_distance`, as in Python and in scenario
files; every country through :func:`layers.countries.resolve_countries`.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from collections.abc import Sequence
from typing import Any

import geo
from geo.errors import InputError
from layers.analysis.compare_sources import SETTLEMENT_NAMES
from layers.countries import country, resolve_countries

__all__ = ["radii", "codes", "country_names", "only_countries", "refuse_dropped"]

#: The commas that separate distances: in ``--radius`` every distance ends with its unit,
#: so a comma between two digits is inside a number (``1,000km``), and refused there.
_LIST_COMMA = re.compile(r"(?<!\d),|,(?!\d)")


def radii(values: Sequence[str] | None) -> list[float]:
    """Return the distances of ``--radius`` (repeated, or comma lists) in metres, ascending.

    Parameters
    ----------
    values : sequence of str or None
        Each ``--radius`` as given: ``"200km"``, ``"50km,100km"``, ``"1_000km"``.

    Returns
    -------
    list of float
        Metres, each once.

    Raises
    ------
    InputError
        No radius, a distance :func:`geo.parse_distance` refuses, zero or negative
        (a scenario's ``radius`` must be above 0 too), or a comma between digits
        (``"1,000km"``: write ``1000km`` or ``1_000km``).

    Examples
    --------
    >>> radii(["100km,50km", "1_000km"])
    [50000.0, 100000.0, 1000000.0]
    >>> radii(["1,000km"])
    Traceback (most recent call last):
    ...
    geo.errors.InputError: --radius '1,000km' has a comma in its number; a comma is not \
read as a thousands separator (it could be a decimal point): write '1000km' or '1_000km'
    """
    out: list[float] = []
    for value in values or ():
        items = _LIST_COMMA.split(value)
        out += [_radius(v) for v in items if v.strip()]
    if not out:
        raise InputError(
            "no --radius given; use --radius 200km (repeat it, or give a comma list, for several)"
        )
    return sorted(set(out))


def _radius(text: str) -> float:
    """One ``--radius`` distance in metres, above 0 as a scenario's ``radius`` must be."""
    try:
        return geo.parse_distance(text, name="--radius", positive=True)
    except InputError as exc:
        if "above 0 metres" not in str(exc):  # the other refusals name their own fix
            raise
        raise InputError(f"{exc}; write --radius 200km") from None


def codes(values: Sequence[str] | None) -> list[str] | None:
    """Return the alpha-2 codes of ``--country`` (codes or names, comma lists), or None.

    Parameters
    ----------
    values : sequence of str or None
        Each ``--country`` as given: ``"RU"``, ``"Russia,CN"``.

    Returns
    -------
    list of str or None
        ISO 3166-1 alpha-2 codes; None when no country is given.

    Examples
    --------
    >>> codes(["Russia,cn"])
    ['RU', 'CN']
    >>> codes(["Korea, Republic of", "RU,Korea, Democratic People's Republic of"])
    ['KR', 'RU', 'KP']
    """
    if not values:
        return None
    names = country_names(values)
    return [record.iso2 for record in resolve_countries(names)] if names else None


def _is_country(text: str) -> bool:
    try:
        country(text)
    except InputError:
        return False
    return True


def country_names(values: Sequence[str]) -> list[str]:
    """Split comma lists of countries, keeping a name that holds a comma whole.

    ``"Korea, Republic of"`` is one country (ISO 3166's own name for South Korea), so
    a value is read as one country first; only when it is not one is it split at its
    commas, and then the longest run of parts that names a country is taken at each
    step (``"RU,Korea, Republic of"`` is RU and KR). A part that names nothing is kept
    as written, for :func:`layers.countries.resolve_countries` to refuse by name.

    Parameters
    ----------
    values : sequence of str
        Each option value as given.

    Returns
    -------
    list of str
        The countries as written, stripped, in order.

    Examples
    --------
    >>> country_names(["Korea, Republic of", "RU,cn"])
    ['Korea, Republic of', 'RU', 'cn']
    >>> country_names(["RU,Atlantis"])
    ['RU', 'Atlantis']
    """
    out: list[str] = []
    for value in values:
        parts = value.split(",")
        i = 0
        while i < len(parts):
            for j in range(len(parts), i, -1):
                name = ",".join(parts[i:j]).strip()
                if j == i + 1 or (name and _is_country(name)):
                    break
            if name:
                out.append(name)
            i = j
    return out


def only_countries(exposure: Any, countries: Sequence[str]) -> Any:
    """Return an exposure split by region with only the rows of residents of ``countries``.

    ``--country RU --by admin1`` asks for the regions of Russia's residents, as a
    scenario's ``country = "RU"`` with ``by = "admin1"`` does: the table, bands and
    edge keep the rows of those countries; the places and the totals by country are
    the exposure's own.

    Parameters
    ----------
    exposure : layers.Exposure
        Split by ``admin1`` (its rows carry ``country``).
    countries : sequence of str
        ISO alpha-2 codes.

    Returns
    -------
    layers.Exposure

    Examples
    --------
    >>> import geopandas, shapely, layers
    >>> towns = geopandas.GeoDataFrame(
    ...     {"name": ["a", "b"], "country": ["RU", "CN"], "admin1": ["RU-PRI", "CN-JL"],
    ...      "population": [10, 20]},
    ...     geometry=geopandas.points_from_xy([131.9, 131.0], [43.1, 43.0]), crs="EPSG:4326")
    >>> exp = layers.exposure(shapely.Point(131.5, 43.0), towns, "100km", by="admin1")
    >>> only_countries(exp, ["RU"]).table[["country", "admin1", "population"]].values.tolist()
    [['RU', 'RU-PRI', 10]]
    """
    keep = set(countries)

    def rows(frame: Any) -> Any:
        if frame is None or "country" not in frame.columns:
            return frame
        return frame[frame["country"].isin(keep)].reset_index(drop=True)

    return dataclasses.replace(
        exposure, table=rows(exposure.table), bands=rows(exposure.bands), edge=rows(exposure.edge)
    )


def _page_options(args: argparse.Namespace, *, drawn: str) -> None:
    """Refuse ``--linked`` with ``--self-contained``, and either with no page to write."""
    linked, inline = getattr(args, "linked", False), getattr(args, "self_contained", False)
    if linked and inline:
        raise InputError(
            "--linked and --self-contained ask for opposite maps (Leaflet from its CDNs, or "
            "inlined); give one of them (--self-contained is the default)"
        )
    if drawn and (linked or inline):
        flag = "--linked" if linked else "--self-contained"
        raise InputError(
            f"{flag} says how the map page is written, but {drawn}; add --map FILE.html "
            f"or drop {flag}"
        )


def refuse_dropped(args: argparse.Namespace) -> None:
    """Refuse an option of ``riskmap exposure`` or ``run`` that another option makes void.

    Each option that only applies with another is refused by name, with the fix,
    when that other is absent (``--range-column`` without ``--sites``, ``--linked``
    without ``--map``) or overrides it (``--linked`` with ``--self-contained``,
    ``--variants`` with ``--json``, which prints the exposure alone).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``exposure`` or ``run`` options.

    Raises
    ------
    InputError
        Naming the option that would be dropped and what to give instead.

    Examples
    --------
    >>> ns = argparse.Namespace(command="exposure", sites=None, range_column="range_km",
    ...     linked=False, self_contained=False, map=None, variants=False, json=False,
    ...     by="country", population=None)
    >>> refuse_dropped(ns)
    Traceback (most recent call last):
    ...
    geo.errors.InputError: --range-column range_km names the column of each site's ranges \
in a --sites table, but no --sites is given; add --sites FILE or drop --range-column
    """
    if args.command == "run":
        _page_options(args, drawn="")
        return
    map_note = "" if args.map else "no --map HTML is written (--png is an image)"
    _page_options(args, drawn=map_note)
    if args.range_column and not args.sites:
        raise InputError(
            f"--range-column {args.range_column} names the column of each site's ranges in a "
            "--sites table, but no --sites is given; add --sites FILE or drop --range-column"
        )
    populations = [c.strip() for v in args.population or () for c in v.split(",") if c.strip()]
    several = len(populations) > 1
    grid = populations and populations[0].lower() not in SETTLEMENT_NAMES
    if args.variants and not several and grid:
        raise InputError(
            f"--variants ranges the packaged settlements over the boundary variants, not "
            f"--population {populations[0]}; give --population geonames,{populations[0]} "
            "--variants for every source x variant"
        )
    if args.variants and args.json and not several:
        raise InputError(
            "--variants prints a table of the boundary variants, which --json (the exposure "
            "alone) leaves out; drop --json to see it, or give --population with two sources "
            "or more for a JSON table of every source x variant"
        )
    if several and args.by.replace(" ", "") != "country":
        raise InputError(
            f"--by {args.by} splits one exposure; several --population sources are compared by "
            "country only: drop --by, or give one --population source"
        )
