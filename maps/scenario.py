"""Scenario files: geographic claims checked reproducibly, with their numbers and one map.

A scenario is a TOML file (see ``examples/summit_2019.toml``); its format, every
section and key with its kind, unit and default, is documented in ``docs/scenario.md``,
generated from :mod:`maps.scenario_config`, which reads and checks the file before
anything runs. In short:

- ``title`` and ``name`` (the stem of the files written);
- ``[[distance]]`` claims: ``from`` is ``about`` a distance from ``to``;
- ``[[exposure]]`` claims: ``more_than`` residents of ``country`` within ``radius`` of
  a ``territory`` (over its ``boundaries`` variants) or a ``border`` line;
- ``[overview]``: the population by country within a radius of a territory, and
  the curve by distance;
- ``[map]``: tiles, display tolerance, rings, grey neighbours and the view.

:func:`run_scenario` computes everything with :mod:`layers` and :mod:`geo`, and
returns a :class:`~maps.report.ScenarioResult` that prints as a report and writes
the map.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import geo
import layers
from geo.errors import InputError, InputTypeError, RiskmapError
from layers import Source, resolve_place, resolve_source, variant_label
from maps._display import format_int, format_km
from maps._io import OutputError, atomic_paths, check_folder, check_stem, check_target
from maps.report import (
    DistanceCheck,
    ExposureCheck,
    Overview,
    ScenarioResult,
    verdict_about,
    verdict_more_than,
)
from maps.riskmap import RiskMap
from maps.scenario_config import (
    DistanceClaim,
    ExposureClaim,
    MapOptions,
    OverviewOptions,
    Scenario,
    load_scenario,
    parse_scenario,
    read_scenario,
)

__all__ = ["load_scenario", "run_scenario"]

ALL_PLACES = "all settlements"
WITH_SECTIONS = "raw GeoNames sum"
_WITH_SECTIONS_NOTE = (
    f"({WITH_SECTIONS}: also the places GeoNames lists apart from the city that holds them, "
    "districts and merged towns, counted again as a plain sum of the points would)"
)
_EDGE_COLUMNS = ["name", "country", "population", "distance_km", "offset_m", "inside", "variant"]


def _country_name(code: str) -> str:
    try:
        return layers.country(code).name
    except Exception:  # a name is only decoration in the report
        return code


def _country_code(text: str, key: str) -> str:
    """Return the ISO alpha-2 code a scenario's country names, as the settlements carry it."""
    try:
        return layers.country(text).iso2
    except InputError as exc:
        raise InputError(f"{key} = {text!r} in the scenario: {exc}") from exc


# -- the claims --------------------------------------------------------------------------


def _check_distance(claim: DistanceClaim, settlements: Any) -> DistanceCheck:
    a = resolve_place(claim.origin, settlements)
    b = resolve_place(claim.destination, settlements)
    d = float(geo.distance(a.lonlat, b.lonlat))
    tol = claim.tolerance.of(claim.about_m)
    text = claim.claim or f"{a.name} is about {format_km(claim.about_m, decimals=0)} from {b.name}"
    return DistanceCheck(
        claim=text,
        a=a,
        b=b,
        distance_m=d,
        claim_m=claim.about_m,
        tolerance_m=tol,
        verdict=verdict_about(d, claim.about_m, tol),
    )


def _exposure_sources(
    claim: ExposureClaim, settlements: Any
) -> tuple[str, dict[str, Source], pd.DataFrame | None]:
    """Return what is measured from in words, its sources by variant, a border's lengths."""
    if claim.border is not None:
        source = resolve_source("-".join(claim.border), settlements=settlements)
        if source.kind != "border":
            raise InputError(
                f"border = {list(claim.border)!r} in [[exposure]] names a {source.kind}, "
                "not two countries; write e.g. border = ['KP', 'RU']"
            )
        border = source.data
        key = f"{border['source'].iloc[0]} border" if "source" in border.columns else "border"
        lengths = border.groupby("kind", sort=True)["length_m"].sum().reset_index()
        return f"{source.name} line", {key: source}, lengths
    assert claim.territory is not None  # the configuration holds one of the two
    sources = {}
    for variant in claim.boundaries:
        source = resolve_source(claim.territory, boundary=variant, settlements=settlements)
        if source.kind != "territory":
            raise InputError(
                f"territory = {claim.territory!r} in [[exposure]] names a {source.kind}, not "
                "a country; give a country code or name, or border = ['KP', 'RU']"
            )
        sources[variant.name] = source
    return next(iter(sources.values())).name, sources, None


