"""An ``[[exposure]]`` of a scenario computed, for every kind of source.

:func:`check_exposure` resolves the entry's source through :func:`layers.resolve_source`
(a country over its boundary variants, a border, an admin-1 region, a place, a point,
a file) or reads its sites table (:func:`layers.sites.read_sites`), counts the people
within its radius (radii) exactly on WGS84 with :func:`layers.exposure_variants` or
:func:`layers.sites_exposure.sites_exposure`, and judges the claim, if any, on every
variant.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

import layers
from geo.errors import InputError
from layers import DEFAULT_BOUNDARY, Source, resolve_source, variant_label
from layers.analysis import compare_populations
from layers.analysis.compare_sources import SETTLEMENT_NAMES
from layers.cache import OFFLINE_ENV
from layers.files import read_geometry_file
from layers.places import degrees_text
from layers.sites import sites_source
from layers.sites_exposure import sites_exposure
from maps._scenario_keys import Where
from maps.report import ExposureCheck, excluded_text
from maps.scenario_config import ExposureClaim
from maps.verdicts import Claimed

__all__ = ["ALL_PLACES", "WITH_SECTIONS", "ExposureRun", "check_exposure", "country_code"]

ALL_PLACES = "all settlements"
GEONAMES = "geonames"
WITH_SECTIONS = "raw GeoNames sum"
_WITH_SECTIONS_NOTE = (
    f"({WITH_SECTIONS}: also the places GeoNames lists apart from the city that holds them, "
    "districts and merged towns, counted again as a plain sum of the points would)"
)
_EDGE_COLUMNS = ["name", "country", "population", "distance_km", "offset_m", "inside", "variant"]
_ALL_VARIANTS = ("osm-sea", "osm-land", "naturalearth")
_KM = "within (km)"

#: How the variants table names the one way a source other than a country is drawn.
_KIND_LABELS = {
    "region": "Natural Earth admin-1 region",
    "place": "the settlement's point",
    "point": "the point",
    "file": "the file's features",
}


@dataclass(frozen=True)
class ExposureRun:
    """An exposure entry computed: the check, its sources by variant, what the map draws.

    Attributes
    ----------
    check : ExposureCheck
        The numbers and the verdict.
    sources : dict of str to Source
        What was measured from, by variant name.
    exposure : layers.Exposure or None
        The exposure at every radius asked, on the first variant (settlements and
        radius control for the map); None for sites.
    sites : SitesExposure or None
        For a sites entry: its result (rings per site, the places in range).
    radii_m : tuple of float
        The radii asked, in metres (empty for sites at their own ranges).
    """

    check: ExposureCheck
    sources: dict[str, Source]
    exposure: Any = None
    sites: Any = None
    radii_m: tuple[float, ...] = ()


def country_code(text: str, key: str) -> str:
    """Return the ISO alpha-2 code a scenario's country names, as the settlements carry it."""
    try:
        return layers.country(text).iso2
    except InputError as exc:
        raise InputError(f"{key} = {text!r} in the scenario: {exc}") from exc


def _claimed(claim: ExposureClaim) -> Claimed | None:
    if not claim.claims:
        return None
    tolerance = claim.tolerance.of(claim.about) if claim.about is not None else 0.0
    return Claimed(claim.more_than, claim.less_than, claim.about, tolerance)


def _with_sections(settlements: Any) -> Any:
    """Return the packaged settlements with the sections of cities, or a table as given.

    ``layers.settlements()`` leaves out the places GeoNames lists apart from the city that
    holds them; a table of one's own is used as it is (it carries its sections, if any).
    """
    kind = settlements.attrs.get("kind")
    if kind != "settlements" or "section" not in settlements.columns:
        raise InputError(
            "with_sections = true needs settlements with a 'section' column, such as "
            "layers.settlements(); remove the key, or pass settlements that flag their sections"
        )
    if settlements["section"].any():
        return settlements  # already counts them
    return layers.settlements(include_sections=True)


def _populations(claim: ExposureClaim, settlements: Any) -> dict[str, Any]:
    populations = {ALL_PLACES: settlements}
    if claim.with_sections:
        populations[WITH_SECTIONS] = _with_sections(settlements)
    return populations


def _label(key: str, population: str) -> str:
    return key + ("" if population == ALL_PLACES else f"; {population}")


