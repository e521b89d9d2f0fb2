"""Scenario files: geographic claims checked reproducibly, with their numbers and one map.

A scenario is a TOML file (see ``examples/summit_2019.toml``); its format, every
section and key with its kind, unit and default, is documented in ``docs/scenario.md``,
generated from :mod:`maps.scenario_config`, which reads and checks the file before
anything runs. In short:

- ``title`` and ``name`` (the stem of the files written);
- ``[[distance]]`` claims: ``from`` is ``about`` (``more_than``, ``less_than``) a
  distance from ``to``;
- ``[[exposure]]``: the people (residents of ``country``) within ``radius`` of a
  source ``around`` (a country over its ``boundaries`` variants, a border, an admin-1
  region, a place, a point, a file) or of ``sites`` at their own ranges, by country
  or admin-1 region, and a claim on them (``more_than``, ``less_than``, ``about``);
- ``[overview]``: the population by country within a radius of a source, and the
  curve by distance;
- ``[map]``: tiles, display tolerance, rings, grey neighbours and the view; without
  an overview the map opens on the claims' sources, with their rings.

:func:`run_scenario` computes everything with :mod:`layers` and :mod:`geo`, and
returns a :class:`~maps.report.ScenarioResult` that prints as a report and writes
the map.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

import geo
import layers
from geo.errors import InputError, InputTypeError, RiskmapError
from layers import Source, resolve_place, resolve_source
from maps._display import format_int, format_km
from maps._io import OutputError, atomic_paths, check_folder, check_stem, check_target
from maps._scenario_exposure import ExposureRun, check_exposure, country_code
from maps._scenario_keys import Where
from maps.report import DistanceCheck, ExposureCheck, Overview, ScenarioResult, excluded_text
from maps.riskmap import RiskMap
from maps.scenario_config import (
    DistanceClaim,
    MapOptions,
    OverviewOptions,
    Scenario,
    load_scenario,
    parse_scenario,
    read_scenario,
)
from maps.verdicts import Claimed

__all__ = ["load_scenario", "run_scenario"]

_POLYGONS = ("territory", "region", "file")


def _country_name(code: str) -> str:
    try:
        return layers.country(code).name
    except Exception:  # a name is only decoration in the report
        return code


# -- the claims --------------------------------------------------------------------------


def _check_distance(claim: DistanceClaim, settlements: Any) -> DistanceCheck:
    a = resolve_place(claim.origin, settlements)
    b = resolve_place(claim.destination, settlements)
    d = float(geo.distance(a.lonlat, b.lonlat))
    about = claim.about_m
    claimed = Claimed(
        more_than=claim.more_than_m,
        less_than=claim.less_than_m,
        about=about,
        tolerance=claim.tolerance.of(about) if about is not None else 0.0,
        unit="m",
    )
    if claim.claim:
        text = claim.claim
    elif about is not None:
        text = f"{a.name} is about {format_km(about, decimals=0)} from {b.name}"
    else:
        text = f"{a.name} is {claimed.text()} from {b.name}"
    return DistanceCheck(
        claim=text, a=a, b=b, distance_m=d, claimed=claimed, verdict=claimed.verdict(d)
    )


# -- the overview ------------------------------------------------------------------------


@dataclass(frozen=True)
class _OverviewRun:
    """The overview, the territory it measured from, and its exposure (for the map)."""

    overview: Overview
    source: Source
    exposure: Any


def _overview(spec: OverviewOptions, settlements: Any, rings_m: tuple[float, ...]) -> _OverviewRun:
    source = resolve_source(spec.around, boundary=spec.boundary, settlements=settlements)
    radius_m, curve_to, step = spec.radius_m, spec.curve_to_m, spec.curve_step_m
    radii = sorted(set(rings_m) | {radius_m, curve_to})
    exp = layers.exposure(source.data, settlements, radii, by="country")
    at = exp.table[np.isclose(exp.table["radius_m"], radius_m)].set_index("country")
    codes = [country_code(c, "countries") for c in spec.countries] or list(
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
        warnings=_shown_warnings(exp.warnings, codes),
        source_note=source.notes,
        excluded=excluded_text(exp.excluded),
    )
    return _OverviewRun(overview, source, exp)


def _shown_warnings(warnings: Any, codes: list[str]) -> tuple[str, ...]:
    """Keep the warnings about the countries a table shows ("CN: ..."), and the general ones."""
    return tuple(w for w in warnings if not (w[:2].isupper() and w[2:3] == ":") or w[:2] in codes)


# -- the map -----------------------------------------------------------------------------


def _draw_source(rmap: RiskMap, source: Source, name: str, **style: Any) -> None:
    """Draw what a source is: a polygon's outline and fill, a border's line (points: rings)."""
    if source.kind == "border":
        rmap.add_border(source.data, name=name, **style)
    elif source.kind in _POLYGONS:
        rmap.add_territory(source.data, name=name, color="#542788", **style)


def _draw_claims(rmap: RiskMap, runs: list[ExposureRun], ov: _OverviewRun) -> None:
    """Each claim's sources and radius, off at first, in the "Claims" group (with an overview)."""
    for run in runs:
        check = run.check
        km = f"{check.radius_m / 1000:g} km"
        hidden: dict[str, Any] = {"group": "Claims", "show": False, "fit": False}
        if run.sites is not None:
            rmap.add_rings(
                run.sites.rings(), name=f"Ranges of {check.source}", outside_only=False, **hidden
            )
            continue
        for source in run.sources.values():
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
            if (source.kind, source.name, source.variant) == (
                ov.source.kind,
                ov.source.name,
                ov.source.variant,
            ):
                continue  # drawn already, as the overview's source
            label = source.variant.label if source.variant else source.name
            _draw_source(rmap, source, source.label, **hidden)
            rmap.add_rings(
                source.data,
                [check.radius_m],
                of=source.label,
                filled=False,
                color="#542788",
                name=f"{km}, {label}",
                **hidden,
            )