def _edge(result: Any, radius_m: float, country: str) -> pd.DataFrame:
    """Return the places near the radius under every boundary variant (all settlements)."""
    edges = []
    for (boundary, pop), exp in result.exposures.items():
        if exp.edge is None or exp.edge.empty or pop != ALL_PLACES:
            continue
        near = np.isclose(exp.edge["radius_m"], radius_m) & (exp.edge["country"] == country)
        e = exp.edge[near].copy()
        e["variant"] = variant_label(boundary)
        edges.append(e)
    return pd.concat(edges, ignore_index=True) if edges else pd.DataFrame(columns=_EDGE_COLUMNS)


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


def _check_exposure(
    claim: ExposureClaim, settlements: Any
) -> tuple[ExposureCheck, dict[str, Source]]:
    label, sources, lengths = _exposure_sources(claim, settlements)
    country = _country_code(claim.country, "country")
    radius_m = claim.radius_m
    populations = {ALL_PLACES: settlements}
    if claim.with_sections:
        populations[WITH_SECTIONS] = _with_sections(settlements)
    data = {name: source.data for name, source in sources.items()}
    result = layers.exposure_variants(data, populations, radius_m, country=country)
    table = result.table.copy()
    table["label"] = [
        variant_label(b) + ("" if p == ALL_PLACES else f"; {p}")
        for b, p in zip(table["boundary"], table["population_source"], strict=True)
    ]
    text = claim.claim or (
        f"more than {format_int(claim.more_than)} residents of {country} within "
        f"{radius_m / 1000:g} km of {label}"
    )
    check = ExposureCheck(
        claim=text,
        source=label,
        radius_m=radius_m,
        country=country,
        more_than=claim.more_than,
        variants=table[["boundary", "population_source", "label", "population", "places"]],
        low=result.low,
        high=result.high,
        verdict=verdict_more_than(table["population"], claim.more_than),
        edge=_edge(result, radius_m, country),
        edge_m=next(iter(result.exposures.values())).edge_m,
        length_m=lengths,
        provenance=result.provenance,
        warnings=tuple(result.warnings),
        notes=(_WITH_SECTIONS_NOTE,) if claim.with_sections else (),
    )
    return check, sources


# -- the overview ------------------------------------------------------------------------


@dataclass(frozen=True)
class _OverviewRun:
    """The overview, the territory it measured from, and its exposure (for the map)."""

    overview: Overview
    source: Source
    exposure: Any


def _overview(spec: OverviewOptions, settlements: Any, rings_m: tuple[float, ...]) -> _OverviewRun:
    source = resolve_source(spec.territory, boundary=spec.boundary, settlements=settlements)
    radius_m, curve_to, step = spec.radius_m, spec.curve_to_m, spec.curve_step_m
    radii = sorted(set(rings_m) | {radius_m, curve_to})
    exp = layers.exposure(source.data, settlements, radii, by="country")
    at = exp.table[np.isclose(exp.table["radius_m"], radius_m)].set_index("country")
    codes = [_country_code(c, "countries") for c in spec.countries] or list(
        at.sort_values("population", ascending=False).index[:6]
    )
    rows = []
    for c in codes:
        pop = float(at["population"].get(c, 0.0))
        places = int(at["places"].get(c, 0))
        # The exposure measured each country's coverage; a country named but not reached
        # is looked up the same way (layers.coverage).
        ratio = exp.coverage.get(c) if c in exp.coverage else layers.coverage(c)
        rows.append((c, _country_name(c), pop, places, float("nan") if ratio is None else ratio))
    table = pd.DataFrame(rows, columns=["country", "name", "population", "places", "coverage"])
    curve = pd.DataFrame({"distance_km": exp.curve(step)["distance_km"]})
    curve = curve[curve["distance_km"] <= curve_to / 1000 + 1e-9]
    for c in codes:
        curve[c] = exp.curve(step, country=c)["population"].to_numpy()[: len(curve)]
    curve["all"] = exp.curve(step)["population"].to_numpy()[: len(curve)]
    overview = Overview(
        source.label,
        radius_m,
        table,
        curve.reset_index(drop=True),
        exp.provenance,
        warnings=tuple(exp.warnings),
    )
    return _OverviewRun(overview, source, exp)


# -- the map -----------------------------------------------------------------------------


def _draw_claims(
    rmap: RiskMap,
    exposures: list[tuple[ExposureCheck, dict[str, Source]]],
    ov: _OverviewRun | None,
) -> None:
    """Each claim's sources and radius, off at first, in the "Claims" group."""
    for check, sources in exposures:
        km = f"{check.radius_m / 1000:g} km"
        hidden: dict[str, Any] = {"group": "Claims", "show": False, "fit": False}
        for source in sources.values():
            if source.kind == "border":
                rmap.add_border(source.data, name=check.source.removeprefix("the "), show=True)
                rmap.add_rings(
                    source.data,
                    [check.radius_m],
                    of=check.source,
                    filled=False,
                    color="#000000",
                    name=f"{km} of {check.source}",
                    **hidden,
                )
                continue
            if ov is not None and (source.codes, source.variant) == (
                ov.source.codes,
                ov.source.variant,
            ):
                continue  # drawn already, as the overview's territory
            label = source.variant.label if source.variant else source.name
            rmap.add_territory(source.data, name=source.label, color="#542788", **hidden)
            rmap.add_rings(
                source.data,
                [check.radius_m],
                of=source.label,
                filled=False,
                color="#542788",
                name=f"{km}, {label}",
                **hidden,
            )


