"""Static renderer: a map description as a PNG for reports (matplotlib's Agg canvas, no browser).

It draws the same display layers as the interactive page (areas, lines,
settlements, labels), the legend, the results panel (curve and text) and the
attribution line. The map is in plate carrée with the aspect set for the view's
mid-latitude, so that shapes are not stretched east–west.
"""

from __future__ import annotations

import html
import io
import math
import re
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.patheffects import withStroke
from matplotlib.ticker import MaxNLocator

from geo.errors import InputError
from maps.panel import SERIES_COLORS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from maps.description import MapDescription
    from maps.layer import Layer

__all__ = ["figure", "image_bytes", "png_bytes"]

# What each format records about the file: its title and maker, and no date (same map, same bytes).
_METADATA: dict[str, dict[str, str | None]] = {
    "png": {"Title": "{title}", "Software": "riskmap (matplotlib)"},
    "svg": {"Title": "{title}", "Creator": "riskmap (matplotlib)", "Date": None},
    "pdf": {"Title": "{title}", "Creator": "riskmap (matplotlib)", "CreationDate": None},
}

_DASH = (0, (4, 3))
_WRAP = 100  # characters per line of panel text
_LINE_IN = 6.5 * 1.2 / 72  # height of one line of 6.5 pt text, inches
_MARKER_SCALE = 0.8  # marker diameter in points per pixel of the page's marker radius
_NAMED_POINTS = 6  # a point layer of at most this many points is labelled with their names


def _mpl_style(style: dict[str, Any]) -> dict[str, Any]:
    return {
        "edgecolor": style.get("color", "#333333"),
        "facecolor": style.get("fillColor", style.get("color", "#333333")),
        "fill_alpha": float(style.get("fillOpacity", 0.2)),
        "linewidth": 0.6 * float(style.get("weight", 2)),
        "linestyle": _DASH if style.get("dashArray") else "solid",
    }


def _draw_layer(ax: Axes, layer: Layer) -> None:
    feats = layer.features
    kinds = feats.geometry.geom_type
    for s, part in feats.groupby("style", sort=True):
        st = _mpl_style(layer.styles[int(s)])
        polygons = part[kinds[part.index].str.contains("Polygon")]
        lines = part[kinds[part.index].str.contains("LineString")]
        if len(polygons) and st["fill_alpha"] > 0:
            polygons.plot(ax=ax, color=st["facecolor"], alpha=st["fill_alpha"], linewidth=0)
        if st["linewidth"] > 0:
            outline = polygons.boundary if len(polygons) else polygons.geometry
            for shape in (outline, lines.geometry):
                if len(shape):
                    width = st["linewidth"] * (1.3 if layer.kind == "line" else 1.0)
                    shape.plot(
                        ax=ax, color=st["edgecolor"], linewidth=width, linestyle=st["linestyle"]
                    )
    points = feats[kinds == "Point"]
    named = set()
    if len(points):
        named = _draw_points(ax, layer, points)
    for lon, lat, text in layer.labels:
        if (round(lon, 6), round(lat, 6)) in named:
            continue  # a place's name, already beside its marker
        ax.text(
            lon,
            lat,
            text,
            fontsize=7,
            fontweight="bold",
            color="#5a0000",
            ha="center",
            va="center",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
        )


