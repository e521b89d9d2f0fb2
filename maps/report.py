"""Results of a scenario and how they read: claims checked, verdicts, the overview.

:mod:`maps.scenario` computes these; this module only holds and formats them, as
report lines for the terminal and the example, and as notes for the map's panel.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from layers import Place, Provenance
from maps._display import format_int, format_km
from maps.riskmap import RiskMap
from maps.verdicts import (
    DEPENDS,
    DOES_NOT_HOLD,
    HOLDS,
    Claimed,
    table_lines,
    verdict,
    verdict_about,
    verdict_more_than,
)

__all__ = [
    "Claimed",
    "DistanceCheck",
    "ExposureCheck",
    "Overview",
    "ScenarioResult",
    "excluded_text",
    "table_lines",
    "verdict",
    "verdict_more_than",
    "verdict_about",
    "HOLDS",
    "DOES_NOT_HOLD",
    "DEPENDS",
]


@dataclass
class DistanceCheck:
    r"""A distance claim checked: the two places, the geodesic distance and the verdict.

    Parameters
    ----------
    claim : str
        The claim as quoted.
    a, b : layers.Place
        The two places.
    distance_m : float
        The geodesic distance, in metres.
    claimed : Claimed
        What the claim says of it (``unit="m"``): about a distance (± a tolerance),
        more than and/or less than one, in metres.
    verdict : str
        ``claimed.verdict(distance_m)``.
    method : str
        How the distance was measured.

    Examples
    --------
    >>> from layers import Place
    >>> check = DistanceCheck(
    ...     "Vladivostok is about 700 km from Pyongyang",
    ...     Place("Vladivostok", "RU", 131.8869, 43.1056, 587_022),
    ...     Place("Pyongyang", "KP", 125.7625, 39.0392, 3_222_000),
    ...     684_393.3, Claimed(about=700_000.0, tolerance=35_000.0, unit="m"), HOLDS)
    >>> print("\n".join(check.lines()[2:]))
      distance: 684.4 km (WGS84 geodesic (pyproj Geod, Karney's algorithm))
      claimed:  700 km; difference -15.6 km (-2.2 %), tolerance ±35.0 km
      verdict: holds
    >>> check.claimed = Claimed(less_than=700_000.0, unit="m")
    >>> print(check.lines()[3])
      claimed:  less than 700 km; 15.6 km under it
    """

    claim: str
    a: Place
    b: Place
    distance_m: float
    claimed: Claimed
    verdict: str
    method: str = "WGS84 geodesic (pyproj Geod, Karney's algorithm)"

    def lines(self) -> list[str]:
        """Return the check as report lines."""
        out = []
        for label, place in (("from:", self.a), ("to:  ", self.b)):
            out.append(f"  {label} {place.describe()}")
            if place.describe_choice():  # a name that matched several places says so
                out.append(f"        ({place.describe_choice()})")
        claimed = self.claimed
        if claimed.about is not None:
            diff = self.distance_m - claimed.about
            said = (
                f"{format_km(claimed.about, decimals=0)}; difference {diff / 1000:+,.1f} km "
                f"({100 * diff / claimed.about:+.1f} %), tolerance ±{format_km(claimed.tolerance)}"
            )
        else:
            sides = []
            if claimed.more_than is not None:
                over = self.distance_m - claimed.more_than
                sides.append(f"{format_km(abs(over))} {'over' if over > 0 else 'short of'} it")
            if claimed.less_than is not None:
                under = claimed.less_than - self.distance_m
                sides.append(f"{format_km(abs(under))} {'under' if under > 0 else 'over'} it")
            said = f"{claimed.text()}; {', '.join(sides)}"
        return out + [
            f"  distance: {format_km(self.distance_m)} ({self.method})",
            f"  claimed:  {said}",
            f"  verdict: {self.verdict}",
        ]


def excluded_text(excluded: Any) -> str:
    """Say who an exposure leaves out and how many, as ``riskmap exposure`` prints it.

    Parameters
    ----------
    excluded : dict or sequence of dict
        ``Exposure.excluded`` (``rule``, and ``places`` and ``population`` when places
        were left out), or one per boundary variant: the rule is the first's, the
        counts their range.

    Returns
    -------
    str
        ``""`` when nothing is said.

    Examples
    --------
    >>> excluded_text({"rule": "residents of KP (by country code)", "places": 127,
    ...                "population": 13_120_998.0})
    'residents of KP (by country code): 13,120,998 people in 127 places'
    >>> excluded_text([{"rule": "none", "places": 0, "population": 0.0}])
    'none'
    >>> excluded_text([{"rule": "residents of KP", "places": 120, "population": 9e6},
    ...                {"rule": "residents of KP", "places": 127, "population": 1e7}])
    'residents of KP: 9,000,000 – 10,000,000 people in 120 – 127 places (over the variants)'
    """
    items = [excluded] if isinstance(excluded, Mapping) else [e for e in excluded if e]
    if not items or not items[0].get("rule"):
        return ""
    rule = str(items[0]["rule"])
    places = [int(e.get("places") or 0) for e in items]
    people = [float(e.get("population") or 0.0) for e in items]
    if not max(places):
        return rule

    def span(values: list[Any]) -> str:
        low, high = format_int(min(values)), format_int(max(values))
        return low if low == high else f"{low} – {high}"

    over = (
        " (over the variants)"
        if span(places) != format_int(places[0]) or (span(people) != format_int(people[0]))
        else ""
    )
    return f"{rule}: {span(people)} people in {span(places)} places{over}"


@dataclass
class ExposureCheck:
    r"""An exposure claim checked over boundary variants (or the numbers, with no claim).

    Parameters
    ----------
    claim : str
        The claim as quoted.
    source : str
        What the radius is measured from, in words ("North Korea").
    radius_m : float
        The radius of the claim (the largest asked), in metres; NaN for sites at their
        own ranges.
    country : str or None
        Country of residence counted (ISO alpha-2); None for everyone.
    claimed : Claimed or None
        What the claim says of the number of people; None reports the numbers only.
    variants : pandas.DataFrame
        One row per variant: ``boundary``, ``label``, ``population`` (people), ``places``.
    low, high : float
        The smallest and largest population over the variants (people).
    verdict : str
        ``claimed.verdict`` of the variants; ``""`` with no claim.
    edge : pandas.DataFrame
        Places within ``edge_m`` of the radius: ``name``, ``country``, ``population``,
        ``distance_km``, ``inside``, ``variant``.
    edge_m : float
        Half-width of the edge band, in metres.
    length_m : pandas.DataFrame, optional
        Border length by ``kind`` (``length_m``, metres), when the source is a border.
    provenance : layers.Provenance
        Sources and methods of the numbers.
    warnings : tuple of str
        What makes the numbers less exact than they look (``Exposure.warnings`` of
        every variant: a settlement coverage above 1.2 or below 0.6, or unknown),
        printed after the verdict.
    notes : tuple of str
        What a variant's label means, printed after the variants.
    heading : str
        The first line ("people within 20 km of Fukushima Daiichi"); default residents
        of ``country`` within ``radius_m`` of ``source``.
    tables : tuple of (str, pandas.DataFrame)
        More tables printed after the check, each with its title: the people at every
        radius, per site, by country or admin-1 region (``population`` in people).
    median : float, optional
        The median over the rows counted (people), with several population sources.
    by_source : pandas.DataFrame, optional
        With several population sources: per ``source``, the ``low``, ``median`` and
        ``high`` over its boundary variants (people) and how many ``rows`` it counts;
        printed when more than one source is counted. ``variants`` then has a
        ``counted`` column: rows not counted (a partial grid) are shown, not judged.
    fetch : tuple of str
        One line per population source that is not in the cache, with the command that
        fetches it.
    source_note : str
        Another reading of the source's name and how to ask for it (``Source.note``),
        printed once under the heading.
    excluded : str
        Who is left out and how many (:func:`excluded_text` of the variants'
        ``Exposure.excluded``), printed after the variants as the CLI prints it.

    Examples
    --------
    >>> import pandas as pd
    >>> variants = pd.DataFrame({"boundary": ["osm-sea", "naturalearth"],
    ...                          "label": ["OSM, with territorial sea", "Natural Earth"],
    ...                          "population": [1_285_787.0, 1_120_000.0], "places": [60, 58]})
    >>> edge = pd.DataFrame(columns=["name", "country", "population", "distance_km", "inside",
    ...                              "variant"])
    >>> check = ExposureCheck("claim", "North Korea", 200_000.0, "RU",
    ...                       Claimed(more_than=1_000_000.0), variants,
    ...                       1_120_000.0, 1_285_787.0, HOLDS, edge, 5_000.0)
    >>> print("\n".join(check.lines()))
      residents of RU within 200 km of North Korea:
        OSM, with territorial sea    1,285,787  (60 places)  > 1,000,000
        Natural Earth                1,120,000  (58 places)  > 1,000,000
      range: 1,120,000 – 1,285,787; claim: more than 1,000,000
      margin over the claim: +120,000 to +285,787 people
      verdict: holds
    >>> check.claimed = Claimed(about=1_200_000.0, tolerance=100_000.0)
    >>> print("\n".join(check.lines()[1:4]))
        OSM, with territorial sea    1,285,787  (60 places)  ≈ 1,200,000
        Natural Earth                1,120,000  (58 places)  ≈ 1,200,000
      range: 1,120,000 – 1,285,787; claim: about 1,200,000 (±100,000)
    """

    claim: str
    source: str
    radius_m: float
    country: str | None
    claimed: Claimed | None
    variants: pd.DataFrame  # boundary, label, population, places
    low: float
    high: float
    verdict: str
    edge: pd.DataFrame  # places within ±edge of the radius, with the variant
    edge_m: float
    length_m: pd.DataFrame | None = None  # border length by kind, when the source is a border
    provenance: Provenance = field(default_factory=Provenance)
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    heading: str = ""
    tables: tuple[tuple[str, pd.DataFrame], ...] = ()
    median: float = float("nan")
    by_source: pd.DataFrame | None = None
    fetch: tuple[str, ...] = ()
    source_note: str = ""
    excluded: str = ""

    def lines(self) -> list[str]:
        """Return the check as report lines."""
        who = f"residents of {self.country}" if self.country else "people"
        out = [f"  {self.heading or f'{who} within {self.radius_m / 1000:g} km of {self.source}'}:"]
        if self.length_m is not None:
            parts = ", ".join(
                f"{k} {format_km(v)}"
                for k, v in zip(self.length_m["kind"], self.length_m["length_m"], strict=True)
            )
            out.insert(
                0, f"  border length: {format_km(float(self.length_m['length_m'].sum()))} ({parts})"
            )
        if self.source_note:
            out.append(textwrap.fill(f"note: {self.source_note}", 100, initial_indent="  ",
                                     subsequent_indent="   "))  # fmt: skip
        width = max(len(s) for s in self.variants["label"])
        claimed = self.claimed
        counted = self.variants.get("counted", pd.Series(True, index=self.variants.index))
        for row, judged in zip(self.variants.itertuples(index=False), counted, strict=True):
            mark = f"  {claimed.mark(row.population)}" if claimed and judged else ""
            places = "grid" if row.places != row.places else f"{format_int(row.places)} places"
            out.append(
                f"    {row.label:<{width}}  {format_int(row.population):>11}  ({places}){mark}"
            )
        out += [
            textwrap.fill(n, 100, initial_indent="  ", subsequent_indent="   ") for n in self.notes
        ]
        out += [f"  excluded: {self.excluded}"] if self.excluded else []
        out += [f"  {line}" for line in self.fetch]
        out += self._source_lines()
        one = int(counted.sum()) == 1
        if not one:
            said = f"; claim: {claimed.text()}" if claimed else ""
            spread = f"{format_int(self.low)} – {format_int(self.high)}"
            if self._several_sources():
                spread += f" (median {format_int(self.median)}, over {int(counted.sum())} rows)"
            out.append(f"  range: {spread}{said}")
        if claimed is not None:
            out += [f"  {line}" for line in claimed.margins(self.low, self.high, "people", one=one)]
            out.append(f"  verdict: {self.verdict}")
        out += [f"  warning: {w}" for w in self.warnings]
        if len(self.edge):
            out += self._edge_lines()
        for title, table in self.tables:
            out += [f"  {title}:", *table_lines(table, indent="    ")]
        return out

    def _several_sources(self) -> bool:
        return self.by_source is not None and len(self.by_source) > 1

    def _source_lines(self) -> list[str]:
        """Per population source counted: low / median / high over the boundary variants."""
        if not self._several_sources():
            return []
        assert self.by_source is not None
        table = self.by_source.rename(columns={"rows": "variants"})
        return ["  by population source (over the boundary variants):"] + table_lines(
            table, indent="    "
        )

    def edge_table(self) -> pd.DataFrame:
        """Return the places near the edge, one row each: km under every variant, in or out."""
        variants = list(dict.fromkeys(self.edge["variant"]))
        places: dict[tuple[str, str, float], dict[str, str]] = {}
        for row in self.edge.itertuples(index=False):
            cell = f"{row.distance_km:,.2f} {'in' if row.inside else 'out'}"
            key = (str(row.name), str(row.country), float(row.population))
            places.setdefault(key, {})[row.variant] = cell
        rows = [
            {
                "place": f"{n}, {c}",
                "population": int(round(p)),
                **{v: cells.get(v, "–") for v in variants},
            }
            for (n, c, p), cells in places.items()
        ]
        return pd.DataFrame(rows, columns=["place", "population", *variants])

    def _edge_lines(self) -> list[str]:
        table = self.edge_table()
        widths = [
            max(
                [len(str(c))]
                + [len(format_int(v)) if c == "population" else len(str(v)) for v in table[c]]
            )
            for c in table.columns
        ]
        widths = [max(w, 10) if i > 1 else w for i, w in enumerate(widths)]
        out = [
            f"  settlements within ±{self.edge_m / 1000:g} km of the {self.radius_m / 1000:g} km "
            "edge (km from the source; in/out of the radius):",
            "    "
            + "  ".join(
                f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
                for i, (c, w) in enumerate(zip(table.columns, widths, strict=True))
            ),
        ]
        for row in table.itertuples(index=False):
            cells = [row[0], format_int(row[1]), *row[2:]]
            out.append(
                "    "
                + "  ".join(
                    f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
                    for i, (c, w) in enumerate(zip(cells, widths, strict=True))
                )
            )
        return out


@dataclass
class Overview:
    r"""Population within a radius by country (with coverage), and the curve by distance.

    Parameters
    ----------
    source : str
        What distances are measured from, in words, with its boundary variant.
    radius_m : float
        Radius of the table, in metres.
    table : pandas.DataFrame
        ``country``, ``name``, ``population`` (people), ``places`` and ``coverage``
        (share of the country's population in the settlements data).
    curve : pandas.DataFrame
        ``distance_km``, then the population within each distance (people): a column
        per country, then ``all``.
    provenance : layers.Provenance
        Sources and methods of the numbers.
    warnings : tuple of str
        The exposure's warnings (``Exposure.warnings``: a coverage above 1.2 or below
        0.6, or unknown), printed below the table.
    source_note : str
        Another reading of the source's name and how to ask for it (``Source.note``),
        printed once above the table.
    excluded : str
        Who is left out and how many (:func:`excluded_text`), printed below the table.

    Examples
    --------
    >>> import pandas as pd
    >>> overview = Overview(
    ...     "North Korea", 200_000.0,
    ...     pd.DataFrame({"country": ["RU"], "name": ["Russia"], "population": [1_285_787.0],
    ...                   "places": [60], "coverage": [0.93]}),
    ...     pd.DataFrame({"distance_km": [0.0, 50.0], "RU": [0.0, 20_000.0], "all": [0.0, 2e6]}))
    >>> print("\n".join(overview.lines()[:2]))
      country                 population  places  coverage
      RU Russia                1,285,787      60       93%
    """

    source: str
    radius_m: float
    table: pd.DataFrame  # country, name, population, places, coverage
    curve: pd.DataFrame  # distance_km, then one column per country, then "all"
    provenance: Provenance = field(default_factory=Provenance)
    warnings: tuple[str, ...] = ()
    source_note: str = ""
    excluded: str = ""

    def lines(self, *, every_km: float = 50.0) -> list[str]:
        """Return the overview as report lines, the curve about every ``every_km`` km.

        The curve is thinned to every n-th of its distances (n the nearest whole number
        of steps to ``every_km``), and the last.
        """
        out = [f"  note: {self.source_note}"] if self.source_note else []
        out.append(f"  {'country':<22}{'population':>12}{'places':>8}{'coverage':>10}")
        for row in self.table.itertuples(index=False):
            cov = f"{row.coverage:.0%}" if math.isfinite(row.coverage) else "–"
            out.append(
                f"  {row.country + ' ' + row.name:<22}{format_int(row.population):>12}"
                f"{format_int(row.places):>8}{cov:>10}"
            )
        out.append(
            "  coverage = population of the country's settlements in the data "
            "÷ its total population;"
        )
        out.append("  where it is low, point data undercounts; where high, it counts places twice.")
        out += [f"  excluded: {self.excluded}"] if self.excluded else []
        out += [f"  warning: {w}" for w in self.warnings]
        cols = [c for c in self.curve.columns if c != "distance_km"]
        out.append("")
        out.append(f"  population by distance from {self.source}:")
        out.append("  " + f"{'km':>6}" + "".join(f"{c:>12}" for c in cols))
        km = self.curve["distance_km"].to_numpy()
        step = float(np.median(np.diff(km))) if len(km) > 1 else every_km
        nth = max(1, round(every_km / step)) if step > 0 else 1  # about every_km apart
        marks = (np.arange(len(km)) % nth == 0) | (np.arange(len(km)) == len(km) - 1)
        for row in self.curve[marks].itertuples(index=False):
            out.append("  " + f"{row[0]:>6g}" + "".join(f"{format_int(v):>12}" for v in row[1:]))
        return out


@dataclass
class ScenarioResult:
    """Everything a scenario computed, and the files it wrote.

    Parameters
    ----------
    title : str
        The scenario's title.
    distances : list of DistanceCheck
        The distance claims checked.
    exposures : list of ExposureCheck
        The exposure claims checked.
    overview : Overview or None
        The overview, if the scenario asks for one.
    map : maps.RiskMap
        The map of it all.
    html_path, png_path : pathlib.Path, optional
        The files written.

    Examples
    --------
    >>> from maps import RiskMap
    >>> result = ScenarioResult("Summit", [], [], None, RiskMap(tiles=None))
    >>> print(result.to_text().splitlines()[:2])
    ['Summit', '======']
    """

    title: str
    distances: list[DistanceCheck]
    exposures: list[ExposureCheck]
    overview: Overview | None
    map: RiskMap
    html_path: Path | None = None
    png_path: Path | None = None

    @property
    def provenance(self) -> Provenance:
        """Sources and methods of every number in the result."""
        return self.map.provenance

    def to_text(self) -> str:
        """Return the report: each claim with its numbers and verdict, the overview, the sources."""
        out = [self.title, "=" * len(self.title)]
        n = 0
        for check in self.distances:
            n += 1
            out += ["", f"Claim {n}: {check.claim}", *check.lines()]
        for exposure in self.exposures:
            n += 1
            out += ["", f"Claim {n}: {exposure.claim}", *exposure.lines()]
        if self.overview is not None:
            ov = self.overview
            out += [
                "",
                f"Population within {ov.radius_m / 1000:g} km of {ov.source}, "
                "by country of residence:",
            ]
            out += ov.lines()
        if self.html_path is not None:
            size = self.html_path.stat().st_size if self.html_path.exists() else 0
            out += ["", f"Map: {self.html_path} ({size / 1e6:.2f} MB)"]
        if self.png_path is not None:
            out.append(f"Image: {self.png_path}")
        out += [
            "",
            f"Sources: {self.provenance.attribution()}",
            f"Computed by {self.provenance.library}",
        ]
        return "\n".join(out)