def _draw_context(rmap: RiskMap, codes: tuple[str, ...]) -> None:
    """Neighbours in grey, cut to a box a quarter larger than the view (the cut is off-screen)."""
    west, south, east, north = rmap.view_bounds()
    pad_x, pad_y = 0.25 * (east - west), 0.25 * (north - south)
    view = (
        max(west - pad_x, -180.0),
        max(south - pad_y, -90.0),
        min(east + pad_x, 180.0),
        min(north + pad_y, 90.0),
    )
    for code in codes:
        neighbour = resolve_source(code, boundary="naturalearth")
        rmap.add_territory(neighbour.data, context=True, group="Countries", clip=view)


def _add_notes(
    rmap: RiskMap, distances: list[DistanceCheck], exposures: list[ExposureCheck]
) -> None:
    """One line per claim, numbered as in the report: its number and its verdict."""
    n = 0
    for line in distances:
        n += 1
        rmap.add_note(f"Claim {n}: {line.claim} — {format_km(line.distance_m)}: {line.verdict}.")
    for check in exposures:
        n += 1
        if len(check.variants) > 1:
            value = (
                f"{format_int(check.low)}–{format_int(check.high)} over "
                f"{len(check.variants)} boundary variants"
            )
        else:
            value = format_int(check.low)
        rmap.add_note(f"Claim {n}: {check.claim} — {value}: {check.verdict}.")
        for text in check.warnings:  # listed once in the panel, with the overview's
            rmap.add_note(text, warning=True)


def _add_tables(rmap: RiskMap, exposures: list[ExposureCheck], ov: Overview | None) -> None:
    """Add the places near each claim's edge, each claim's variants, the overview's coverage."""
    for check in exposures:
        if len(check.edge):
            rmap.add_table(
                check.edge_table(),
                title=f"Near the {check.radius_m / 1000:g} km edge of {check.source} "
                f"(±{check.edge_m / 1000:g} km; km, in/out)",
            )
    for check in exposures:
        frame = check.variants[["label", "population", "places"]].rename(
            columns={"label": check.source}
        )
        rmap.add_table(
            frame,
            title=f"Residents of {check.country} within {check.radius_m / 1000:g} km",
            float_format="{:,.0f}",
        )
        rmap.add_provenance(check.provenance)
    if ov is not None:
        cov = ov.table[["country", "population", "coverage"]].copy()
        cov["coverage"] = [f"{v:.0%}" if math.isfinite(v) else "–" for v in cov["coverage"]]
        rmap.add_table(
            cov,
            title=f"Within {ov.radius_m / 1000:g} km, with settlement coverage",
            float_format="{:,.0f}",
        )


def _build_map(
    config: Scenario,
    distances: list[DistanceCheck],
    exposures: list[tuple[ExposureCheck, dict[str, Source]]],
    ov: _OverviewRun | None,
) -> RiskMap:
    options: MapOptions = config.map
    rmap = RiskMap(
        title=config.title,
        tiles=options.tiles,
        tolerance_m=options.tolerance_m,
        bounds=options.bounds,
    )
    if ov is not None:
        rmap.add_territory(ov.source.data, name=ov.source.label)
        if options.rings_m:
            rmap.add_rings(ov.source.data, list(options.rings_m), of=ov.source.name)
    _draw_claims(rmap, exposures, ov)
    if ov is not None:
        countries = list(ov.overview.table["country"]) or None
        rmap.add_exposure(
            ov.exposure,
            radius=ov.overview.radius_m,
            of=ov.source.name,
            countries=countries,
            source=ov.source.data,
            rings=False,  # drawn above, at the [map] rings
        )
    for line in distances:
        rmap.add_geodesic_line(line.a.lonlat, line.b.lonlat, labels=(line.a.name, line.b.name))
    _draw_context(rmap, options.context)
    checks = [check for check, _ in exposures]
    _add_notes(rmap, distances, checks)
    _add_tables(rmap, checks, ov.overview if ov is not None else None)
    return rmap


# -- running -----------------------------------------------------------------------------


def _scenario(scenario: Any) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, os.PathLike)):
        return read_scenario(scenario)
    if isinstance(scenario, Mapping):
        return parse_scenario(scenario)
    raise InputTypeError(f"scenario of type {type(scenario).__name__} is not a TOML path or a dict")