def _draw_points(ax: Axes, layer: Layer, points: Any) -> set[tuple[float, float]]:
    """Draw markers largest first, so that a small town on a city stays visible.

    A marker whose outline has its fill's colour gets a thin white one instead, so
    that the circles of a city's many districts stay apart instead of merging into
    one blob. A layer of a few points (the ends of a line, the places a claim
    names) is labelled with their names beside the markers; returns where (rounded
    lon, lat), so that the layer's own labels are not drawn on them again.
    """
    radius = points["radius"].to_numpy(float) if "radius" in points else np.full(len(points), 4.0)
    order = np.argsort(-radius, kind="stable")
    points, radius = points.iloc[order], radius[order]
    styles = [_mpl_style(layer.styles[int(s)]) for s in points["style"]]
    same = [st["edgecolor"].lower() == st["facecolor"].lower() for st in styles]
    ax.scatter(
        points.geometry.x.to_numpy(),
        points.geometry.y.to_numpy(),
        s=(_MARKER_SCALE * radius) ** 2,
        c=[to_rgba(st["facecolor"], max(st["fill_alpha"], 0.5)) for st in styles],
        edgecolors=["white" if x else st["edgecolor"] for x, st in zip(same, styles, strict=True)],
        linewidths=[0.5 if x else 1.0 for x in same],
        zorder=4,
    )
    named: set[tuple[float, float]] = set()
    if len(points) > _NAMED_POINTS:
        return named
    for row, r in zip(points.itertuples(index=False), radius, strict=True):
        name = _point_name(row)
        if not name:
            continue
        named.add((round(row.geometry.x, 6), round(row.geometry.y, 6)))
        ax.annotate(
            name,
            (row.geometry.x, row.geometry.y),
            xytext=(_MARKER_SCALE * r / 2 + 3, 3),
            textcoords="offset points",
            fontsize=7.5,
            fontweight="bold",
            color="#222222",
            zorder=6,
            path_effects=[withStroke(linewidth=2.5, foreground="white")],
        )
    return named


def _point_name(row: Any) -> str:
    """Return a point's name: its ``name`` column, else its tooltip's first line as text."""
    name = getattr(row, "name", None)
    if isinstance(name, str) and name:
        return name
    tip = str(getattr(row, "tooltip", "") or "")
    first = re.split(r"<br\s*/?>", tip, maxsplit=1)[0]
    return html.unescape(re.sub(r"<[^>]+>", "", first)).strip()


def _handles(desc: MapDescription) -> list[Any]:
    handles: list[Any] = []
    shown = [e for layer in desc.layers if layer.show for e in layer.legend]
    for e in shown:
        fill = e.fill_color or e.color
        if e.kind == "area":
            handles.append(Patch(facecolor=fill, edgecolor=e.color, alpha=0.6, label=e.label))
        elif e.kind == "line":
            handles.append(
                Line2D([], [], color=e.color, lw=2, ls="--" if e.dash else "-", label=e.label)
            )
        else:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="",
                    markerfacecolor=fill,
                    markeredgecolor=e.color,
                    label=e.label,
                )
            )
    return handles


def _draw_curve(fig: Figure, rect: tuple[float, float, float, float], desc: MapDescription) -> None:
    """Draw one small panel per series, each on its own axis.

    On one axis a country of 1.3 M residents is a flat line under one of 120 M;
    stacked panels sharing the distance axis show every series' own shape. The
    claim's threshold is drawn on the panels whose range holds it.
    """
    curve = desc.panel.curves[0]
    km = curve.distance_m / 1000.0
    x, y, w, h = rect
    n = max(len(curve.series), 1)
    gap = 0.012
    each = (h - gap * (n - 1)) / n
    first = None
    for i, (label, values) in enumerate(curve.series.items()):
        ax = fig.add_axes((x, y + h - (i + 1) * each - i * gap, w, each), sharex=first)
        first = first or ax
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        ax.plot(km, values, color=color, lw=1.4)
        finite = values[np.isfinite(values)]
        top = float(finite.max()) if finite.size else 0.0
        for mark in curve.marks_m:
            ax.axvline(mark / 1000.0, color="#999999", ls=":", lw=1)
        if curve.threshold is not None and curve.threshold <= 1.5 * max(top, 1.0):
            ax.axhline(curve.threshold, color="#b2182b", ls="--", lw=1)
            top = max(top, curve.threshold)
        ax.set_ylim(0, 1.12 * top if top > 0 else 1.0)
        ax.set_xlim(0, float(km.max()) if km.size else 1.0)
        ax.text(
            0.01,
            0.95,
            label,
            transform=ax.transAxes,
            fontsize=7,
            fontweight="bold",
            color=color,
            va="top",
        )
        ax.tick_params(labelsize=6.5)
        ax.yaxis.set_major_locator(MaxNLocator(3))
        ax.yaxis.set_major_formatter(_people)
        ax.grid(alpha=0.3)
        if i < n - 1:
            ax.tick_params(labelbottom=False)
        else:
            ax.set_xlabel("distance (km)", fontsize=7)
        if i == 0:
            ax.set_title(curve.title + " (each on its own scale)", fontsize=8, loc="left")


