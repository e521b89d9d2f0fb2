"""One question counted over several population sources and boundary variants, with its range.

A figure of "people within 200 km" depends on which people are counted (GeoNames
settlements, GHS-POP, WorldPop, each release and year, residents or an ambient
population) and on which boundary is drawn. :func:`compare_populations` counts one
question with every population source and every boundary variant and gives a table of
every combination (source x variant x country x radius), each row labelled with its
source's release, year, whom it counts and its coverage, plus the low / median / high
per country and radius. Nothing is silently zero: a grid that cannot be had is an error
naming the command that fetches it (or, with ``unavailable="row"``, a row that says
so), and a country a per-country grid does not hold is NaN with the reason.

Coverage: for settlements, :func:`layers.coverage` (the country's settlements ÷ its
population); for grids, :func:`~layers.analysis.compare_sources.grid_coverage` (the
grid's sum over the country's territory ÷ its population), measured where the grid
holds the whole territory.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely

import geo
from geo.errors import InputError
from layers.analysis.compare_sources import (
    GridUnavailableError,
    PopulationSource,
    grid_coverage,
    population_source,
)
from layers.analysis.compute import exposure
from layers.analysis.coverage import coverage_note
from layers.analysis.grid_breakdown import UNASSIGNED
from layers.analysis.result import EDGE_M, TOTAL, Exposure
from layers.analysis.source import describe_source
from layers.analysis.values import country_codes, json_default, parse_radii, records
from layers.analysis.variants import _sources
from layers.provenance import Provenance
from layers.sources import Source, resolve_source

__all__ = ["COLUMNS", "PopulationComparison", "compare_populations"]

#: The columns of :attr:`PopulationComparison.table`, in order.
COLUMNS = [
    "population_source",
    "source_kind",
    "release",
    "year",
    "counts",
    "boundary",
    "country",
    "radius_m",
    "radius_km",
    "population",
    "places",
    "coverage",
    "coverage_note",
    "status",
]
_RANGE_COLUMNS = [
    "country",
    "radius_m",
    "radius_km",
    "low",
    "median",
    "high",
    "counted",
    "left_out",
]


@dataclass(frozen=True, eq=False)
class PopulationComparison:
    """One exposure question counted over population sources and boundary variants.

    Attributes
    ----------
    radii_m : tuple of float
        The radii, in metres.
    table : pandas.DataFrame
        Every combination, one row per population source x boundary variant x country x
        radius (:data:`COLUMNS`): ``population`` (people; NaN where the source could not
        count them), ``places`` (settlements; NaN for grids), ``coverage`` and
        ``coverage_note`` (see the module's notes), and ``status``: ``"ok"`` or why the
        row is not counted.
    ranges : pandas.DataFrame
        Per country and radius: ``low``, ``median`` and ``high`` over the rows counted
        (people), ``counted`` (how many) and ``left_out`` (rows not counted).
    sources : pandas.DataFrame
        One row per population source: label, kind, release, year, whom it counts, the
        countries it holds, and ``status`` (with the fetch command when unavailable).
    exposures : dict
        ``{(boundary, population source): Exposure}`` for every combination counted.
    provenance : Provenance
        All sources, the method, radii, variants and population sources.
    warnings : tuple of str
        Every exposure's warnings, and each source left out or partial, once each.

    Examples
    --------
    >>> import layers, shapely
    >>> towns = layers.settlements(bbox=(129, 41, 134, 45))
    >>> few = towns[towns["population"] > 100_000]
    >>> few.attrs = dict(towns.attrs)
    >>> result = compare_populations(shapely.Point(131.9, 43.1), "100km",
    ...                              populations={"all": towns, "large": few}, country="RU")
    >>> result
    <PopulationComparison: 2 sources x 1 variant, 1 radius; RU within 100 km: 1,011,189–1,271,263>
    >>> result.ranges[["country", "radius_km", "low", "median", "high"]]
      country  radius_km        low     median       high
    0      RU      100.0  1011189.0  1141226.0  1271263.0
    """

    radii_m: tuple[float, ...]
    table: pd.DataFrame
    ranges: pd.DataFrame
    sources: pd.DataFrame
    exposures: dict[tuple[str, str], Exposure]
    provenance: Provenance
    warnings: tuple[str, ...] = ()

    def range(self, country: str = TOTAL, radius: Any | None = None) -> tuple[float, ...]:
        """Return ``(low, median, high)`` people for a country and radius (default: the largest).

        Parameters
        ----------
        country : str, default "total"
            An alpha-2 code of the table (or ``"total"`` / ``"unassigned"``).
        radius : float or str, optional
            One of :attr:`radii_m`, in metres or like ``"200km"``.

        Returns
        -------
        tuple of float
            The low, median and high over the combinations counted, in people.
        """
        r = self.radii_m[-1] if radius is None else float(parse_radii(radius)[0])
        at = self.ranges[(self.ranges["country"] == country) & (self.ranges["radius_m"] == r)]
        if at.empty:
            raise InputError(
                f"no range for country {country!r} at {r / 1000:g} km; the table has "
                f"{sorted(set(self.ranges['country']))} at {[x / 1000 for x in self.radii_m]} km"
            )
        row = at.iloc[0]
        return float(row["low"]), float(row["median"]), float(row["high"])

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`table` (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return the tables, warnings and provenance as JSON-ready values."""
        return {
            "radii_m": list(self.radii_m),
            "table": records(self.table),
            "ranges": records(self.ranges),
            "sources": records(self.sources),
            "warnings": list(self.warnings),
            "provenance": self.provenance.to_dict(),
        }

    def to_json(self, **kwargs: Any) -> str:
        """Return :meth:`to_dict` as a JSON string (nothing is written to disk)."""
        return json.dumps(self.to_dict(), allow_nan=False, default=json_default, **kwargs)

    def __repr__(self) -> str:
        n_src = len(self.sources)
        n_var = self.table["boundary"].nunique()
        head = (
            f"{n_src} source{'s' * (n_src != 1)} x {n_var} variant{'s' * (n_var != 1)}, "
            f"{len(self.radii_m)} radi{'i' if len(self.radii_m) != 1 else 'us'}"
        )
        top = self.ranges[self.ranges["radius_m"] == self.radii_m[-1]].dropna(subset=["low"])
        if top.empty:
            return f"<PopulationComparison: {head}; nothing counted>"
        row = top.sort_values("high", ascending=False).iloc[0]
        return (
            f"<PopulationComparison: {head}; {row['country']} within "
            f"{row['radius_km']:g} km: {row['low']:,.0f}–{row['high']:,.0f}>"
        )


def _variant_sources(source: Any, variants: Any) -> dict[str, Any]:
    """``{boundary variant: source}``: the source as given, or one per variant asked for."""
    if isinstance(variants, Mapping):
        return dict(variants)
    if variants is None:
        if isinstance(source, Mapping):
            return dict(source)
        if isinstance(source, (str, Source)):
            resolved = resolve_source(source)
            return {resolved.variant.name if resolved.variant else resolved.label: resolved}
        return {describe_source(source).label: source}
    if isinstance(variants, str):
        variants = [variants]
    return _sources(source, list(variants))


def _area(sources: dict[str, Any], radius_m: float) -> Any:
    """Return the question's area: every variant within the largest radius (lon/lat)."""
    parts = []
    for src in sources.values():
        geometry = describe_source(src).geometry
        if hasattr(geometry, "geometry"):  # a layer: its features as one geometry
            geometry = shapely.union_all(np.asarray(geometry.to_crs(4326).geometry))
        parts.append(geo.buffer(geometry, radius_m))
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def _specs(populations: Any) -> list[tuple[str | None, Any]]:
    if isinstance(populations, Mapping):
        return [(str(k), v) for k, v in populations.items()]
    if isinstance(populations, (str, bytes)) or not isinstance(populations, Sequence):
        populations = [populations]
    if not populations:
        raise InputError("populations=[] names no source; give e.g. ['geonames', 'ghs-pop:2020']")
    return [(None, p) for p in populations]


def _needs_area(spec: Any) -> bool:
    from layers.analysis.compare_sources import SETTLEMENT_NAMES

    if isinstance(spec, str):
        return spec.strip().lower() not in SETTLEMENT_NAMES
    return not hasattr(spec, "geometry")  # a GeoDataFrame of settlements needs none


def _open_sources(
    specs: list[tuple[str | None, Any]],
    area: Any,
    countries: list[str] | None,
    around: str | None,
    radius_m: float,
    unavailable: str,
) -> list[PopulationSource]:
    out: list[PopulationSource] = []
    for label, spec in specs:
        try:
            got = population_source(
                spec, area=area, countries=countries, around=around, radius_m=radius_m, label=label
            )
        except GridUnavailableError as exc:
            if unavailable == "error":
                raise
            got = PopulationSource(
                label or exc.source, None, "grid", "", None, "unknown",
                unavailable=f"unavailable: not cached and cannot be fetched; get it with "
                f"`{exc.command}`",
                command=exc.command,
            )  # fmt: skip
        if any(o.label == got.label for o in out):
            raise InputError(f"population source {got.label!r} is given twice; give it once")
        out.append(got)
    return out


def _status(pop: PopulationSource, country: str) -> str:
    if pop.unavailable:
        return pop.unavailable
    if pop.countries is not None and country not in pop.countries and country != UNASSIGNED:
        held = "+".join(pop.countries)
        return f"not counted: the grid holds only {held}" + (
            "" if country != TOTAL else ", so its total misses the rest"
        )
    if pop.partial:
        return f"partial: {pop.partial}"
    return "ok"


def _coverage(
    pop: PopulationSource, exp: Exposure, group: str, cache: dict[Any, float] | None
) -> tuple[float, str]:
    """Return a group's coverage ratio for a source, and its note (see the module notes)."""
    if pop.kind == "settlements":
        if group not in exp.coverage:
            return np.nan, ""
        ratio = exp.coverage[group]
        return (np.nan if ratio is None else float(ratio)), coverage_note(ratio)
    if cache is None or len(group) != 2 or not group.isalpha():
        return np.nan, ""
    key = (pop.label, group)
    if key not in cache:
        cache[key] = grid_coverage(pop.layer, group)
    ratio = cache[key]
    return ratio, "partial grid" if np.isnan(ratio) else coverage_note(ratio)


def _rows(
    pop: PopulationSource,
    boundary: str,
    exp: Exposure | None,
    groups: list[str],
    radii: np.ndarray,
    cov: dict[Any, float] | None,
) -> list[tuple[Any, ...]]:
    """Table rows of one combination; groups it did not reach count 0 (or NaN if it cannot)."""
    table = None if exp is None else exp.table.set_index(["country", "radius_m"])
    out = []
    for group in groups:
        status = _status(pop, group)
        counted = table is not None and (status == "ok" or status.startswith("partial"))
        ratio, note = (np.nan, "") if exp is None else _coverage(pop, exp, group, cov)
        for r in radii:
            people, places = np.nan, np.nan
            if counted:
                assert table is not None
                hit = table.loc[(group, r)] if (group, r) in table.index else None
                people = 0.0 if hit is None else float(hit["population"])
                if pop.kind == "settlements":
                    places = 0 if hit is None else int(hit["places"])
            out.append(
                (pop.label, pop.kind, pop.release, pop.year, pop.counts, boundary, group,
                 float(r), float(r) / 1000, people, places, ratio, note, status)
            )  # fmt: skip
    return out


def _ranges(table: pd.DataFrame) -> pd.DataFrame:
    counted = table[(table["status"] == "ok") & table["population"].notna()]
    keys = ["country", "radius_m", "radius_km"]
    stats = counted.groupby(keys, sort=True)["population"].agg(["min", "median", "max", "count"])
    stats = stats.rename(columns={"min": "low", "max": "high", "count": "counted"})
    every = table.groupby(keys, sort=True).size().rename("rows")
    out = pd.concat([stats, every], axis=1).reset_index()
    out["counted"] = out["counted"].fillna(0).astype("int64")
    out["left_out"] = out["rows"] - out["counted"]
    return out[_RANGE_COLUMNS].sort_values(["country", "radius_m"]).reset_index(drop=True)


def _groups(exposures: dict[Any, Exposure], codes: list[str] | None, by: Any) -> list[str]:
    if codes:
        return list(codes)
    if by is None:
        return [TOTAL]
    found = [str(c) for e in exposures.values() for c in e.table["country"].unique()]
    named = sorted({c for c in found if c != UNASSIGNED})
    return named + ([UNASSIGNED] if UNASSIGNED in found else [])


def _source_table(pops: list[PopulationSource]) -> pd.DataFrame:
    rows = [
        {
            "population_source": p.label,
            "source_kind": p.kind,
            "release": p.release,
            "year": p.year,
            "counts": p.counts,
            "holds": "" if p.countries is None else "+".join(p.countries),
            "status": p.unavailable or (f"partial: {p.partial}" if p.partial else "ok"),
            "command": p.command,
        }
        for p in pops
    ]
    return pd.DataFrame(rows)


def compare_populations(
    source: Any,
    radii: Any,
    *,
    populations: Any = ("geonames",),
    variants: Sequence[str] | Mapping[str, Any] | None = None,
    country: str | Sequence[str] | None = None,
    by: Any = "country",
    exclude_source: bool | str | Sequence[str] = True,
    unavailable: Literal["error", "row"] = "error",
    coverage: bool = True,
    edge_m: float | str = EDGE_M,
) -> PopulationComparison:
    """Count one question with several population sources and boundary variants.

    Parameters
    ----------
    source : str, Source, GeoDataFrame, shapely geometry or mapping
        What distances are measured from, as :func:`layers.exposure` takes it, or a
        mapping ``{variant name: source}`` of ready-made variants.
    radii : float, str or sequence of them
        Distances in metres, or like ``"200km"``.
    populations : sequence or mapping, default ("geonames",)
        The population sources: ``"geonames"`` (the packaged settlements), grid
        products with their year and countries (``"ghs-pop:2020"``,
        ``"worldpop-1km:2020:PRK+RUS"``), GeoTIFF paths or URLs, settlement
        GeoDataFrames or :class:`~layers.grid.PopulationGrid` objects; a mapping
        ``{label: source}`` names them. Named grids are fetched with only the tiles (or
        countries) the question needs.
    variants : list of str or mapping, optional
        Boundary variants of a territory (:data:`layers.BOUNDARY_VARIANTS` names or
        territory files), or ``{name: source}``; default: the source as given.
    country : str or list of str, optional
        Countries of residence counted (codes or names); default every country reached.
    by : "country" or None, default "country"
        Without ``country``: a row per country reached (grids add ``"unassigned"``,
        the cells in no country), or None for totals.
    exclude_source : bool, str or list of str, default True
        As in :func:`layers.exposure` (a territory's own residents are left out).
    unavailable : {"error", "row"}, default "error"
        A grid not cached and not fetchable raises (naming the command that fetches
        it), or gives rows that say so (population NaN, never 0).
    coverage : bool, default True
        Measure each grid's coverage (its sum over each country's territory); False
        skips it (NaN), which saves reading whole countries of a large grid.
    edge_m : float or str, default 5000.0
        Half-width of the settlement lists near each radius, in metres.

    Returns
    -------
    PopulationComparison
        Every combination, the low / median / high per country and radius, and each
        :class:`Exposure`.

    Raises
    ------
    GridUnavailableError
        For a grid that is not cached and cannot be fetched (``unavailable="error"``).
    InputError
        For a bad radius, source or country, an unknown population source, a source
        given twice, or ``unavailable`` other than "error" or "row".

    Examples
    --------
    >>> import layers
    >>> result = compare_populations("KP", "200km", variants=["osm-sea", "naturalearth"],
    ...                              country="Russia")
    >>> result.table[["population_source", "boundary", "population", "places", "coverage"]]
      population_source      boundary  population  places  coverage
    0          geonames       osm-sea   1263918.0      47  0.841706
    1          geonames  naturalearth   1254919.0      45  0.841706
    >>> [f"{v:,.0f}" for v in result.range("RU")]
    ['1,254,919', '1,259,418', '1,263,918']
    """
    if unavailable not in ("error", "row"):
        raise InputError(f"unavailable={unavailable!r}: expected 'error' or 'row'")
    radii_m = parse_radii(radii)
    top = float(radii_m[-1])
    codes = None if country is None else country_codes(country)
    sources = _variant_sources(source, variants)
    if not sources:
        raise InputError("no boundary variant to compute; give at least one")
    specs = _specs(populations)
    area = _area(sources, top) if any(_needs_area(s) for _, s in specs) else None
    around = source if isinstance(source, str) else None
    pops = _open_sources(specs, area, codes, around, top, unavailable)
    exposures: dict[tuple[str, str], Exposure] = {}
    for boundary, src in sources.items():
        for pop in pops:
            if pop.layer is not None:
                exposures[(boundary, pop.label)] = exposure(
                    src, pop.layer, radii_m, by=codes or by, exclude_source=exclude_source,
                    edge_m=edge_m,
                )  # fmt: skip
    groups = _groups(exposures, codes, by)
    cov: dict[Any, float] | None = {} if coverage else None
    rows = [
        row
        for boundary in sources
        for pop in pops
        for row in _rows(pop, boundary, exposures.get((boundary, pop.label)), groups, radii_m, cov)
    ]
    table = pd.DataFrame(rows, columns=COLUMNS)
    warnings = [w for e in exposures.values() for w in e.warnings]
    warnings += [
        f"{p.label}: {p.unavailable or p.partial}" for p in pops if p.unavailable or p.partial
    ]
    provenance = Provenance().merge(
        *(e.provenance for e in exposures.values()),
        method="the same exposure counted with each population source and boundary variant",
        radii_m=[float(r) for r in radii_m],
        variants=list(sources),
        population_sources=[p.label for p in pops],
        country_of_residence=codes,
        coverage=(
            "settlements: people in the country's settlements ÷ its population (layers.coverage); "
            "grids: the grid's sum over the country's territory ÷ its population "
            "(GeoNames country table), where the grid holds the whole territory"
        ),
    )
    return PopulationComparison(
        radii_m=tuple(float(r) for r in radii_m),
        table=table,
        ranges=_ranges(table),
        sources=_source_table(pops),
        exposures=exposures,
        provenance=provenance,
        warnings=tuple(dict.fromkeys(warnings)),
    )
