"""Input checks and conversions, shared by every riskmap package.

Everything that enters ``geo`` passes through here once, at the door of a public
function: it leaves as plain lon/lat (EPSG:4326) numbers or shapely geometries, or it
is refused with an error that names the value, what was expected and the fix.
:mod:`layers` and :mod:`maps` use the same checks for the data they take in.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import numpy as np
import shapely
from pyproj import CRS

from geo.errors import CRSError, InputError, InputTypeError, RepairWarning

__all__ = [
    "LAT_FIX",
    "LON_FIX",
    "WGS84_CRS",
    "as_geometry",
    "as_points",
    "check_lonlat",
    "import_optional",
    "is_dask_collection",
    "to_wgs84",
]

#: EPSG:4326, lon/lat degrees on WGS84: the CRS every riskmap computation works in.
WGS84_CRS = CRS.from_epsg(4326)

#: The fix of a latitude outside [-90, 90], in Python's words (the command line says
#: it in its own: ``maps._cli_words``).
LAT_FIX = "pass (lon, lat) pairs in degrees, longitude first, or a GeoSeries with its CRS"
#: The fix of a longitude outside [-180, 180], in Python's words.
LON_FIX = (
    "wrap longitudes into [-180, 180] (((lon + 180) % 360) - 180), or pass projected "
    "data as a GeoSeries with its CRS"
)


def is_dask_collection(obj: Any) -> bool:
    """Whether ``obj`` is a Dask collection (checked by protocol, without importing Dask).

    Examples
    --------
    >>> is_dask_collection([1, 2, 3])
    False
    """
    return not isinstance(obj, type) and hasattr(obj, "__dask_graph__")


def import_optional(name: str) -> Any:
    """Import a module of riskmap's ``dask`` extra, or say how to install it.

    Parameters
    ----------
    name : str
        The module, e.g. ``"dask"`` or ``"dask_geopandas"``.

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    ImportError
        If it is not installed; the message gives the install command.

    Examples
    --------
    >>> import_optional("math").sqrt(4.0)
    2.0
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(
            f"{name!r} is needed for Dask collections but is not installed; "
            'install riskmap\'s Dask extra: pip install -e ".[dask]" in a checkout, '
            'or pip install "riskmap-<version>-py3-none-any.whl[dask]" from a built wheel'
        ) from exc


def _is_geopandas(obj: Any) -> bool:
    return (
        type(obj).__module__.startswith("geopandas")
        or hasattr(obj, "geometry")
        and hasattr(obj, "crs")
    )


def to_wgs84(data: Any, *, what: str = "data") -> Any:
    """Return a GeoSeries/GeoDataFrame in EPSG:4326, refusing one with no CRS.

    Parameters
    ----------
    data : GeoSeries or GeoDataFrame (or their dask-geopandas counterparts)
        Data with a CRS.
    what : str, default "data"
        How to call the data in the error message.

    Returns
    -------
    GeoSeries or GeoDataFrame
        ``data`` itself when it is already in lon/lat degrees on WGS84, otherwise
        reprojected with ``to_crs``.

    Raises
    ------
    CRSError
        If ``data`` has no CRS (riskmap does not guess one).

    Examples
    --------
    >>> import geopandas, shapely
    >>> metres = geopandas.GeoSeries([shapely.Point(111_319.49, 0.0)], crs="EPSG:3857")
    >>> point = to_wgs84(metres).iloc[0]
    >>> print(f"{point.x:.6f} {point.y:.6f}")
    1.000000 0.000000
    """
    crs = getattr(data, "crs", None)
    if crs is None:
        raise CRSError(
            f"{what} ({type(data).__name__}) has no CRS, and riskmap does not guess one; "
            "set it first with .set_crs('EPSG:4326') if the coordinates are lon/lat degrees, "
            "or with the CRS they are really in"
        )
    if CRS.from_user_input(crs).equals(WGS84_CRS, ignore_axis_order=True):
        return data
    return data.to_crs(WGS84_CRS)


