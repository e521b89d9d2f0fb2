"""Who lives within each range of each of many sites.

:func:`sites_exposure` indexes the settlements once (:class:`geo.PointIndex`), finds the
places within every site's largest range in one ball query, measures them with one
vectorised ``Geod.inv`` and counts per site and range, per country (or admin-1 region,
or any column), and optionally for the union of the sites. A place is within R of a
site exactly when ``Geod.inv`` between them is ≤ R.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

import geo
from geo.errors import InputError
from layers.analysis.breakdown import Breakdown, assign, breakdown
from layers.analysis.points import check_settlements
from layers.provenance import Provenance
from layers.settlements import settlements as all_settlements
from layers.sites import sites_source
from layers.sources import Source

__all__ = ["SitesExposure", "sites_exposure"]

#: How the counts are made, as the provenance states it.
SITES_METHOD = (
    "per site: settlements within each of its ranges by exact WGS84 geodesic distance "
    "(pyproj Geod.inv, Karney), candidates from one ECEF ball query of geo.PointIndex"
)

#: Columns of the settlements carried into each site's list of places.
_PLACE_COLUMNS = ("name", "country", "admin1", "population")


@dataclass(frozen=True, eq=False)
class SitesExposure:
    """People within each range of each site.

    Attributes
    ----------
    sites : geopandas.GeoDataFrame
        The sites (:func:`layers.sites.read_sites`): ``name``, ``ranges_m``, points.
    table : pandas.DataFrame
        One row per site and range, in the sites' order: ``site``, ``radius_m``
        (metres), ``radius_km``, ``population`` (people within the range) and
        ``places`` (settlements counted); zeros included.
    groups : pandas.DataFrame
        The same split by ``by`` (e.g. ``country``, or ``country`` and ``admin1``):
        only groups with a place in range; each site and range sums to ``table``.
    union : pandas.DataFrame or None
        With ``union=True``: people within range of at least one site, each counted
        once: per radius when every site has the same ranges (``radius_m``), else one
        row for each site's largest range (``radius_m`` NaN).
    places : geopandas.GeoDataFrame
        Every (site, settlement) pair within the site's largest range: ``site``, the
        settlement's ``name``, ``country``, ``admin1``, ``population``, ``distance_m``
        (metres, ``Geod.inv``), ``distance_km``, ``position`` (row in the settlements
        given), and the settlement's point.
    by : tuple of str
        The columns of ``groups``.
    provenance : Provenance
        The sites' and settlements' sources, the method and accuracy.

    Examples
    --------
    >>> import layers
    >>> from layers.sites import read_sites
    >>> import pandas as pd
    >>> plants = pd.DataFrame({"name": ["Fukushima Daiichi"], "lon": [141.0329],
    ...                        "lat": [37.4213], "zones": ["20km;30km;80km"]})
    >>> result = sites_exposure(read_sites(plants, range="zones", crs="EPSG:4326"))
    >>> result.table[["site", "radius_km", "population", "places"]]
                    site  radius_km  population  places
    0  Fukushima Daiichi       20.0       28551       4
    1  Fukushima Daiichi       30.0       95012       7
    2  Fukushima Daiichi       80.0     1937456      52
    """

    sites: Any
    table: pd.DataFrame
    groups: pd.DataFrame
    union: pd.DataFrame | None
    places: Any
    by: tuple[str, ...]
    provenance: Provenance

    def population(self, site: str | None = None, radius: Any = None) -> float:
        """People within a site's range (its largest by default), or the sum over sites.

        Parameters
        ----------
        site : str, optional
            A site's name; default: the sum over every site (people near two sites
            counted twice: see :attr:`union` for each counted once).
        radius : float or str, optional
            One of the site's ranges, metres or with a unit; default each site's largest.

        Returns
        -------
        float
            People.

        Examples
        --------
        >>> import pandas as pd, layers
        >>> from layers.sites import read_sites
        >>> sites = read_sites(pd.DataFrame({"name": ["V"], "lon": [131.89], "lat": [43.11]}),
        ...                    radius=["10km", "20km"], crs="EPSG:4326")
        >>> sites_exposure(sites).population("V", "10km") > 0
        True
        """
        rows = self.table
        if site is not None:
            if site not in set(self.sites["name"]):
                raise InputError(
                    f"site {site!r} is not in the table; sites: "
                    f"{', '.join(map(repr, list(self.sites['name'])[:10]))}"
                )
            rows = rows[rows["site"] == site]
        if radius is None:
            rows = rows[rows["radius_m"] == rows.groupby("site")["radius_m"].transform("max")]
        else:
            r = geo.parse_distance(radius)
            chosen = rows[rows["radius_m"] == r]
            if chosen.empty:
                raise InputError(
                    f"radius {radius!r} is not a range of {site or 'any site'!r}; ranges (km): "
                    f"{sorted({x / 1000 for x in rows['radius_m']})}"
                )
            rows = chosen
        return float(rows["population"].sum())

    def rings(self, *, union: bool = False) -> Any:
        """Range rings of every site at its own ranges (or of their union).

        Parameters
        ----------
        union : bool, default False
            Rings around the sites together (every point within R of any site), per
            radius when the sites share their ranges, else at each site's largest range.

        Returns
        -------
        geopandas.GeoDataFrame
            From :func:`geo.rings`: ``site`` (with ``union=False``), ``distance_min``,
            ``distance_max`` (metres), ``error_m`` and the band polygons, EPSG:4326.

        Examples
        --------
        >>> import pandas as pd
        >>> from layers.sites import read_sites
        >>> sites = read_sites(pd.DataFrame({"name": ["A", "B"], "lon": [0, 1], "lat": [0, 0],
        ...                                  "range_km": [20, 50]}), crs="EPSG:4326")
        >>> rings = sites_exposure(sites, sites_settlements_example()).rings()
        >>> rings[["site", "distance_max"]].to_dict("records")
        [{'site': 'A', 'distance_max': 20000.0}, {'site': 'B', 'distance_max': 50000.0}]
        """
        return site_rings(self.sites, union=union)


def sites_settlements_example() -> Any:
    """Return three settlements near (0, 0), for the examples of this module.

    Returns
    -------
    geopandas.GeoDataFrame
        Points with ``name``, ``country``, ``admin1`` and ``population``.

    Examples
    --------
    >>> len(sites_settlements_example())
    3
    """
    import geopandas

    return geopandas.GeoDataFrame(
        {
            "name": ["P", "Q", "R"],
            "country": ["GH", "GH", ""],
            "admin1": ["01", "02", ""],
            "population": [1000, 200, 30],
        },
        geometry=geopandas.points_from_xy([0.1, 0.5, 1.2], [0.0, 0.1, 0.0]),
        crs="EPSG:4326",
    )


def site_rings(sites: Any, *, union: bool = False) -> Any:
    """Range rings of a sites table (see :meth:`SitesExposure.rings`).

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        A checked sites table (:func:`layers.sites.read_sites`).
    union : bool, default False
        Rings around the sites together.

    Returns
    -------
    geopandas.GeoDataFrame
        The bands, EPSG:4326, with ``site`` unless ``union``.

    Examples
    --------
    >>> import pandas as pd
    >>> from layers.sites import read_sites
    >>> sites = read_sites(pd.DataFrame({"name": ["A"], "lon": [0], "lat": [0]}),
    ...                    radius=["10km", "30km"], crs="EPSG:4326")
    >>> list(site_rings(sites)["distance_max"])
    [10000.0, 30000.0]
    """
    import geopandas

    if union:
        shared = _shared_ranges(sites)
        if shared is not None:
            return geo.rings(sites.geometry, list(shared), features="union")
        areas = [
            geo.buffer(p, r) for p, r in zip(sites.geometry, sites["range_max_m"], strict=True)
        ]
        merged = geopandas.GeoSeries(areas, crs="EPSG:4326").union_all()
        return geopandas.GeoDataFrame(
            {"distance_min": [0.0], "distance_max": [np.nan], "error_m": [np.nan]},
            geometry=[merged],
            crs="EPSG:4326",
        )
    frames = []
    for name, point, ranges in zip(sites["name"], sites.geometry, sites["ranges_m"], strict=True):
        bands = geo.rings(point, list(ranges))
        bands.insert(0, "site", name)
        frames.append(bands)
    return geopandas.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


def _shared_ranges(sites: Any) -> tuple[float, ...] | None:
    ranges = set(sites["ranges_m"])
    return next(iter(ranges)) if len(ranges) == 1 else None


def _group_columns(by: Any, settlements: Any) -> tuple[str, ...]:
    """Columns to split by; a polygon breakdown's columns are added by :func:`_assign`."""
    if by is None:
        return ()
    bd = breakdown(by)
    if bd is not None:
        # Regions by ISO 3166-2 code, always with the country (never merged across countries).
        own = (bd.column, bd.label_column)
        return ("country", *own) if bd.per_country else own
    cols = [by] if isinstance(by, str) else list(by) if isinstance(by, Sequence) else None
    if cols is None:
        raise InputError(
            f"by={by!r} is not usable for sites; give 'country', 'admin1', "
            "['country', 'admin1'], a polygon layer, another settlements column, or None"
        )
    for col in cols:
        if col not in settlements.columns:
            raise InputError(
                f"by={by!r} but the settlements have no {col!r} column (columns: "
                f"{[str(c) for c in settlements.columns]!r}); pass by=None for totals"
            )
    return tuple(dict.fromkeys(cols))


