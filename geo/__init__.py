"""riskmap geodesy: exact distances and buffers on the WGS84 ellipsoid.

Pure computation on (lon, lat) arrays and shapely geometries; no file I/O,
no mapping. Distances are in metres throughout.
"""

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
