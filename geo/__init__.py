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

from typing import TYPE_CHECKING

from geo.lazy import attach as _attach

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
    __getattr__, __dir__ = _attach(__name__, _EXPORTS)
