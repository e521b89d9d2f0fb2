"""Exceptions and warnings raised by riskmap.

Every error is a :class:`RiskmapError` and also the built-in type that fits
(``ValueError`` for bad values, ``TypeError`` for bad types), so callers can
catch either. Messages name the value received, what was expected and the fix.
"""

from __future__ import annotations

__all__ = [
    "RiskmapError",
    "InputError",
    "InputTypeError",
    "CRSError",
    "AmbiguousError",
    "DataError",
    "RepairWarning",
    "AccuracyWarning",
]


class RiskmapError(Exception):
    """Base class of every error riskmap raises.

    Examples
    --------
    >>> import geo
    >>> try:
    ...     geo.parse_distance("200 parsecs")
    ... except RiskmapError as exc:
    ...     print(type(exc).__name__)
    InputError
    """


class InputError(RiskmapError, ValueError):
    """A value passed to riskmap is out of range, missing or malformed.

    Also a ``ValueError``, so code that catches those catches it too.

    Examples
    --------
    >>> import geo
    >>> try:
    ...     geo.distance((100.0, 95.0), (0.0, 0.0))
    ... except ValueError as exc:
    ...     print(isinstance(exc, InputError), str(exc).split(";")[0])
    True a: latitude 95.0 is outside [-90, 90]
    """


class InputTypeError(RiskmapError, TypeError):
    """A value passed to riskmap is of a type it cannot use.

    Also a ``TypeError``, so code that catches those catches it too.

    Examples
    --------
    >>> import geo
    >>> try:
    ...     geo.parse_distance(["200km"])
    ... except TypeError as exc:
    ...     print(isinstance(exc, InputTypeError))
    True
    """


class CRSError(InputError):
    """Data has no coordinate reference system, or one riskmap cannot use.

    An :class:`InputError`, hence also a ``ValueError``: riskmap never guesses a CRS.

    Examples
    --------
    >>> import geopandas, shapely
    >>> import geo
    >>> naive = geopandas.GeoSeries([shapely.Point(0, 0)])  # no CRS
    >>> try:
    ...     geo.distance_to(naive, shapely.Point(1, 0))
    ... except ValueError as exc:
    ...     print(isinstance(exc, CRSError))
    True
    """


class AmbiguousError(InputError):
    """A name matches several things (countries, places); the message lists the candidates.

    An :class:`InputError`, hence also a ``ValueError``: riskmap never picks one silently.

    Examples
    --------
    >>> try:
    ...     raise AmbiguousError("country 'Korea' is ambiguous: KP or KR")
    ... except ValueError as exc:
    ...     print(type(exc).__name__, isinstance(exc, InputError))
    AmbiguousError True
    """


class DataError(RiskmapError, RuntimeError):
    """A data file or download is missing, corrupt or inconsistent.

    Also a ``RuntimeError``: the data, not the call, is at fault.

    Examples
    --------
    >>> try:
    ...     raise DataError("countries.csv is missing; run the data build first")
    ... except RuntimeError as exc:
    ...     print(isinstance(exc, RiskmapError), exc)
    True countries.csv is missing; run the data build first
    """


class RepairWarning(UserWarning):
    """An invalid geometry was repaired before use; the result may differ from the input.

    Examples
    --------
    >>> import warnings, shapely
    >>> import geo
    >>> bowtie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = geo.distance_to((1.0, 0.5), bowtie)
    >>> [w.category.__name__ for w in caught]
    ['RepairWarning']
    """


class AccuracyWarning(UserWarning):
    """A result missed the accuracy it promises; the error it did achieve is in the message.

    :func:`geo.buffer` and :func:`geo.rings` bound the error of every boundary point; when
    that bound exceeds the tolerance asked for (by default max(10 m, 5e-5 × radius)) they
    still return the result, with its true bound as ``error_m``, and warn with this class.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("boundary error 12.0 m, over 10.0 m", AccuracyWarning, stacklevel=1)
    >>> [w.category.__name__ for w in caught]
    ['AccuracyWarning']
    """
