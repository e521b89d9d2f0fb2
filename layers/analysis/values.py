"""Plain values shared by the exposure workers: distances, radius labels, country codes, JSON.

Every distance :func:`layers.exposure` takes (radii, ``edge_m``, a curve's step, a
radius asked of a result) goes through :func:`metres`, so that numbers of any kind
(Python, numpy scalars) and strings with their unit mean the same everywhere, and
anything else is refused by name.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import InputError, InputTypeError
from geo.units import check_distance, parse_distance
from layers.countries import resolve_countries

__all__ = ["country_codes", "json_default", "metres", "parse_radii", "radius_label", "records"]


def radius_label(r: float) -> str:
    """Return how a radius is written in column names and messages.

    Parameters
    ----------
    r : float
        The radius, in metres.

    Returns
    -------
    str
        Kilometres from 1 km on, metres below.

    Examples
    --------
    >>> radius_label(200_000.0), radius_label(12_500.0), radius_label(500.0)
    ('200km', '12.5km', '500m')
    """
    return f"{r / 1000:g}km" if r >= 1000 else f"{r:g}m"


def metres(value: Any, name: str = "distance") -> float:
    """Return one distance in metres: a number, a numpy scalar or a string with its unit.

    Parameters
    ----------
    value : float, int, numpy scalar or str
        Metres (``50_000``, ``np.int64(50_000)``, ``np.float32(5e4)``, a 0-d array), or
        a string with a unit (``"50km"``, ``"27 nmi"``).
    name : str, default "distance"
        How the value is called in error messages (``"edge_m"``, ``"step_m"``).

    Returns
    -------
    float
        The distance in metres, in [0, half the Earth's circumference].

    Raises
    ------
    InputTypeError
        For a bool, a complex number, None or anything that is not a number or a string.
    InputError
        For a negative, NaN or too large distance, or a string without a known unit.

    Examples
    --------
    >>> import numpy as np
    >>> metres(np.int64(1000)), metres(np.float32(5e4)), metres("5km")
    (1000.0, 50000.0, 5000.0)
    >>> metres(5e4 + 1j, "edge_m")
    Traceback (most recent call last):
    ...
    geo.errors.InputTypeError: edge_m (50000+1j) is a complex number; expected a real \
number of metres or a string like '200km'
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)):
        raise InputTypeError(
            f"{name} {value!r} is a bool; expected a number of metres or a string like '200km'"
        )
    if isinstance(value, (complex, np.complexfloating)):
        raise InputTypeError(
            f"{name} {value!r} is a complex number; expected a real number of metres "
            "or a string like '200km'"
        )
    if isinstance(value, numbers.Real):  # int, float and numpy's integer and float scalars
        return check_distance(float(value), name=name)
    if isinstance(value, str):
        return parse_distance(value)
    raise InputTypeError(
        f"{name} {value!r:.60} of type {type(value).__name__} is not a distance; expected a "
        "number of metres (int, float or a numpy scalar) or a string like '200km', '108 nmi'"
    )


def parse_radii(radii: Any) -> np.ndarray:
    """Return radii as sorted, unique metres.

    Parameters
    ----------
    radii : float, str, numpy scalar or array, or sequence of them
        Distances in metres (Python or numpy numbers), or strings with a unit
        (``"200km"``, ``"108 nmi"``); see :func:`metres`.

    Returns
    -------
    numpy.ndarray
        The radii in metres, ascending, each once.

    Raises
    ------
    InputError
        For no radius (an empty list or array), or a radius :func:`metres` refuses
        (negative, NaN, beyond half the Earth's circumference, an unknown unit).
    InputTypeError
        For None, a mapping, a complex number or another value that is not a distance.

    Examples
    --------
    >>> import numpy as np
    >>> parse_radii(["200km", 50_000, "50 km", np.int64(100_000)]).tolist()
    [50000.0, 100000.0, 200000.0]
    >>> parse_radii(None)
    Traceback (most recent call last):
    ...
    geo.errors.InputTypeError: radii None of type NoneType is not usable; expected a distance \
('200km', 50_000) or a list of them
    """
    if isinstance(radii, np.ndarray):
        items = list(radii.ravel()) if radii.ndim else [radii]
    elif isinstance(radii, (str, numbers.Number, np.generic)):
        items = [radii]
    elif isinstance(radii, Iterable) and not isinstance(radii, (Mapping, bytes)):
        items = list(radii)
    else:
        raise InputTypeError(
            f"radii {radii!r:.60} of type {type(radii).__name__} is not usable; expected a "
            "distance ('200km', 50_000) or a list of them"
        )
    if not items:
        raise InputError(
            "radii is empty; give one distance or a list, e.g. '200km' or [50_000, 100_000]"
        )
    values = [metres(item, "radius") for item in items]
    return np.unique(np.asarray(values, dtype=np.float64))


def country_codes(countries: Any) -> list[str]:
    """Return the ISO 3166-1 alpha-2 codes of countries named by code or name.

    Parameters
    ----------
    countries : str, Country or sequence of them
        Anything :func:`layers.country` accepts (``"RU"``, ``"RUS"``, ``"Russia"``).

    Returns
    -------
    list of str
        The codes, in the order given, each once.

    Raises
    ------
    InputError
        For an unknown or ambiguous name (the message suggests close names), or none.

    Examples
    --------
    >>> country_codes(["Russia", "CN", "RUS"])
    ['RU', 'CN']
    """
    return [record.iso2 for record in resolve_countries(countries)]


# -- plain values ------------------------------------------------------------


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a table's rows as JSON-ready dicts (missing values as None).

    Parameters
    ----------
    df : pandas.DataFrame
        Any table.

    Returns
    -------
    list of dict
        One dict per row, column name to value (see :func:`json_default`).

    Examples
    --------
    >>> import pandas as pd
    >>> records(pd.DataFrame({"country": ["RU", None], "population": [12.0, float("nan")]}))
    [{'country': 'RU', 'population': 12.0}, {'country': None, 'population': None}]
    """
    clean = df.astype(object).where(df.notna(), None)
    return [{str(k): json_default(v) for k, v in row.items()} for row in clean.to_dict("records")]


def json_default(value: Any) -> Any:
    """Return a value as JSON can hold it: numpy scalars as Python, NaN as None.

    Parameters
    ----------
    value : Any
        A number, string, array, list, dict, or anything else (then its ``str``).

    Returns
    -------
    Any
        ``bool``, ``int``, ``float`` (finite), ``str``, None, or lists and dicts of them.

    Examples
    --------
    >>> import numpy as np
    >>> json_default({"n": np.int64(3), "d": np.array([1.5, np.inf]), "ok": np.bool_(True)})
    {'n': 3, 'd': [1.5, None], 'ok': True}
    """
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return [json_default(v) for v in value.tolist()]
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [json_default(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_default(v) for k, v in value.items()}
    return str(value)
