"""The results panel and the legend: what a map says in words, tables and a curve.

The same content renders as HTML (a Leaflet control on the interactive map) and
as plain text (the static image and the terminal), so that every medium shows
the same numbers.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import InputError, InputTypeError

__all__ = ["Note", "Curve", "Table", "Panel", "LegendEntry", "legend_html", "SERIES_COLORS"]

#: Line colours of curve series, in order (colour-blind safe, Okabe–Ito).
SERIES_COLORS = ("#000000", "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


@dataclass(frozen=True)
class Note:
    """A line of text in the results panel: a verdict, a caveat.

    Parameters
    ----------
    text : str
        The line, as shown (HTML is escaped when drawn).
    warning : bool, default False
        A warning about the numbers (e.g. a settlement coverage that over- or
        undercounts): listed once, after the notes, marked as a warning.

    Examples
    --------
    >>> Note("Claim 1: holds.").text
    'Claim 1: holds.'
    >>> Note("CN: the points miss people", warning=True).warning
    True
    """

    text: str
    warning: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", str(self.text))


@dataclass(frozen=True, eq=False)
class Curve:
    """Population (or any count) within a distance, for one or more series.

    Parameters
    ----------
    title : str
        Heading shown above the chart.
    distance_m : array_like
        Distances in metres, increasing.
    series : mapping of str to array_like
        Label -> value within each distance (same length as ``distance_m``).
    marks_m : sequence of float
        Distances in metres to mark with a vertical line (the radii of the map).
    threshold : float, optional
        A value to mark with a horizontal line (the claim being checked), in the
        unit of the series (people).

    Examples
    --------
    >>> curve = Curve("Population by distance", [0, 100_000, 200_000],
    ...               {"all": [0, 400_000, 1_300_000]}, marks_m=(200_000,))
    >>> curve.distance_m / 1000
    array([  0., 100., 200.])
    >>> curve.to_svg().count("<polyline")
    1
    """

    title: str
    distance_m: Any
    series: Mapping[str, Any]
    marks_m: Sequence[float] = ()
    threshold: float | None = None

    def __post_init__(self) -> None:
        distance_m = np.asarray(self.distance_m, dtype=float)
        series = {str(k): np.asarray(v, dtype=float) for k, v in self.series.items()}
        object.__setattr__(self, "distance_m", distance_m)
        object.__setattr__(self, "series", series)
        object.__setattr__(self, "marks_m", tuple(float(m) for m in self.marks_m))
        for label, values in series.items():
            if values.shape != self.distance_m.shape:
                raise InputError(
                    f"curve series {label!r} has {values.size} values but there are "
                    f"{self.distance_m.size} distances; give one value per distance"
                )

    def to_svg(self, *, width: int = 330, height: int = 170) -> str:
        """Return the curve as a small inline SVG chart (km on x, counts on y).

        Parameters
        ----------
        width, height : int, default 330, 170
            Size of the chart in pixels.

        Returns
        -------
        str
            An ``<svg>`` element.
        """
        left, right, top, bottom = 44, 8, 8, 30
        pw, ph = width - left - right, height - top - bottom
        xmax = float(self.distance_m.max()) / 1000.0 if self.distance_m.size else 1.0
        values = [v[np.isfinite(v)] for v in self.series.values()]
        ymax = max([float(v.max()) for v in values if v.size] + [self.threshold or 0.0, 1.0])
        ystep = _nice_step(ymax / 4)
        ymax = math.ceil(ymax / ystep) * ystep
        xstep = _nice_step(xmax / 5)

        def sx(km: float) -> float:
            return left + pw * km / xmax

        def sy(v: float) -> float:
            return top + ph * (1 - v / ymax)

        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" class="riskmap-curve" role="img">'
        ]
        for i in range(int(ymax / ystep) + 1):
            y = sy(i * ystep)
            parts.append(
                f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            )
            parts.append(
                f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" font-size="9">'
                f"{_short(i * ystep)}</text>"
            )
        for i in range(int(xmax / xstep + 1e-9) + 1):
            x = sx(i * xstep)
            parts.append(
                f'<text x="{x:.1f}" y="{top + ph + 12}" text-anchor="middle" font-size="9">'
                f"{i * xstep:g}</text>"
            )
        parts.append(
            f'<text x="{left + pw / 2:.1f}" y="{height - 4}" text-anchor="middle" font-size="9">'
            "distance (km)</text>"
        )
        for mark in self.marks_m:
            x = sx(mark / 1000.0)
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" stroke="#999" '
                'stroke-dasharray="3 2"/>'
            )
        if self.threshold is not None:
            y = sy(self.threshold)
            parts.append(
                f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b2182b" '
                'stroke-dasharray="4 3"/>'
            )
        for i, (label, v) in enumerate(self.series.items()):
            ok = np.isfinite(v)
            xs, ys = self.distance_m[ok] / 1000.0, v[ok]
            pts = " ".join(f"{sx(d):.1f},{sy(y):.1f}" for d, y in zip(xs, ys, strict=True))
            color = SERIES_COLORS[i % len(SERIES_COLORS)]
            parts.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="1.6" points="{pts}"/>'
            )
            parts.append(
                f'<text x="{left + 6}" y="{top + 11 + 11 * i}" font-size="9" fill="{color}">'
                f"{html.escape(label)}</text>"
            )
        parts.append(
            f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
            'stroke="#666"/></svg>'
        )
        return "".join(parts)


def _nice_step(raw: float) -> float:
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def _short(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:g} M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:g} k"
    return f"{value:g}"


@dataclass(frozen=True, eq=False)
class Table:
    """A table of results (e.g. an exposure table) with a heading.

    Parameters
    ----------
    title : str
        Heading shown above the table.
    frame : pandas.DataFrame
        The rows; integers are shown with thousands separators, floats with
        ``float_format``.
    float_format : str, default "{:,.1f}"
        How floats are shown.

    Raises
    ------
    InputTypeError
        If ``frame`` is not a DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> table = Table("Within 200 km", pd.DataFrame({"country": ["RU"], "population": [1_285_787]}))
    >>> print(table.to_text())
    Within 200 km
      country  population
      -------  ----------
      RU        1,285,787
    """

    title: str
    frame: pd.DataFrame
    float_format: str = "{:,.1f}"

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            raise InputTypeError(
                f"table of type {type(self.frame).__name__} is not a pandas DataFrame"
            )
        object.__setattr__(self, "frame", self.frame.reset_index(drop=True))

    def _cell(self, value: Any) -> str:
        if isinstance(value, (bool, np.bool_)):
            return "yes" if value else "no"
        if isinstance(value, (int, np.integer)):
            return f"{int(value):,}"
        if isinstance(value, (float, np.floating)):
            return "–" if not math.isfinite(value) else self.float_format.format(value)
        return str(value)

    def rows(self) -> list[list[str]]:
        """Return the header and the rows as strings, as shown."""
        head = [str(c) for c in self.frame.columns]
        return [head] + [[self._cell(v) for v in row] for row in self.frame.itertuples(index=False)]

    def to_html(self) -> str:
        """Return the table as an HTML ``<table>`` with a caption."""
        head, *body = self.rows()
        out = [f'<table class="riskmap-table"><caption>{html.escape(self.title)}</caption><tr>']
        out += [f"<th>{html.escape(c)}</th>" for c in head]
        out.append("</tr>")
        for row in body:
            out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
        out.append("</table>")
        return "".join(out)

    def to_text(self) -> str:
        """Return the table as aligned plain text."""
        rows = self.rows()
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = [self.title]
        for j, row in enumerate(rows):
            pairs = enumerate(zip(row, widths, strict=True))
            cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs]
            lines.append("  " + "  ".join(cells))
            if j == 0:
                lines.append("  " + "  ".join("-" * w for w in widths))
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class Panel:
    """What the results panel holds: a title, notes (verdicts), tables and curves.

    Parameters
    ----------
    title : str, default "Results"
        Heading of the panel.
    notes : sequence of str
        Lines of text, in order.
    warnings : sequence of str
        Warnings about the numbers, after the notes, each once.
    tables : sequence of Table
        Tables, in order.
    curves : sequence of Curve
        Charts, in order.

    Examples
    --------
    >>> panel = Panel(notes=["Claim 1: holds."])
    >>> print(panel.to_text())
    Results
    - Claim 1: holds.
    >>> bool(Panel())
    False
    >>> print(Panel(warnings=["CN figures undercount"]).to_text())
    Results
    - Warning: CN figures undercount
    """

    title: str = "Results"
    notes: Sequence[str] = ()
    warnings: Sequence[str] = ()
    tables: Sequence[Table] = ()
    curves: Sequence[Curve] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "notes", tuple(str(n) for n in self.notes))
        object.__setattr__(self, "warnings", tuple(dict.fromkeys(str(w) for w in self.warnings)))
        object.__setattr__(self, "tables", tuple(self.tables))
        object.__setattr__(self, "curves", tuple(self.curves))

    def __bool__(self) -> bool:
        return bool(self.notes or self.warnings or self.tables or self.curves)

    def to_html(self) -> str:
        """Return the panel's inner HTML (collapsible with a ``<details>`` element)."""
        out = [f"<details open><summary>{html.escape(self.title)}</summary>"]
        out += [f'<p class="riskmap-note">{html.escape(n)}</p>' for n in self.notes]
        out += [
            f'<p class="riskmap-note riskmap-warning">{html.escape(w)}</p>' for w in self.warnings
        ]
        out += [t.to_html() for t in self.tables]
        for c in self.curves:
            out.append(f'<div class="riskmap-curve-title">{html.escape(c.title)}</div>{c.to_svg()}')
        out.append("</details>")
        return "".join(out)

    def text_blocks(self, *, width: int | None = None) -> list[str]:
        """Return the notes (one block) and each table (one block each) as plain text.

        Parameters
        ----------
        width : int, optional
            Wrap the notes to this many characters.
        """
        lines = [*self.notes, *(f"Warning: {w}" for w in self.warnings)]
        notes = [
            textwrap.fill(n, width, initial_indent="- ", subsequent_indent="  ")
            if width
            else f"- {n}"
            for n in lines
        ]
        blocks = ["\n".join([self.title, *notes])] if notes else []
        return blocks + [t.to_text() for t in self.tables]

    def to_text(self, *, width: int | None = None) -> str:
        """Return the notes and tables as plain text (curves are drawn, not printed)."""
        return "\n".join(self.text_blocks(width=width)) if self else self.title


