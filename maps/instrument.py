"""What the page needs to be an instrument: the radius control's numbers and its ring.

A map with an exposure carries a :class:`RadiusControl`: for every country of
residence, the population and place count within any radius from 0 to the
largest radius computed, as steps taken from the exact distances of the places
(settlements: the figure at a radius is what :meth:`layers.Exposure.population`
returns there, exactly) or from the cell-centre curve (grids: exact at the radii
computed, the curve of whole cells by their centre between them). With the
source's geometry it also carries a :class:`DistanceField`, the signed WGS84
distance to the source on a lon/lat grid, from which the page draws the ring at
any radius by marching squares; the largest error of that ring is measured on
the grid when the field is built, and stated in the legend.
"""

from __future__ import annotations

import base64
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

import geo
from geo.errors import InputError
from maps._display import as_frame, continuous_cut, shift_east, wrap_lon

__all__ = [
    "DistanceField",
    "RadiusControl",
    "FIELD_NODES",
    "AUTO_TOLERANCES_M",
    "PAGE_BUDGET_BYTES",
    "PageSizeWarning",
    "page_in_budget",
    "check_page_size",
    "ring_error_text",
]

#: Default number of grid nodes of a distance field (2 bytes each in the page).
FIELD_NODES = 90_000

#: The size a page should stay under, bytes: it opens in a few seconds on a phone.
PAGE_BUDGET_BYTES = 3_000_000
#: Display tolerances (m) a page with the default one steps through to keep within its budget.
AUTO_TOLERANCES_M = (200.0, 500.0, 1_000.0, 2_000.0, 5_000.0)

_METRES_PER_DEGREE = 111_320.0
_FAR = 65535  # code of a node beyond the field's reach


