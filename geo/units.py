"""Units and constants: distances in metres on the WGS84 ellipsoid."""

from __future__ import annotations

import math
import re

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

_DISTANCE_RE = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z]+)\s*$")


def parse_distance(text: str | float | int) -> float:
    """Parse a distance with its unit and return it in metres.

    Parameters
    ----------
    text : str, float or int
        A number followed by a unit, with or without a space: ``"200km"``,
        ``"124 mi"``, ``"108 nmi"``, ``"700000 m"``. Units: m, km, mi (statute
        mile), nmi (nautical mile). A number (int or float) is taken as metres; a
        string must name its unit, so that "200" is not read as metres by mistake.

    Returns
    -------
    float
        The distance in metres.

    Raises
    ------
    InputError
        If the text has no number, an unknown unit, or a negative value.

    Examples
    --------
    >>> parse_distance("200km")
    200000.0
    >>> parse_distance("108 nmi")
    200016.0
    >>> parse_distance(5000)
    5000.0
    """
    if isinstance(text, bool):
        raise InputTypeError(
            f"distance {text!r} is a bool; expected a number of metres or a string like '200km'"
        )
    if isinstance(text, (int, float)):
        return check_distance(float(text))
    if not isinstance(text, str):
        raise InputTypeError(
            f"distance {text!r} of type {type(text).__name__} cannot be read; "
            "expected a string like '200km', '124 mi', '108 nmi' or a number of metres"
        )
    match = _DISTANCE_RE.match(text)
    if match is None:
        raise InputError(
            f"distance {text!r} is not a number followed by a unit; "
            f"write it like '200km', '124 mi', '108 nmi' or '700000 m' "
            f"(units: {', '.join(UNITS_M)})"
        )
    value, unit = match.groups()
    factor = UNITS_M.get(unit.lower())
    if factor is None:
        raise InputError(
            f"distance {text!r} has unknown unit {unit!r}; use one of {', '.join(UNITS_M)}"
        )
    return check_distance(float(value) * factor, name=f"distance {text!r}")


def check_distance(value: float, *, name: str = "distance") -> float:
    """Return ``value`` (metres) if it is a valid geodesic radius, else raise.

    Parameters
    ----------
    value : float
        A distance in metres.
    name : str, default "distance"
        How to call the value in the error message.

    Returns
    -------
    float
        The same distance in metres.

    Raises
    ------
    InputError
        If the value is NaN, infinite, negative, or longer than half the
        Earth's circumference (20,003,931 m), beyond which no two points are.

    Examples
    --------
    >>> check_distance(200_000)
    200000.0
    >>> try:
    ...     check_distance(-5.0, name="max_distance")
    ... except ValueError as exc:
    ...     print(str(exc).split(";")[0])
    max_distance is -5.0 m, which is negative
    """
    value = float(value)
    if not math.isfinite(value):
        raise InputError(f"{name} is {value!r}; expected a finite number of metres")
    if value < 0:
        raise InputError(
            f"{name} is {value!r} m, which is negative; expected a distance >= 0 metres"
        )
    if value > HALF_CIRCUMFERENCE_M:
        raise InputError(
            f"{name} is {value:,.0f} m, more than half the Earth's circumference "
            f"({HALF_CIRCUMFERENCE_M:,.0f} m), the largest distance between two points; "
            "did you give kilometres or another unit as metres? Use parse_distance('200km')"
        )
    return value
