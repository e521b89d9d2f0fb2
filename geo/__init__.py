"""riskmap geodesy: exact distances and buffers on the WGS84 ellipsoid.

Pure computation on (lon, lat) arrays and shapely geometries; no file I/O,
no mapping. Distances are in metres throughout.

Every public name is re-exported from its submodule and imported on first use
(PEP 562, as scientific-python's SPEC 1 does): ``import geo`` loads no submodule,
``geo.buffer`` loads :mod:`geo.constructive` the first time it is read.

>>> import geo
>>> geo.buffer.__module__
'geo.constructive'
"""

import importlib as _importlib
import sys as _sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports the same names
    from geo.constructive import buffer, default_tolerance, rings
    from geo.errors import (
        AccuracyWarning,
        AmbiguousError,
        CRSError,
        DataError,
        InputError,
        InputTypeError,
        RepairWarning,
        RiskmapError,
    )
    from geo.measurement import DistanceIndex, distance, distance_to, geodesic_line, radials
    from geo.points import PointIndex
    from geo.units import HALF_CIRCUMFERENCE_M, WGS84, parse_distance

__all__ = [
    "AccuracyWarning",
    "AmbiguousError",
    "CRSError",
    "DataError",
    "DistanceIndex",
    "HALF_CIRCUMFERENCE_M",
    "InputError",
    "InputTypeError",
    "PointIndex",
    "RepairWarning",
    "RiskmapError",
    "WGS84",
    "buffer",
    "default_tolerance",
    "distance",
    "distance_to",
    "geodesic_line",
    "parse_distance",
    "radials",
    "rings",
]

#: The submodule each public name lives in, imported when the name is first read.
_EXPORTS = {
    "AccuracyWarning": "geo.errors",
    "AmbiguousError": "geo.errors",
    "CRSError": "geo.errors",
    "DataError": "geo.errors",
    "DistanceIndex": "geo.measurement",
    "HALF_CIRCUMFERENCE_M": "geo.units",
    "InputError": "geo.errors",
    "InputTypeError": "geo.errors",
    "PointIndex": "geo.points",
    "RepairWarning": "geo.errors",
    "RiskmapError": "geo.errors",
    "WGS84": "geo.units",
    "buffer": "geo.constructive",
    "default_tolerance": "geo.constructive",
    "distance": "geo.measurement",
    "distance_to": "geo.measurement",
    "geodesic_line": "geo.measurement",
    "parse_distance": "geo.units",
    "radials": "geo.measurement",
    "rings": "geo.constructive",
}

if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelt name stays an error there

    def __getattr__(name: str) -> object:
        """Import a public name (or a submodule, ``geo.measurement``) on first access."""
        missing = AttributeError(
            f"module {__name__!r} has no attribute {name!r}", name=name, obj=_sys.modules[__name__]
        )
        if name in _EXPORTS:
            value = getattr(_importlib.import_module(_EXPORTS[name]), name)
        elif not name.isidentifier() or name.startswith("__"):
            raise missing  # no submodule has such a name (``__wrapped__``, ``a.b``)
        else:
            try:
                value = _importlib.import_module(f"{__name__}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{name}":
                    raise  # the submodule exists and lacks a dependency: say which
                raise missing from None
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    """List the public names and whatever is loaded already (for ``dir(geo)``, completion)."""
    return sorted(set(globals()) | set(__all__))
