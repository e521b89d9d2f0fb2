"""The same exposure question over boundary and population variants, with its range.

An exposure figure depends on which boundary is drawn (territorial sea or land
only, OpenStreetMap or Natural Earth) and on which population layer is counted.
:func:`exposure_variants` runs one question over each combination and reports every
value and the low–high range, never a bare number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.errors import InputError
from layers.analysis.compute import exposure
from layers.analysis.result import EDGE_M, Exposure
from layers.analysis.values import json_default, metres, records
from layers.boundaries import BOUNDARY_VARIANTS
from layers.countries import country as country_record
from layers.provenance import Provenance
from layers.settlements import settlements
from layers.sources import Source, resolve_source
from layers.territory import territory

__all__ = ["ExposureVariants", "exposure_variants"]


@dataclass(frozen=True, eq=False)
class ExposureVariants:
    """One exposure question answered over several variants.

    Attributes
    ----------
    radius_m : float
        The radius, in metres.
    country : str or None
        Alpha-2 code of the country of residence counted (None: everyone not excluded).
    table : pandas.DataFrame
        One row per variant: ``boundary``, ``population_source``, ``population``
        (people within the radius) and ``places`` (settlements counted; NaN for grids).
    low, high : float
        The smallest and largest population over the variants, in people.
    exposures : dict
        ``{(boundary, population_source): Exposure}``, for tables, curves and edges.
    provenance : Provenance
        All variants' sources, with the radius and variant names.
    warnings : tuple of str
        Every variant's :attr:`Exposure.warnings` (settlement coverage), each once.

    Examples
    --------
    >>> import layers, shapely
    >>> towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
    >>> near, far = shapely.Point(131.9, 43.1), shapely.Point(131.5, 42.9)
    >>> result = exposure_variants({"near": near, "far": far}, towns, "20km", country="Russia")
    >>> result
    <ExposureVariants: residents of RU within 20 km: 11,660–609,981 over 2 variants>
    >>> result.table[["boundary", "population", "places"]]
      boundary  population  places
    0     near    609981.0       2
    1      far     11660.0       2
    """

    radius_m: float
    country: str | None
    table: pd.DataFrame
    low: float
    high: float
    exposures: dict[tuple[str, str], Exposure]
    provenance: Provenance
    warnings: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`table` (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return the values, range, edge places and provenance as JSON-ready values."""
        edges = {}
        for (boundary, pop), exp in self.exposures.items():
            if exp.edge is not None:
                edge = exp.edge[exp.edge["radius_m"] == self.radius_m]
                if self.country is not None and "country" in edge.columns:
                    edge = edge[edge["country"] == self.country]
                edges[f"{boundary} / {pop}"] = records(edge)
        return {
            "radius_m": self.radius_m,
            "country": self.country,
            "variants": records(self.table),
            "low": self.low,
            "high": self.high,
            "edge": edges,
            "warnings": list(self.warnings),
            "provenance": self.provenance.to_dict(),
        }

    def to_json(self, **kwargs: Any) -> str:
        """Return :meth:`to_dict` as a JSON string (nothing is written to disk)."""
        return json.dumps(self.to_dict(), allow_nan=False, default=json_default, **kwargs)

    def __repr__(self) -> str:
        who = f"residents of {self.country}" if self.country else "people"
        return (
            f"<ExposureVariants: {who} within {self.radius_m / 1000:g} km: "
            f"{self.low:,.0f}–{self.high:,.0f} over {len(self.table)} variants>"
        )


def _sources(source: Any, boundaries: Sequence[str]) -> dict[str, Any]:
    """``{variant name: source}``: a mapping as given, a territory once per boundary."""
    if isinstance(source, Mapping):
        return dict(source)
    if not isinstance(source, (str, Source)):
        raise InputError(
            f"source {source!r:.60} is not usable; expected a country ('KP', 'North Korea'), "
            "a layers.Source, or a mapping {variant name: territory or geometry}"
        )
    resolved = resolve_source(source)
    if resolved.kind != "territory":  # a border, a place: drawn one way only
        return {resolved.label: resolved}
    code = resolved.codes[0]
    out: dict[str, Any] = {}
    for name in boundaries:
        if name not in BOUNDARY_VARIANTS:  # a file of territories
            out[name] = territory(code, source=name)
        elif resolved.variant is not None and name == resolved.variant.name:
            out[name] = resolved
        else:
            out[name] = resolve_source(code, boundary=name)
    return out


def _layer_name(layer: Any) -> str:
    provenance = getattr(layer, "provenance", None) or Provenance.of(layer)
    if provenance is not None and provenance.sources:
        return provenance.sources[0].name
    return "population"


