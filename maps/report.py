"""Results of a scenario and how they read: claims checked, verdicts, the overview.

:mod:`maps.scenario` computes these; this module only holds and formats them, as
report lines for the terminal and the example, and as notes for the map's panel.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from layers import Place, Provenance
from maps._display import format_int, format_km
from maps.riskmap import RiskMap

__all__ = [
    "DistanceCheck",
    "ExposureCheck",
    "Overview",
    "ScenarioResult",
    "verdict_more_than",
    "verdict_about",
    "HOLDS",
    "DOES_NOT_HOLD",
    "DEPENDS",
]

HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
DEPENDS = "depends on the variant"


def verdict_more_than(values: Any, threshold: float) -> str:
    """Verdict on "more than ``threshold``" over variants: holds, does not hold, or depends.

    Parameters
    ----------
    values : array_like
        The value under each variant (people).
    threshold : float
        The number claimed; "more than" is strict.

    Returns
    -------
    str
        :data:`HOLDS` if every value is above, :data:`DOES_NOT_HOLD` if none is, else
        :data:`DEPENDS`.

    Examples
    --------
    >>> verdict_more_than([1_285_787, 1_120_000], 1_000_000)
    'holds'
    >>> verdict_more_than([1_285_787, 900_000], 1_000_000)
    'depends on the variant'
    """
    above = np.asarray(values, dtype=float) > threshold
    return HOLDS if above.all() else DOES_NOT_HOLD if not above.any() else DEPENDS


def verdict_about(value_m: float, claim_m: float, tolerance_m: float) -> str:
    """Verdict on "about ``claim_m`` metres": holds when within ``tolerance_m`` metres.

    Parameters
    ----------
    value_m, claim_m, tolerance_m : float
        The distance measured, the distance claimed and the tolerance, in metres.

    Returns
    -------
    str
        :data:`HOLDS` or :data:`DOES_NOT_HOLD`.

    Examples
    --------
    >>> verdict_about(684_393.3, 700_000.0, 35_000.0)
    'holds'
    """
    return HOLDS if abs(value_m - claim_m) <= tolerance_m else DOES_NOT_HOLD


@dataclass
class DistanceCheck:
    r"""A distance claim checked: the two places, the geodesic distance and the verdict.

    Parameters
    ----------
    claim : str
        The claim as quoted.
    a, b : layers.Place
        The two places.
    distance_m, claim_m, tolerance_m : float
        The geodesic distance, the distance claimed and the tolerance, in metres.
    verdict : str
        :func:`verdict_about` of the three.
    method : str
        How the distance was measured.

    Examples
    --------
    >>> from layers import Place
    >>> check = DistanceCheck(
    ...     "Vladivostok is about 700 km from Pyongyang",
    ...     Place("Vladivostok", "RU", 131.8869, 43.1056, 587_022),
    ...     Place("Pyongyang", "KP", 125.7625, 39.0392, 3_222_000),
    ...     684_393.3, 700_000.0, 35_000.0, HOLDS)
    >>> print("\n".join(check.lines()[2:]))
      distance: 684.4 km (WGS84 geodesic (pyproj Geod, Karney's algorithm))
      claimed:  700 km; difference -15.6 km (-2.2 %), tolerance ±35.0 km
      verdict: holds
    """

    claim: str
    a: Place
    b: Place
    distance_m: float
    claim_m: float
    tolerance_m: float
    verdict: str
    method: str = "WGS84 geodesic (pyproj Geod, Karney's algorithm)"

    def lines(self) -> list[str]:
        """Return the check as report lines."""
        diff = self.distance_m - self.claim_m
        out = []
        for label, place in (("from:", self.a), ("to:  ", self.b)):
            out.append(f"  {label} {place.describe()}")
            if place.describe_choice():  # a name that matched several places says so
                out.append(f"        ({place.describe_choice()})")
        return out + [
            f"  distance: {format_km(self.distance_m)} ({self.method})",
            f"  claimed:  {format_km(self.claim_m, decimals=0)}; difference {diff / 1000:+,.1f} km "
            f"({100 * diff / self.claim_m:+.1f} %), tolerance ±{format_km(self.tolerance_m)}",
            f"  verdict: {self.verdict}",
        ]


@dataclass
class ExposureCheck:
    r"""An exposure claim checked over boundary variants.

    Parameters
    ----------
    claim : str
        The claim as quoted.
    source : str
        What the radius is measured from, in words ("North Korea").
    radius_m : float
        The radius, in metres.
    country : str
        Country of residence counted (ISO alpha-2).
    more_than : float
        The number claimed (people).
    variants : pandas.DataFrame
        One row per variant: ``boundary``, ``label``, ``population`` (people), ``places``.
    low, high : float
        The smallest and largest population over the variants (people).
    verdict : str
        :func:`verdict_more_than` of the variants.
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

    Examples
    --------
    >>> import pandas as pd
    >>> variants = pd.DataFrame({"boundary": ["osm-sea", "naturalearth"],
    ...                          "label": ["OSM, with territorial sea", "Natural Earth"],
    ...                          "population": [1_285_787.0, 1_120_000.0], "places": [60, 58]})
    >>> edge = pd.DataFrame(columns=["name", "country", "population", "distance_km", "inside",
    ...                              "variant"])
    >>> check = ExposureCheck("claim", "North Korea", 200_000.0, "RU", 1_000_000.0, variants,
    ...                       1_120_000.0, 1_285_787.0, HOLDS, edge, 5_000.0)
    >>> print("\n".join(check.lines()))
      residents of RU within 200 km of North Korea:
        OSM, with territorial sea    1,285,787  (60 places)  > 1,000,000
        Natural Earth                1,120,000  (58 places)  > 1,000,000
      range: 1,120,000 – 1,285,787; claim: more than 1,000,000
      margin over the claim: +120,000 to +285,787 people
      verdict: holds
    """

    claim: str
    source: str
    radius_m: float
    country: str
    more_than: float
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

    def lines(self) -> list[str]:
        """Return the check as report lines."""
        out = [
            f"  residents of {self.country} within {self.radius_m / 1000:g} km of {self.source}:"
        ]
        if self.length_m is not None:
            parts = ", ".join(
                f"{k} {format_km(v)}"
                for k, v in zip(self.length_m["kind"], self.length_m["length_m"], strict=True)
            )
            out.insert(
                0, f"  border length: {format_km(float(self.length_m['length_m'].sum()))} ({parts})"
            )
        width = max(len(s) for s in self.variants["label"])
        for row in self.variants.itertuples(index=False):
            mark = ">" if row.population > self.more_than else "≤"
            out.append(
                f"    {row.label:<{width}}  {format_int(row.population):>11}  "
                f"({format_int(row.places)} places)"
                f"  {mark} {format_int(self.more_than)}"
            )
        out += [
            textwrap.fill(n, 100, initial_indent="  ", subsequent_indent="   ") for n in self.notes
        ]
        low, high = self.low - self.more_than, self.high - self.more_than
        if len(self.variants) > 1:
            out.append(
                f"  range: {format_int(self.low)} – {format_int(self.high)}; "
                f"claim: more than {format_int(self.more_than)}"
            )
            out.append(f"  margin over the claim: {low:+,.0f} to {high:+,.0f} people")
        else:
            out.append(f"  margin over the claim: {low:+,.0f} people")
        out.append(f"  verdict: {self.verdict}")
        out += [f"  warning: {w}" for w in self.warnings]
        if len(self.edge):
            out += self._edge_lines()
        return out

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

    def lines(self, *, every_km: float = 50.0) -> list[str]:
        """Return the overview as report lines (the curve printed every ``every_km`` km)."""
        out = [f"  {'country':<22}{'population':>12}{'places':>8}{'coverage':>10}"]
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
        out.append("  where it is low, point data undercounts.")
        out += [f"  warning: {w}" for w in self.warnings]
        cols = [c for c in self.curve.columns if c != "distance_km"]
        out.append("")
        out.append(f"  population by distance from {self.source}:")
        out.append("  " + f"{'km':>6}" + "".join(f"{c:>12}" for c in cols))
        marks = np.isclose(np.mod(self.curve["distance_km"].to_numpy(), every_km), 0) | (
            self.curve.index == len(self.curve) - 1
        )
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