def check_lonlat(lon: np.ndarray, lat: np.ndarray, *, what: str = "coordinates") -> None:
    """Raise if any longitude/latitude is NaN, infinite or out of range.

    Parameters
    ----------
    lon, lat : ndarray
        Longitudes in [-180, 180] and latitudes in [-90, 90], in degrees.
    what : str, default "coordinates"
        How to call the values in the error message.

    Raises
    ------
    InputError
        Naming the first bad value, its index and the fix (with a hint when the
        axes look swapped).

    Examples
    --------
    >>> import numpy as np
    >>> check_lonlat(np.array([131.9, -180.0]), np.array([43.1, -90.0]))  # fine: no output
    >>> try:
    ...     check_lonlat(np.array([131.9, 200.0]), np.array([43.1, 0.0]))
    ... except ValueError as exc:
    ...     print(str(exc).split(";")[0])
    coordinates: longitude 200.0 at index 1 is outside [-180, 180] (it wraps to -160)
    >>> try:
    ...     check_lonlat(np.array([43.1]), np.array([131.9]), what="point a")
    ... except ValueError as exc:
    ...     print(str(exc).split(";")[0])
    point a: latitude 131.9 is outside [-90, 90] (the axes may be swapped: riskmap takes \
(lon, lat), x first)
    """
    bad_nan = ~(np.isfinite(lon) & np.isfinite(lat))
    if bad_nan.any():
        i = int(np.flatnonzero(bad_nan)[0])
        raise InputError(
            f"{what} contain {int(bad_nan.sum())} NaN or infinite value(s), the first at index {i} "
            f"(lon={float(lon[i])!r}, lat={float(lat[i])!r}); "
            "drop or fill them before calling riskmap"
        )
    bad_lat = np.abs(lat) > 90
    if bad_lat.any():
        i = int(np.flatnonzero(bad_lat)[0])
        swapped = (
            " (the axes may be swapped: riskmap takes (lon, lat), x first)"
            if abs(lon[i]) <= 90
            else ""
        )
        raise InputError(
            f"{what}: latitude {float(lat[i])!r}{_at(i, lat)} is outside [-90, 90]{swapped}; "
            + LAT_FIX
        )
    bad_lon = np.abs(lon) > 180
    if bad_lon.any():
        i = int(np.flatnonzero(bad_lon)[0])
        wrapped = (float(lon[i]) + 180.0) % 360.0 - 180.0
        raise InputError(
            f"{what}: longitude {float(lon[i])!r}{_at(i, lon)} is outside [-180, 180] "
            f"(it wraps to {wrapped:g}); {LON_FIX}"
        )


def _at(i: int, values: np.ndarray) -> str:
    """Where a bad value is: nothing for one point, its index among several."""
    return "" if values.size == 1 else f" at index {i}"


def as_points(points: Any, *, what: str = "points") -> tuple[np.ndarray, bool]:
    """Return ``(xy, scalar)``: an (n, 2) float64 lon/lat array, and whether one point was given.

    Parameters
    ----------
    points : (lon, lat) pair, Point, array_like (n, 2), or GeoSeries/GeoDataFrame of points
        Points in degrees, longitude first (an array_like may also hold Points); a
        GeoSeries/GeoDataFrame needs a CRS and is reprojected to EPSG:4326. No points
        at all (``[]``, ``()``, ``np.array([])``, ``np.empty((0, 2))``, an empty
        GeoSeries) is an empty (0, 2) array, so that every caller returns an empty answer.
    what : str, default "points"
        How to call the points in error messages.

    Returns
    -------
    xy : ndarray of shape (n, 2)
        C-contiguous float64 (lon, lat) degrees, checked by :func:`check_lonlat`.
    scalar : bool
        True when a single point (a pair or a Point) was given.

    Raises
    ------
    InputError
        If a coordinate is NaN or out of range, a Point is empty or the shape is wrong.
    InputTypeError
        If the input is not numeric or holds geometries other than Points.
    CRSError
        If a GeoSeries/GeoDataFrame has no CRS.

    Examples
    --------
    >>> xy, scalar = as_points((131.87, 43.12))
    >>> xy.tolist(), scalar
    ([[131.87, 43.12]], True)
    >>> as_points([(0, 0), (1, 2)])[0].shape
    (2, 2)
    >>> as_points([])[0].shape
    (0, 2)
    """
    scalar = False
    if isinstance(points, shapely.Geometry):
        if shapely.get_type_id(points) != 0:
            raise InputTypeError(
                f"{what} is a {points.geom_type}; "
                "expected a Point, (lon, lat) pairs or an (n, 2) array"
            )
        if points.is_empty:
            raise InputError(f"{what} is an empty Point; give a Point with coordinates")
        xy = shapely.get_coordinates(points)
        scalar = True
    elif _is_geopandas(points):
        series = to_wgs84(points, what=what)
        geoms = np.asarray(getattr(series, "geometry", series))
        xy = _points_from_geometries(geoms, what)
    else:
        if points is None or isinstance(points, (dict, set, str, bytes)):
            raise InputTypeError(
                f"{what} {points!r:.80} of type {type(points).__name__} cannot be read as points; "
                "expected a (lon, lat) pair, a list or (n, 2) array of them, shapely Points, "
                "or a GeoSeries/GeoDataFrame of points with a CRS"
            )
        try:
            arr = np.asarray(points)
        except Exception as exc:  # ragged input and the like
            raise InputTypeError(f"{what} {points!r} cannot be read as (lon, lat) pairs") from exc
        if arr.size == 0 and arr.ndim <= 2 and (arr.ndim < 2 or arr.shape[1] == 2):
            # [], (), np.array([]) and np.empty((0, 2)) alike: no points, an empty answer.
            xy = np.empty((0, 2))
        elif arr.dtype == object:
            xy = _points_from_geometries(arr.ravel(), what)
        elif arr.dtype.kind in "cb":  # float() of a complex drops its imaginary part
            raise InputTypeError(
                f"{what} {points!r:.80} holds {arr.dtype} values; expected real (lon, lat) "
                "pairs in degrees"
            )
        else:
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise InputTypeError(
                    f"{what} {points!r} of type {type(points).__name__} is not numeric; "
                    "expected (lon, lat) pairs in degrees"
                ) from exc
            if arr.ndim == 1 and arr.shape[0] == 2:
                xy = arr.reshape(1, 2)
                scalar = True
            elif arr.ndim == 2 and arr.shape[1] == 2:
                xy = arr
            else:
                raise InputError(
                    f"{what} has shape {arr.shape}; "
                    "expected a (lon, lat) pair or an array of shape (n, 2)"
                )
    xy = np.ascontiguousarray(xy, dtype=np.float64)
    check_lonlat(xy[:, 0], xy[:, 1], what=what)
    return xy, scalar