def exposure_variants(
    source: str | Source | Mapping[str, Any] = "KP",
    population: Any | Mapping[str, Any] | None = None,
    radius: float | str = "200km",
    *,
    country: str | None = "RU",
    boundaries: Sequence[str] = ("osm-sea", "osm-land", "naturalearth"),
    exclude_source: bool | str | Sequence[str] = True,
    edge_m: float | str = EDGE_M,
) -> ExposureVariants:
    """Ask "how many people live within ``radius``" over boundary and population variants.

    The defaults ask the summit question: Russians within 200 km of North Korea,
    on the OpenStreetMap territory with its territorial sea, clipped to land, and
    on Natural Earth, counted with the packaged GeoNames settlements.

    Parameters
    ----------
    source : str, Source or mapping, default "KP"
        A country (code or name), whose territory is drawn once per name in
        ``boundaries``; any other name :func:`layers.resolve_source` resolves, or a
        :class:`layers.Source` (a border or a place is drawn one way only); or a
        mapping ``{variant name: source}`` of ready-made sources (territory
        GeoDataFrames, geometries) used as they are.
    population : layer or mapping, optional
        Settlements or a population grid (see :func:`layers.exposure`), or a
        mapping ``{name: layer}`` to vary the population source too. Default:
        ``layers.settlements()``.
    radius : float, numpy scalar or str, default "200km"
        The radius, in metres or like ``"200km"``.
    country : str or None, default "RU"
        Country of residence counted (code or name, e.g. ``"Russia"``); None counts
        everyone not excluded.
    boundaries : sequence of str, default ("osm-sea", "osm-land", "naturalearth")
        Boundary variants drawn when ``source`` is a country
        (:data:`layers.BOUNDARY_VARIANTS`, or a file path passed to ``layers.territory``).
    exclude_source : bool, str or list of str, default True
        As in :func:`layers.exposure`: a territory's own residents are left out, nobody
        for a border (both sides are counted).
    edge_m : float or str, default 5000.0
        Half-width of the lists of places near the radius, in metres or like ``"5km"``.

    Returns
    -------
    ExposureVariants
        Every variant's value, the low–high range, and each full :class:`Exposure`.

    Raises
    ------
    InputError
        For an unknown country or source name (the message suggests close names), or
        no variant.

    Examples
    --------
    >>> import layers
    >>> towns = layers.settlements(country="RU", bbox=(129, 41, 134, 45))
    >>> result = exposure_variants("North Korea", towns, "200km", country="Russia",
    ...                            boundaries=["osm-sea", "naturalearth"])
    >>> result
    <ExposureVariants: residents of RU within 200 km: 1,254,919–1,263,918 over 2 variants>
    >>> result.table[["boundary", "population", "places"]]
           boundary  population  places
    0       osm-sea   1263918.0      47
    1  naturalearth   1254919.0      45
    """
    radius_m = metres(radius, "radius")
    code = None if country is None else country_record(country).iso2
    sources = _sources(source, boundaries)
    if not sources:
        raise InputError("no variants to compute; give at least one boundary variant")
    if population is None:
        populations: dict[str, Any] = {"settlements": settlements()}
    elif isinstance(population, Mapping):
        populations = dict(population)
    else:
        populations = {_layer_name(population): population}

    by: Any = [code] if code is not None else None
    rows, exposures = [], {}
    for boundary, src in sources.items():
        for pop_name, layer in populations.items():
            exp = exposure(
                src, layer, radius_m, by=by, exclude_source=exclude_source, edge_m=edge_m
            )
            exposures[(boundary, pop_name)] = exp
            at = exp.table[exp.table["radius_m"] == radius_m]
            places = at["places"].sum() if "places" in at.columns else float("nan")
            rows.append((boundary, pop_name, float(at["population"].sum()), places))
    table = pd.DataFrame(rows, columns=["boundary", "population_source", "population", "places"])
    provenance = Provenance().merge(
        *(e.provenance for e in exposures.values()),
        method="the same exposure computed over each boundary and population variant",
        radii_m=[radius_m],
        variants=[f"{b} / {p}" for b, p in exposures],
        boundary_variant=", ".join(sources),
        country_of_residence=code,
    )
    return ExposureVariants(
        radius_m=radius_m,
        country=code,
        table=table,
        low=float(table["population"].min()),
        high=float(table["population"].max()),
        exposures=exposures,
        provenance=provenance,
        warnings=tuple(dict.fromkeys(w for e in exposures.values() for w in e.warnings)),
    )
