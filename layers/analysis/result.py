"""What an exposure is made of: the described source, the result, and their plain values.

:func:`describe_source` turns what :func:`layers.exposure` is given (a
:class:`layers.Source`, a name, a layer, a geometry) into a :class:`SourceDescription`,
reading what the layer is from its ``attrs["kind"]``. :class:`Exposure` is the result
every worker (settlement points, grids, Dask) returns. The helpers beside them (radius
labels, radii parsing, country codes, JSON values) are shared by the workers and by
:func:`layers.exposure_variants`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

from geo.errors import CRSError, InputError
from geo.units import parse_distance
from layers.countries import country as country_record
from layers.countries import resolve_countries
from layers.provenance import Provenance
from layers.sources import Source, resolve_source

__all__ = [
    "DISTANCE_ERROR_M",
    "EDGE_M",
    "GRID_METHOD",
    "POINT_METHOD",
    "TOTAL",
    "Exposure",
    "SourceDescription",
    "country_codes",
    "describe_source",
    "json_default",
    "parse_radii",
    "radius_label",
    "records",
]

#: Places within this many metres of a radius are listed as "near the edge".
EDGE_M = 5_000.0

POINT_METHOD = "exact geodesic distance from each settlement to the source, WGS84, Karney"
GRID_METHOD = (
    "geodesic bands around the source (geo.rings) intersected with each country of residence, "
    "reprojected to the grid's CRS and summed with exact partial-cell coverage (exactextract); "
    "curve from the exact geodesic distance of each cell centre, WGS84, Karney"
)
#: Error bound of geo's point-to-geometry distances (its tested accuracy, up to 5,000 km), metres.
DISTANCE_ERROR_M = 1.0

#: The group name of an exposure counted without countries of residence (``by=None``).
TOTAL = "total"

_POLYGONAL = (3, 6)  # shapely type ids of Polygon and MultiPolygon


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


def parse_radii(radii: Any) -> np.ndarray:
    """Return radii as sorted, unique metres.

    Parameters
    ----------
    radii : float, str or sequence of them
        Distances in metres, or strings with a unit (``"200km"``, ``"108 nmi"``).

    Returns
    -------
    numpy.ndarray
        The radii in metres, ascending, each once.

    Raises
    ------
    InputError
        For no radius, or a radius :func:`geo.parse_distance` refuses (negative, NaN,
        beyond half the Earth's circumference, an unknown unit).

    Examples
    --------
    >>> parse_radii(["200km", 50_000, "50 km"]).tolist()
    [50000.0, 200000.0]
    """
    items = [radii] if isinstance(radii, (str, int, float, np.number)) else list(radii)
    if not items:
        raise InputError(
            "radii is empty; give one distance or a list, e.g. '200km' or [50_000, 100_000]"
        )
    values = []
    for item in items:
        if isinstance(item, np.number):
            item = float(item)
        values.append(parse_distance(item))
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


# -- the source --------------------------------------------------------------


@dataclass(frozen=True)
class SourceDescription:
    """What an exposure is measured from, as the workers need it.

    Attributes
    ----------
    geometry : Any
        What :mod:`geo` measures distances to (a GeoDataFrame, a shapely geometry, a
        ``(lon, lat)`` pair in degrees).
    kind : str
        ``"territory"``, ``"border"``, ``"place"``, ``"point"`` (from the layer's
        ``attrs["kind"]``), or ``"geometry"`` for anything else.
    codes : tuple of str
        Alpha-2 codes of the country a territory is, or the first country of a border
        (those ``exclude_source=True`` leaves out); empty for other kinds.
    variant : str or None
        The boundary variant of a territory (its ``variant`` column).
    provenance : Provenance
        Where the geometry comes from.
    polygonal : bool
        Whether every geometry is a (multi)polygon, so that distance 0 means inside.
    label : str
        How the result's provenance names the source.

    Examples
    --------
    >>> import shapely
    >>> describe_source(shapely.Point(131.9, 43.1))
    SourceDescription(kind='geometry', label='Point', codes=(), variant=None)
    """

    geometry: Any
    kind: str
    codes: tuple[str, ...]
    variant: str | None
    provenance: Provenance
    polygonal: bool
    label: str

    def __repr__(self) -> str:
        return (
            f"SourceDescription(kind={self.kind!r}, label={self.label!r}, "
            f"codes={self.codes!r}, variant={self.variant!r})"
        )


def _unique(values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values))


def _describe_layer(source: Any) -> SourceDescription:
    """Describe a GeoDataFrame or GeoSeries by what its ``attrs["kind"]`` says it is."""
    if source.crs is None:
        raise CRSError(
            f"source {type(source).__name__} has no CRS; set it with .set_crs('EPSG:4326') "
            "if the coordinates are lon/lat degrees, or with the CRS they are in"
        )
    if len(source) == 0:
        raise InputError(
            "source has no rows; give a territory, border or geometry with coordinates"
        )
    provenance = source.attrs.get("provenance") or Provenance()
    polygonal = bool(np.isin(shapely.get_type_id(np.asarray(source.geometry)), _POLYGONAL).all())
    kind = source.attrs.get("kind") if isinstance(source, geopandas.GeoDataFrame) else None
    columns = set(source.columns) if isinstance(source, geopandas.GeoDataFrame) else set()
    if kind == "territory" and "iso2" in columns:
        codes = _unique(source["iso2"])
        variant = ", ".join(_unique(source["variant"])) if "variant" in columns else None
        label = "territory " + ", ".join(codes)
        return SourceDescription(source, kind, codes, variant, provenance, polygonal, label)
    if kind == "border" and {"a", "b"} <= columns:
        codes = _unique(source["a"])
        label = f"border {', '.join(codes)}–{', '.join(_unique(source['b']))}"
        return SourceDescription(source, kind, codes, None, provenance, polygonal, label)
    kind = kind if kind in ("place", "point") else "geometry"
    return SourceDescription(source, kind, (), None, provenance, polygonal, "geometry")


def describe_source(source: Any) -> SourceDescription:
    """Describe what distances are measured from.

    Parameters
    ----------
    source : Source, str, GeoDataFrame, GeoSeries, shapely geometry or (lon, lat)
        A :class:`layers.Source`; a name :func:`layers.resolve_source` resolves
        (``"North Korea"``, ``"KP-RU"``, ``"Vladivostok,RU"``, ``"lon,lat"``; territories
        on :data:`layers.DEFAULT_BOUNDARY`); a layer, described by its
        ``attrs["kind"]``: a territory (codes from ``iso2``) or a border (codes from
        ``a``, the country it is seen from; ``b`` named in the label); any other
        GeoDataFrame or GeoSeries, a shapely geometry (lon/lat degrees) or anything
        else :mod:`geo` accepts is a plain geometry.

    Returns
    -------
    SourceDescription
        The geometry, kind, country codes, boundary variant, provenance and label.

    Raises
    ------
    CRSError
        For a layer without a CRS.
    InputError
        For a layer without rows, or a name that names nothing.

    Examples
    --------
    >>> describe_source("North Korea")
    SourceDescription(kind='territory', label='North Korea (OSM, land only)', codes=('KP',), \
variant='osm-land')
    >>> import layers
    >>> describe_source(layers.border("KP", "RU"))
    SourceDescription(kind='border', label='border KP–RU', codes=('KP',), variant=None)
    """
    if isinstance(source, str):
        source = resolve_source(source)
    if isinstance(source, Source):
        return replace(describe_source(source.data), label=source.label)
    if isinstance(source, (geopandas.GeoDataFrame, geopandas.GeoSeries)):
        return _describe_layer(source)
    if isinstance(source, shapely.Geometry):
        polygonal = shapely.get_type_id(source) in _POLYGONAL
        return SourceDescription(
            source, "geometry", (), None, Provenance(), polygonal, source.geom_type
        )
    return SourceDescription(
        source, "geometry", (), None, Provenance(), False, type(source).__name__
    )


# -- the result --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Exposure:
    """Who lives within each radius of a source.

    Attributes
    ----------
    kind : {"settlements", "grid"}
        The population layer used.
    radii_m : tuple of float
        The radii, ascending, in metres.
    by : str or None
        The column grouped by (``"country"``), or None for totals only.
    table : pandas.DataFrame
        One row per country of residence (``"total"`` when ``by=None``) and radius:
        ``country``, ``radius_m`` (metres), ``radius_km``, ``population`` (people
        within the radius), and ``places`` (settlements counted) or, for grids,
        ``cells`` and ``nodata_cells`` (cells covered, partial cells by fraction).
    bands : pandas.DataFrame
        The same per band: ``distance_min_m``, ``distance_max_m`` (metres), with
        bands 0–r1, r1–r2, …; a place at exactly r1 is in the first band.
    places : geopandas.GeoDataFrame or None
        Settlements within ``max_distance_m`` of the source, nearest first: the
        input columns plus ``distance_m`` (metres), ``distance_km`` and one
        ``within_<radius>`` boolean per radius. None for grids.
    edge : pandas.DataFrame or None
        Places within ``edge_m`` of each radius, closest to the radius first:
        ``radius_m``, the place's name, country and population, ``distance_m``,
        ``distance_km``, ``offset_m`` (distance − radius, metres) and ``inside``.
        None for grids.
    excluded : dict
        What ``exclude_source`` removed: ``rule``, ``countries``, ``places``,
        ``population`` (people).
    provenance : Provenance
        Sources of the source geometry and of the population layer, method,
        radii, boundary variant, accuracy and library version.
    edge_m : float
        Half-width of the edge list, metres.
    max_distance_m : float
        Distances are exact up to here (metres); farther places are not listed.

    Examples
    --------
    >>> import layers, shapely
    >>> towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
    >>> result = layers.exposure(shapely.Point(131.9, 43.1), towns, ["20km", "50km"])
    >>> result
    <Exposure settlements: 888,277 people within 50km, 2 radii, by='country'>
    >>> result.population("20km", country="Russia")
    609981.0
    """

    kind: str
    radii_m: tuple[float, ...]
    by: str | None
    table: pd.DataFrame
    bands: pd.DataFrame
    places: Any
    edge: pd.DataFrame | None
    excluded: dict[str, Any]
    provenance: Provenance
    edge_m: float
    max_distance_m: float
    # sorted distances (metres) of counted places / cell centres, their people and group
    _distances: np.ndarray = field(repr=False)
    _people: np.ndarray = field(repr=False)
    _groups: np.ndarray = field(repr=False)

    def _group_names(self, country: Any) -> list[str]:
        """Return the groups ``country`` names: a group of the table as is, else a country code.

        A country known but absent from the table counts 0 people; an unknown name raises.
        """
        present = set(self.table["country"].astype(str))
        wanted = list(country) if isinstance(country, (list, tuple, set)) else [country]
        return [
            str(c) if isinstance(c, str) and c in present else country_record(c).iso2
            for c in wanted
        ]

    def population(self, radius: Any | None = None, *, country: Any | None = None) -> float:
        """Return the people within one radius (the largest by default).

        Parameters
        ----------
        radius : float or str, optional
            A radius of this result, in metres or like ``"200km"``.
        country : str, Country or list of them, optional
            Only these countries of residence (codes or names, e.g. ``"Russia"``, or a
            group of the table such as ``"total"``); all by default.

        Returns
        -------
        float
            Number of people.

        Raises
        ------
        InputError
            For a radius that is not one of the result's, or an unknown country.

        Examples
        --------
        >>> import layers, shapely
        >>> towns = layers.settlements(bbox=(129, 41, 134, 45))
        >>> result = layers.exposure(shapely.Point(131.9, 43.1), towns, "100km")
        >>> result.population(country="russia") == result.population(country="RU")
        True
        """
        r = self.radii_m[-1] if radius is None else parse_distance(radius)
        rows = self.table[np.isclose(self.table["radius_m"], r, rtol=0, atol=1e-6)]
        if rows.empty:
            raise InputError(
                f"radius {radius!r} is not one of this result's radii "
                f"{[radius_label(x) for x in self.radii_m]}; use curve() for other distances"
            )
        if country is not None:
            rows = rows[rows["country"].isin(self._group_names(country))]
        return float(rows["population"].sum())

    def curve(
        self,
        step_m: float = 1000.0,
        *,
        radii: Any | None = None,
        country: Any | None = None,
    ) -> pd.DataFrame:
        """Return population by distance from the source, 0 to the largest radius.

        Parameters
        ----------
        step_m : float, default 1000.0
            Spacing of the distances, in metres (the largest radius is always included).
        radii : float, str or sequence, optional
            Distances to evaluate instead of the regular steps (metres or ``"200km"``),
            up to ``max_distance_m``.
        country : str, Country or list of them, optional
            Only these countries of residence (codes or names).

        Returns
        -------
        pandas.DataFrame
            ``distance_m`` (metres), ``distance_km``, ``population`` (people within
            that distance) and ``places`` (settlements, or non-empty cells for grids).

        Notes
        -----
        One sort and one cumulative sum serve every distance, so 1,000 radii cost
        the same as one. For settlements the value at a radius of the result equals
        :attr:`table` exactly; for grids the curve counts whole cells by their
        centre, the table partial cells by their covered fraction.

        Examples
        --------
        >>> import layers, shapely
        >>> towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
        >>> result = layers.exposure(shapely.Point(131.9, 43.1), towns, "50km")
        >>> result.curve(25_000, country="Russia")[["distance_km", "population", "places"]]
           distance_km  population  places
        0          0.0           0       0
        1         25.0      615036       5
        2         50.0      888277      29
        """
        if radii is None:
            step = float(step_m)
            if not math.isfinite(step) or step <= 0:
                raise InputError(f"step_m {step_m!r} must be a positive number of metres")
            top = self.radii_m[-1]
            at = np.append(np.arange(0.0, top, step), top)
        else:
            at = parse_radii(radii)
            if at[-1] > self.max_distance_m:
                raise InputError(
                    f"distance {at[-1]:,.0f} m is beyond {self.max_distance_m:,.0f} m, "
                    "the farthest this result measured; run exposure() with a larger radius"
                )
        d, people = self._distances, self._people
        if country is not None:
            keep = np.isin(self._groups, self._group_names(country))
            d, people = d[keep], people[keep]
        n = np.searchsorted(d, at, side="right")
        cum = np.concatenate([[0], np.cumsum(people)])
        return pd.DataFrame(
            {"distance_m": at, "distance_km": at / 1000, "population": cum[n], "places": n}
        )

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`table`, the tidy per-country, per-radius table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return everything as plain JSON-ready values (places as lon/lat, no geometry)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "radii_m": list(self.radii_m),
            "by": self.by,
            "table": records(self.table),
            "bands": records(self.bands),
            "curve": records(self.curve()),
            "excluded": self.excluded,
            "edge_m": self.edge_m,
            "max_distance_m": self.max_distance_m,
            "provenance": self.provenance.to_dict(),
        }
        if self.places is not None:
            places = pd.DataFrame(self.places.drop(columns=self.places.geometry.name))
            places.insert(0, "lat", self.places.geometry.y.to_numpy())
            places.insert(0, "lon", self.places.geometry.x.to_numpy())
            out["places"] = records(places)
        if self.edge is not None:
            out["edge"] = records(self.edge)
        return out

    def to_json(self, **kwargs: Any) -> str:
        """Return :meth:`to_dict` as a JSON string (nothing is written to disk)."""
        return json.dumps(self.to_dict(), allow_nan=False, default=json_default, **kwargs)

    def __repr__(self) -> str:
        top = self.radii_m[-1]
        return (
            f"<Exposure {self.kind}: {self.population(top):,.0f} people within "
            f"{radius_label(top)}, {len(self.radii_m)} radii, by={self.by!r}>"
        )


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