@dataclass(frozen=True)
class LegendEntry:
    """One line of the legend: a swatch drawn like the layer, and its label.

    Parameters
    ----------
    label : str
        The text beside the swatch.
    kind : {"area", "line", "point"}
        How the swatch is drawn.
    color : str
        Outline colour (CSS).
    fill_color : str, optional
        Fill colour; default the outline colour.
    dash : str, optional
        SVG dash pattern of a line (``"8 5"``).

    Examples
    --------
    >>> LegendEntry("Border", "line", "#000000").kind
    'line'
    """

    label: str
    kind: str
    color: str
    fill_color: str | None = None
    dash: str | None = None


def legend_html(title: str, entries: Sequence[LegendEntry], notes: Sequence[str]) -> str:
    """Return the legend's inner HTML: a swatch per entry, then the notes (methods, tolerances).

    Parameters
    ----------
    title : str
        Heading of the legend.
    entries : sequence of LegendEntry
        One row each, in order.
    notes : sequence of str
        Lines under the rows.

    Returns
    -------
    str
        HTML (text escaped).

    Examples
    --------
    >>> legend_html("Legend", [LegendEntry("Border", "line", "#000")], ["note"]).count("<svg")
    1
    """
    # Collapsible, so that a reader can uncover what it sits on.
    out = [f'<details open><summary class="riskmap-legend-title">{html.escape(title)}</summary>']
    for e in entries:
        fill = e.fill_color or e.color
        if e.kind == "area":
            sw = (
                f'<rect x="1" y="2" width="16" height="10" fill="{fill}" fill-opacity="0.45" '
                f'stroke="{e.color}"/>'
            )
        elif e.kind == "line":
            dash = f' stroke-dasharray="{e.dash}"' if e.dash else ""
            sw = f'<line x1="1" y1="7" x2="17" y2="7" stroke="{e.color}" stroke-width="3"{dash}/>'
        else:
            sw = (
                f'<circle cx="9" cy="7" r="5" fill="{fill}" fill-opacity="0.8" stroke="{e.color}"/>'
            )
        out.append(
            f'<div class="riskmap-legend-row"><svg width="18" height="14">{sw}</svg> '
            f"{html.escape(e.label)}</div>"
        )
    out += [f'<div class="riskmap-legend-note">{html.escape(n)}</div>' for n in notes]
    return "".join(out) + "</details>"