def _around(claim: ExposureClaim, settlements: Any, where: str) -> dict[str, Source]:
    """Return the entry's source by variant name (a country once per boundary variant)."""
    text = claim.around
    assert text is not None  # the configuration holds around or sites
    if claim.crs is not None:  # a CSV of points, whose CRS the entry gives
        data = read_geometry_file(text, crs=claim.crs)
        return {"file": Source("file", data, text.rsplit("/", 1)[-1])}
    first = claim.boundaries[0] if claim.boundaries else None
    source = resolve_source(text, boundary=first, settlements=settlements)
    if source.kind == "territory":
        variants = claim.boundaries or tuple(layers.BOUNDARY_VARIANTS[v] for v in _ALL_VARIANTS)
        return {v.name: resolve_source(text, boundary=v, settlements=settlements) for v in variants}
    if claim.boundaries is not None:
        raise InputError(
            f"boundaries in {where}: around = {text!r} is {source.kind} {source.name!r}, not a "
            "country; boundary variants are ways of drawing a country's territory: remove "
            "boundaries"
        )
    if source.kind == "border":
        border = source.data
        key = f"{border['source'].iloc[0]} border" if "source" in border.columns else "border"
        return {key: source}
    return {_KIND_LABELS.get(source.kind, source.kind): source}


def _subject(claim: ExposureClaim, source: Source) -> str:
    if claim.subject:
        return claim.subject
    if source.kind == "border":
        return f"{source.name} line"
    if source.kind == "point" and source.place is not None:
        return degrees_text(*source.place.lonlat)
    return source.name


def _edge(
    result: Any, radius_m: float, country: str | None, points: str = ALL_PLACES
) -> pd.DataFrame:
    """Return the places near the radius under every boundary variant (all settlements)."""
    edges = []
    for (boundary, pop), exp in result.exposures.items():
        if exp.edge is None or exp.edge.empty or pop != points:
            continue
        near = np.isclose(exp.edge["radius_m"], radius_m)
        if country is not None:
            near &= exp.edge["country"] == country
        e = exp.edge[near].copy()
        e["variant"] = variant_label(boundary)
        edges.append(e)
    return pd.concat(edges, ignore_index=True) if edges else pd.DataFrame(columns=_EDGE_COLUMNS)


def _radius_tables(
    exp: Any, claim: ExposureClaim, code: str | None, who: str, subject: str, on: str = ""
) -> tuple[tuple[str, pd.DataFrame], ...]:
    """Return the people at every radius and, with ``by``, by country or admin-1 region."""
    table = exp.table
    if code is not None and "country" in table.columns:
        table = table[table["country"] == code]
    tables = []
    if claim.radii_m is not None and len(claim.radii_m) > 1:
        totals = table.groupby("radius_km", sort=True)[["population", "places"]].sum()
        totals = totals.reset_index().rename(columns={"radius_km": _KM})
        tables.append((f"{who} within each radius of {subject}{on}", totals))
    if claim.by:
        keys = [c for c in ("country", "admin1", "admin1_name") if c in table.columns]
        rows = table[table["places"] > 0][["radius_km", *keys, "population", "places"]]
        rows = rows.sort_values(["radius_km", *keys[:2]], kind="stable")
        rows = rows.rename(columns={"radius_km": _KM, "admin1_name": "region"})
        names = {"country": "country", "admin1": "admin-1 region"}
        what = " and ".join(names[b] for b in claim.by)
        tables.append((f"{who} by {what}{on}", rows.reset_index(drop=True)))
    return tuple(tables)


def _check_around(claim: ExposureClaim, settlements: Any, where: str) -> ExposureRun:
    sources = _around(claim, settlements, where)
    first = next(iter(sources.values()))
    subject = _subject(claim, first)
    code = country_code(claim.country, "country") if claim.country else None
    who = f"residents of {code}" if code else "people"
    radius_m = claim.radius_m
    exp: Any = None
    tables: tuple[tuple[str, pd.DataFrame], ...] = ()
    if claim.by or len(claim.radii_m or ()) > 1:
        # On riskmap's default boundary when it is one of the variants, as the CLI counts.
        name = DEFAULT_BOUNDARY if DEFAULT_BOUNDARY in sources else next(iter(sources))
        by: Any = list(claim.by) if claim.by else ([code] if code else None)
        radii = list(claim.radii_m or ())
        exp = layers.exposure(sources[name].data, settlements, radii, by=by)
        on = f" ({variant_label(name)})" if len(sources) > 1 else ""
        tables = _radius_tables(exp, claim, code, who, subject, on)
    if claim.populations is not None:
        return _check_compare(claim, settlements, sources, subject, code, tables, exp)
    data = {name: source.data for name, source in sources.items()}
    result = layers.exposure_variants(
        data, _populations(claim, settlements), radius_m, country=code
    )
    table = result.table.copy()
    table["label"] = [
        _label(variant_label(b), p)
        for b, p in zip(table["boundary"], table["population_source"], strict=True)
    ]
    if exp is None:
        exp = next(iter(result.exposures.values()))
    variants = table[["boundary", "population_source", "label", "population", "places"]]
    check = _exposure_check(
        claim, first, subject, code, result, variants, table["population"], tables, ALL_PLACES
    )
    if exp is None:  # the map's settlements and radius control: the settlements', else a grid's
        keys = [k for k in result.exposures if k[1] == GEONAMES] or list(result.exposures)
        exp = result.exposures[keys[0]]
    return ExposureRun(check, sources, exp, radii_m=claim.radii_m or ())