@dataclass(frozen=True, eq=False)
class DistanceField:
    """Signed WGS84 distance to a source on a regular lon/lat grid, for the page's ring.

    Parameters
    ----------
    west, south : float
        Longitude and latitude of the first node, degrees.
    step_lon, step_lat : float
        Spacing of the nodes, degrees.
    nx, ny : int
        Nodes along a row (west to east) and a column (south to north).
    offset_m, unit_m : float
        A node's distance is ``code * unit_m - offset_m`` metres (negative inside a
        polygon source); code 65535 is beyond ``reach_m``.
    codes : numpy.ndarray of uint16
        ``ny * nx`` codes, row by row from the south.
    reach_m : float
        Distances are encoded up to here, metres.
    band_m : float
        Width of the bands of ``errors_m``, metres.
    errors_m : tuple of float
        Per band of radii (0–``band_m``, …): the largest distance from its radius of a
        point of the ring the page draws there, metres. Measured where the page
        interpolates (the midpoints of the grid's edges, the centres of its cells),
        counting each gap in the bands from the true distance to the interpolated
        one and their neighbours, plus half the encoding unit.

    Examples
    --------
    >>> import shapely
    >>> f = DistanceField.around(shapely.Point(131.9, 43.1), 50_000, nodes=2_000)
    >>> f.nx * f.ny <= 2_000
    True
    >>> print(f"{f.error_at(25_000):.0f} m at 25 km, {f.error_m:.0f} m at worst (at the point)")
    55 m at 25 km, 1816 m at worst (at the point)
    """

    west: float
    south: float
    step_lon: float
    step_lat: float
    nx: int
    ny: int
    offset_m: float
    unit_m: float
    codes: np.ndarray = field(repr=False)
    reach_m: float
    band_m: float
    errors_m: tuple[float, ...]

    @property
    def error_m(self) -> float:
        """Largest error of the drawn ring at any radius, metres (see ``errors_m``)."""
        return max(self.errors_m)

    def error_at(self, radius_m: float) -> float:
        """Return the error bound of the ring the page draws at ``radius_m`` metres.

        Parameters
        ----------
        radius_m : float
            Metres, 0 to ``reach_m``.

        Returns
        -------
        float
            Metres.
        """
        k = min(max(int(radius_m // self.band_m), 0), len(self.errors_m) - 1)
        return self.errors_m[k]

    @classmethod
    def around(cls, source: Any, reach_m: float, *, nodes: int = FIELD_NODES) -> DistanceField:
        """Measure the distance to ``source`` on a grid covering everything within ``reach_m``.

        Parameters
        ----------
        source : GeoDataFrame, GeoSeries, shapely geometry or layers.Source
            The geometry distances are measured from (shapely: lon/lat degrees).
        reach_m : float
            The largest radius the page can show, metres.
        nodes : int, default FIELD_NODES
            Upper limit on the number of grid nodes (the page's size grows by 2
            bytes a node, the ring's error with the spacing).

        Returns
        -------
        DistanceField

        Raises
        ------
        InputError
            If ``reach_m`` is not a positive distance or ``nodes`` is under 100.

        Examples
        --------
        >>> import shapely
        >>> f = DistanceField.around(shapely.box(0, 0, 1, 1), 20_000, nodes=400)
        >>> print(f"{f.distance_at(1.1, 0.5) / 1000:.1f} km")
        11.1 km
        """
        reach = geo.parse_distance(reach_m)
        if not reach > 0:
            raise InputError(f"reach_m={reach_m!r}: give a positive distance, e.g. '200km'")
        if int(nodes) < 100:
            raise InputError(f"nodes={nodes!r} is under 100; give a grid of at least 100 nodes")
        frame = as_frame(source, what="field source")
        geometry = frame.geometry.union_all()
        # In the source's own continuous frame: a source across ±180° gets one grid
        # around it (Chukotka's 171°E..191°E), not one spanning the world.
        cut = continuous_cut(shapely.get_coordinates(geometry)[:, 0])
        west, south, east, north, step_lon, step_lat, nx, ny = _grid(
            shift_east(geometry, cut).bounds, reach, int(nodes)
        )
        lon = west + step_lon * np.arange(nx)
        lat = south + step_lat * np.arange(ny)
        grid = np.column_stack([wrap_lon(np.tile(lon, ny)), np.repeat(lat, nx)])
        index = geo.DistanceIndex(geometry)
        cap = 1.1 * reach
        d = index.distance_to(grid, max_distance=cap, signed=True)
        offset, unit = 0.1 * reach, 1.2 * reach / 65534
        codes = np.where(
            d <= cap, np.clip(np.round((np.maximum(d, -offset) + offset) / unit), 0, 65534), _FAR
        ).astype(np.uint16)
        decoded = np.where(codes == _FAR, np.inf, codes * unit - offset).reshape(ny, nx)
        spacing = step_lat * _METRES_PER_DEGREE
        band = max(reach / 40, 2 * spacing)
        errors = _measured_errors(index, decoded, lon, lat, reach, band) + unit / 2
        return cls(
            west,
            south,
            step_lon,
            step_lat,
            nx,
            ny,
            offset,
            unit,
            codes,
            reach,
            band,
            tuple(float(e) for e in errors),
        )

    def distance_at(self, lon: float, lat: float) -> float:
        """Return the distance at (lon, lat) in degrees interpolated as the page does, metres.

        Parameters
        ----------
        lon, lat : float
            A point inside the grid, degrees.

        Returns
        -------
        float
            Metres (bilinear between the four nodes around the point; inf beyond the reach).

        Examples
        --------
        >>> import shapely
        >>> f = DistanceField.around(shapely.Point(0, 0), 100_000, nodes=400)
        >>> print(f"{f.distance_at(0.0, 0.5) / 1000:.1f} km (exact: 55.3 km)")
        55.6 km (exact: 55.3 km)
        """
        grid = np.where(self.codes == _FAR, np.inf, self.codes * self.unit_m - self.offset_m)
        grid = grid.reshape(self.ny, self.nx)
        east_of_west = (lon - self.west) % 360.0  # the same meridian in the field's frame
        fx = min(max(east_of_west / self.step_lon, 0.0), self.nx - 1.000001)
        fy = min(max((lat - self.south) / self.step_lat, 0.0), self.ny - 1.000001)
        i, j = int(fy), int(fx)
        tx, ty = fx - j, fy - i
        cell = grid[i : i + 2, j : j + 2]
        if not np.isfinite(cell).all():
            return math.inf
        low = cell[0, 0] * (1 - tx) + cell[0, 1] * tx
        high = cell[1, 0] * (1 - tx) + cell[1, 1] * tx
        return float(low * (1 - ty) + high * ty)

    def to_json(self) -> dict[str, Any]:
        """Return the field as the page reads it (codes as base64 of little-endian uint16)."""
        data = base64.b64encode(self.codes.astype("<u2").tobytes()).decode("ascii")
        return {
            "west": self.west,
            "south": self.south,
            "dlon": self.step_lon,
            "dlat": self.step_lat,
            "nx": self.nx,
            "ny": self.ny,
            "offset": self.offset_m,
            "unit": self.unit_m,
            "reach": self.reach_m,
            "band": self.band_m,
            "errors": list(self.errors_m),
            "codes": data,
        }


def ring_error_text(radius_m: float, error_m: float) -> str:
    """Return the words the legend and the radius panel give the dashed ring's error.

    One figure: the error measured on the distance grid at the radius shown (the page
    rewrites it as the radius moves, in the same words).

    Parameters
    ----------
    radius_m, error_m : float
        The radius shown and the ring's error there (:meth:`DistanceField.error_at`), metres.

    Returns
    -------
    str

    Examples
    --------
    >>> print(ring_error_text(150_000, 1_416.2).split(" (")[0])
    Dashed ring at 150 km: within 1,416 m of the exact buffer
    """
    return (
        f"Dashed ring at {round(radius_m / 100) / 10:,g} km: within {error_m:,.0f} m of the exact "
        "buffer (measured on the distance grid at this radius)"
    )


def _grid(
    bounds: Any, reach: float, nodes: int
) -> tuple[float, float, float, float, float, float, int, int]:
    """Return the grid (west, south, east, north, steps in degrees, nx, ny) around ``bounds``."""
    w, s, e, n = (float(x) for x in bounds)
    pad_lat = 1.1 * reach / _METRES_PER_DEGREE
    south, north = max(s - pad_lat, -90.0), min(n + pad_lat, 90.0)
    widest = math.cos(math.radians(min(max(abs(south), abs(north)), 89.0)))
    pad_lon = min(pad_lat / widest, 180.0)
    west, east = w - pad_lon, e + pad_lon
    if east - west > 360.0:
        west, east = (w + e) / 2 - 180.0, (w + e) / 2 + 180.0
    mid = math.cos(math.radians((south + north) / 2))
    width_m = (east - west) * _METRES_PER_DEGREE * mid
    height_m = (north - south) * _METRES_PER_DEGREE
    spacing = math.sqrt(width_m * height_m / nodes)
    nx = max(2, int(width_m / spacing) + 1)
    ny = max(2, int(height_m / spacing) + 1)
    while nx * ny > nodes:
        nx, ny = max(2, nx - 1), max(2, ny - 1)
    return west, south, east, north, (east - west) / (nx - 1), (north - south) / (ny - 1), nx, ny


def _measured_errors(
    index: Any, grid: np.ndarray, xs: np.ndarray, ys: np.ndarray, reach: float, band: float
) -> np.ndarray:
    """Per band of radii, the largest gap (metres) of the true distance from the interpolated."""
    probes, guesses = [], []
    for a, b, px, py in (
        (grid[:, :-1], grid[:, 1:], (xs[:-1] + xs[1:]) / 2, ys),
        (grid[:-1, :], grid[1:, :], xs, (ys[:-1] + ys[1:]) / 2),
    ):
        keep = (np.minimum(a, b) <= reach) & (np.maximum(a, b) >= 0) & np.isfinite(a + b)
        x, y = np.meshgrid(px, py)
        probes.append(np.column_stack([x[keep], y[keep]]))
        guesses.append(((a + b) / 2)[keep])
    c = grid[:-1, :-1] + grid[:-1, 1:] + grid[1:, :-1] + grid[1:, 1:]
    low = np.minimum.reduce([grid[:-1, :-1], grid[:-1, 1:], grid[1:, :-1], grid[1:, 1:]])
    high = np.maximum.reduce([grid[:-1, :-1], grid[:-1, 1:], grid[1:, :-1], grid[1:, 1:]])
    keep = (low <= reach) & (high >= 0) & np.isfinite(c)
    x, y = np.meshgrid((xs[:-1] + xs[1:]) / 2, (ys[:-1] + ys[1:]) / 2)
    probes.append(np.column_stack([x[keep], y[keep]]))
    guesses.append((c / 4)[keep])
    points, guess = np.concatenate(probes), np.concatenate(guesses)
    bins = int(math.ceil(reach / band)) + 1
    errors = np.zeros(bins)
    if not len(points):
        return errors
    points[:, 0] = wrap_lon(points[:, 0])
    true = index.distance_to(points, max_distance=1.2 * reach, signed=True)
    gap = np.abs(true - guess)
    ok = np.isfinite(gap)
    lo = np.clip(np.floor(np.minimum(true, guess)[ok] / band) - 1, 0, bins - 1).astype(int)
    hi = np.clip(np.floor(np.maximum(true, guess)[ok] / band) + 1, -1, bins - 1).astype(int)
    # Each probe's gap counts in every bin from lo to hi (a few bins each), at once.
    width = np.maximum(hi - lo + 1, 0)
    first = np.repeat(np.cumsum(width) - width, width)
    np.maximum.at(
        errors, np.repeat(lo, width) + np.arange(width.sum()) - first, np.repeat(gap[ok], width)
    )
    return errors


@dataclass(frozen=True, eq=False)
class RadiusControl:
    """The page's radius control: population and places by country at any radius.

    Parameters
    ----------
    kind : {"settlements", "grid"}
        Where the numbers come from (see the module notes).
    radii_m : tuple of float
        The radii computed, metres; the control runs from 0 to the largest.
    radius_m : float
        The radius the page opens at, metres.
    groups : tuple of dict
        Per country of residence: ``code``, ``d`` (step distances, metres, ascending),
        ``pop`` (people within each) and ``n`` (places within each).
    shown : tuple of str
        The countries listed in the panel, in order.
    of : str
        What distances are measured from.
    field : DistanceField or None
        The field the page draws the ring from; None draws no ring.

    Examples
    --------
    >>> import layers, shapely
    >>> towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
    >>> exp = layers.exposure(shapely.Point(131.9, 43.1), towns, ["20km", "50km"])
    >>> control = RadiusControl.of_exposure(exp)
    >>> control.population(20_000) == exp.population("20km")
    True
    """

    kind: str
    radii_m: tuple[float, ...]
    radius_m: float
    groups: tuple[dict[str, Any], ...]
    shown: tuple[str, ...]
    of: str = ""
    field: DistanceField | None = None

    @classmethod
    def of_exposure(
        cls,
        exposure: Any,
        *,
        radius: float | str | None = None,
        countries: Any = None,
        of: str = "",
        source: Any = None,
        nodes: int = FIELD_NODES,
    ) -> RadiusControl:
        """Take the steps of an exposure result, and the field of its source if given.

        Parameters
        ----------
        exposure : layers.Exposure
            From settlements or a grid.
        radius : float or str, optional
            Opening radius (metres or ``"150km"``); default the largest computed.
        countries : sequence of str, optional
            Countries listed in the panel; default all of the table, largest first.
        of : str, default ""
            What distances are measured from.
        source : geometry, GeoDataFrame or layers.Source, optional
            The geometry the exposure measured from, for the ring.
        nodes : int, default FIELD_NODES
            Grid nodes of the distance field.

        Returns
        -------
        RadiusControl

        Raises
        ------
        InputError
            If ``radius`` is beyond the largest radius computed.
        """
        radii = tuple(float(r) for r in exposure.radii_m)
        r = radii[-1] if radius is None else geo.parse_distance(radius)
        if not 0 <= r <= radii[-1]:
            raise InputError(
                f"radius {radius!r} is beyond {radii[-1] / 1000:g} km, the largest radius of the "
                "exposure; give a radius up to it, or compute the exposure further"
            )
        table = exposure.table
        top = table[np.isclose(table["radius_m"], radii[-1], rtol=0, atol=1e-6)]
        # By country of residence: a breakdown by admin-1 region (or polygons) has a row
        # per country and region, summed here; the panel lists each country once.
        people = top.groupby(top["country"].astype(str), sort=False)["population"].sum()
        codes = [str(c) for c in people.sort_values(ascending=False, kind="stable").index]
        groups = tuple(_steps(exposure, code, radii) for code in codes)
        shown = tuple(codes if countries is None else [str(c) for c in countries])
        source_field = (
            None if source is None else DistanceField.around(source, radii[-1], nodes=nodes)
        )
        return cls(str(exposure.kind), radii, r, groups, shown, of, source_field)

    def population(self, radius_m: float) -> float:
        """Return the people within ``radius_m`` metres as the page shows them.

        Parameters
        ----------
        radius_m : float
            Metres, from 0 to the largest radius.

        Returns
        -------
        float
            People (the sum over every country of residence).
        """
        total = 0.0
        for g in self.groups:
            i = int(np.searchsorted(np.asarray(g["d"]), radius_m, side="right"))
            total += g["pop"][i - 1] if i else 0.0
        return total

    def to_json(self) -> dict[str, Any]:
        """Return the control's data as the page reads it."""
        return {
            "kind": self.kind,
            "radii": list(self.radii_m),
            "radius": self.radius_m,
            "groups": list(self.groups),
            "shown": list(self.shown),
            "of": self.of,
            "field": None if self.field is None else self.field.to_json(),
        }


def _steps(exposure: Any, code: str, radii: tuple[float, ...]) -> dict[str, Any]:
    """One country's population and places as steps: their values from each step distance on."""
    country = None if exposure.by is None else code
    if exposure.kind == "grid" or exposure.places is None:
        # Cell centres by 1 km steps between the radii, the table's exact values at them.
        at = np.union1d(np.arange(0.0, radii[-1], 1000.0), radii)
        curve = exposure.curve(radii=at[at > 0], country=country)
        d = curve["distance_m"].to_numpy(float)
        pop = curve["population"].to_numpy(float, copy=True)
        for i, r in enumerate(d):
            if np.isclose(radii, r, rtol=0, atol=1e-6).any():
                pop[i] = exposure.population(r, country=country)
        return {"code": code, "d": d.tolist(), "pop": pop.tolist(), "n": curve["places"].tolist()}
    places = exposure.places
    dist = places["distance_m"].to_numpy(float)
    if country is not None and "country" in places.columns:
        # the country of residence, whatever the table is split by (admin1's rows too)
        dist = dist[places["country"].astype(str).to_numpy() == code]
    d = np.unique(np.clip(dist[dist <= radii[-1]], 1e-9, None))
    if not len(d):
        return {"code": code, "d": [], "pop": [], "n": []}
    curve = exposure.curve(radii=d, country=country)
    return {
        "code": code,
        "d": curve["distance_m"].tolist(),
        "pop": curve["population"].astype(float).tolist(),
        "n": curve["places"].astype(int).tolist(),
    }


class PageSizeWarning(UserWarning):
    """A page is larger than its budget (``RiskMap(max_bytes=...)``).

    Examples
    --------
    >>> issubclass(PageSizeWarning, UserWarning)
    True
    """


def check_page_size(page: str, max_bytes: int, *, tolerance_m: float) -> str:
    """Return ``page``; warn with the ways to shrink it when it is over ``max_bytes``.

    Parameters
    ----------
    page : str
        The HTML page.
    max_bytes : int
        Its budget, bytes (UTF-8).
    tolerance_m : float
        The map's display tolerance, metres (the warning suggests a larger one).

    Returns
    -------
    str
        ``page``, unchanged.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = check_page_size("x" * 2_000, 1_000, tolerance_m=200)
    >>> print(str(caught[0].message).split(";")[0])
    the page is 0.00 MB (2,000 bytes), over its budget of 1,000 bytes
    """
    size = len(page.encode("utf-8"))
    if size > max_bytes:
        warnings.warn(
            f"the page is {size / 1e6:.2f} MB ({size:,} bytes), over its budget of "
            f"{max_bytes:,} bytes; draw it with less detail: RiskMap(tolerance_m="
            f"{max(2 * tolerance_m, 1000):g}) simplifies its shapes more (now {tolerance_m:g} m), "
            "add_exposure(max_distance=...) or add_settlements(min_population=...) draw fewer "
            "places, RiskMap(tiles=None) and fewer context countries drop layers, or raise "
            "RiskMap(max_bytes=...) to accept it",
            PageSizeWarning,
            stacklevel=3,
        )
    return page


def page_in_budget(
    page: Callable[[float], str], tolerance_m: float, max_bytes: int, *, auto: bool
) -> str:
    """Return the page drawn at ``tolerance_m``, or coarser if ``auto`` and it is over budget.

    Parameters
    ----------
    page : callable
        Draws the page at a display tolerance (metres).
    tolerance_m : float
        The finest tolerance, metres.
    max_bytes : int
        The page's budget, bytes (UTF-8).
    auto : bool
        Step through the coarser :data:`AUTO_TOLERANCES_M` until the page fits; a page
        over budget even so (or with ``auto`` False) warns (:func:`check_page_size`).

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> drawn = []
    >>> html = page_in_budget(lambda t: drawn.append(t) or "x" * int(1e6 / t), 200, 1_500,
    ...                       auto=True)
    >>> drawn, len(html)
    ([200.0, 500.0, 1000.0], 1000)
    """
    tolerances = [t for t in AUTO_TOLERANCES_M if t >= tolerance_m] if auto else []
    for tolerance in tolerances or [tolerance_m]:
        html = page(tolerance)
        if len(html.encode("utf-8")) <= max_bytes:
            break
    return check_page_size(html, max_bytes, tolerance_m=tolerance)