def _draw_subjects(rmap: RiskMap, runs: list[ExposureRun], rings_m: tuple[float, ...]) -> None:
    """With no overview, the claims' sources are the subject: drawn, ringed, in the view.

    Each source is drawn with the ``[map] rings`` (default its own radii), a sites table
    with each site's own ranges; the first exposure's settlements and radius control
    are on the page.
    """
    control = False
    for run in runs:
        check = run.check
        if run.sites is not None:
            rmap.add_rings(run.sites.rings(), name=f"Ranges of {check.source}", outside_only=False)
            places = run.sites.places.drop_duplicates("position")
            rmap.add_settlements(places, name=f"Settlements within range of {check.source}")
            continue
        source = next(iter(run.sources.values()))
        _draw_source(rmap, source, check.source, fit=True)
        rings = list(rings_m) or list(run.radii_m)
        rmap.add_rings(source.data, rings, of=check.source, outside_only=source.kind in _POLYGONS)
        if not control and run.exposure is not None:
            control = True
            rmap.add_exposure(
                run.exposure,
                radius=check.radius_m,
                of=check.source,
                source=source.data,
                rings=False,  # drawn above
            )


def _draw_context(rmap: RiskMap, codes: tuple[str, ...]) -> None:
    """Neighbours in grey, cut to a box a quarter larger than the view (the cut is off-screen).

    A view across the antimeridian (east past 180) is cut as its two halves, each side
    of 180°, so that the neighbours east of it (Alaska beside Chukotka) are drawn too.
    """
    west, south, east, north = rmap.view_bounds()
    pad_x, pad_y = 0.25 * (east - west), 0.25 * (north - south)
    south, north = max(south - pad_y, -90.0), min(north + pad_y, 90.0)
    west, east = west - pad_x, east + pad_x
    if east - west >= 360.0:
        boxes = [shapely.box(-180.0, south, 180.0, north)]
    else:  # the view in [-180, 180]: its longitudes taken round the world
        boxes = [
            shapely.box(max(west + k, -180.0), south, min(east + k, 180.0), north)
            for k in (-360.0, 0.0, 360.0)
            if west + k < 180.0 and east + k > -180.0
        ]
    view = shapely.union_all(boxes)
    for code in codes:
        neighbour = resolve_source(code, boundary="naturalearth")
        if len(boxes) == 1:  # one box: the territory keeps its detail inside it
            clip = tuple(float(v) for v in view.bounds)
            rmap.add_territory(neighbour.data, context=True, group="Countries", clip=clip)
            continue
        data = neighbour.data.copy()
        data["geometry"] = data.geometry.intersection(view)
        data = data[~data.geometry.is_empty]
        if len(data):
            rmap.add_territory(data, context=True, group="Countries")


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
            what = "variants" if check.by_source is not None else "boundary variants"
            value = (
                f"{format_int(check.low)}–{format_int(check.high)} over "
                f"{len(check.variants)} {what}"
            )
        else:
            value = format_int(check.low)
        verdict = f": {check.verdict}" if check.verdict else ""
        rmap.add_note(f"Claim {n}: {check.claim} — {value}{verdict}.")
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
        if frame["places"].isna().any():  # grids count cells, not places
            frame["places"] = [("–" if p != p else f"{p:,.0f}") for p in frame["places"]]
        who = f"Residents of {check.country}" if check.country else "People"
        within = f"{check.radius_m / 1000:g} km" if math.isfinite(check.radius_m) else "range"
        rmap.add_table(frame, title=f"{who} within {within}", float_format="{:,.0f}")
        for title, table in check.tables:
            rmap.add_table(table, title=title[:1].upper() + title[1:], float_format="{:,.0f}")
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
    runs: list[ExposureRun],
    ov: _OverviewRun | None,
) -> RiskMap:
    options: MapOptions = config.map
    rmap = RiskMap(
        title=config.title,
        tiles=options.tiles,
        tolerance_m=options.tolerance_m,
        bounds=options.bounds,
    )
    if ov is None:
        _draw_subjects(rmap, runs, options.rings_m)
    else:
        if ov.source.kind in _POLYGONS:
            rmap.add_territory(ov.source.data, name=ov.source.label)
        elif ov.source.kind == "border":
            rmap.add_border(ov.source.data, name=ov.source.label, fit=True)
        if options.rings_m:
            rmap.add_rings(ov.source.data, list(options.rings_m), of=ov.source.name)
        _draw_claims(rmap, runs, ov)
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
    checks = [run.check for run in runs]
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
        if missing, before anything is computed (and removed again, if still empty,
        when the run fails: a failed run leaves nothing); None writes nothing. The page and
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
    file = Path(scenario).name if isinstance(scenario, (str, os.PathLike)) else None
    made = _first_missing(out_dir)  # a folder this run makes, removed if it fails
    try:
        outputs = _outputs(config, out_dir, png)  # before any work: a bad folder fails at once
        return _run(config, outputs, settlements, self_contained, file)
    except BaseException:
        _remove_empty(made)
        raise