def _people(value: float, _pos: Any = None) -> str:
    """Tick label for a count of people: 1.2 M, 350 k, 900."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:g} M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:g} k"
    return f"{value:,.0f}"


def _text_columns(desc: MapDescription, n_columns: int) -> list[str]:
    """Split the panel's text (notes, tables, method notes) into columns of similar length."""
    blocks = desc.panel.text_blocks(width=_WRAP) if desc.panel else []
    blocks.append("\n".join(textwrap.fill(n, _WRAP) for n in desc.legend_notes))
    total = sum(b.count("\n") + 2 for b in blocks)
    columns: list[list[str]] = [[] for _ in range(n_columns)]
    used, col = 0, 0
    for block in blocks:
        lines = block.count("\n") + 2
        if (
            columns[col]
            and used + lines / 2 > total * (col + 1) / n_columns
            and col < n_columns - 1
        ):
            col += 1
        columns[col].append(block)
        used += lines
    return ["\n\n".join(c) for c in columns]


class _QuietCanvas(FigureCanvasAgg):
    """An Agg canvas that draws only when the figure is saved.

    geopandas' ``plot`` asks for a redraw after every layer (``draw_idle``), which on Agg is
    a full draw of the figure so far: 19 layers cost 19 draws before the one ``savefig`` needs.
    """

    def draw_idle(self, *args: Any, **kwargs: Any) -> None:
        """Do nothing: ``savefig`` draws the finished figure."""


