"""Settlement tables of your own, checked into the shape of :func:`layers.settlements`.

:func:`read_settlements` validates a user's table (CSV, DataFrame, GeoDataFrame or any
file geopandas reads); :func:`check_population` is the one check of population values,
run on user tables and by the exposure engine alike.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

from geo.errors import CRSError, InputError, InputTypeError
from geo.validation import as_points, to_wgs84
from layers.countries import Country, country, resolve_countries
from layers.provenance import DataSource, Provenance

__all__ = [
    "DUPLICATES",
    "DuplicateWarning",
    "check_population",
    "parse_bool",
    "read_settlements",
    "read_table",
]

#: What :func:`read_settlements` does with duplicate rows or geonameids.
DUPLICATES = ("warn", "drop", "error", "keep")

_TRUE = frozenset({"true", "yes", "1", "t", "y"})
_FALSE = frozenset({"false", "no", "0", "f", "n"})


class DuplicateWarning(UserWarning):
    """A settlements table lists the same place twice: a sum over it counts it twice.

    Examples
    --------
    >>> import warnings, pandas as pd
    >>> table = pd.DataFrame({"name": ["A", "A"], "population": [5, 5], "lon": [1, 1],
    ...                       "lat": [2, 2]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = read_settlements(table, crs="EPSG:4326")
    >>> [w.category.__name__ for w in caught]
    ['DuplicateWarning']
    """


def parse_bool(values: Any, *, what: str = "column") -> np.ndarray:
    """Read a column of yes/no values as booleans, refusing anything else.

    Parameters
    ----------
    values : pandas.Series
        Booleans, the numbers 0 and 1, or the words true/false, yes/no, t/f, y/n, 1/0
        (any case, surrounding spaces ignored).
    what : str, default "column"
        How messages name the column, e.g. ``"settlements towns.csv 'merged' column"``.

    Returns
    -------
    numpy.ndarray of bool

    Raises
    ------
    InputError
        For a missing value or one that is not a yes/no value; the message names up to
        five rows and their values.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_bool(pd.Series(["no", "Yes", "TRUE", "0", 1])).tolist()
    [False, True, True, False, True]
    >>> parse_bool(pd.Series(["no", "maybe"]), what="'merged' column")
    Traceback (most recent call last):
    ...
    geo.errors.InputError: 'merged' column holds values that are not true/false in row(s) \
1: 'maybe'; write true/false, yes/no or 1/0
    """
    series = pd.Series(values)
    if pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=bool)
    out = np.zeros(len(series), dtype=bool)
    bad = np.zeros(len(series), dtype=bool)
    for i, value in enumerate(series.tolist()):
        if isinstance(value, (bool, np.bool_)):
            out[i] = bool(value)
        elif isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
            out[i] = bool(value)
        elif isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            out[i] = value.strip().lower() in _TRUE
        else:
            bad[i] = True
    if bad.any():
        rows = _bad_rows(series.to_frame(), bad, None, lambda i: series.iloc[i])
        raise InputError(
            f"{what} holds values that are not true/false in row(s) {rows}; "
            "write true/false, yes/no or 1/0"
        )
    return out


def _duplicates(frame: Any, xy: np.ndarray, pops: np.ndarray, name_col: str | None) -> np.ndarray:
    """Rows repeating an earlier row: the same geonameid, or the same name, point and people."""
    keys = pd.DataFrame(
        {
            "name": frame[name_col].astype(str).to_numpy() if name_col else "",
            "x": xy[:, 0],
            "y": xy[:, 1],
            "population": pops,
        }
    )
    repeated = np.array(keys.duplicated().to_numpy(), dtype=bool)
    if "geonameid" in frame.columns:
        ids = pd.Series(frame["geonameid"].to_numpy())
        known = ids.notna() & (ids.astype(str) != "-1")
        repeated = repeated | (ids.duplicated() & known).to_numpy(dtype=bool)
    return repeated


def _handle_duplicates(
    frame: Any, repeated: np.ndarray, duplicates: str, what: str, name_col: str | None
) -> np.ndarray:
    """Return the rows to keep, after warning or refusing as ``duplicates`` says."""
    if duplicates not in DUPLICATES:
        raise InputError(
            f"duplicates={duplicates!r} is not one of {', '.join(map(repr, DUPLICATES))}"
        )
    if not repeated.any() or duplicates == "keep":
        return np.ones(len(frame), dtype=bool)
    rows = _bad_rows(frame, repeated, name_col, lambda i: "repeats an earlier row")
    message = (
        f"{what} list {int(repeated.sum())} place(s) twice (same geonameid, or same name, "
        f"point and population) in row(s) {rows}"
    )
    if duplicates == "error":
        raise InputError(
            f"{message}; remove them, or pass duplicates='drop' to keep the first of each"
        )
    if duplicates == "warn":
        warnings.warn(
            f"{message}: a sum counts them twice; pass duplicates='drop' to keep the first "
            "of each, 'keep' to keep them silently, 'error' to refuse the table",
            DuplicateWarning,
            stacklevel=3,
        )
        return np.ones(len(frame), dtype=bool)
    return ~repeated


_LON_NAMES = ("lon", "longitude", "lng", "long", "x")
_LAT_NAMES = ("lat", "latitude", "y")


def _find_column(columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    by_lower = {str(c).lower(): c for c in columns}
    for name in candidates:
        if name in by_lower:
            return by_lower[name]
    return None


#: File endings read by geopandas' (Geo)Parquet and Feather readers rather than read_file.
_ARROW_READERS = {
    ".parquet": "read_parquet",
    ".geoparquet": "read_parquet",
    ".feather": "read_feather",
}


def read_table(
    data: Any,
    *,
    crs: Any = None,
    lon: str | None = None,
    lat: str | None = None,
    what: str = "settlements",
) -> tuple[Any, str]:
    """Read a table of points or shapes into a GeoDataFrame, with its CRS as given.

    Parameters
    ----------
    data : GeoDataFrame, DataFrame or path
        A GeoDataFrame (taken as it is); a file geopandas reads (GeoJSON, GeoPackage,
        Shapefile, FlatGeobuf, GeoParquet, Feather), with the CRS it declares; or a
        CSV / TSV path or DataFrame with longitude and latitude columns.
    crs : CRS input, optional
        CRS of the coordinate columns of a CSV / DataFrame (e.g. ``"EPSG:4326"``);
        required for them: riskmap does not assume lon/lat. Ignored for files and
        GeoDataFrames, which carry their own (or none: the caller refuses that).
    lon, lat : str, optional
        Names of the coordinate columns (default: the first of lon/longitude/lng/long/x
        and lat/latitude/y found, in any case).
    what : str, default "settlements"
        How messages name the table, e.g. ``"sites"``.

    Returns
    -------
    (geopandas.GeoDataFrame, str)
        The table (its CRS may be None for a file that declares none) and a label for
        messages (the path, or ``"GeoDataFrame"`` / ``"DataFrame"``).

    Raises
    ------
    InputError
        A path that does not exist; a CSV without coordinate columns.
    CRSError
        Coordinate columns without ``crs``.
    InputTypeError
        Anything else than a table or a path.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"name": ["A"], "Longitude": [10.0], "Latitude": [50.0]})
    >>> gdf, label = read_table(table, crs="EPSG:4326", what="sites")
    >>> label, gdf.geometry.iloc[0].wkt, gdf.crs.to_string()
    ('DataFrame', 'POINT (10 50)', 'EPSG:4326')
    """
    if isinstance(data, geopandas.GeoDataFrame):
        return data, "GeoDataFrame"
    if isinstance(data, pd.DataFrame):
        frame, label = data, "DataFrame"
    elif isinstance(data, (str, os.PathLike)):
        path = Path(os.fspath(data))
        if not path.exists():
            raise InputError(f"{what} file {str(path)!r} does not exist; check the path")
        suffix = path.suffix.lower()
        if suffix in _ARROW_READERS:
            return getattr(geopandas, _ARROW_READERS[suffix])(path), str(path)
        if suffix not in (".csv", ".tsv", ".txt"):
            return geopandas.read_file(path), str(path)
        frame = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",")
        label = str(path)
    else:
        raise InputTypeError(
            f"{what} {data!r:.60} of type {type(data).__name__} are not readable; give a "
            "GeoDataFrame, a DataFrame or a CSV path with lon/lat columns, "
            "or a file geopandas reads"
        )
    lon_col = lon or _find_column(frame.columns, _LON_NAMES)
    lat_col = lat or _find_column(frame.columns, _LAT_NAMES)
    if lon_col not in frame.columns or lat_col not in frame.columns:
        raise InputError(
            f"{what} table {label} has no longitude/latitude columns (looked for "
            f"{lon or _LON_NAMES!r} and {lat or _LAT_NAMES!r}; "
            f"columns present: {list(map(str, frame.columns))!r}); "
            "name them with lon=..., lat=..."
        )
    if crs is None:
        raise CRSError(
            f"{what} table {label} has coordinate columns {lon_col!r}, {lat_col!r} but no "
            "CRS, and riskmap does not guess one; pass crs='EPSG:4326' if they are lon/lat "
            "degrees, or the CRS they are in"
        )
    xs = pd.to_numeric(frame[lon_col], errors="coerce").to_numpy(dtype=float)
    ys = pd.to_numeric(frame[lat_col], errors="coerce").to_numpy(dtype=float)
    gdf = geopandas.GeoDataFrame(
        frame.drop(columns=[lon_col, lat_col]), geometry=shapely.points(xs, ys), crs=crs
    )
    return gdf, label


def _bad_rows(frame: Any, mask: np.ndarray, name_col: str | None, shown: Any) -> str:
    """Return the first five rows where ``mask`` holds: label, name and the value found."""
    idx = np.flatnonzero(mask)
    rows = []
    for i in idx[:5]:
        label = f"{frame.index[i]!r}"
        if name_col is not None:
            label += f" ({frame[name_col].iloc[i]!r})"
        rows.append(f"{label}: {shown(i)!r}")
    more = f" and {len(idx) - 5} more" if len(idx) > 5 else ""
    return ", ".join(rows) + more


def check_population(
    frame: Any,
    column: str = "population",
    *,
    what: str = "settlements",
    names: str | None = "name",
    coerce: bool = False,
) -> np.ndarray:
    """Return a table's population column as numbers of people, refusing bad values.

    The one check of population values: :func:`read_settlements` runs it on a user's
    table (``coerce=True``), :func:`layers.exposure` on the settlements it is given.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        The places, one per row.
    column : str, default "population"
        Column holding the number of people at each place.
    what : str, default "settlements"
        How messages name the table, e.g. ``"settlements towns.csv"``.
    names : str or None, default "name"
        Column whose values messages quote beside the row labels (ignored if absent).
    coerce : bool, default False
        Read text as numbers (``pandas.to_numeric``) and name the rows that are not
        numbers; without it a column that is not numeric is refused by its dtype.

    Returns
    -------
    numpy.ndarray
        The population of each row, in people (float64, finite and >= 0).

    Raises
    ------
    InputError
        No such column (the message lists the columns present); a column that is not
        numeric; missing (NaN), infinite or negative values (the message names up to
        five rows, with their names and values).

    Examples
    --------
    >>> import pandas as pd
    >>> towns = pd.DataFrame({"name": ["A", "B"], "population": [1200, 800]})
    >>> check_population(towns).tolist()
    [1200.0, 800.0]
    >>> towns.loc[1, "population"] = -5
    >>> check_population(towns)
    Traceback (most recent call last):
    ...
    geo.errors.InputError: settlements have negative population in row(s) 1 ('B'): -5.0; \
