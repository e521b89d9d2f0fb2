"""The values of ``riskmap exposure``'s options: distances and countries, comma lists.

Every distance goes through :func:`geo.parse_distance`, as in Python and in scenario
files; every country through :func:`layers.countries.resolve_countries`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

import geo
from geo.errors import InputError
from layers.countries import resolve_countries

__all__ = ["radii", "codes", "only_countries"]

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
        No radius, a distance :func:`geo.parse_distance` refuses, or a comma between
        digits (``"1,000km"``: write ``1000km`` or ``1_000km``).

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
        out += [geo.parse_distance(v, name="--radius") for v in items if v.strip()]
    if not out:
        raise InputError(
            "no --radius given; use --radius 200km (repeat it, or give a comma list, for several)"
        )
    return sorted(set(out))


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
    """
    if not values:
        return None
    names = [c.strip() for v in values for c in v.split(",") if c.strip()]
    return [record.iso2 for record in resolve_countries(names)] if names else None


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