def sites_exposure(
    sites: Any,
    settlements: Any = None,
    *,
    by: str | Sequence[str] | None = "country",
    union: bool = False,
    index: geo.PointIndex | None = None,
) -> SitesExposure:
    """Count the people within each range of each site.

    Parameters
    ----------
    sites : GeoDataFrame or Source
        A sites table checked by :func:`layers.sites.read_sites` (or its
        :class:`layers.Source`, kind ``"sites"``).
    settlements : geopandas.GeoDataFrame, optional
        Points with a ``population`` column and a CRS; default ``layers.settlements()``.
    by : str, list of str or None, default "country"
        Split the counts: ``"country"``; ``"admin1"`` or ``["country", "admin1"]``
        (rows by country and ISO 3166-2 region, places assigned to the shipped
        admin-1 polygons as :func:`layers.exposure` does); a polygon layer; any other
        settlements column; or None for totals only.
    union : bool, default False
        Also count the people within range of at least one site, each once.
    index : geo.PointIndex, optional
        The settlements' index, if built already (it must index ``settlements``).

    Returns
    -------
    SitesExposure

    Raises
    ------
    InputError
        A table that is not a checked sites table, a ``by`` column the settlements lack.

    Examples
    --------
    >>> import pandas as pd
    >>> from layers.sites import read_sites
    >>> sites = read_sites(pd.DataFrame({"name": ["A", "B"], "lon": [0, 1], "lat": [0, 0],
    ...                                  "range_km": [20, 50]}), crs="EPSG:4326")
    >>> result = sites_exposure(sites, sites_settlements_example(), union=True)
    >>> result.table[["site", "radius_km", "population", "places"]].to_dict("records")
    [{'site': 'A', 'radius_km': 20.0, 'population': 1000, 'places': 1}, \
{'site': 'B', 'radius_km': 50.0, 'population': 30, 'places': 1}]
    >>> int(result.union["population"].iloc[0])
    1030
    """
    if isinstance(sites, Source):
        sites = sites.data
    if not (hasattr(sites, "attrs") and sites.attrs.get("kind") == "sites"):
        sites = sites_source(sites).data  # refuses what is not a table of points
    if settlements is None:
        settlements = all_settlements()
    gdf = check_settlements(settlements)
    cols = _group_columns(by, gdf)
    if index is None:
        index = geo.PointIndex(gdf.geometry)
    elif index.n != len(gdf):
        raise InputError(
            f"index holds {index.n} points but the settlements {len(gdf)}; build it from them"
        )
    centre, position, metres = index.around(sites.geometry, sites["range_max_m"].to_numpy())
    places = _places(sites, gdf, centre, position, metres)
    _assign(places, breakdown(by) if by is not None else None)
    table, groups = _tables(sites, places, cols)
    provenance = (Provenance.of(sites) or Provenance()).merge(
        Provenance.of(gdf) or Provenance(),
        method=SITES_METHOD,
        accuracy="exact: the same Geod.inv distance as pyproj (Karney, ~15 nm)",
        sites=len(sites),
        settlements=len(gdf),
    )
    return SitesExposure(
        sites=sites,
        table=table,
        groups=groups,
        union=_union(sites, places) if union else None,
        places=places,
        by=cols,
        provenance=provenance,
    )


