"""Tables of sites with their own ranges, and files as sources.

A *sites table* lists points with a name and one or more ranges each: nuclear plants
with their emergency-planning zones, launch sites with the reach of what they launch.
:func:`read_sites` checks one into a GeoDataFrame; :func:`sites_exposure` counts the
people within every range of every site, with one settlement index
(:class:`geo.PointIndex`) and one batch of exact ``Geod.inv`` distances for all sites.
"""

from __future__ import annotations

import re
from typing import Any

import geopandas
import numpy as np
import pandas as pd

from geo.errors import CRSError, InputError
from geo.units import parse_distance
from geo.validation import as_points, to_wgs84
from layers.provenance import DataSource, Provenance
from layers.settlement_tables import read_table
from layers.sources import Source

__all__ = ["RANGE_COLUMNS", "read_sites", "sites_source"]

#: Columns :func:`read_sites` looks for when no ``range=`` is given, in this order, with
#: or without a unit at the end of the name (``range_km``, ``radius (nmi)``).
RANGE_COLUMNS = ("range", "radius", "ranges", "zones")

#: Units a range column's name may end with, and their metres.
_COLUMN_UNITS = {"km": 1000.0, "m": 1.0, "mi": 1609.344, "nmi": 1852.0}
_UNIT_SUFFIX = re.compile(r"[_ ]\(?(km|m|mi|nmi)\)?$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[;/]|(?<!\d),|,(?!\d)")  # a comma between digits is in a number


def _column_unit(column: str) -> float | None:
    """Metres per unit of a column named ``range_km`` (``radius (mi)``...), else None."""
    match = _UNIT_SUFFIX.search(str(column))
    return _COLUMN_UNITS[match.group(1).lower()] if match else None


def _parse_ranges(value: Any, unit: float | None, where: str, column: str) -> tuple[float, ...]:
    """Return one site's ranges (metres, ascending, no repeats) from its cell."""
    fix = f"write the unit in each value ('30km'), or name the column with its unit ('{column}_km')"
    if value is None or (isinstance(value, float) and np.isnan(value)):
        raise InputError(f"{where} has no range (empty {column!r} cell); give one, e.g. 30km")
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"{where} has range {value!r} in {column!r}; expected a distance")
    if isinstance(value, (int, float, np.integer, np.floating)):
        items: list[Any] = [float(value)]
    else:
        items = [v.strip() for v in _SEPARATORS.split(str(value)) if v.strip()]
        if not items:
            raise InputError(f"{where} has no range (empty {column!r} cell); give one, e.g. 30km")
    out = []
    for item in items:
        number = pd.to_numeric(pd.Series([item]), errors="coerce").iloc[0]
        bare = not pd.isna(number)
        if bare and unit is None:
            raise InputError(f"{where} has range {item!r} without a unit in {column!r}; {fix}")
        if not bare and unit is not None:
            raise InputError(
                f"{where} has range {item!r} in {column!r}, whose name gives the unit; "
                "write bare numbers there, or drop the unit from the column's name"
            )
        text = f"{float(number) * unit!r} m" if bare and unit is not None else item
        try:
            out.append(parse_distance(text))
        except InputError as exc:
            raise InputError(f"{where}: range {item!r} in {column!r}: {exc}") from None
    return tuple(sorted(set(out)))


def _range_column(frame: Any, range_: str | None, label: str) -> str:
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    if range_ is not None:
        if range_ not in frame.columns:
            raise InputError(
                f"sites {label} have no range column {range_!r}; columns present: "
                f"{columns!r}; name the column that holds each site's range"
            )
        return range_
    bases = {_UNIT_SUFFIX.sub("", c).strip().lower(): c for c in reversed(columns)}
    found = next((bases[c] for c in RANGE_COLUMNS if c in bases), None)
    if found is None:
        raise InputError(
            f"sites {label} have no range column (looked for {', '.join(RANGE_COLUMNS)}; "
            f"columns present: {columns!r}); name it with range='COLUMN', or give one "
            "radius for every site with radius='30km'"
        )
    return found


def _common_radii(radius: Any) -> tuple[float, ...]:
    values = np.atleast_1d(np.asarray(radius, dtype=object))
    if not len(values):
        raise InputError("radius is empty; give one or more distances, e.g. ['20km', '30km']")
    return tuple(sorted({parse_distance(v) for v in values}))