def figure(
    desc: MapDescription, *, dpi: int = 150, size_in: tuple[float, float] = (13.0, 8.0)
) -> Figure:
    """Draw ``desc`` on a matplotlib figure (Agg canvas) and return it.

    The map and the curves fill the top ``size_in``; the panel's notes and tables
    follow below in two columns, and the figure grows to hold them.

    Parameters
    ----------
    desc : MapDescription
        The map to draw.
    dpi : int, default 150
        Resolution in dots per inch.
    size_in : (float, float), default (13.0, 8.0)
        Width and height in inches of the map part of the figure.

    Returns
    -------
    matplotlib.figure.Figure
        The map is ``fig.axes[0]``; one axes per curve series follows.

    Examples
    --------
    >>> import shapely
    >>> from maps.description import MapDescription
    >>> from maps.elements import Territory
    >>> desc = MapDescription.compose([Territory(shapely.box(0, 0, 1, 1))], tiles=None)
    >>> fig = figure(desc, dpi=20)
    >>> [round(float(v), 2) for v in fig.axes[0].get_xlim()]
    [-0.04, 1.04]
    """
    width, top_h = size_in
    columns = _text_columns(desc, 2)
    text_h = max(c.count("\n") + 1 for c in columns) * _LINE_IN + 0.4
    height = top_h + text_h
    fig = Figure(figsize=(width, height), dpi=dpi)
    _QuietCanvas(fig)

    def rect(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        return (x / width, y / height, w / width, h / height)  # inches -> figure fraction

    curve = bool(desc.panel.curves)
    map_w = width * (0.62 if curve else 0.94)
    ax = fig.add_axes(rect(0.5, text_h + 0.6, map_w - 0.6, top_h - 1.2))
    _draw_map(ax, desc)
    if curve:
        _draw_curve(fig, rect(map_w + 0.6, text_h + 0.6, width - map_w - 0.9, top_h - 1.45), desc)
    if desc.title:
        fig.text(0.2 / width, 1 - 0.25 / height, desc.title, fontsize=12, va="top")
    credit = desc.attribution
    if credit:
        fig.text(
            0.2 / width, (text_h + 0.05) / height, f"Data: {credit}", fontsize=6.5, color="#444444"
        )
    for i, column in enumerate(columns):
        x = 0.2 + i * (width - 0.4) / len(columns)
        fig.text(
            x / width, (text_h - 0.2) / height, column, fontsize=6.5, family="monospace", va="top"
        )
    return fig


def _draw_map(ax: Axes, desc: MapDescription) -> None:
    west, south, east, north = desc.bounds
    pad_x, pad_y = 0.04 * (east - west), 0.04 * (north - south)
    for layer in desc.layers:
        if layer.show and len(layer.features):
            _draw_layer(ax, layer)
    ax.set_xlim(west - pad_x, east + pad_x)
    ax.set_ylim(south - pad_y, north + pad_y)
    ax.set_aspect(1.0 / max(math.cos(math.radians((south + north) / 2)), 0.05))
    ax.set_facecolor("#f4f6f8")
    ax.tick_params(labelsize=7)
    ax.set_xlabel("longitude (°E)", fontsize=7)
    ax.set_ylabel("latitude (°N)", fontsize=7)
    handles = _handles(desc)
    if handles:
        ax.legend(handles=handles, fontsize=7, loc="lower left", framealpha=0.9)


def image_bytes(
    desc: MapDescription,
    fmt: str = "png",
    *,
    dpi: int = 150,
    size_in: tuple[float, float] = (13.0, 8.0),
) -> bytes:
    """Draw ``desc`` and return the image file's bytes in ``fmt``.

    The same bytes for the same map: no date or random identifier is written, so
    that a report rebuilt from the same data is the same file.

    Parameters
    ----------
    desc : MapDescription
        The map to draw.
    fmt : {"png", "svg", "pdf"}, default "png"
        The format. SVG keeps text as ``<text>`` elements (searchable, editable);
        PDF embeds its fonts as TrueType.
    dpi : int, default 150
        Resolution in dots per inch (of the PNG, and of any raster part of the others).
    size_in : (float, float), default (13.0, 8.0)
        Width and height in inches of the map part of the figure.

    Returns
    -------
    bytes

    Raises
    ------
    InputError
        For a format other than these three.

    Examples
    --------
    >>> import shapely
    >>> from maps.description import MapDescription
    >>> from maps.elements import Territory
    >>> desc = MapDescription.compose([Territory(shapely.box(0, 0, 1, 1))], tiles=None)
    >>> image_bytes(desc, "pdf", dpi=20)[:5], image_bytes(desc, "svg", dpi=20)[:5]
    (b'%PDF-', b'<?xml')
    """
    if fmt not in _METADATA:
        raise InputError(
            f"image format {fmt!r} is not written; expected one of {sorted(_METADATA)}"
        )
    fig = figure(desc, dpi=dpi, size_in=size_in)
    meta = {
        key: (None if value is None else value.format(title=desc.title or "riskmap map"))
        for key, value in _METADATA[fmt].items()
    }
    buffer = io.BytesIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "riskmap", "pdf.fonttype": 42}):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=meta)
    return buffer.getvalue()


def png_bytes(
    desc: MapDescription, *, dpi: int = 150, size_in: tuple[float, float] = (13.0, 8.0)
) -> bytes:
    """Draw ``desc`` with matplotlib and return the PNG file's bytes (see :func:`image_bytes`).

    Parameters
    ----------
    desc : MapDescription
        The map to draw.
    dpi : int, default 150
        Resolution in dots per inch.
    size_in : (float, float), default (13.0, 8.0)
        Width and height in inches of the map part of the figure.

    Returns
    -------
    bytes
        A PNG image.

    Examples
    --------
    >>> import shapely
    >>> from maps.description import MapDescription
    >>> from maps.elements import Territory
    >>> desc = MapDescription.compose([Territory(shapely.box(0, 0, 1, 1))], tiles=None)
    >>> png_bytes(desc, dpi=20)[1:4]
    b'PNG'
    """
    return image_bytes(desc, "png", dpi=dpi, size_in=size_in)