def _places(sites: Any, gdf: Any, centre: np.ndarray, position: np.ndarray, metres: Any) -> Any:
    import geopandas

    data: dict[str, Any] = {"site": sites["name"].iloc[centre].reset_index(drop=True)}
    for col in _PLACE_COLUMNS:
        if col in gdf.columns:
            data[col] = gdf[col].iloc[position].reset_index(drop=True)
    data["distance_m"] = metres
    data["distance_km"] = metres / 1000.0
    data["position"] = position
    data["centre"] = centre
    points = gdf.geometry
    if not gdf.crs.equals("EPSG:4326"):
        points = points.to_crs("EPSG:4326")
    return geopandas.GeoDataFrame(
        data, geometry=points.iloc[position].reset_index(drop=True), crs="EPSG:4326"
    )


def _assign(places: Any, bd: Breakdown | None) -> None:
    """Give each place its polygon of ``bd`` (the ISO 3166-2 region for admin-1), in place.

    The same assignment as :func:`layers.exposure` makes, so that ``by="admin1"`` means
    the same region codes here: the settlements' own ``admin1`` column is GeoNames'
    division number, which is not an ISO code ("08" is Fukushima, JP-08 is Ibaraki).
    """
    if bd is None:
        return
    countries = (
        places["country"].astype(str).to_numpy(dtype=object) if "country" in places else None
    )
    codes = (
        places["admin1"].astype(str).to_numpy(dtype=object)
        if "admin1" in places and countries is not None
        else None
    )
    keys, names = assign(np.asarray(places.geometry), countries, bd, geonames_admin1=codes)
    places[bd.column] = keys
    places[bd.label_column] = names


