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
    "DataError",
    "RepairWarning",
]


class RiskmapError(Exception):
    """Base class of every error riskmap raises."""


class InputError(RiskmapError, ValueError):
    """A value passed to riskmap is out of range, missing or malformed."""


class InputTypeError(RiskmapError, TypeError):
    """A value passed to riskmap is of a type it cannot use."""


class CRSError(InputError):
    """Data has no coordinate reference system, or one riskmap cannot use."""


class DataError(RiskmapError, RuntimeError):
    """A data file or download is missing, corrupt or inconsistent."""


class RepairWarning(UserWarning):
    """An invalid geometry was repaired before use; the result may differ from the input."""