population must be >= 0 people
    """
    name_col = names if names is not None and names in frame.columns else None
    if column not in frame.columns:
        geometry = getattr(frame, "_geometry_column_name", None)
        present = [str(c) for c in frame.columns if c != geometry]
        raise InputError(
            f"{what} have no {column!r} column; columns present: {present!r}; name the column "
            "that holds the number of people with layers.read_settlements(..., population=...)"
        )
    raw = frame[column]
    if coerce:
        numbers = pd.to_numeric(raw, errors="coerce")
        text = numbers.isna().to_numpy() & raw.notna().to_numpy()
        if text.any():
            raise InputError(
                f"{what} have non-numeric population in row(s) "
                f"{_bad_rows(frame, text, name_col, lambda i: raw.iloc[i])}; "
                "give numbers of people"
            )
    elif not pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        raise InputError(
            f"{what} {column!r} column has dtype {raw.dtype!s}; expected numbers of people "
            "(convert it with pandas.to_numeric, or read the table with layers.read_settlements)"
        )
    else:
        numbers = raw
    values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    for bad, problem, fix in (
        (~np.isfinite(values), "missing (NaN) or infinite", "fill or drop them"),
        (values < 0, "negative", "population must be >= 0 people"),
    ):
        if bad.any():
            rows = _bad_rows(frame, bad, name_col, lambda i: float(values[i]))
            raise InputError(f"{what} have {problem} population in row(s) {rows}; {fix}")
    return values


def read_settlements(
    data: Any,
    *,
    population: str = "population",
    name: str | None = "name",
    country: str | Country | None = None,
    crs: Any = None,
    lon: str | None = None,
    lat: str | None = None,
    duplicates: str = "warn",
) -> Any:
    """Validate a user's settlements into the shape :func:`settlements` returns.

    Parameters
    ----------
    data : GeoDataFrame, DataFrame or path
        Points with a population column: a GeoDataFrame (with its CRS), any file
        geopandas reads, or a CSV / DataFrame with longitude and latitude columns.
    population : str, default "population"
        Column holding the number of people at each point.
    name : str or None, default "name"
        Column holding the place names (None or absent: names left empty).
    country : str or Country, optional
        Country all points belong to (any code or name :func:`layers.country`
        accepts); otherwise a ``country`` column is resolved value by value, and
        without one the country is left empty.
    crs : CRS input, optional
        CRS of the coordinate columns of a CSV / DataFrame (e.g. ``"EPSG:4326"``).
        Required for them: riskmap does not assume lon/lat.
    lon, lat : str, optional
        Names of the coordinate columns of a CSV / DataFrame (default: the first of
        lon/longitude/lng/x and lat/latitude/y found, in any case).
    duplicates : {"warn", "drop", "error", "keep"}, default "warn"
        What to do with rows that repeat an earlier one (the same ``geonameid``, or the
        same name, point and population), which a sum counts twice: keep them and warn
        (:class:`DuplicateWarning`), drop all but the first (the provenance says how
        many), refuse the table, or keep them silently.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points with the columns of :func:`settlements` (``population`` in
        people: int64 when every value is whole, else float64), then the table's
        other columns. Columns ``merged`` and ``section`` of the table are read as
        booleans (true/false, yes/no, 1/0 in any case, see :func:`parse_bool`); rows
        flagged ``section`` are kept, flagged. ``attrs["provenance"]`` names the table.

    Raises
    ------
    CRSError
        If the data has no CRS.
    InputError
        A missing population column (the message lists the columns present);
        negative, NaN or non-numeric populations (see :func:`check_population`);
        points outside [-180, 180] / [-90, 90] or with NaN coordinates; a ``merged`` or
        ``section`` value that is not a yes/no value; duplicates with
        ``duplicates="error"``.
    InputTypeError
        Geometries other than points.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame(
    ...     {"town": ["Artem", "Nakhodka"], "people": [1200, 800], "lon": [132.2, 132.9],
    ...      "lat": [43.4, 42.8]}
    ... )
    >>> towns = read_settlements(table, population="people", name="town", country="Russia",
    ...                          crs="EPSG:4326")
    >>> towns[["name", "country", "population"]].to_dict("records")
    [{'name': 'Artem', 'country': 'RU', 'population': 1200}, \
{'name': 'Nakhodka', 'country': 'RU', 'population': 800}]
    """
    frame, label = read_table(data, crs=crs, lon=lon, lat=lat)
    what = f"settlements {label}"
    if frame.crs is None:
        raise CRSError(
            f"{what} have no CRS, and riskmap does not guess one; set it with "
            ".set_crs('EPSG:4326') if the coordinates are lon/lat degrees, "
            "or with the CRS they are in"
        )
    name_col = name if name is not None and name in frame.columns else None
    pops = check_population(frame, population, what=what, names=name_col, coerce=True)
    frame = to_wgs84(frame, what=what)
    xy, _ = as_points(frame.geometry, what=what)
    out = _standard_frame(frame, xy, pops, name_col, _countries_of(frame, country), what)
    used = {population, name_col, *_STANDARD, frame.geometry.name}
    for column in frame.columns:
        if column not in used:
            out[column] = frame[column].to_numpy()
    keep = _handle_duplicates(
        frame, _duplicates(frame, xy, pops, name_col), duplicates, what, name_col
    )
    dropped = int((~keep).sum())
    out = out[keep]
    out.attrs["kind"] = "settlements"
    Provenance(
        sources=(
            DataSource(
                name=f"user settlements {label}",
                version="",
                licence="as given by its publisher",
                attribution="",
            ),
        ),
        method="user-supplied settlement points",
        details={
            "population_column": population,
            "rows": int(len(out)),
            **({"duplicates_dropped": dropped} if dropped else {}),
        },
    ).attach(out)
    return out


#: Columns of a user's table taken over as they are, when present.
_STANDARD = (
    "country",
    "admin1",
    "geonameid",
    "feature_code",
    "section",
    "section_of",
    "section_of_id",
    "section_reason",
    "merged",
    "merged_into",
)


def _standard_frame(
    frame: Any,
    xy: np.ndarray,
    pops: np.ndarray,
    name_col: str | None,
    countries: list[str],
    what: str,
) -> Any:
    """Return the columns of :func:`settlements`, from a checked user table."""
    n = len(frame)

    def column(key: str, kind: Any, default: Any) -> Any:
        return frame[key].astype(kind).to_numpy() if key in frame.columns else default

    def flag(key: str) -> Any:
        if key not in frame.columns:
            return np.zeros(n, dtype=bool)
        return parse_bool(frame[key].reset_index(drop=True), what=f"{what} {key!r} column")

    whole = bool(np.all(pops == np.round(pops)))
    return geopandas.GeoDataFrame(
        {
            "name": frame[name_col].astype(str).to_numpy() if name_col else [""] * n,
            "country": countries,
            "admin1": column("admin1", str, [""] * n),
            "population": pops.astype(np.int64) if whole else pops,
            "geonameid": frame["geonameid"].to_numpy()
            if "geonameid" in frame.columns
            else [-1] * n,
            "feature_code": column("feature_code", str, [""] * n),
            "section": flag("section"),
            "section_of": column("section_of", str, [""] * n),
            "section_of_id": column("section_of_id", np.int64, [-1] * n),
            "section_reason": column("section_reason", str, [""] * n),
            "merged": flag("merged"),
            "merged_into": column("merged_into", str, [""] * n),
        },
        geometry=shapely.points(xy),
        crs="EPSG:4326",
        index=frame.index,
    )


def _countries_of(frame: Any, country: str | Country | None) -> list[str]:
    """Return each row's alpha-2 code: the one given, the ``country`` column's, or empty."""
    if country is not None:
        return [resolve_countries(country)[0].iso2] * len(frame)
    if "country" in frame.columns:
        lookup = {v: _country_code(v) for v in frame["country"].dropna().unique()}
        return [lookup.get(v, "") for v in frame["country"]]
    return [""] * len(frame)


def _country_code(value: Any) -> str:
    try:
        return country(value).iso2
    except (InputError, InputTypeError) as exc:
        raise InputError(f"settlements 'country' column holds {value!r}: {exc}") from exc