@contextmanager
def _cache_only() -> Iterator[None]:
    """Read grids from the cache only: a scenario run never starts a download."""
    before = os.environ.get(OFFLINE_ENV)
    os.environ[OFFLINE_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(OFFLINE_ENV, None)
        else:
            os.environ[OFFLINE_ENV] = before


def _population_specs(claim: ExposureClaim, settlements: Any) -> dict[str, Any]:
    """``{label: population}``: the run's settlements for "geonames", the rest as written."""
    out: dict[str, Any] = {}
    for spec in claim.populations or ():
        if spec.lower() in SETTLEMENT_NAMES:
            out[GEONAMES] = settlements
            if claim.with_sections:
                out[WITH_SECTIONS] = _with_sections(settlements)
        else:
            out[spec] = spec
    if claim.with_sections and WITH_SECTIONS not in out:
        raise InputError(
            "with_sections = true counts the settlements again with their sections; add "
            '"geonames" to populations, or remove with_sections'
        )
    return out


def _source_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Per population source: the low / median / high over its boundary variants counted."""
    counted = table[table["counted"]]
    stats = counted.groupby("population_source", sort=False)["population"]
    out = stats.agg(["min", "median", "max", "count"]).reset_index()
    out.columns = ["source", "low", "median", "high", "rows"]
    return out


def _check_compare(
    claim: ExposureClaim,
    settlements: Any,
    sources: dict[str, Source],
    subject: str,
    code: str | None,
    tables: Any,
    exp: Any,
) -> ExposureRun:
    """Count an entry with ``populations``: every source x boundary variant, in one comparison.

    The claim is judged on every row counted; a grid that is not in the cache (and
    cannot be fetched now) is one line with the command that fetches it.
    """
    radius_m = claim.radius_m
    first = next(iter(sources.values()))
    with _cache_only():
        result = compare_populations(
            claim.around if claim.crs is None else first,  # named, for the fetch command
            [radius_m],
            populations=_population_specs(claim, settlements),
            variants={name: source.data for name, source in sources.items()},
            country=code,
            by=None,
            unavailable="row",
            coverage=False,
        )
    table = result.table.copy()
    table["counted"] = (table["status"] == "ok") & table["population"].notna()
    shown = table[table["status"].str.startswith("ok") | table["status"].str.startswith("partial")]
    labels = []
    for b, p, status in zip(
        shown["boundary"], shown["population_source"], shown["status"], strict=True
    ):
        label = variant_label(b) + ("" if p == GEONAMES else f"; {p}")
        labels.append(label + ("; partial grid, not counted" if status != "ok" else ""))
    variants = shown.assign(label=labels)[
        ["boundary", "population_source", "label", "population", "places", "counted"]
    ].reset_index(drop=True)
    counted = variants[variants["counted"]]["population"]
    if counted.empty:
        raise InputError(
            f"populations = {list(claim.populations or ())}: no source could be counted; "
            + "; ".join(result.warnings)
        )
    missing = result.sources[result.sources["status"].str.startswith("unavailable")]
    fetch = tuple(
        f"{s}: not in the cache, so not counted; to count it too: {c}"
        for s, c in zip(missing["population_source"], missing["command"], strict=True)
    )
    gone = set(missing["population_source"])
    by_source = _source_rows(table)
    check = _exposure_check(
        claim,
        first,
        subject,
        code,
        result,
        variants,
        counted,
        tables,
        GEONAMES,
        warnings=tuple(w for w in result.warnings if w.split(": ", 1)[0] not in gone),
        median=float(counted.median()),
        by_source=by_source if (by_source["source"] != WITH_SECTIONS).sum() > 1 else None,
        fetch=fetch,
    )
    return ExposureRun(check, sources, exp, radii_m=claim.radii_m or ())


def _exposure_check(
    claim: ExposureClaim,
    first: Source,
    subject: str,
    code: str | None,
    result: Any,
    variants: pd.DataFrame,
    counted: pd.Series,
    tables: Any,
    points: str,
    **extra: Any,
) -> ExposureCheck:
    """Return the check of an ``around`` entry from its counts, with either population path.

    ``result`` is the exposure over the variants (``layers.exposure_variants`` or
    ``compare_populations``), ``counted`` the numbers the claim is judged on (their low
    and high are the range), ``points`` the population whose places near the edge are
    listed; ``extra`` are the comparison's own fields (median, by_source, fetch, warnings).
    """
    radius_m = claim.radius_m
    claimed = _claimed(claim)
    who = f"residents of {code}" if code else "people"
    fields: dict[str, Any] = {"warnings": tuple(result.warnings), **extra}
    fields["excluded"] = excluded_text([e.excluded for e in result.exposures.values()])
    return ExposureCheck(
        claim=claim.claim or _default_claim(claimed, who, f"{radius_m / 1000:g} km", subject),
        source=subject,
        radius_m=radius_m,
        country=code,
        claimed=claimed,
        variants=variants,
        low=float(counted.min()),
        high=float(counted.max()),
        verdict=claimed.verdict(counted) if claimed else "",
        edge=_edge(result, radius_m, code, points),
        edge_m=next(iter(result.exposures.values())).edge_m,
        length_m=_lengths(first),
        provenance=result.provenance,
        notes=(_WITH_SECTIONS_NOTE,) if claim.with_sections else (),
        tables=tables,
        source_note=first.notes,
        **fields,
    )


def _lengths(source: Source) -> pd.DataFrame | None:
    if source.kind != "border":
        return None
    return source.data.groupby("kind", sort=True)["length_m"].sum().reset_index()


def _default_claim(claimed: Claimed | None, who: str, within: str, subject: str) -> str:
    if claimed is None:
        return f"{who} within {within} of {subject}"
    return f"{claimed.text()} {who} within {within} of {subject}"


def _check_sites(claim: ExposureClaim, settlements: Any) -> ExposureRun:
    radius = list(claim.radii_m) if claim.radii_m is not None else None
    source = sites_source(claim.sites, range=claim.range_column, radius=radius, crs=claim.crs)
    code = country_code(claim.country, "country") if claim.country else None
    who = f"residents of {code}" if code else "people"
    by = list(claim.by) or None
    rows, first = [], None
    for name, population in _populations(claim, settlements).items():
        if code is not None:
            population = population[population["country"] == code]
        result = sites_exposure(source, population, by=by, union=True)
        first = first or result
        union = result.union
        assert union is not None  # asked for
        at = union[union["radius_m"] == union["radius_m"].max()] if len(union) > 1 else union
        label = _label(ALL_PLACES, name)
        rows.append((name, name, label, float(at["population"].iloc[0]), int(at["places"].iloc[0])))
    assert first is not None
    table = pd.DataFrame(
        rows, columns=["boundary", "population_source", "label", "population", "places"]
    )
    shared = radius is not None
    within = f"{claim.radius_m / 1000:g} km" if shared else "range"
    subject = claim.subject or source.name

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.drop(columns=["radius_m"]).rename(columns={"radius_km": _KM})

    tables = [(f"{who} within each range of each site", shown(first.table))]
    if by:
        tables.append((f"{who} by {' and '.join(by)}", shown(first.groups)))
    if shared and first.union is not None and len(first.union) > 1:
        tables.append((f"{who} within range of at least one site", shown(first.union)))
    claimed = _claimed(claim)
    check = ExposureCheck(
        claim=claim.claim or _default_claim(claimed, who, within, f"at least one of {subject}"),
        source=subject,
        radius_m=claim.radius_m,
        country=code,
        claimed=claimed,
        variants=table,
        low=float(table["population"].min()),
        high=float(table["population"].max()),
        verdict=claimed.verdict(table["population"]) if claimed else "",
        edge=pd.DataFrame(columns=_EDGE_COLUMNS),
        edge_m=0.0,
        provenance=first.provenance,
        notes=(_WITH_SECTIONS_NOTE,) if claim.with_sections else (),
        heading=f"{who} within {within} of at least one of {subject}, each counted once",
        tables=tuple(tables),
    )
    return ExposureRun(check, {"sites": source}, None, first, claim.radii_m or ())


def check_exposure(
    claim: ExposureClaim, settlements: Any, entry: int, file: str | None = None
) -> ExposureRun:
    """Compute an ``[[exposure]]`` entry (the ``entry``-th) and judge its claim.

    Parameters
    ----------
    claim : ExposureClaim
        The entry, as read from the file.
    settlements : geopandas.GeoDataFrame
        The population points.
    entry : int
        Its number in the file (1-based), for messages.
    file : str, optional
        The scenario file's name, for messages.

    Returns
    -------
    ExposureRun

    Raises
    ------
    InputError
        A source that names nothing (with suggestions), boundaries for a source that is
        not a country, a sites table without usable ranges (naming the site).
    """
    where = "[[exposure]]" + Where("[[exposure]]", entry, file).detail
    try:
        if claim.sites is not None:
            return _check_sites(claim, settlements)
        return _check_around(claim, settlements, where)
    except InputError as exc:
        if where in str(exc):
            raise
        try:
            again = type(exc)(f"{where}: {exc}")
        except TypeError:  # pragma: no cover - an error class with other arguments
            raise exc from None
        raise again from exc