def _range_matrix(sites: Any) -> np.ndarray:
    """Sites × range rank, metres; NaN where a site has fewer ranges."""
    ranges = list(sites["ranges_m"])
    out = np.full((len(ranges), max(len(r) for r in ranges)), np.nan)
    for i, r in enumerate(ranges):
        out[i, : len(r)] = r
    return out


def _tables(sites: Any, places: Any, cols: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per site and range: totals (zeros included), and per group (groups in range)."""
    m = len(sites)
    matrix = _range_matrix(sites)
    centre = places["centre"].to_numpy()
    d = places["distance_m"].to_numpy()
    integral = pd.api.types.is_integer_dtype(places["population"])
    people = places["population"].to_numpy(dtype=np.int64 if integral else np.float64)
    if cols:
        keys = pd.MultiIndex.from_arrays([places[c].astype(str) for c in cols])
        codes, uniques = pd.factorize(keys, sort=True)
    else:
        codes, uniques = np.zeros(len(places), np.int64), []
    n_groups = max(len(uniques), 1)
    names = sites["name"].to_numpy()
    totals, grouped = [], []
    for k in range(matrix.shape[1]):
        limit = matrix[centre, k]
        inside = d <= limit  # NaN (no k-th range) compares False
        pop = np.bincount(centre[inside], weights=people[inside], minlength=m)
        count = np.bincount(centre[inside], minlength=m)
        has = ~np.isnan(matrix[:, k])
        totals.append(
            pd.DataFrame(
                {
                    "rank": k,
                    "order": np.arange(m),
                    "site": names,
                    "radius_m": matrix[:, k],
                    "population": pop,
                    "places": count,
                }
            )[has]
        )
        if cols and inside.any():
            key = centre[inside] * n_groups + codes[inside]
            gpop = np.bincount(key, weights=people[inside], minlength=m * n_groups)
            gcount = np.bincount(key, minlength=m * n_groups)
            hit = np.flatnonzero(gcount)
            frame = pd.DataFrame(
                {
                    "rank": k,
                    "order": hit // n_groups,
                    "site": names[hit // n_groups],
                    "radius_m": matrix[hit // n_groups, k],
                    "population": gpop[hit],
                    "places": gcount[hit],
                }
            )
            labels = uniques[hit % n_groups]
            for j, c in enumerate(cols):
                frame[c] = [label[j] for label in labels]
            grouped.append(frame)
    return _finish(totals, ()), _finish(grouped, cols)


def _finish(frames: list[pd.DataFrame], cols: tuple[str, ...]) -> pd.DataFrame:
    """Sort rows by site (its order in the table), range and group; tidy the columns."""
    columns = ["site", "radius_m", "radius_km", *cols, "population", "places"]
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True).sort_values(["order", "rank", *cols])
    table["radius_km"] = table["radius_m"] / 1000.0
    whole = np.all(table["population"].to_numpy() == np.round(table["population"].to_numpy()))
    table["population"] = table["population"].astype(np.int64 if whole else np.float64)
    table["places"] = table["places"].astype(np.int64)
    return table[columns].reset_index(drop=True)


def _union(sites: Any, places: Any) -> pd.DataFrame:
    """People within range of at least one site, each settlement counted once."""
    shared = _shared_ranges(sites)
    if shared is None:
        reach = dict(zip(sites["name"], sites["range_max_m"], strict=True))
        inside = places[places["distance_m"] <= places["site"].map(reach)]
        levels = [(np.nan, inside)]
    else:
        levels = [(r, places[places["distance_m"] <= r]) for r in shared]
    rows = []
    for r, inside in levels:
        once = inside.drop_duplicates("position")
        rows.append((r, r / 1000.0, once["population"].sum(), len(once), inside["site"].nunique()))
    return pd.DataFrame(rows, columns=["radius_m", "radius_km", "population", "places", "sites"])