def read_sites(
    data: Any,
    *,
    range: str | None = None,  # noqa: A002 - the word users write in scenario files too
    radius: Any = None,
    name: str = "name",
    crs: Any = None,
    lon: str | None = None,
    lat: str | None = None,
) -> Any:
    """Check a table of sites with their own ranges.

    Parameters
    ----------
    data : GeoDataFrame, DataFrame or path
        Points: a GeoDataFrame (with its CRS), any file geopandas reads (GeoJSON,
        GeoPackage, Shapefile, FlatGeobuf, GeoParquet, with the CRS it declares), or a
        CSV / DataFrame with longitude and latitude columns.
    range : str, optional
        Column holding each site's range(s): distances with their unit (``"30km"``,
        ``"20km; 30km; 80km"`` for several), or bare numbers in a column whose name
        ends with its unit (``range_km``, ``radius_m``, ``range_nmi``, ``range (mi)``).
        Default: the first column of :data:`RANGE_COLUMNS` present.
    radius : float, str or sequence of them, optional
        The same range(s) for every site instead, in metres or with a unit
        (``["20km", "30km", "80km"]``). Not together with ``range``.
    name : str, default "name"
        Column holding the site names, which must be unique.
    crs : CRS input, optional
        CRS of the coordinate columns of a CSV / DataFrame (e.g. ``"EPSG:4326"``);
        required for them: riskmap does not assume lon/lat.
    lon, lat : str, optional
        Names of the coordinate columns of a CSV / DataFrame.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points, one row per site: ``name``, ``ranges_m`` (tuple of metres,
        ascending), ``range_max_m`` (metres), then the table's other columns;
        ``attrs["kind"] == "sites"`` and ``attrs["provenance"]`` names the table.

    Raises
    ------
    InputError
        No range column (and no ``radius``), or both; a range that is missing,
        unitless, negative or beyond half the Earth's circumference (the message names
        the site); no name column or duplicate names; coordinates out of range.
    CRSError
        A file or GeoDataFrame without CRS, or coordinate columns without ``crs``.
    InputTypeError
        Geometries other than points.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"name": ["Plant A", "Plant B"], "lon": [141.03, 30.0],
    ...                       "lat": [37.42, 50.0], "zones": ["20km;30km", "80 km"]})
    >>> sites = read_sites(table, range="zones", crs="EPSG:4326")
    >>> sites[["name", "ranges_m"]].to_dict("records")
    [{'name': 'Plant A', 'ranges_m': (20000.0, 30000.0)}, \
{'name': 'Plant B', 'ranges_m': (80000.0,)}]
    """
    frame, label = read_table(data, crs=crs, lon=lon, lat=lat, what="sites")
    if frame.crs is None:
        raise CRSError(
            f"sites {label} have no CRS, and riskmap does not guess one; set it with "
            ".set_crs('EPSG:4326') if the coordinates are lon/lat degrees, or with the CRS "
            "they are in"
        )
    if name not in frame.columns:
        present = [str(c) for c in frame.columns if c != frame.geometry.name]
        raise InputError(
            f"sites {label} have no {name!r} column; columns present: {present!r}; "
            "name the column of site names with name='COLUMN'"
        )
    names = frame[name].astype(str).str.strip()
    repeated = sorted(set(names[names.duplicated()]))
    if repeated:
        raise InputError(
            f"sites {label} list the same name twice: {', '.join(map(repr, repeated[:5]))}; "
            "each site's results are reported by its name: rename or drop the repeats"
        )
    frame = to_wgs84(frame, what=f"sites {label}")
    xy, _ = as_points(frame.geometry, what=f"sites {label}")
    if radius is not None and range is not None:
        raise InputError(
            f"sites {label}: both range={range!r} and radius={radius!r} given; give the "
            "column of each site's range, or one radius for all, not both"
        )
    if radius is not None:
        ranges = [_common_radii(radius)] * len(frame)
        column = None
    else:
        column = _range_column(frame, range, label)
        unit = _column_unit(column)
        ranges = [
            _parse_ranges(v, unit, f"site {n!r} of {label}", column)
            for v, n in zip(frame[column].tolist(), names, strict=True)
        ]
    out = geopandas.GeoDataFrame(
        {
            "name": names.to_numpy(),
            "ranges_m": ranges,
            "range_max_m": [r[-1] for r in ranges],
        },
        geometry=geopandas.points_from_xy(xy[:, 0], xy[:, 1]),
        crs="EPSG:4326",
    )
    for col in frame.columns:
        if col not in (name, column, frame.geometry.name):
            out[col] = frame[col].to_numpy()
    out.attrs["kind"] = "sites"
    Provenance(
        sources=(
            DataSource(
                name=f"user sites {label}",
                version="",
                licence="as given by its publisher",
                attribution="",
            ),
        ),
        method="user-supplied sites with their ranges",
        details={"range_column": column or "", "sites": len(out)},
    ).attach(out)
    return out


def sites_source(data: Any, **kwargs: Any) -> Source:
    """Return a sites table (see :func:`read_sites`) as a :class:`layers.Source`.

    Parameters
    ----------
    data : GeoDataFrame, DataFrame or path
        The sites, as :func:`read_sites` takes them.
    **kwargs
        ``range``, ``radius``, ``name``, ``crs``, ``lon``, ``lat`` of :func:`read_sites`.

    Returns
    -------
    Source
        Kind ``"sites"``, its ``data`` the checked table.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"name": ["A", "B"], "lon": [0, 1], "lat": [0, 1]})
    >>> source = sites_source(table, radius="30km", crs="EPSG:4326")
    >>> source.kind, source.name
    ('sites', '2 sites (DataFrame)')
    """
    sites = data if _is_sites(data) and not kwargs else read_sites(data, **kwargs)
    provenance = Provenance.of(sites)
    named = provenance.sources[0].name if provenance and provenance.sources else "user sites table"
    label = named.removeprefix("user sites ")
    return Source("sites", sites, f"{len(sites)} sites ({label})")


def _is_sites(data: Any) -> bool:
    return isinstance(data, geopandas.GeoDataFrame) and data.attrs.get("kind") == "sites"
