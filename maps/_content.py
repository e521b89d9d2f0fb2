"""Data turned into display layers: styles, tooltips, labels and legend lines.

Each builder takes riskmap data (territories, rings, borders, settlements, two
places) in lon/lat and returns a :class:`Layer` whose geometry is simplified for
display. The renderers (:mod:`maps._folium`, :mod:`maps._png`) draw layers and
nothing else, so the interactive page and the image always show the same content.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geo
from geo.errors import InputError, InputTypeError
from geo.validation import as_points, to_wgs84
from layers.provenance import Provenance
from maps._display import display_geometry, format_int, format_km, marker_radius, top_point
from maps.panel import LegendEntry

__all__ = [
    "Layer",
    "BAND_COLORS",
    "INSIDE_COLOR",
    "OUTSIDE_COLOR",
    "as_frame",
    "provenance_of",
    "territory_layer",
    "rings_layer",
    "border_layer",
    "settlements_layer",
    "geodesic_line_layers",
    "exposure_table",
]

#: Fill colours of distance bands, innermost first.
BAND_COLORS = ("#d7301f", "#fc8d59", "#fdcc8a", "#fef0d9", "#f7f7f7")
#: Settlements inside / outside the radius.
INSIDE_COLOR = "#b2182b"
OUTSIDE_COLOR = "#4d4d4d"

_TERRITORY: dict[str, Any] = {
    "color": "#67001f",
    "weight": 2,
    "fillColor": "#b2182b",
    "fillOpacity": 0.15,
}
_CONTEXT: dict[str, Any] = {
    "color": "#7f7f7f",
    "weight": 1,
    "fillColor": "#bdbdbd",
    "fillOpacity": 0.08,
}
#: Colour of geodesic lines.
LINE_COLOR = "#2166ac"
LINE_STYLE: dict[str, Any] = {
    "color": LINE_COLOR,
    "weight": 3,
    "dashArray": "8 5",
    "fillOpacity": 0,
}


@dataclass
class Layer:
    """One display layer: simplified lon/lat features, their styles, labels and legend.

    ``features`` has a ``geometry`` column (EPSG:4326), ``style`` (index into
    ``styles``), ``tooltip`` (HTML, escaped) and, for points, ``radius`` (pixels).
    ``styles`` are Leaflet path options; ``labels`` are ``(lon, lat, text)``.
    A ``background`` layer (neighbouring countries) is drawn under all others.
    """

    name: str
    group: str
    kind: str
    features: gpd.GeoDataFrame
    styles: list[dict[str, Any]]
    labels: list[tuple[float, float, str]] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    show: bool = True
    fit: bool = True
    background: bool = False


def as_frame(data: Any, *, what: str) -> gpd.GeoDataFrame:
    """Return ``data`` as a GeoDataFrame in EPSG:4326 (refusing one without a CRS)."""
    if isinstance(data, gpd.GeoSeries):
        data = gpd.GeoDataFrame(geometry=data)
    if isinstance(data, gpd.GeoDataFrame):
        frame = to_wgs84(data, what=what)
        frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
        if frame.empty:
            raise InputError(f"{what} has no geometry (0 non-empty rows); give at least one")
        return frame
    if isinstance(data, shapely.Geometry):
        if data.is_empty:
            raise InputError(f"{what} is an empty geometry; give one with coordinates")
        return gpd.GeoDataFrame(geometry=[data], crs="EPSG:4326")
    raise InputTypeError(
        f"{what} of type {type(data).__name__} is not a GeoDataFrame, GeoSeries or shapely "
        "geometry; pass a layer from riskmap.layers or geo"
    )


def provenance_of(data: Any) -> Provenance | None:
    """Return the provenance a layer carries in ``.attrs["provenance"]``, if any."""
    prov = getattr(data, "attrs", {}).get("provenance") if hasattr(data, "attrs") else None
    return prov if isinstance(prov, Provenance) else None


def _features(geoms: Any, tolerance_m: float, *, tooltip: Sequence[str], style: Any) -> Any:
    shown = [display_geometry(g, tolerance_m) for g in geoms]
    style_col = np.broadcast_to(np.asarray(style, dtype=int), (len(shown),)).copy()
    return gpd.GeoDataFrame(
        {"style": style_col, "tooltip": list(tooltip)}, geometry=shown, crs="EPSG:4326"
    )


def _label_of(row: pd.Series, fallback: str) -> str:
    for key in ("name", "iso3", "iso2"):
        if key in row and isinstance(row[key], str) and row[key]:
            return row[key]
    return fallback


def territory_layer(
    frame: gpd.GeoDataFrame,
    tolerance_m: float,
    *,
    name: str | None,
    group: str,
    context: bool,
    color: str | None,
    show: bool,
    fit: bool | None,
    clip: tuple[float, ...] | None,
) -> Layer:
    """Build a territory layer (subject or grey context) with name/source/variant tooltips."""
    style = dict(_CONTEXT if context else _TERRITORY)
    if color:
        style.update(color=color, fillColor=color)
    geoms = frame.geometry.values
    tips = []
    for _, row in frame.iterrows():
        extra = " · ".join(
            str(row[k]) for k in ("source", "variant") if k in row and pd.notna(row[k])
        )
        tips.append(
            f"<b>{html.escape(_label_of(row, name or 'territory'))}</b>"
            + (f"<br>{html.escape(extra)}" if extra else "")
        )
    styles = [style]
    style_idx = [0] * len(geoms)
    if clip is not None:
        # Display only: neighbours cut to a box keep the page small. The cut edges are not
        # borders, so the fill is drawn without outline and the real outline as lines.
        box = shapely.box(*clip)
        outline = shapely.intersection(shapely.boundary(geoms), box)
        geoms = np.concatenate([shapely.intersection(geoms, box), outline])
        tips = tips + tips
        styles = [dict(style, weight=0), dict(style, fillOpacity=0)]
        style_idx = [0] * len(outline) + [1] * len(outline)
        keep = ~shapely.is_empty(geoms)
        geoms = geoms[keep]
        tips = [t for t, k in zip(tips, keep, strict=True) if k]
        style_idx = [i for i, k in zip(style_idx, keep, strict=True) if k]
    if name is None:
        row = frame.iloc[0]
        name = _label_of(row, "Territory") + (f" ({row['variant']})" if "variant" in row else "")
    legend = [] if context else [LegendEntry(name, "area", style["color"], style["fillColor"])]
    return Layer(
        name,
        group,
        "area",
        _features(geoms, tolerance_m, tooltip=tips, style=style_idx),
        styles,
        legend=legend,
        show=show,
        fit=(not context) if fit is None else fit,
        background=context,
    )


def rings_layer(
    rings: gpd.GeoDataFrame,
    tolerance_m: float,
    *,
    name: str | None,
    of: str,
    group: str,
    filled: bool,
    color: str | None,
    show: bool,
    fit: bool,
) -> Layer:
    """Build bands from :func:`geo.rings`, coloured inside out, labelled with their distance."""
    rings = rings.sort_values("distance_max")
    outline = color or "#7f0000"
    where = f" of {html.escape(of)}" if of else ""
    styles: list[dict[str, Any]] = []
    tips: list[str] = []
    labels: list[tuple[float, float, str]] = []
    for i, (_, row) in enumerate(rings.iterrows()):
        fill = BAND_COLORS[min(i, len(BAND_COLORS) - 1)]
        styles.append(
            {
                "color": outline,
                "weight": 1.5,
                "fillColor": fill,
                "fillOpacity": 0.3 if filled else 0.0,
            }
        )
        lo, hi = float(row["distance_min"]), float(row["distance_max"])
        tip = f"<b>{lo / 1000:g}–{hi / 1000:g} km</b>{where}<br>geodesic, WGS84"
        err = float(row["error_m"]) if "error_m" in row and pd.notna(row["error_m"]) else math.nan
        if math.isfinite(err):
            tip += f"; boundary within {err:,.1f} m of exact"
        tips.append(tip)
        lon, lat = top_point(row.geometry)
        labels.append((lon, lat, f"{hi / 1000:g} km"))
    max_km = float(rings["distance_max"].max()) / 1000
    name = name or f"Within {max_km:g} km" + (f" of {of}" if of else "")
    features = _features(rings.geometry.values, tolerance_m, tooltip=tips, style=range(len(tips)))
    legend = [LegendEntry(name, "area" if filled else "line", outline, BAND_COLORS[0])]
    return Layer(
        name, group, "area", features, styles, labels=labels, legend=legend, show=show, fit=fit
    )


def border_layer(
    frame: gpd.GeoDataFrame,
    tolerance_m: float,
    *,
    name: str | None,
    group: str,
    color: str,
    show: bool,
    fit: bool,
) -> Layer:
    """Build border lines with their geodesic length (land solid, sea dashed)."""
    first = frame.iloc[0]
    pair = "–".join(str(first[k]) for k in ("a", "b") if k in first)
    name = name or (f"{pair} border" if pair else "Border")
    styles = [
        {"color": color, "weight": 4, "opacity": 0.9},
        {"color": color, "weight": 3, "dashArray": "2 6"},
    ]
    tips, style_idx = [], []
    for _, row in frame.iterrows():
        kind = str(row["kind"]) if "kind" in row and pd.notna(row["kind"]) else ""
        if "length_m" in row:
            length = float(row["length_m"])
        else:
            length = float(geo.WGS84.geometry_length(row.geometry))
        tips.append(
            f"<b>{html.escape(name)}</b>"
            + (f" ({html.escape(kind)})" if kind else "")
            + f"<br>{format_km(length)} (geodesic length)"
        )
        style_idx.append(1 if kind == "sea" else 0)
    features = _features(frame.geometry.values, tolerance_m, tooltip=tips, style=style_idx)
    return Layer(
        name,
        group,
        "line",
        features,
        styles,
        legend=[LegendEntry(name, "line", color)],
        show=show,
        fit=fit,
    )


def settlements_layer(
    frame: gpd.GeoDataFrame,
    tolerance_m: float,
    *,
    radius_m: float | None,
    distance_column: str,
    of: str,
    name: str,
    group: str,
    max_distance_m: float | None,
    min_population: float,
    show: bool,
) -> Layer:
    """Build circle markers sized by population, coloured by distance ≤ ``radius_m`` (metres)."""
    for col in ("name", "population"):
        if col not in frame.columns:
            raise InputError(
                f"settlements have no {col!r} column (columns: {list(frame.columns)}); "
                "pass layers.settlements() or a GeoDataFrame with name and population"
            )
    dist = frame[distance_column].to_numpy(float) if distance_column in frame.columns else None
    keep = frame["population"].to_numpy(float) >= min_population
    if max_distance_m is not None and dist is not None:
        keep &= dist <= max_distance_m
    order = np.argsort(-frame["population"].to_numpy(float)[keep], kind="stable")  # small on top
    frame = frame[keep].iloc[order]
    dist = dist[keep][order] if dist is not None else None
    inside = dist <= radius_m if (dist is not None and radius_m is not None) else None
    styles = [
        {"color": INSIDE_COLOR, "weight": 1, "fillColor": INSIDE_COLOR, "fillOpacity": 0.7},
        {"color": OUTSIDE_COLOR, "weight": 1, "fillColor": "#969696", "fillOpacity": 0.6},
    ]
    where = f" from {html.escape(of)}" if of else ""
    km = "" if radius_m is None else f"{radius_m / 1000:g} km"
    tips = []
    for i, row in enumerate(frame.itertuples(index=False)):
        cc = f" ({html.escape(str(row.country))})" if hasattr(row, "country") else ""
        tip = f"<b>{html.escape(str(row.name))}</b>{cc}<br>population {format_int(row.population)}"
        if dist is not None:
            tip += f"<br>{format_km(dist[i])}{where}"
            if inside is not None:
                tip += f" – {'inside' if inside[i] else 'outside'} {km}"
        tips.append(tip)
    style_idx = np.where(inside, 0, 1) if inside is not None else np.zeros(len(frame), int)
    features = _features(frame.geometry.values, tolerance_m, tooltip=tips, style=style_idx)
    features["radius"] = marker_radius(frame["population"].to_numpy(float))
    if inside is not None:
        legend = [
            LegendEntry(f"Settlement within {km}", "point", INSIDE_COLOR, INSIDE_COLOR),
            LegendEntry(f"Settlement beyond {km}", "point", OUTSIDE_COLOR, "#969696"),
        ]
    else:
        legend = [LegendEntry(name, "point", INSIDE_COLOR, INSIDE_COLOR)]
    return Layer(name, group, "point", features, styles, legend=legend, show=show, fit=False)


def geodesic_line_layers(
    a: Any,
    b: Any,
    tolerance_m: float,
    *,
    labels: tuple[str, str],
    name: str | None,
    group: str,
    color: str,
    show: bool,
    fit: bool,
) -> tuple[Layer, Layer]:
    """Build the geodesic a–b labelled with its length, and its two ends as markers."""
    xy_a, _ = as_points(a, what="line start")
    xy_b, _ = as_points(b, what="line end")
    pa, pb = (float(xy_a[0, 0]), float(xy_a[0, 1])), (float(xy_b[0, 0]), float(xy_b[0, 1]))
    length = float(geo.distance(pa, pb))
    line = geo.geodesic_line(pa, pb)
    name = name or f"{labels[0]} – {labels[1]}"
    ends = f"{html.escape(labels[0])} – {html.escape(labels[1])}"
    tip = f"<b>{ends}</b><br>{format_km(length)} (WGS84 geodesic)"
    style = dict(LINE_STYLE, color=color)
    features = _features([line], tolerance_m, tooltip=[tip], style=0)
    middle = line.interpolate(0.5, normalized=True) if line.geom_type == "LineString" else None
    label = [(middle.x, middle.y, format_km(length, decimals=0))] if middle is not None else []
    legend = [LegendEntry(f"{name}: {format_km(length)}", "line", color, dash=style["dashArray"])]
    line_layer = Layer(
        name, group, "line", features, [style], labels=label, legend=legend, show=show, fit=fit
    )
    end_feats = _features(
        [shapely.Point(pa), shapely.Point(pb)],
        tolerance_m,
        tooltip=[f"<b>{html.escape(t)}</b>" for t in labels],
        style=0,
    )
    end_feats["radius"] = 5.0
    end_style = {"color": color, "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1.0}
    return line_layer, Layer(
        f"{name} (ends)", group, "point", end_feats, [end_style], show=show, fit=fit
    )


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
