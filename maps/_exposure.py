"""An exposure result as map content: its settlements, its table, its curve, its sources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

import geo
from maps.elements import Credit, Rings, Settlements
from maps.instrument import RadiusControl
from maps.panel import Curve, Note, Table

#: What an exposure adds to a map.
_Item = Rings | Settlements | Table | Curve | Note | Credit | RadiusControl

__all__ = ["exposure_items", "exposure_table"]


def exposure_table(exposure: Any, countries: Sequence[str] | None) -> pd.DataFrame:
    """Return population within each radius, a row per country of residence, largest first."""
    table = exposure.table
    if countries is not None:
        table = table[table["country"].isin(list(countries))]
    wide = table.pivot_table(
        index="country", columns="radius_m", values="population", aggfunc="sum", sort=False
    )
    wide = wide.reindex(columns=list(exposure.radii_m))
    wide.columns = [f"≤ {c / 1000:g} km" for c in wide.columns]
    return wide.sort_values(wide.columns[-1], ascending=False).reset_index()


def exposure_items(
    exposure: Any,
    *,
    radius: float | str | None,
    of: str,
    countries: Sequence[str] | None,
    max_distance: float | str | None,
    curve_step_m: float,
    show: bool,
    source: Any = None,
    rings: bool = True,
    control: bool = True,
) -> list[_Item]:
    """Return what :meth:`maps.RiskMap.add_exposure` adds, in order (see its parameters)."""
    radii = list(exposure.radii_m)
    r = radii[-1] if radius is None else geo.parse_distance(radius)
    limit = 1.1 * r if max_distance is None else geo.parse_distance(max_distance)
    where = f" of {of}" if of else ""
    since = f" from {of}" if of else ""
    items: list[_Item] = []
    if source is None:
        # An exposure brings its rings: the geometry its distances were measured to.
        source = getattr(exposure, "source_geometry", None)
    if source is not None and rings:
        items.append(Rings.around(source, radii, of=of))
    elif source is None and (rings or control):
        items.append(
            Note(
                "No rings drawn: this exposure carries no source geometry (read back from a "
                "file?); pass add_exposure(..., source=...) to draw them",
                warning=True,
            )
        )
    places = exposure.places
    if places is not None and countries is not None and "country" in places.columns:
        places = places[places["country"].isin(list(countries))]
    if places is not None and len(places):  # none left (Fiji's own excluded): no layer
        # Not "within": the places drawn reach past the radius, coloured by it.
        name = f"Settlements around {of}" if of else "Settlements"
        items.append(
            Settlements(
                places, radius_m=r, of=of, max_distance_m=limit, show=show, name=name, fit=True
            )
        )
    wide = exposure_table(exposure, countries)
    items.append(Table(f"Population within each distance{where}", wide, "{:,.0f}"))
    curve = exposure.curve(curve_step_m)
    series = {"all": curve["population"].to_numpy(float)}
    for code in (list(wide["country"]) if countries is None else list(countries))[:5]:
        by_country = exposure.curve(curve_step_m, country=code)
        series[str(code)] = by_country["population"].to_numpy(float)
    marks = [x for x in radii if x < radii[-1]] or radii
    distance_m = curve["distance_m"].to_numpy(float)
    items.append(Curve(f"Population by distance{since}", distance_m, series, tuple(marks)))
    items += [Note(text, warning=True) for text in exposure.warnings]
    items.append(Credit(exposure.provenance))
    if control:
        items.append(
            RadiusControl.of_exposure(exposure, radius=r, countries=countries, of=of, source=source)
        )
    return items
