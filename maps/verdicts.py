"""Verdicts on claims of every kind: more than, less than, between, about within a tolerance.

:func:`verdict` judges a claim over the variants of a number (boundary variants,
population variants): it holds on all of them, on none, or depends on the variant.
:class:`Claimed` is what a claim says, with the words and marks the report prints;
the same rules serve distance claims (metres) and exposure claims (people).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import InputError
from maps._display import format_int, format_km

__all__ = [
    "HOLDS",
    "DOES_NOT_HOLD",
    "DEPENDS",
    "Claimed",
    "verdict",
    "verdict_more_than",
    "verdict_about",
    "table_lines",
]

HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
DEPENDS = "depends on the variant"


def verdict(
    values: Any,
    *,
    more_than: float | None = None,
    less_than: float | None = None,
    about: float | None = None,
    tolerance: float = 0.0,
) -> str:
    """Verdict on a claim over variants: holds on all, on none, or depends on the variant.

    Parameters
    ----------
    values : float or array_like
        The value under each variant (people, or metres).
    more_than, less_than : float, optional
        The claim is strictly above ``more_than`` and/or strictly below ``less_than``.
    about : float, optional
        The claim is within ``tolerance`` of ``about`` (not with the other two).
    tolerance : float, default 0.0
        In the unit of ``about``.

    Returns
    -------
    str
        :data:`HOLDS` if the claim holds on every value, :data:`DOES_NOT_HOLD` if on
        none, else :data:`DEPENDS`.

    Examples
    --------
    >>> verdict([1_254_919, 1_323_864], less_than=1_300_000)
    'depends on the variant'
    >>> verdict(684_475.0, about=700_000.0, tolerance=35_000.0)
    'holds'
    """
    v = np.atleast_1d(np.asarray(values, dtype=float))
    if about is not None:
        if more_than is not None or less_than is not None:
            raise InputError("a claim is about a value, or more and/or less than one, not both")
        ok = np.abs(v - about) <= tolerance
    else:
        if more_than is None and less_than is None:
            raise InputError("no claim to judge: give more_than, less_than or about")
        ok = np.ones(v.shape, bool)
        if more_than is not None:
            ok &= v > more_than
        if less_than is not None:
            ok &= v < less_than
    return HOLDS if ok.all() else DOES_NOT_HOLD if not ok.any() else DEPENDS


def verdict_more_than(values: Any, threshold: float) -> str:
    """Verdict on "more than ``threshold``" over variants: :func:`verdict` with ``more_than``.

    Parameters
    ----------
    values : array_like
        The value under each variant (people).
    threshold : float
        The number claimed; "more than" is strict.

    Returns
    -------
    str
        :data:`HOLDS`, :data:`DOES_NOT_HOLD` or :data:`DEPENDS`.

    Examples
    --------
    >>> verdict_more_than([1_285_787, 1_120_000], 1_000_000)
    'holds'
    >>> verdict_more_than([1_285_787, 900_000], 1_000_000)
    'depends on the variant'
    """
    return verdict(values, more_than=threshold)


def verdict_about(value_m: float, claim_m: float, tolerance_m: float) -> str:
    """Verdict on "about ``claim_m`` metres": holds when within ``tolerance_m`` metres.

    Parameters
    ----------
    value_m, claim_m, tolerance_m : float
        The distance measured, the distance claimed and the tolerance, in metres.

    Returns
    -------
    str
        :data:`HOLDS` or :data:`DOES_NOT_HOLD`.

    Examples
    --------
    >>> verdict_about(684_393.3, 700_000.0, 35_000.0)
    'holds'
    """
    return verdict(value_m, about=claim_m, tolerance=tolerance_m)


@dataclass(frozen=True)
class Claimed:
    """What a claim says of a number: more than, less than, between, or about (±tolerance).

    Parameters
    ----------
    more_than, less_than, about : float, optional
        The claim (see :func:`verdict`), in ``unit``.
    tolerance : float, default 0.0
        Around ``about``, in ``unit``.
    unit : {"people", "m"}, default "people"
        How the numbers print: whole people, or kilometres.

    Examples
    --------
    >>> claim = Claimed(about=700_000.0, tolerance=35_000.0, unit="m")
    >>> claim.text(), claim.verdict([684_475.0])
    ('about 700 km (±35.0 km)', 'holds')
    >>> Claimed(more_than=1e6, less_than=2e6).text()
    'more than 1,000,000 and less than 2,000,000'
    """

    more_than: float | None = None
    less_than: float | None = None
    about: float | None = None
    tolerance: float = 0.0
    unit: str = "people"

    def _fmt(self, value: float, *, decimals: int = 0) -> str:
        return format_km(value, decimals=decimals) if self.unit == "m" else format_int(value)

    def verdict(self, values: Any) -> str:
        """Return :func:`verdict` of the claim on ``values``."""
        return verdict(
            values,
            more_than=self.more_than,
            less_than=self.less_than,
            about=self.about,
            tolerance=self.tolerance,
        )

    def text(self) -> str:
        """Return the claim in words."""
        if self.about is not None:
            return f"about {self._fmt(self.about)} (±{self._fmt(self.tolerance, decimals=1)})"
        parts = [f"more than {self._fmt(self.more_than)}"] if self.more_than is not None else []
        parts += [f"less than {self._fmt(self.less_than)}"] if self.less_than is not None else []
        return " and ".join(parts)

    def mark(self, value: float) -> str:
        """Return how ``value`` compares with the claim: ``> 1,000,000``, ``≥ 700 km``."""
        if self.about is not None:
            near = abs(value - self.about) <= self.tolerance
            return f"{'≈' if near else '≉'} {self._fmt(self.about)}"
        marks = []
        if self.more_than is not None:
            marks.append(f"{'>' if value > self.more_than else '≤'} {self._fmt(self.more_than)}")
        if self.less_than is not None:
            marks.append(f"{'<' if value < self.less_than else '≥'} {self._fmt(self.less_than)}")
        return ", ".join(marks)

    def margins(self, low: float, high: float, unit: str, *, one: bool = False) -> list[str]:
        """Return the margin lines over (under, around) the claim, from ``low`` to ``high``.

        ``one``: a single variant, whose one value is ``low`` (and ``high``).
        """

        def span(a: float, b: float) -> str:
            a, b = min(a, b), max(a, b)
            return f"{a:+,.0f} {unit}" if one else f"{a:+,.0f} to {b:+,.0f} {unit}"

        if self.about is not None:
            return [
                f"difference from the claim: {span(low - self.about, high - self.about)} "
                f"(tolerance ±{self.tolerance:,.0f})"
            ]
        out = []
        if self.more_than is not None:
            out.append(
                f"margin over the claim: {span(low - self.more_than, high - self.more_than)}"
            )
        if self.less_than is not None:
            out.append(
                f"margin under the claim: {span(self.less_than - high, self.less_than - low)}"
            )
        return out


_PEOPLE = ("population", "places", "low", "median", "high")


def table_lines(frame: pd.DataFrame, *, indent: str = "  ") -> list[str]:
    r"""Return a table as aligned text lines: text left, numbers right, people as whole numbers.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; ``population`` and ``places`` columns (and ``low``, ``median``,
        ``high``: people) print with thousands separators.
    indent : str, default "  "
        Put before every line.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"km": [20.0, 80.0], "population": [28_551, 1_937_456]})
    >>> print("\n".join(table_lines(frame)))
      km  population
      20      28,551
      80   1,937,456
    """

    def cell(column: str, value: Any) -> str:
        if column in _PEOPLE and isinstance(value, (int, float, np.number)):
            return format_int(float(value))
        if isinstance(value, (float, np.floating)):
            return f"{value:g}"
        return str(value)

    cells = [[cell(c, v) for c, v in zip(frame.columns, row, strict=True)] for row in frame.values]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    widths = [max([len(str(c))] + [len(r[i]) for r in cells]) for i, c in enumerate(frame.columns)]

    def line(values: list[str]) -> str:
        parts = [
            f"{v:>{w}}" if num else f"{v:<{w}}"
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return (indent + "  ".join(parts)).rstrip()

    return [line([str(c) for c in frame.columns]), *(line(r) for r in cells)]
