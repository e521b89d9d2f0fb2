"""Static renderer: a RiskMap as a PNG for reports (matplotlib's Agg canvas, no browser).

It draws the same display layers as the interactive page (areas, lines,
settlements, labels), the legend, the results panel (curve and text) and the
attribution line. The map is in plate carrée with the aspect set for the view's
mid-latitude, so that shapes are not stretched east–west.
"""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from maps._io import atomic_path
from maps.panel import SERIES_COLORS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from maps._content import Layer
    from maps.riskmap import RiskMap

__all__ = ["save_png"]

_DASH = (0, (4, 3))


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
        points = part[kinds[part.index] == "Point"]
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
        if len(points):
            xy = np.array([(g.x, g.y) for g in points.geometry])
            radius = (
                points["radius"].to_numpy(float)
                if "radius" in points
                else np.full(len(points), 4.0)
            )
            ax.scatter(
                xy[:, 0],
                xy[:, 1],
                s=(0.9 * radius) ** 2,
                c=st["facecolor"],
                edgecolors=st["edgecolor"],
                linewidths=0.4,
                alpha=max(st["fill_alpha"], 0.5),
                zorder=4,
            )
    for lon, lat, text in layer.labels:
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


def _handles(rmap: RiskMap) -> list[Any]:
    handles: list[Any] = []
    shown = [e for layer in rmap.layers if layer.show for e in layer.legend]
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


def _draw_panel(fig: Figure, rmap: RiskMap) -> None:
    panel = rmap.panel
    top = 0.9
    if panel.curves:
        curve = panel.curves[0]
        ax = fig.add_axes((0.69, 0.56, 0.29, 0.32))
        km = curve.distance_m / 1000.0
        for i, (label, values) in enumerate(curve.series.items()):
            ax.plot(km, values, color=SERIES_COLORS[i % len(SERIES_COLORS)], lw=1.4, label=label)
        for mark in curve.marks_m:
            ax.axvline(mark / 1000.0, color="#999999", ls=":", lw=1)
        if curve.threshold is not None:
            ax.axhline(curve.threshold, color="#b2182b", ls="--", lw=1)
        ax.set_title(curve.title, fontsize=8, loc="left")
        ax.set_xlabel("distance (km)", fontsize=7)
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_formatter(
            lambda v, _pos: f"{v / 1e6:g} M" if abs(v) >= 1e6 else f"{v:,.0f}"
        )
        ax.legend(fontsize=6, loc="upper left", frameon=False)
        ax.grid(alpha=0.3)
        top = 0.5
    text = panel.to_text(width=72) if panel else ""
    notes = "\n".join(textwrap.fill(n, 72) for n in rmap.legend_notes_all())
    fig.text(
        0.69,
        top,
        f"{text}\n\n{notes}".strip(),
        fontsize=6.5,
        family="monospace",
        va="top",
        wrap=False,
    )


def save_png(
    rmap: RiskMap,
    path: str | os.PathLike[str],
    *,
    dpi: int = 150,
    size_in: tuple[float, float] = (13.0, 8.0),
) -> Path:
    """Draw ``rmap`` with matplotlib and write it as a PNG, atomically.

    Parameters
    ----------
    rmap : RiskMap
        The map to draw.
    path : str or path-like
        The PNG file to write.
    dpi : int, default 150
        Resolution in dots per inch.
    size_in : (float, float), default (13.0, 8.0)
        Figure width and height in inches.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    fig = Figure(figsize=size_in, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.07, 0.64, 0.85))
    west, south, east, north = rmap.view_bounds()
    pad_x, pad_y = 0.04 * (east - west), 0.04 * (north - south)
    for layer in rmap.layers:
        if layer.show and len(layer.features):
            _draw_layer(ax, layer)
    ax.set_xlim(west - pad_x, east + pad_x)
    ax.set_ylim(south - pad_y, north + pad_y)
    ax.set_aspect(1.0 / max(math.cos(math.radians((south + north) / 2)), 0.05))
    ax.set_facecolor("#f4f6f8")
    ax.tick_params(labelsize=7)
    ax.set_xlabel("longitude (°E)", fontsize=7)
    ax.set_ylabel("latitude (°N)", fontsize=7)
    handles = _handles(rmap)
    if handles:
        ax.legend(handles=handles, fontsize=7, loc="lower left", framealpha=0.9)
    if rmap.title:
        fig.suptitle(rmap.title, fontsize=12, x=0.02, ha="left")
    credit = rmap.attribution()
    fig.text(0.02, 0.015, f"Data: {credit}" if credit else "", fontsize=6.5, color="#444444")
    _draw_panel(fig, rmap)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    return Path(path)