def _run(
    config: Scenario,
    outputs: list[Path],
    settlements: Any,
    self_contained: bool | None,
    file: str | None,
) -> ScenarioResult:
    """Resolve, compute, draw and write a scenario whose output paths are checked."""
    if settlements is None:
        settlements = layers.settlements()
    _resolve_names(config, settlements, file)  # every name found before anything is computed
    distances = [_check_distance(claim, settlements) for claim in config.distances]
    runs = [
        check_exposure(claim, settlements, i, file) for i, claim in enumerate(config.exposures, 1)
    ]
    ov = None
    if config.overview is not None:
        ov = _overview(config.overview, settlements, config.map.rings_m)
    _notes_once([run.check for run in runs], ov.overview if ov is not None else None)
    rmap = _build_map(config, distances, runs, ov)
    result = ScenarioResult(
        config.title,
        distances,
        [run.check for run in runs],
        ov.overview if ov is not None else None,
        rmap,
    )
    if outputs:
        inline = config.map.self_contained if self_contained is None else self_contained
        _write(rmap, outputs, self_contained=inline)
        result.html_path = outputs[0]
        result.png_path = outputs[1] if len(outputs) > 1 else None
    return result


def _first_missing(out_dir: Any) -> Path | None:
    """Return the outermost folder of ``out_dir`` that does not exist yet (None if all do)."""
    if out_dir is None:
        return None
    path = Path(out_dir).expanduser().absolute()
    missing = None
    while not path.exists() and path != path.parent:
        missing, path = path, path.parent
    return missing


def _remove_empty(folder: Path | None) -> None:
    """Remove ``folder`` and the folders under it that a failed run made, if still empty."""
    if folder is None or not folder.is_dir():
        return
    for root, _dirs, _files in sorted(os.walk(folder), key=lambda w: -len(w[0])):
        try:
            Path(root).rmdir()  # only an empty folder: a file someone put there stays
        except OSError:
            return


def _resolve_names(config: Scenario, settlements: Any, file: str | None = None) -> None:
    """Resolve every place and source the scenario names, or refuse naming its key.

    The territories, regions and name indexes this builds are cached, so resolving the
    same names again in the run that follows costs little (0.17 s for the summit's).
    """
    named: list[tuple[str, str, str, bool]] = []  # (where, key, text, a place only)
    for i, dist in enumerate(config.distances, 1):
        named += [
            ("[[distance]]" + Where("[[distance]]", i, file).detail, k, v, True)
            for k, v in (("from", dist.origin), ("to", dist.destination))
        ]
    for i, exp in enumerate(config.exposures, 1):
        if exp.around is not None and exp.crs is None:
            named.append(
                (
                    "[[exposure]]" + Where("[[exposure]]", i, file).detail,
                    "around",
                    exp.around,
                    False,
                )
            )
    if config.overview is not None:
        where = "[overview]" + Where("[overview]", None, file).detail
        named.append((where, "around", config.overview.around, False))
    for where, key, text, place in named:
        try:
            if place:
                resolve_place(text, settlements)
            else:
                resolve_source(text, settlements=settlements)
        except InputError as exc:
            message = f"{key} = {json.dumps(text, ensure_ascii=False)} in {where}: {exc}"
            try:
                again = type(exc)(message)
            except TypeError:  # pragma: no cover - an error class with other arguments
                raise exc from None
            raise again from exc


def _notes_once(checks: list[ExposureCheck], overview: Overview | None) -> None:
    """Keep each source's note (a name read one way of two) where the source first appears."""
    seen: set[str] = set()
    holders: list[ExposureCheck | Overview] = [*checks]
    for holder in holders + ([overview] if overview is not None else []):
        if holder.source_note in seen:
            holder.source_note = ""
        seen.add(holder.source_note)


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