def _points_from_geometries(geoms: np.ndarray, what: str) -> np.ndarray:
    if len(geoms) == 0:
        return np.empty((0, 2))
    is_geometry = np.array([isinstance(g, shapely.Geometry) for g in geoms])
    if not is_geometry.all():
        i = int(np.flatnonzero(~is_geometry)[0])
        found = (
            "mixes geometries and other values"
            if is_geometry.any()
            else "holds values that are neither numbers nor geometries"
        )
        raise InputTypeError(
            f"{what} {found}: {geoms[i]!r:.60} of type {type(geoms[i]).__name__} at index {i}; "
            "expected (lon, lat) pairs of numbers in degrees, or shapely Points"
        )
    types = shapely.get_type_id(geoms)
    if (types != 0).any():
        i = int(np.flatnonzero(types != 0)[0])
        raise InputTypeError(
            f"{what} holds a {geoms[i].geom_type} at index {i}; expected Points only "
            "(use .representative_point() or .centroid for areas)"
        )
    empty = shapely.is_empty(geoms)
    if empty.any():
        raise InputError(
            f"{what} holds {int(empty.sum())} empty Point(s), "
            f"the first at index {int(np.flatnonzero(empty)[0])}; "
            "drop them before calling riskmap"
        )
    return shapely.get_coordinates(geoms)


def as_geometry(geometry: Any, *, what: str = "geometry") -> shapely.Geometry:
    """Return one valid, non-empty shapely geometry in lon/lat degrees.

    Parameters
    ----------
    geometry : shapely geometry, (lon, lat) pair, GeoSeries or GeoDataFrame
        A shapely geometry is taken as lon/lat degrees; a GeoSeries/GeoDataFrame needs a
        CRS and is reprojected to EPSG:4326, and its rows are unioned.
    what : str, default "geometry"
        How to call the geometry in error and warning messages.

    Returns
    -------
    shapely.Geometry
        Valid and non-empty, coordinates in range. A GeometryCollection is unioned
        into what can be measured; an invalid geometry is repaired with
        ``shapely.make_valid``, with a :class:`RepairWarning`.

    Raises
    ------
    InputError
        If the geometry is empty or has coordinates out of range.
    InputTypeError
        If the value is not a geometry.
    CRSError
        If a GeoSeries/GeoDataFrame has no CRS.

    Examples
    --------
    >>> as_geometry((131.87, 43.12)).wkt
    'POINT (131.87 43.12)'
    >>> import geopandas, shapely
    >>> rows = geopandas.GeoSeries([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs=4326)
    >>> as_geometry(rows).bounds
    (0.0, 0.0, 2.0, 1.0)
    """
    if _is_geopandas(geometry):
        data = to_wgs84(geometry, what=what)
        geoms = np.asarray(getattr(data, "geometry", data))
        geoms = geoms[~shapely.is_missing(geoms)]
        geom = (
            shapely.union_all(geoms)
            if len(geoms) > 1
            else (geoms[0] if len(geoms) else shapely.Point())
        )
    elif isinstance(geometry, shapely.Geometry):
        geom = geometry
    elif isinstance(geometry, (tuple, list, np.ndarray)) and np.shape(geometry) == (2,):
        xy, _ = as_points(geometry, what=what)
        geom = shapely.Point(xy[0])
    else:
        raise InputTypeError(
            f"{what} {geometry!r:.80} of type {type(geometry).__name__} is not a geometry; "
            "expected a shapely geometry in lon/lat, a (lon, lat) pair, "
            "or a GeoSeries/GeoDataFrame with a CRS"
        )
    if geom is None or geom.is_empty:
        raise InputError(f"{what} is empty; give a geometry with coordinates")
    if shapely.get_type_id(geom) == 7:  # GeometryCollection: keep what we can measure
        geom = shapely.union_all(shapely.get_parts(geom))
    coords = shapely.get_coordinates(geom)
    check_lonlat(coords[:, 0], coords[:, 1], what=f"{what} coordinates")
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        geom = shapely.make_valid(geom)
        warnings.warn(
            f"{what} was invalid ({reason}) and was repaired with shapely.make_valid; "
            "check the result, or repair the geometry yourself before calling riskmap",
            RepairWarning,
            stacklevel=3,
        )
    return geom
