"""Settlement tables of your own, checked into the shape of :func:`layers.settlements`.

:func:`read_settlements` validates a user's table (CSV, DataFrame, GeoDataFrame or any
file geopandas reads); :func:`check_population` is the one check of population values,
run on user tables and by the exposure engine alike.
"""

from __future__ import annotations

import os
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

__all__ = ["check_population", "read_settlements"]

_LON_NAMES = ("lon", "longitude", "lng", "long", "x")
_LAT_NAMES = ("lat", "latitude", "y")


def _find_column(columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    by_lower = {str(c).lower(): c for c in columns}
    for name in candidates:
        if name in by_lower:
            return by_lower[name]
    return None


def _read_table(data: Any, crs: Any, lon: str | None, lat: str | None) -> tuple[Any, str]:
    if isinstance(data, geopandas.GeoDataFrame):
        return data, "GeoDataFrame"
    if isinstance(data, pd.DataFrame):
        frame, label = data, "DataFrame"
    elif isinstance(data, (str, os.PathLike)):
        path = Path(os.fspath(data))
        if not path.exists():
            raise InputError(f"settlements file {str(path)!r} does not exist; check the path")
        if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
            return geopandas.read_file(path), str(path)
        frame = pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",")
        label = str(path)
    else:
        raise InputTypeError(
            f"settlements {data!r:.60} of type {type(data).__name__} are not readable; give a "
            "GeoDataFrame of points, a DataFrame or a CSV path with lon/lat columns, "
            "or a file geopandas reads"
        )
    lon_col = lon or _find_column(frame.columns, _LON_NAMES)
    lat_col = lat or _find_column(frame.columns, _LAT_NAMES)
    if lon_col not in frame.columns or lat_col not in frame.columns:
        raise InputError(
            f"settlements table {label} has no longitude/latitude columns (looked for "
            f"{lon or _LON_NAMES!r} and {lat or _LAT_NAMES!r}; "
            f"columns present: {list(map(str, frame.columns))!r}); "
            "name them with lon=..., lat=..."
        )
    if crs is None:
        raise CRSError(
            f"settlements table {label} has coordinate columns {lon_col!r}, {lat_col!r} but no "
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

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points with the columns of :func:`settlements` (``population`` in
        people: int64 when every value is whole, else float64), then the table's
        other columns. ``attrs["provenance"]`` names the table.

    Raises
    ------
    CRSError
        If the data has no CRS.
    InputError
        A missing population column (the message lists the columns present);
        negative, NaN or non-numeric populations (see :func:`check_population`);
        points outside [-180, 180] / [-90, 90] or with NaN coordinates.
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
    frame, label = _read_table(data, crs, lon, lat)
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
    out = _standard_frame(frame, xy, pops, name_col, _countries_of(frame, country))
    used = {population, name_col, *_STANDARD, frame.geometry.name}
    for column in frame.columns:
        if column not in used:
            out[column] = frame[column].to_numpy()
    out.attrs["kind"] = "settlements"
    out.attrs["provenance"] = Provenance(
        sources=(
            DataSource(
                name=f"user settlements {label}",
                version="",
                licence="as given by its publisher",
                attribution="",
            ),
        ),
        method="user-supplied settlement points",
        details={"population_column": population, "rows": int(len(out))},
    )
    return out


#: Columns of a user's table taken over as they are, when present.
_STANDARD = ("country", "admin1", "geonameid", "merged", "merged_into")


def _standard_frame(
    frame: Any, xy: np.ndarray, pops: np.ndarray, name_col: str | None, countries: list[str]
) -> Any:
    """Return the columns of :func:`settlements`, from a checked user table."""
    n = len(frame)

    def column(key: str, kind: Any, default: Any) -> Any:
        return frame[key].astype(kind).to_numpy() if key in frame.columns else default

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
            "merged": column("merged", bool, False),
            "merged_into": column("merged_into", str, ""),
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