def run_scenario(
    scenario: str | os.PathLike[str] | Mapping[str, Any] | Scenario,
    *,
    out_dir: str | os.PathLike[str] | None = ".",
    settlements: Any = None,
    png: bool = True,
    self_contained: bool | None = None,
) -> ScenarioResult:
    """Check a scenario's claims, build its map and write ``<name>.html`` (and ``.png``).

    Parameters
    ----------
    scenario : path, mapping or Scenario
        A scenario TOML file (format: ``docs/scenario.md``), its content as a dict, or
        the :class:`~maps.scenario_config.Scenario` read from it.
    out_dir : path, optional
        Folder for the map files (default the current one), created with its parents
        if missing, before anything is computed; None writes nothing. The page and
        the image are drawn first and written together (each atomically), so that a
        failed run leaves neither, and the files of an earlier run stay as they were.
    settlements : GeoDataFrame, optional
        Population points; default ``layers.settlements()`` (GeoNames, shipped).
    png : bool, default True
        Also write the static image.
    self_contained : bool, optional
        Inline the map's JS and CSS (the page then opens with no network); default
        the scenario's ``[map] self_contained`` (True when absent).

    Returns
    -------
    ScenarioResult
        The checks, the overview, the map and the paths written.

    Raises
    ------
    InputError
        A scenario that does not parse (see :func:`~maps.scenario_config.parse_scenario`),
        a ``name`` that is not a file stem (``../x``, ``/tmp/x``), a place or country
        that does not resolve, or an output folder that cannot be made or written
        (checked before anything is computed).
    OutputError
        The files could not be written (e.g. a full disk); none of them was.

    Examples
    --------
    >>> import geopandas as gpd
    >>> towns = gpd.GeoDataFrame(
    ...     {"name": ["Vladivostok", "Pyongyang"], "country": ["RU", "KP"],
    ...      "population": [587_022, 3_222_000]},
    ...     geometry=gpd.points_from_xy([131.8869, 125.7625], [43.1056, 39.0392]),
    ...     crs="EPSG:4326")
    >>> result = run_scenario(
    ...     {"distance": [{"from": "Vladivostok", "to": "Pyongyang", "about": "700km"}]},
    ...     out_dir=None, settlements=towns)
    >>> check, = result.distances
    >>> print(f"{check.distance_m / 1000:.1f} km: {check.verdict}")
    684.4 km: holds
    """
    config = _scenario(scenario)
    outputs = _outputs(config, out_dir, png)  # before any work: a bad folder fails at once
    if settlements is None:
        settlements = layers.settlements()
    distances = [_check_distance(claim, settlements) for claim in config.distances]
    exposures = [_check_exposure(claim, settlements) for claim in config.exposures]
    ov = None
    if config.overview is not None:
        ov = _overview(config.overview, settlements, config.map.rings_m)
    rmap = _build_map(config, distances, exposures, ov)
    result = ScenarioResult(
        config.title,
        distances,
        [check for check, _ in exposures],
        ov.overview if ov is not None else None,
        rmap,
    )
    if outputs:
        inline = config.map.self_contained if self_contained is None else self_contained
        _write(rmap, outputs, self_contained=inline)
        result.html_path = outputs[0]
        result.png_path = outputs[1] if len(outputs) > 1 else None
    return result


def _outputs(config: Scenario, out_dir: Any, png: bool) -> list[Path]:
    """Return the files a run writes, once they can be: the folder made, writable, no clash."""
    if out_dir is None:
        return []
    stem = check_stem(config.name, what="scenario name")
    folder = check_folder(out_dir, create=True)
    suffixes = [".html", ".png"] if png else [".html"]
    paths = [folder / f"{stem}{suffix}" for suffix in suffixes]
    for path in paths:
        check_target(path)
    return paths


def _write(rmap: RiskMap, paths: list[Path], *, self_contained: bool) -> None:
    """Draw the page (and the image) in memory, then write them together or not at all."""
    nothing = (
        f"nothing was written to {str(paths[0].parent)!r}: "
        f"{' and '.join(p.name for p in paths)} are written together or not at all"
    )
    try:
        contents = [rmap.render(self_contained=self_contained).encode("utf-8")]
        if len(paths) > 1:
            contents.append(rmap.render_png())
    except Exception as exc:
        exc.add_note(nothing)
        raise
    try:
        with atomic_paths(*paths) as temps:
            for tmp, content in zip(temps, contents, strict=True):
                tmp.write_bytes(content)
    except RiskmapError:
        raise
    except OSError as exc:
        raise OutputError(f"the scenario's map could not be written ({exc}); {nothing}") from exc
