"""How much of each country's population the settlement points hold, and when to warn.

A sum over settlement points is exact for the points, but the points are not the
population: GeoNames lists some cities beside their own districts (Hong Kong's
places sum to 3.5 times its population) and misses the rural population of others
(China's places hold about half of it). Every exposure from settlements carries, per
country, the coverage ratio of :func:`layers.coverage` and a warning where it is above
:data:`COVERAGE_HIGH` or below :data:`COVERAGE_LOW`; for a user's table, whose country
totals riskmap does not know, it says the coverage is unknown.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import InputError
from layers.countries import country as country_record
from layers.provenance import Provenance
from layers.settlements import coverage, geonames_source

__all__ = [
    "COVERAGE_HIGH",
    "COVERAGE_LOW",
    "coverage_note",
    "settlement_coverage",
    "with_coverage",
]

#: Above this ratio, places are counted more than once: the figures overcount.
COVERAGE_HIGH = 1.2
#: Below this ratio, the points miss many people: the figures undercount.
COVERAGE_LOW = 0.6


@lru_cache(maxsize=512)
def _ratio(code: str, include_merged: bool) -> float | None:
    try:
        value = coverage(code, include_merged=include_merged)
    except InputError:  # a code the country table lacks
        return None
    return None if math.isnan(value) else value


def _is_packaged(gdf: Any) -> bool:
    """Whether the settlements are riskmap's GeoNames extract (their provenance says so)."""
    provenance = Provenance.of(gdf)
    name = geonames_source().name
    return provenance is not None and any(s.name == name for s in provenance.sources)


def coverage_note(ratio: float | None) -> str:
    """Return the word the table gives a coverage ratio.

    Parameters
    ----------
    ratio : float or None
        People in the country's settlements ÷ the country's population; None if unknown.

    Returns
    -------
    str
        ``"overcount"`` above :data:`COVERAGE_HIGH`, ``"undercount"`` below
        :data:`COVERAGE_LOW`, ``"unknown"`` for None, else ``""``.

    Examples
    --------
    >>> coverage_note(3.52), coverage_note(0.53), coverage_note(0.91), coverage_note(None)
    ('overcount', 'undercount', '', 'unknown')
    """
    if ratio is None:
        return "unknown"
    if ratio > COVERAGE_HIGH:
        return "overcount"
    if ratio < COVERAGE_LOW:
        return "undercount"
    return ""


def _warning(code: str, ratio: float) -> str:
    record = country_record(code)
    if ratio > COVERAGE_HIGH:
        share, why, effect = f"{ratio:.2f} ×", "places are counted more than once", "overcount"
    else:
        share, why, effect = f"{ratio:.0%} of", "the points miss people", "undercount"
    return (
        f"{code}: its settlements in the data sum to {share} the population of {record.name} "
        f"({record.population:,}): {why}, so the {code} figures likely {effect} (a national "
        "ratio: near one city the points can be off either way)"
    )


def settlement_coverage(
    gdf: Any, counted: np.ndarray, table_countries: list[str]
) -> tuple[dict[str, float | None], tuple[str, ...]]:
    """Return the coverage ratio of each country of an exposure, and the warnings.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The settlements measured (their ``attrs["provenance"]`` says whether they are
        the packaged GeoNames data).
    counted : numpy.ndarray of bool
        The rows counted within the largest radius. If they hold places flagged as
        sections of another place (``section`` or ``merged``), the ratio counts the
        flagged places too, as the sum does.
    table_countries : list of str
        Country codes of the exposure table (the countries asked for), which get a
        ratio even where nobody of them is in range.

    Returns
    -------
    coverage : dict
        ``{alpha-2 code: ratio or None}``, for the table's countries and those of the
        places counted; None where riskmap knows no country total for the data.
    warnings : tuple of str
        One per country above :data:`COVERAGE_HIGH` or below :data:`COVERAGE_LOW`, and
        one naming the countries whose coverage is unknown.

    Examples
    --------
    >>> import numpy as np, layers
    >>> towns = layers.settlements(bbox=(113.8, 22.1, 114.5, 22.6))  # Hong Kong, Shenzhen
    >>> ratios, warnings = settlement_coverage(towns, np.ones(len(towns), bool), [])
    >>> sorted(ratios), ratios["CN"] < 0.6, warnings[0].split(":")[0]
    (['CN', 'HK'], True, 'CN')
    >>> mine = towns.copy()
    >>> mine.attrs = {}  # a table of one's own: riskmap knows no totals for it
    >>> settlement_coverage(mine, np.ones(len(mine), bool), ["RU"])[0]
    {'CN': None, 'HK': None, 'RU': None}
    """
    codes = list(table_countries)
    if "country" in gdf.columns:
        codes += gdf["country"][counted].dropna().astype(str).unique().tolist()
    codes = sorted(dict.fromkeys(c for c in codes if len(c) == 2 and c.isalpha()))
    if not _is_packaged(gdf):
        ratios: dict[str, float | None] = dict.fromkeys(codes)
        warnings = (
            ()
            if not codes
            else (
                f"settlement coverage unknown for {', '.join(codes)}: the settlements given are "
                "not riskmap's packaged GeoNames data, so their sums cannot be compared with "
                "country totals; check that the table lists everyone in range",
            )
        )
        return ratios, warnings
    # places flagged as sections of another place (or merged into it) count in the ratio
    # when they count in the sum
    flags = [c for c in ("section", "merged") if c in gdf.columns]
    twice = any(bool(gdf[c][counted].astype(bool).any()) for c in flags)
    ratios = {code: _ratio(code, twice) for code in codes}
    out = [_warning(c, r) for c, r in ratios.items() if r is not None and coverage_note(r)]
    unknown = [c for c, r in ratios.items() if r is None]
    if unknown:
        out.append(
            f"settlement coverage unknown for {', '.join(unknown)}: the country table gives "
            "no population to compare the settlements with"
        )
    return ratios, tuple(out)


def with_coverage(table: pd.DataFrame, ratios: dict[str, float | None]) -> pd.DataFrame:
    """Return a table with the ``coverage`` ratio and ``coverage_note`` of each row's country.

    Parameters
    ----------
    table : pandas.DataFrame
        An exposure table with a ``country`` column.
    ratios : dict
        From :func:`settlement_coverage`; rows of other groups (``"total"``, admin-1
        codes) get NaN and ``""``.

    Returns
    -------
    pandas.DataFrame
        A copy with the two columns added.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"country": ["HK", "RU", "total"], "population": [10, 20, 30]})
    >>> out = with_coverage(t, {"HK": 3.52, "RU": None})
    >>> out["coverage"].tolist(), out["coverage_note"].tolist()
    ([3.52, nan, nan], ['overcount', 'unknown', ''])
    """
    out = table.copy()
    known = out["country"].isin(list(ratios))
    values = out["country"].map(lambda c: ratios.get(c))
    out["coverage"] = pd.to_numeric(values.where(known), errors="coerce").astype(float)
    out["coverage_note"] = [
        coverage_note(ratios[c]) if k else "" for c, k in zip(out["country"], known, strict=True)
    ]
    return out
