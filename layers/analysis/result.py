"""The result of an exposure, which every worker (settlement points, grids, Dask) returns.

:class:`Exposure` holds the tables per radius and band, the places and the list of
places near each radius, the population-by-distance curve, what ``exclude_source``
left out, the settlement coverage per country with its warnings, and the provenance.
The source it is measured from is described in :mod:`layers.analysis.source`, the
plain values (distances, radius labels, JSON) in :mod:`layers.analysis.values`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import InputError
from layers.analysis.values import json_default, metres, parse_radii, radius_label, records
from layers.boundaries import variant_label
from layers.countries import country as country_record
from layers.provenance import Provenance

__all__ = [
    "DISTANCE_ERROR_M",
    "EDGE_M",
    "GRID_METHOD",
    "POINT_METHOD",
    "TOTAL",
    "Exposure",
    "method_with_geometries",
]

#: Places within this many metres of a radius are listed as "near the edge".
EDGE_M = 5_000.0

POINT_METHOD = "exact geodesic distance from each settlement to the source, WGS84, Karney"
GRID_METHOD = (
    "geodesic bands around the source (geo.rings) intersected with each country of residence, "
    "reprojected to the grid's CRS and summed with exact partial-cell coverage (exactextract); "
    "curve from the exact geodesic distance of each cell centre, WGS84, Karney"
)


def method_with_geometries(method: str, source: Any = None, groups: Any = None) -> str:
    """Return ``method`` followed by how the source and the group polygons were made.

    Distances are exact to the polygons riskmap holds; a reader must also see what those
    polygons are (a simplified admin-1 region lies up to kilometres from the original), so
    the method names them.

    Parameters
    ----------
    method : str
        How the exposure was counted.
    source : Provenance, optional
        The source geometry's provenance.
    groups : Provenance, optional
        The provenance of the polygons people are grouped by (``by=`` a polygon layer).

    Returns
    -------
    str

    Examples
    --------
    >>> from layers.provenance import Provenance
    >>> method_with_geometries("exact distances", Provenance(method="a user's polygon"))
    "exact distances; source: a user's polygon"
    """
    parts = [method]
    if source is not None and source.method:
        parts.append(f"source: {source.method}")
    if groups is not None and groups.method:
        same = source is not None and groups.method == source.method
        parts.append(
            "grouped by: polygons of the same data" if same else f"grouped by: {groups.method}"
        )
    return "; ".join(parts)


#: Error bound of geo's point-to-geometry distances (its tested accuracy, up to 5,000 km), metres.
DISTANCE_ERROR_M = 1.0

#: The group name of an exposure counted without countries of residence (``by=None``).
TOTAL = "total"

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
        The column grouped by (``"country"``; ``"admin1"`` or a polygon layer's key
        column for a breakdown by polygons), or None for totals only.
    table : pandas.DataFrame
        One row per country of residence (``"total"`` when ``by=None``; per country
        and polygon for ``by="admin1"`` or a polygon layer, with the key column, e.g.
        ``admin1`` and ``admin1_name``, after ``country``) and radius: ``country``,
        ``radius_m`` (metres), ``radius_km``, ``population`` (people
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
    source : str
        What the distances are measured from, in words; a territory with its boundary
        variant, e.g. ``"North Korea (OSM, land only)"``.
    source_kind : str
        ``"territory"``, ``"border"``, ``"place"``, ``"point"`` or ``"geometry"``.
    boundary_variant : str or None
        The boundary variant of a territory source (``"osm-land"``), else None.
    coverage : dict
        For settlements: per country of the table (or of the places counted), the
        settlement coverage ratio (people in the country's settlements in the data ÷
        the country's population; :func:`layers.coverage`), or None where it is
        unknown (a user's table, whose country totals riskmap does not know). Empty
        for grids. The table carries it as ``coverage`` with ``coverage_note``
        (``"overcount"`` above 1.2, ``"undercount"`` below 0.6, ``"unknown"``, ``""``).
    warnings : tuple of str
        What makes a number less exact than it looks: a coverage above 1.2 (places
        counted more than once) or below 0.6 (people the points miss), or unknown.
    source_geometry : GeoDataFrame, shapely geometry, (lon, lat) pair or None
        What the distances were measured to (lon/lat degrees), so that a map draws the
        rings of the result; None when it is not known.

    Examples
    --------
    >>> import layers, shapely
    >>> towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
    >>> result = layers.exposure(shapely.Point(131.9, 43.1), towns, ["20km", "50km"])
    >>> result
    <Exposure settlements: 875,848 people within 50km, 2 radii, by='country'>
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
    # sorted distances (metres) of counted places / cell centres, their people and group;
    # None until _measure_curve (a grid's) gives them, when the curve is first asked for
    _distances: np.ndarray | None = field(repr=False)
    _people: np.ndarray | None = field(repr=False)
    _groups: np.ndarray | None = field(repr=False)
    source: str = ""
    source_kind: str = "geometry"
    boundary_variant: str | None = None
    coverage: dict[str, float | None] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    source_geometry: Any = field(default=None, repr=False)
    _measure_curve: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = field(
        default=None, repr=False
    )

    def _curve_entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the sorted distances, people and groups, measuring them on first use."""
        if self._distances is None and self._measure_curve is not None:
            d, people, groups = self._measure_curve()
            object.__setattr__(self, "_distances", d)
            object.__setattr__(self, "_people", people)
            object.__setattr__(self, "_groups", groups)
            object.__setattr__(self, "_measure_curve", None)  # what it held can go
        assert self._distances is not None and self._people is not None
        assert self._groups is not None
        return self._distances, self._people, self._groups

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
        radius : float, numpy scalar or str, optional
            A radius of this result, in metres or like ``"200km"``.
        country : str, Country or list of them, optional
            Only these countries of residence (codes or names, e.g. ``"Russia"``, or a
            group of the table such as ``"total"``); all by default.

        Returns
        -------
        float
            Number of people; 0 where nobody of the countries asked for is in range.

        Raises
        ------
        InputError
            For a radius that is not one of the result's, an unknown country, or a country
            whose residents ``exclude_source`` left out (its 0 would be by rule).

        Examples
        --------
        >>> import layers, shapely
        >>> towns = layers.settlements(bbox=(129, 41, 134, 45))
        >>> result = layers.exposure(shapely.Point(131.9, 43.1), towns, "100km")
        >>> result.population(country="russia") == result.population(country="RU")
        True
        """
        r = self.radii_m[-1] if radius is None else metres(radius, "radius")
        if not np.isclose(self.radii_m, r, rtol=0, atol=1e-6).any():
            raise InputError(
                f"radius {radius!r} is not one of this result's radii "
                f"{[radius_label(x) for x in self.radii_m]}; use curve() for other distances"
            )
        rows = self.table[np.isclose(self.table["radius_m"], r, rtol=0, atol=1e-6)]
        if country is not None:
            names = self._group_names(country)
            left = [c for c in names if c in (self.excluded.get("countries") or ())]
            if left:  # 0 by rule, not by measurement
                raise InputError(
                    f"residents of {', '.join(left)} were left out as the source's own "
                    "residents (exclude_source); pass exclude_source=False to "
                    "layers.exposure to count them"
                )
            rows = rows[rows["country"].isin(names)]
        return float(rows["population"].sum())

    def curve(
        self,
        step_m: float | str = 1000.0,
        *,
        radii: Any | None = None,
        country: Any | None = None,
    ) -> pd.DataFrame:
        """Return population by distance from the source, 0 to the largest radius.

        Parameters
        ----------
        step_m : float or str, default 1000.0
            Spacing of the distances, in metres or like ``"5km"`` (the largest radius is
            always included).
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
        centre, the table partial cells by their covered fraction. A grid's cell-centre
        distances are measured on the first call (not by :func:`layers.exposure`, whose
        tables need none of them) and kept for the next.

        Examples
        --------
        >>> import layers, shapely
        >>> towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
        >>> result = layers.exposure(shapely.Point(131.9, 43.1), towns, "50km")
        >>> result.curve(25_000, country="Russia")[["distance_km", "population", "places"]]
           distance_km  population  places
        0          0.0           0       0
        1         25.0      615036       5
        2         50.0      875848      28
        """
        if radii is None:
            step = metres(step_m, "step_m")
            if step <= 0:
                raise InputError(f"step_m {step_m!r} is 0; give a positive distance, e.g. '5km'")
            top = self.radii_m[-1]
            at = np.append(np.arange(0.0, top, step), top)
        else:
            at = parse_radii(radii)
            if at[-1] > self.max_distance_m:
                raise InputError(
                    f"distance {at[-1]:,.0f} m is beyond {self.max_distance_m:,.0f} m, "
                    "the farthest this result measured; run exposure() with a larger radius"
                )
        d, people, groups = self._curve_entries()
        if country is not None:
            keep = np.isin(groups, self._group_names(country))
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
            "source": self.source,
            "source_kind": self.source_kind,
            "boundary_variant": None
            if self.boundary_variant is None
            else {"name": self.boundary_variant, "label": variant_label(self.boundary_variant)},
            "coverage": dict(self.coverage),
            "warnings": list(self.warnings),
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

    def to_file(self, path: str | os.PathLike[str], *, rings: Any = None) -> Path:
        """Write the result with its provenance, atomically, in the format of the extension.

        ``.gpkg`` (GeoPackage: places, rings, the tables and a ``riskmap_provenance``
        table), ``.geojson`` (a FeatureCollection with the tables and provenance as the
        foreign member ``riskmap``), ``.csv`` (the table, with ``<stem>.provenance.json``
        beside it) or ``.parquet`` (GeoParquet with them in its key-value metadata);
        :func:`layers.analysis.export.read_exposure` reads any of them back.

        Parameters
        ----------
        path : str or path-like
            The file to write; its folder must exist.
        rings : GeoDataFrame, optional
            Distance bands to write with it (``layers.analysis.export.ring_layer``
            keeps the source's provenance, or :func:`geo.rings`); not written to CSV.

        Returns
        -------
        pathlib.Path
            ``path``.

        Raises
        ------
        InputError
            For another extension (the message lists the four), or a folder that does
            not exist.

        Examples
        --------
        >>> import layers, os, shapely, tempfile
        >>> towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
        >>> result = layers.exposure(shapely.Point(131.9, 43.1), towns, "20km")
        >>> path = result.to_file(os.path.join(tempfile.mkdtemp(), "vladivostok.geojson"))
        >>> path.name
        'vladivostok.geojson'
        """
        from layers.analysis.export import write_exposure

        return write_exposure(self, path, rings=rings)

    def _repr_html_(self) -> str:
        from layers.analysis.notebook import exposure_html

        return exposure_html(self)

    def __repr__(self) -> str:
        top = self.radii_m[-1]
        around = f" around {self.source}" if self.source_kind != "geometry" else ""
        flagged = [w.split(":")[0] for w in self.warnings if w[:2].isupper() and w[2:3] == ":"]
        note = f", coverage warning for {', '.join(flagged)}" if flagged else ""
        return (
            f"<Exposure {self.kind}{around}: {self.population(top):,.0f} people within "
            f"{radius_label(top)}, {len(self.radii_m)} radii, by={self.by!r}{note}>"
        )
