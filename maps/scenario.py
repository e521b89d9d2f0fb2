"""Scenario files: geographic claims checked reproducibly, with their numbers and one map.

A scenario is a TOML file (see ``examples/summit_2019.toml``) with:

- ``title`` and ``name`` (the stem of the files written);
- ``[[distance]]`` claims: ``from``, ``to`` (place names, ``Name,CC`` or ``lon,lat``),
  ``about`` (the distance claimed, ``"700km"``) and ``tolerance`` (``"5%"`` or a distance);
- ``[[exposure]]`` claims: ``territory`` (a country code, measured over
  ``boundaries``: ``osm-sea``, ``osm-land``, ``naturalearth``) or ``border``
  (two codes), ``country`` (residents counted), ``radius``, and ``more_than``;
  ``without_merged = true`` adds a population variant without the settlements
  GeoNames still lists though they merged into a city;
- ``[overview]``: ``territory``, ``boundary``, ``radius``, ``countries`` and
  ``curve_to`` / ``curve_step`` for the population-by-country table and the curve;
- ``[map]``: ``tiles``, ``tolerance``, ``rings``, ``context`` (neighbours drawn
  grey) and ``bounds`` (west, south, east, north).

:func:`run_scenario` computes everything with :mod:`layers` and :mod:`geo`, and
returns a :class:`ScenarioResult` that prints as a report and writes the map.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import geo
from geo.errors import InputError, InputTypeError
from layers.boundaries import BOUNDARY_VARIANTS, boundary_variant, variant_label
from layers.places import resolve_place
from maps._display import format_int, format_km
from maps.report import (
    DistanceCheck,
    ExposureCheck,
    Overview,
    ScenarioResult,
    verdict_about,
    verdict_more_than,
)
from maps.riskmap import RiskMap

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["load_scenario", "run_scenario"]


def _tolerance_m(value: Any, claim_m: float) -> float:
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            share = float(value.strip()[:-1]) / 100.0
        except ValueError as exc:
            raise InputError(f"tolerance {value!r} is not a percentage like '5%'") from exc
        if not (0 <= share < 1):
            raise InputError(f"tolerance {value!r} is not between 0% and 100%")
        return share * claim_m
    return geo.parse_distance(value)


# -- loading -----------------------------------------------------------------------------


def load_scenario(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a scenario TOML file and return it as a dict (``tomllib``)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(
            f"scenario file {str(p)!r} does not exist; give the path of a .toml scenario"
        )
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"scenario file {str(p)!r} is not valid TOML: {exc}") from exc


def _require(table: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise InputError(
            f"{where} has no {key!r}; add it to the scenario file (keys given: {sorted(table)})"
        )
    return table[key]


def _country_name(code: str) -> str:
    import layers

    try:
        info = layers.country(code)
    except Exception:  # a name is only decoration in the report
        return code
    name = info.get("name") if isinstance(info, Mapping) else getattr(info, "name", None)
    return str(name) if name else code


def _coverage(code: str) -> float:
    import layers

    try:
        return float(layers.coverage(code))
    except Exception:
        return float("nan")


# -- running -----------------------------------------------------------------------------


def _check_distance(spec: Mapping[str, Any], settlements: Any) -> DistanceCheck:
    where = "[[distance]]"
    a = resolve_place(_require(spec, "from", where), settlements)
    b = resolve_place(_require(spec, "to", where), settlements)
    d = float(geo.distance(a.lonlat, b.lonlat))
    claim_m = geo.parse_distance(_require(spec, "about", where))
    tol = _tolerance_m(spec.get("tolerance", "5%"), claim_m)
    return DistanceCheck(
        claim=spec.get(
            "claim", f"{a.name} is about {format_km(claim_m, decimals=0)} from {b.name}"
        ),
        a=a,
        b=b,
        distance_m=d,
        claim_m=claim_m,
        tolerance_m=tol,
        verdict=verdict_about(d, claim_m, tol),
    )


def _exposure_sources(spec: Mapping[str, Any]) -> tuple[str, dict[str, Any], pd.DataFrame | None]:
    import layers

    if "border" in spec:
        pair = spec["border"]
        if not (isinstance(pair, list) and len(pair) == 2):
            raise InputError(f"border = {pair!r}; expected two country codes, e.g. ['KP', 'RU']")
        border = layers.border(str(pair[0]), str(pair[1]))
        key = f"{border['source'].iloc[0]} border" if "source" in border.columns else "border"
        lengths = border.groupby("kind", sort=True)["length_m"].sum().reset_index()
        label = f"the {_country_name(pair[0])}–{_country_name(pair[1])} border line"
        return label, {key: border}, lengths
    code = str(_require(spec, "territory", "[[exposure]]"))
    boundaries = spec.get("boundaries", ["osm-sea", "osm-land", "naturalearth"])
    sources = {}
    for name in boundaries:
        variant = boundary_variant(name)
        sources[variant.name] = layers.territory(code, **variant.territory_kwargs())
    return _country_name(code), sources, None


ALL_PLACES = "all settlements"
WITHOUT_MERGED = "merged places removed"


def _check_exposure(
    spec: Mapping[str, Any], settlements: Any
) -> tuple[ExposureCheck, dict[str, Any]]:
    import layers

    label, sources, lengths = _exposure_sources(spec)
    country = str(_require(spec, "country", "[[exposure]]"))
    radius_m = geo.parse_distance(_require(spec, "radius", "[[exposure]]"))
    threshold = float(_require(spec, "more_than", "[[exposure]]"))
    populations = {ALL_PLACES: settlements}
    if spec.get("without_merged", False):
        if "merged" not in settlements.columns:
            raise InputError("without_merged = true, but the settlements have no 'merged' column")
        populations[WITHOUT_MERGED] = settlements[~settlements["merged"].astype(bool)]
    result = layers.exposure_variants(sources, populations, radius_m, country=country)
    table = result.table.copy()
    table["label"] = [
        variant_label(b) + ("" if p == ALL_PLACES else f"; {p}")
        for b, p in zip(table["boundary"], table["population_source"], strict=True)
    ]
    edges = []
    for (boundary, pop), exp in result.exposures.items():
        if exp.edge is None or exp.edge.empty or pop != ALL_PLACES:
            continue
        e = exp.edge[
            np.isclose(exp.edge["radius_m"], radius_m) & (exp.edge["country"] == country)
        ].copy()
        e["variant"] = variant_label(boundary)
        edges.append(e)
    edge = (
        pd.concat(edges, ignore_index=True)
        if edges
        else pd.DataFrame(
            columns=[
                "name",
                "country",
                "population",
                "distance_km",
                "offset_m",
                "inside",
                "variant",
            ]
        )
    )
    edge_m = next(iter(result.exposures.values())).edge_m
    check = ExposureCheck(
        claim=spec.get(
            "claim",
            f"more than {format_int(threshold)} residents of {country} within "
            f"{radius_m / 1000:g} km of {label}",
        ),
        source=label,
        radius_m=radius_m,
        country=country,
        more_than=threshold,
        variants=table[["boundary", "population_source", "label", "population", "places"]],
        low=result.low,
        high=result.high,
        verdict=verdict_more_than(table["population"], threshold),
        edge=edge,
        edge_m=edge_m,
        length_m=lengths,
        provenance=result.provenance,
    )
    return check, sources


def _overview(
    spec: Mapping[str, Any], settlements: Any, rings_m: list[float]
) -> tuple[Overview, Any, Any]:
    import layers
    code = str(_require(spec, "territory", "[overview]"))
    boundary = boundary_variant(spec.get("boundary")).name
    territory = layers.territory(code, **BOUNDARY_VARIANTS[boundary].territory_kwargs())
    radius_m = geo.parse_distance(spec.get("radius", "200km"))
    curve_to = geo.parse_distance(spec.get("curve_to", "500km"))
    step = geo.parse_distance(spec.get("curve_step", "5km"))
    countries = [str(c) for c in spec.get("countries", [])]
    radii = sorted(set(rings_m) | {radius_m, curve_to})
    exp = layers.exposure(territory, settlements, radii, by="country")
    at = exp.table[np.isclose(exp.table["radius_m"], radius_m)].set_index("country")
    codes = countries or list(at.sort_values("population", ascending=False).index[:6])
    rows = []
    for c in codes:
        pop = float(at["population"].get(c, 0.0))
        places = int(at["places"].get(c, 0))
        rows.append((c, _country_name(c), pop, places, _coverage(c)))
    table = pd.DataFrame(rows, columns=["country", "name", "population", "places", "coverage"])
    curve = pd.DataFrame({"distance_km": exp.curve(step)["distance_km"]})
    curve = curve[curve["distance_km"] <= curve_to / 1000 + 1e-9]
    for c in codes:
        curve[c] = exp.curve(step, country=c)["population"].to_numpy()[: len(curve)]
    curve["all"] = exp.curve(step)["population"].to_numpy()[: len(curve)]
    label = f"{_country_name(code)} ({variant_label(boundary)})"
    return (
        Overview(label, radius_m, table, curve.reset_index(drop=True), exp.provenance),
        territory,
        exp,
    )


def _build_map(
    config: Mapping[str, Any],
    distances: list[DistanceCheck],
    exposures: list[tuple[ExposureCheck, dict[str, Any]]],
    overview: Overview | None,
    territory: Any,
    exp: Any,
) -> RiskMap:
    import layers

    mapcfg = config.get("map", {})
    rmap = RiskMap(
        title=str(config.get("title", "riskmap scenario")),
        tiles=mapcfg.get("tiles", "OpenStreetMap") or None,
        tolerance_m=geo.parse_distance(mapcfg.get("tolerance", "200m")),
        bounds=mapcfg.get("bounds"),
    )
    rings = [geo.parse_distance(r) for r in mapcfg.get("rings", [])]
    if territory is not None and overview is not None:
        rmap.add_territory(territory, name=overview.source)
        if rings:
            rmap.add_rings(territory, rings, of=overview.source.split(" (")[0])
    for check, sources in exposures:
        for variant, src in sources.items():
            label = variant_label(variant)
            if "a" in getattr(src, "columns", []):
                rmap.add_border(src, name=check.source.removeprefix("the "), show=True)
                rmap.add_rings(
                    src,
                    [check.radius_m],
                    of=check.source,
                    filled=False,
                    color="#000000",
                    name=f"{check.radius_m / 1000:g} km of {check.source}",
                    group="Claims",
                    show=False,
                    fit=False,
                )
            elif overview is None or label not in overview.source:
                rmap.add_territory(
                    src,
                    name=f"{check.source} ({label})",
                    group="Claims",
                    color="#542788",
                    show=False,
                    fit=False,
                )
                rmap.add_rings(
                    src,
                    [check.radius_m],
                    of=f"{check.source} ({label})",
                    filled=False,
                    color="#542788",
                    name=f"{check.radius_m / 1000:g} km, {label}",
                    group="Claims",
                    show=False,
                    fit=False,
                )
    if exp is not None and overview is not None:
        rmap.add_exposure(
            exp,
            radius=overview.radius_m,
            of=overview.source.split(" (")[0],
            countries=list(overview.table["country"]) or None,
        )
    for line in distances:
        rmap.add_geodesic_line(line.a.lonlat, line.b.lonlat, labels=(line.a.name, line.b.name))
    west, south, east, north = rmap.view_bounds()
    pad_x, pad_y = 0.25 * (east - west), 0.25 * (north - south)  # the cut is off-screen at first
    view = (
        max(west - pad_x, -180.0),
        max(south - pad_y, -90.0),
        min(east + pad_x, 180.0),
        min(north + pad_y, 90.0),
    )
    for code in mapcfg.get("context", []):  # neighbours, clipped to the view; drawn as background
        rmap.add_territory(
            layers.territory(str(code), source="naturalearth"),
            context=True,
            group="Countries",
            clip=view,
        )
    n = 0
    for line in distances:
        n += 1
        rmap.add_note(f"Claim {n}: {line.claim} — {format_km(line.distance_m)}: {line.verdict}.")
    for check, _ in exposures:
        n += 1
        if len(check.variants) > 1:
            value = (
                f"{format_int(check.low)}–{format_int(check.high)} over "
                f"{len(check.variants)} boundary variants"
            )
        else:
            value = format_int(check.low)
        rmap.add_note(f"Claim {n}: {check.claim} — {value}: {check.verdict}.")
    for check, _ in exposures:
        if len(check.edge):
            rmap.add_table(
                check.edge_table(),
                title=f"Near the {check.radius_m / 1000:g} km edge of {check.source} "
                f"(±{check.edge_m / 1000:g} km; km, in/out)",
            )
    for check, _ in exposures:
        frame = check.variants[["label", "population", "places"]].rename(
            columns={"label": check.source}
        )
        rmap.add_table(
            frame,
            title=f"Residents of {check.country} within {check.radius_m / 1000:g} km",
            float_format="{:,.0f}",
        )
        rmap.add_provenance(check.provenance)
    if overview is not None:
        cov = overview.table[["country", "population", "coverage"]].copy()
        cov["coverage"] = [f"{v:.0%}" if math.isfinite(v) else "–" for v in cov["coverage"]]
        rmap.add_table(
            cov,
            title=f"Within {overview.radius_m / 1000:g} km, with settlement coverage",
            float_format="{:,.0f}",
        )
    return rmap


def run_scenario(
    scenario: str | os.PathLike[str] | Mapping[str, Any],
    *,
    out_dir: str | os.PathLike[str] | None = ".",
    settlements: Any = None,
    png: bool = True,
    self_contained: bool | None = None,
) -> ScenarioResult:
    """Check a scenario's claims, build its map and write ``<name>.html`` (and ``.png``).

    Parameters
    ----------
    scenario : path or mapping
        A scenario TOML file, or its content as a dict.
    out_dir : path, optional
        Folder for the map files (default the current one); None writes nothing.
    settlements : GeoDataFrame, optional
        Population points; default ``layers.settlements()`` (GeoNames, shipped).
    png : bool, default True
        Also write the static image.
    self_contained : bool, optional
        Inline the map's JS and CSS (the page then opens with no network); default
        the scenario's ``[map] self_contained`` (False when absent).

    Returns
    -------
    ScenarioResult
        The checks, the overview, the map and the paths written.
    """
    import layers

    config = load_scenario(scenario) if isinstance(scenario, (str, os.PathLike)) else scenario
    if not isinstance(config, Mapping):
        raise InputTypeError(
            f"scenario of type {type(config).__name__} is not a TOML path or a dict"
        )
    if settlements is None:
        settlements = layers.settlements()
    distances = [_check_distance(spec, settlements) for spec in config.get("distance", [])]
    exposures = [_check_exposure(spec, settlements) for spec in config.get("exposure", [])]
    overview = territory = exp = None
    if "overview" in config:
        rings = [geo.parse_distance(r) for r in config.get("map", {}).get("rings", [])]
        overview, territory, exp = _overview(config["overview"], settlements, rings)
    rmap = _build_map(config, distances, exposures, overview, territory, exp)
    result = ScenarioResult(
        str(config.get("title", "riskmap scenario")),
        distances,
        [c for c, _ in exposures],
        overview,
        rmap,
    )
    if out_dir is not None:
        folder = Path(out_dir)
        if not folder.is_dir():
            raise InputError(
                f"output folder {str(folder)!r} does not exist; create it or choose another"
            )
        stem = str(config.get("name", "scenario"))
        if self_contained is None:
            self_contained = bool(config.get("map", {}).get("self_contained", False))
        result.html_path = rmap.save(folder / f"{stem}.html", self_contained=self_contained)
        if png:
            result.png_path = rmap.to_png(folder / f"{stem}.png")
    return result
