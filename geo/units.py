"""Units and constants: distances in metres on the WGS84 ellipsoid."""

from __future__ import annotations

import math
import numbers
import re
from typing import Any

import numpy as np
from pyproj import Geod

from geo.errors import InputError, InputTypeError

__all__ = [
    "WGS84",
    "HALF_CIRCUMFERENCE_M",
    "UNITS_M",
    "parse_distance",
    "check_distance",
]

#: The ellipsoid every riskmap distance is measured on (Karney's algorithms).
WGS84 = Geod(ellps="WGS84")

#: Geodesic distance from the North Pole to the South Pole along a meridian, in metres:
#: the largest distance between two points of the ellipsoid, and the largest valid radius.
HALF_CIRCUMFERENCE_M: float = WGS84.inv(0.0, 90.0, 0.0, -90.0)[2]

#: Metres per unit, for the unit names :func:`parse_distance` accepts.
UNITS_M: dict[str, float] = {
    "m": 1.0,
    "km": 1000.0,
    "mi": 1609.344,
    "nmi": 1852.0,
}

#: Digits, with underscores between them as Python writes numbers (``1_000``).
_DIGITS = r"\d(?:_?\d)*"
_DISTANCE_RE = re.compile(
    rf"^\s*([+-]?(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?)"
    r"\s*([A-Za-z]+)\s*$"
)
#: A comma between digits, as a thousands separator would be (``1,000km``).
_THOUSANDS_RE = re.compile(r"\d,\d")


def parse_distance(
    text: str | float | int, *, name: str = "distance", positive: bool = False
) -> float:
    """Parse a distance with its unit and return it in metres.

    Parameters
    ----------
    text : str or real number
        A number followed by a unit, with or without a space: ``"200km"``,
        ``"124 mi"``, ``"108 nmi"``, ``"700000 m"``, ``"1_000km"`` (underscores
        between digits, as Python writes numbers; a comma is refused, as it could
        be a thousands separator or a decimal point). Units: m, km, mi (statute
        mile), nmi (nautical mile). A real number (Python or numpy: ``5000``,
        ``np.int64(5000)``, ``np.float32(5e4)``) is taken as metres; a string must
        name its unit, so that "200" is not read as metres by mistake.
    name : str, default "distance"
        How to call the value in error messages (``"max_distance"``, ``"spacing"``).
    positive : bool, default False
        Refuse 0 too: for a radius or a step, where a zero distance measures nothing.

    Returns
    -------
    float
        The distance in metres.

    Raises
    ------
    InputError
        If the text has no number, an unknown unit, or the distance is negative (or 0
        with ``positive``), not finite or over half the Earth's circumference.
    InputTypeError
        If the value is neither a string nor a real number (a bool, a complex number,
        a list, None).

    Examples
    --------
    >>> parse_distance("200km")
    200000.0
    >>> parse_distance("108 nmi")
    200016.0
    >>> parse_distance("1_000km")
    1000000.0
    >>> parse_distance(5000)
    5000.0
    """
    return check_distance(text, name=name, positive=positive)


def _metres_from_text(text: str, name: str) -> float:
    match = _DISTANCE_RE.match(text)
    if match is None and _THOUSANDS_RE.search(text):
        raise InputError(f"{name} {text!r} has a comma in its number; {_comma_fix(text)}")
    if match is None:
        raise InputError(
            f"{name} {text!r} is not a number followed by a unit; "
            f"write it like '200km', '124 mi', '108 nmi' or '700000 m' "
            f"(units: {', '.join(UNITS_M)})"
        )
    value, unit = match.groups()
    factor = UNITS_M.get(unit.lower())
    if factor is None:
        raise InputError(
            f"{name} {text!r} has unknown unit {unit!r}; use one of {', '.join(UNITS_M)}"
        )
    return float(value) * factor


def _comma_fix(text: str) -> str:
    """How to write a number with a comma: without it, or with ``_``, or a decimal point."""
    if re.search(r"\d,\d{3}(?!\d)", text) and not re.search(r"\d,(?!\d{3}(?!\d))", text):
        plain, grouped = text.replace(",", "").strip(), text.replace(",", "_").strip()
        return (
            "a comma is not read as a thousands separator (it could be a decimal point): "
            f"write {plain!r} or {grouped!r}"
        )
    return f"a decimal point is written '.': write {text.replace(',', '.').strip()!r}"


def _real(value: Any, name: str) -> float:
    """``value`` as a float if it is a real number (Python or numpy), else InputTypeError."""
    if isinstance(value, (bool, np.bool_)):
        raise InputTypeError(
            f"{name} {value!r} is a bool; expected a number of metres or a string like '200km'"
        )
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]  # a 0-d array is its one value
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, numbers.Complex):
        raise InputTypeError(
            f"{name} {value!r} is a complex number; expected a real number of metres "
            "(or a string like '200km')"
        )
    raise InputTypeError(
        f"{name} {value!r:.80} of type {type(value).__name__} cannot be read as a distance; "
        "expected a number of metres or a string like '200km', '124 mi', '108 nmi'"
    )


def check_distance(value: float | str, *, name: str = "distance", positive: bool = False) -> float:
    """Return ``value`` in metres if it is a valid geodesic radius, else raise.

    Parameters
    ----------
    value : real number or str
        A distance in metres (a Python or numpy real number), or a string with its
        unit such as ``"200km"`` (read by the rules of :func:`parse_distance`).
    name : str, default "distance"
        How to call the value in the error message.
    positive : bool, default False
        Refuse 0 too: for a radius or a step, where a zero distance measures nothing.

    Returns
    -------
    float
        The same distance in metres.

    Raises
    ------
    InputError
        If the value is NaN, infinite, negative (or 0 with ``positive``), or longer than half the
        Earth's circumference (20,003,931 m), beyond which no two points are;
        or a string that is not a number with a unit.
    InputTypeError
        If the value is neither a real number nor a string (a bool, a complex number,
        a list, None).

    Examples
    --------
    >>> check_distance(200_000)
    200000.0
    >>> check_distance("50km", name="max_distance")
    50000.0
    >>> try:
    ...     check_distance(-5.0, name="max_distance")
    ... except ValueError as exc:
    ...     print(str(exc).split(";")[0])
    max_distance is -5.0 m, which is negative
    >>> try:
    ...     check_distance("0km", name="radius", positive=True)
    ... except ValueError as exc:
    ...     print(exc)
    radius '0km' is 0.0 m; expected a distance above 0 metres (a zero distance measures nothing)
    """
    if isinstance(value, str):
        text, value = value, _metres_from_text(value, name)
        name = f"{name} {text!r}"
    else:
        value = _real(value, name)
    if not math.isfinite(value):
        raise InputError(f"{name} is {value!r}; expected a finite number of metres")
    least = "above 0 metres" if positive else ">= 0 metres"
    if value < 0:
        raise InputError(f"{name} is {value!r} m, which is negative; expected a distance {least}")
    if positive and value == 0:
        raise InputError(
            f"{name} is {value!r} m; expected a distance {least} (a zero distance measures nothing)"
        )
    if value > HALF_CIRCUMFERENCE_M:
        raise InputError(
            f"{name} is {value:,.0f} m, more than half the Earth's circumference "
            f"({HALF_CIRCUMFERENCE_M:,.0f} m), the largest distance between two points; "
            "did you give kilometres or another unit as metres? Use parse_distance('200km')"
        )
    return value
