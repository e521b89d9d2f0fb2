"""Population grids: GeoTIFF rasters of people per cell or per km².

:func:`population_grid` opens a local GeoTIFF (GHS-POP, WorldPop, LandScan, GPW or
any other single-band population raster) or downloads a named product through the
checksummed cache (:mod:`layers.cache`). The grid is never loaded whole: zonal sums
and cell lists read only the windows they need.

Two kinds of grid exist and are never mixed up: *count* grids hold people per cell,
*density* grids hold people per km². Density is turned into people per cell with the
cell's area on the WGS84 ellipsoid (exact for grids in longitude/latitude; for
projected grids, the cell's corners measured in an equal-area projection of the
ellipsoid, EPSG:6933). Cells holding the nodata value, or NaN, count as 0 people
and are counted and reported, so a reader can see how much of an area had no data.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geo.errors import CRSError, DataError, InputError, InputTypeError
from layers._progress import progress_bar
from layers.cell_area import cell_areas_km2, zone_area_m2
from layers.grid_extract import cell_fractions, zone_sums
from layers.grid_products import (
    PRODUCTS,
    GridProduct,
    Kind,
    check_kind,
    fetch_grid,
    fetch_product,
    guess_kind,
    is_url,
)
from layers.grid_windows import DaskGrid, rows_per_window, window_of
from layers.provenance import DataSource, Provenance

__all__ = [
    "GridProduct",
    "PRODUCTS",
    "PopulationGrid",
    "WINDOW_CELLS",
    "population_grid",
    "zone_area_m2",
]

_WGS84_CRS = CRS.from_epsg(4326)

# Densify lon/lat edges to this step (degrees) before projecting them, so that a
# straight lon/lat edge keeps its shape in the grid's CRS (≈1 km; the chord error of
# a 1 km step is a few centimetres).
_DENSIFY_DEG = 0.01

#: Most cells read from the grid at once (8 MB as float64). Zonal sums and cell
#: lists read windows of at most this size, so their memory does not grow with the
#: grid or with the zone.
WINDOW_CELLS = 1 << 20
# GDAL's block cache while a grid is read (bytes). Each window is read about once,
# so a small cache costs nothing; GDAL's default (5% of RAM) would fill with blocks
# already used as a large grid is read.
_GDAL_CACHE_BYTES = 64 << 20


class PopulationGrid:
    """A GeoTIFF population grid, read window by window.

    Build it with :func:`population_grid`. The file stays on disk; every method
    opens it, reads the cells it needs and closes it.

    Attributes
    ----------
    path : pathlib.Path
        The GeoTIFF.
    kind : {"count", "density"}
        People per cell, or people per km².
    crs : pyproj.CRS
        The grid's coordinate reference system.
    transform : affine.Affine
        Pixel-to-CRS transform (north-up, no rotation).
    width, height : int
        Size in cells.
    nodata : float or None
        The value that marks cells without data.
    provenance : Provenance
        The product, its licence and attribution.

    Examples
    --------
    >>> import pathlib, tempfile, rasterio
    >>> from affine import Affine
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "tens.tif"
    >>> profile = {"driver": "GTiff", "width": 4, "height": 2, "count": 1, "dtype": "float32",
    ...            "crs": "EPSG:4326", "transform": Affine(0.5, 0, 130.0, 0, -0.5, 43.0)}
    >>> with rasterio.open(path, "w", **profile) as ds:  # 4 x 2 cells of 0.5°, 10 people each
    ...     ds.write(np.full((2, 4), 10, "float32"), 1)
    >>> grid = PopulationGrid(path, kind="count")
    >>> grid
    PopulationGrid('tens.tif', kind='count', crs='EPSG:4326', 4x2 cells, nodata=None)
    >>> zones = [shapely.box(130.0, 42.0, 131.0, 43.0), shapely.box(130.25, 42.5, 130.75, 43.0)]
    >>> grid.zonal_sum(zones)["population"].tolist()  # the second covers halves of 2 cells
    [40.0, 10.0]
    >>> for lonlat, people, nodata in grid.cells((130.0, 42.5, 131.0, 43.0)):
    ...     print(lonlat.tolist(), people.tolist(), nodata)
    [[130.25, 42.75], [130.75, 42.75]] [10.0, 10.0] 0
    >>> tmp.cleanup()
    """

    def __init__(
        self,
        path: str | Path,
        *,
        kind: Kind,
        provenance: Provenance | None = None,
        band: int = 1,
    ) -> None:
        # rasterio adds about 65 ms to `import layers` (python -X importtime) and only
        # grids need it: loaded when the first grid is opened.
        import rasterio

        self.path = Path(path)
        self.kind: Kind = check_kind(kind)
        self.band = band
        try:
            ds = rasterio.open(self.path)
        except rasterio.errors.RasterioIOError as exc:
            raise DataError(f"cannot open population grid {str(self.path)!r}: {exc}") from exc
        with ds:
            if ds.crs is None:
                raise CRSError(
                    f"population grid {str(self.path)!r} has no CRS, and riskmap does not guess "
                    "one; assign it with `gdal_edit.py -a_srs EPSG:4326 FILE` (or the CRS it is "
                    "really in) and open it again"
                )
            t = ds.transform
            if t.b != 0 or t.d != 0 or t.e >= 0:
                raise DataError(
                    f"population grid {str(self.path)!r} has a rotated or south-up transform "
                    f"{tuple(t)[:6]!r}; expected a north-up grid: warp it with `gdalwarp` first"
                )
            if not 1 <= band <= ds.count:
                raise InputError(f"band {band!r} does not exist; the grid has bands 1..{ds.count}")
            self.crs = CRS.from_user_input(ds.crs)
            self.transform = t
            self.width, self.height = ds.width, ds.height
            self.nodata = ds.nodatavals[band - 1]
            self.scale = ds.scales[band - 1]
            self.offset = ds.offsets[band - 1]
            self.dtype = ds.dtypes[band - 1]
            left, bottom, right, top = ds.bounds
            self.bounds: tuple[float, float, float, float] = (left, bottom, right, top)
        self.provenance = provenance or Provenance(
            sources=(
                DataSource(
                    name=f"population grid {self.path.name}",
                    version="local file",
                    licence="as published by its producer",
                    attribution="",
                    url=self.path.resolve().as_uri(),
                ),
            )
        )

    def __repr__(self) -> str:
        return (
            f"PopulationGrid({self.path.name!r}, kind={self.kind!r}, crs={self.crs.to_string()!r}, "
            f"{self.width}x{self.height} cells, nodata={self.nodata!r})"
        )

    @property
    def is_geographic(self) -> bool:
        """True when the grid is in longitude/latitude degrees."""
        return self.crs.is_geographic

    # -- reading ---------------------------------------------------------------

    @contextmanager
    def _open(self) -> Iterator[Any]:
        """Open the grid for reading, with GDAL's block cache kept small."""
        import rasterio  # see __init__

        with rasterio.Env(GDAL_CACHEMAX=_GDAL_CACHE_BYTES), rasterio.open(self.path) as ds:
            yield ds

    def read_window(
        self, ds: Any, row0: int, col0: int, nrows: int, ncols: int
    ) -> np.ma.MaskedArray:
        """Read people per cell for a window of an open dataset; nodata and NaN are masked.

        Parameters
        ----------
        ds : rasterio.DatasetReader
            The grid, opened by the caller.
        row0, col0, nrows, ncols : int
            The window, in cells.

        Returns
        -------
        numpy.ma.MaskedArray
            People per cell (float64); masked cells had no data.

        Raises
        ------
        DataError
            If a cell that is not nodata holds a negative number of people.
        """
        from rasterio.windows import Window  # see __init__

        raw = ds.read(self.band, window=Window(col0, row0, ncols, nrows), masked=False)
        values = raw.astype(np.float64)
        invalid = ~np.isfinite(values)
        if self.nodata is not None and not math.isnan(self.nodata):
            invalid |= raw == np.asarray(self.nodata).astype(raw.dtype)
        if self.scale != 1.0 or self.offset != 0.0:
            values = values * self.scale + self.offset
        negative = (values < 0) & ~invalid
        if negative.any():
            r, c = (int(i[0]) for i in np.nonzero(negative))
            fix = (
                "it has no nodata value: declare the one it uses with "
                "`gdal_edit.py -a_nodata VALUE FILE`"
                if self.nodata is None
                else f"its nodata value is {self.nodata!r}; fix the grid or declare the right one"
            )
            raise DataError(
                f"population grid {self.path.name!r} holds a negative value "
                f"{float(values[r, c])!r} at row {row0 + r}, column {col0 + c}, and {fix}"
            )
        values[invalid] = 0.0
        if self.kind == "density":
            values *= cell_areas_km2(
                self.transform, self.crs, (row0, col0, nrows, ncols), name=self.path.name
            )
        return np.ma.masked_array(values, invalid)

    def window_of(
        self, bounds: tuple[float, float, float, float]
    ) -> tuple[int, int, int, int] | None:
        """Return the window of cells covering bounds in the grid's CRS.

        Parameters
        ----------
        bounds : (xmin, ymin, xmax, ymax)
            In the grid's CRS (degrees or metres, as the grid is).

        Returns
        -------
        tuple of int or None
            ``(row0, col0, nrows, ncols)`` in cells, clipped to the grid; None if the
            bounds miss the grid.
        """
        return window_of(self.transform, (self.height, self.width), bounds)

    def to_dask(self, *, window_cells: int = WINDOW_CELLS) -> DaskGrid:
        """Return this grid for :func:`layers.exposure` on Dask, one task per window.

        Each task reads one square of about ``window_cells`` cells and returns its zone
        sums and curve entries; the result is the same as in memory (see :class:`DaskGrid`).

        Examples
        --------
        >>> grid = object.__new__(PopulationGrid)
        >>> grid.to_dask(window_cells=4096).side
        64
        """
        return DaskGrid(self, window_cells)

    # -- geometry in the grid's CRS -------------------------------------------

    def to_grid_crs(self, geometries: Any) -> np.ndarray:
        """Return geometries in the grid's CRS, clipped to its extent.

        Parameters
        ----------
        geometries : shapely geometry, sequence of them (lon/lat), or GeoSeries/GeoDataFrame
            A GeoSeries/GeoDataFrame is taken in its own CRS; anything else is lon/lat
            degrees. Lon/lat edges are densified to 0.01° first, so that their shape
            survives the projection.

        Returns
        -------
        numpy.ndarray
            Shapely geometries (object array) in the grid's CRS.
        """
        if isinstance(geometries, (geopandas.GeoSeries, geopandas.GeoDataFrame)):
            if geometries.crs is None:
                raise CRSError(
                    "geometries have no CRS; set it with .set_crs('EPSG:4326') if they are "
                    "lon/lat degrees, or with the CRS they are in"
                )
            src_crs = CRS.from_user_input(geometries.crs)
            geoms = np.asarray(geometries.geometry, dtype=object)
        else:
            src_crs = _WGS84_CRS
            geoms = np.asarray(
                [geometries] if isinstance(geometries, shapely.Geometry) else list(geometries),
                dtype=object,
            )
        if src_crs.equals(self.crs, ignore_axis_order=True):
            return geoms
        if not src_crs.is_geographic:
            geoms = _project(geoms, src_crs, _WGS84_CRS)
            src_crs = _WGS84_CRS
        lonlat_box = shapely.box(
            *_transformer(self.crs, _WGS84_CRS).transform_bounds(*self.bounds, densify_pts=101)
        )
        geoms = shapely.intersection(geoms, lonlat_box)
        if self.is_geographic:
            return _project(geoms, src_crs, self.crs)
        return _project(shapely.segmentize(geoms, _DENSIFY_DEG), src_crs, self.crs)

    # -- results -------------------------------------------------------------

    def zonal_sum(self, geometries: Any, *, progress: bool | None = None) -> pd.DataFrame:
        """Return the people inside each polygon, with exact partial-cell coverage.

        Parameters
        ----------
        geometries : shapely geometry, sequence of them (lon/lat), or GeoSeries/GeoDataFrame
            Polygons to sum over; a GeoSeries/GeoDataFrame in the grid's own CRS is
            used as it is, anything else is reprojected to it.
        progress : bool, optional
            Show a progress bar over the polygons; by default only on a terminal
            (see :mod:`layers._progress`, ``RISKMAP_PROGRESS``).

        Returns
        -------
        pandas.DataFrame
            One row per polygon: ``population`` (people), ``cells`` (cells covered,
            counting partly covered cells by their covered fraction) and
            ``nodata_cells`` (the same for cells with no data, counted as 0 people).

        Notes
        -----
        The sum is ``exactextract``'s: each cell contributes its value times the
        fraction of its area (in the grid's CRS) the polygon covers. A polygon
        larger than :data:`WINDOW_CELLS` cells is summed over several windows, so
        memory stays bounded whatever the size of the grid or of the polygon.
        """
        return zone_sums(
            self, self.to_grid_crs(geometries), max_cells=WINDOW_CELLS, progress=progress
        )

    def cell_fractions(self, geometries: Any, *, progress: bool | None = None) -> pd.DataFrame:
        """Return the cells each polygon covers, with the exact fraction of each covered.

        Parameters
        ----------
        geometries : shapely geometry, sequence of them (lon/lat), or GeoSeries/GeoDataFrame
            Polygons, as for :meth:`zonal_sum`.
        progress : bool, optional
            Show a progress bar (see :meth:`zonal_sum`).

        Returns
        -------
        pandas.DataFrame
            One row per (polygon, cell covered): ``zone`` (the polygon's position),
            ``cell`` (row × width + column), ``fraction`` (share of the cell's area in
            the grid's CRS inside the polygon, in (0, 1]) and ``people`` (people in the
            whole cell, NaN for nodata). ``(fraction * people).sum()`` per zone is its
            :meth:`zonal_sum`.

        Examples
        --------
        >>> import pathlib, tempfile, rasterio
        >>> from affine import Affine
        >>> tmp = tempfile.TemporaryDirectory()
        >>> path = pathlib.Path(tmp.name) / "fours.tif"
        >>> profile = {"driver": "GTiff", "width": 2, "height": 1, "count": 1, "dtype": "float32",
        ...            "crs": "EPSG:4326", "transform": Affine(1, 0, 10.0, 0, -1, 1.0)}
        >>> with rasterio.open(path, "w", **profile) as ds:
        ...     ds.write(np.full((1, 2), 4, "float32"), 1)
        >>> grid = PopulationGrid(path, kind="count")
        >>> print(grid.cell_fractions([shapely.box(10.5, 0, 11.25, 1)]).to_string(index=False))
         zone  cell  fraction  people
            0     0      0.50     4.0
            0     1      0.25     4.0
        >>> tmp.cleanup()
        """
        return cell_fractions(
            self, self.to_grid_crs(geometries), max_cells=WINDOW_CELLS, progress=progress
        )

    def cell_centres(self, cells: np.ndarray) -> np.ndarray:
        """Return the lon/lat of the centres of cells numbered row × width + column.

        Parameters
        ----------
        cells : numpy.ndarray of int
            Cell numbers, as :meth:`cell_fractions` gives them.

        Returns
        -------
        numpy.ndarray
            Shape (n, 2): longitude and latitude in degrees (projected grids are
            transformed to EPSG:4326).

        Examples
        --------
        >>> import pathlib, tempfile, rasterio
        >>> from affine import Affine
        >>> tmp = tempfile.TemporaryDirectory()
        >>> path = pathlib.Path(tmp.name) / "g.tif"
        >>> profile = {"driver": "GTiff", "width": 4, "height": 2, "count": 1, "dtype": "uint8",
        ...            "crs": "EPSG:4326", "transform": Affine(0.5, 0, 130.0, 0, -0.5, 43.0)}
        >>> with rasterio.open(path, "w", **profile) as ds:
        ...     ds.write(np.ones((2, 4), "uint8"), 1)
        >>> PopulationGrid(path, kind="count").cell_centres(np.array([0, 5])).tolist()
        [[130.25, 42.75], [130.75, 42.25]]
        >>> tmp.cleanup()
        """
        cells = np.asarray(cells, dtype=np.int64)
        rows, cols = np.divmod(cells, self.width)
        t = self.transform
        x = t.c + t.a * (cols + 0.5)
        y = t.f + t.e * (rows + 0.5)
        if not self.is_geographic:
            x, y = _transformer(self.crs, _WGS84_CRS).transform(x, y)
        return np.column_stack([x, y])

    def cells(
        self,
        bounds_lonlat: tuple[float, float, float, float] | None = None,
        *,
        chunk_rows: int | None = None,
        progress: bool | None = None,
    ) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
        """Yield the centres and people of non-empty cells, a block of rows at a time.

        Parameters
        ----------
        bounds_lonlat : (west, south, east, north), optional
            Only cells within these lon/lat bounds (degrees); the whole grid by default.
        chunk_rows : int, optional
            Rows read at once; by default as many as fit in :data:`WINDOW_CELLS`
            cells (a whole number of the file's blocks when that many fit).
        progress : bool, optional
            Show a progress bar over the rows; by default only on a terminal
            (see :mod:`layers._progress`, ``RISKMAP_PROGRESS``).

        Yields
        ------
        tuple
            ``(lonlat, people, nodata)``: an (n, 2) array of cell-centre longitudes
            and latitudes in degrees, the people in each of those cells, and the
            number of nodata cells in the block.
        """
        window: tuple[int, int, int, int] | None = (0, 0, self.height, self.width)
        if bounds_lonlat is not None:
            west, south, east, north = bounds_lonlat
            grid_bounds = _transformer(_WGS84_CRS, self.crs).transform_bounds(
                west, south, east, north, densify_pts=101
            )
            window = self.window_of(grid_bounds)
        if window is None:
            return
        row0, col0, nrows, ncols = window
        to_lonlat = None if self.is_geographic else _transformer(self.crs, _WGS84_CRS)
        t = self.transform
        bar = progress_bar(total=nrows, desc="grid cells", unit="row", progress=progress)
        with bar, self._open() as ds:
            if chunk_rows is None:
                chunk_rows = rows_per_window(ncols, ds.block_shapes[self.band - 1][0], WINDOW_CELLS)
            for r in range(row0, row0 + nrows, chunk_rows):
                n = min(chunk_rows, row0 + nrows - r)
                block = self.read_window(ds, r, col0, n, ncols)
                rr, cc = np.nonzero(block.filled(0.0) > 0)
                x = t.c + t.a * (col0 + cc + 0.5)
                y = t.f + t.e * (r + rr + 0.5)
                if to_lonlat is not None:
                    x, y = to_lonlat.transform(x, y)
                ok = np.isfinite(x) & np.isfinite(y)
                yield np.column_stack([x[ok], y[ok]]), block.data[rr, cc][ok], int(block.mask.sum())
                bar.update(n)  # after the caller has used the block: the bar shows real work


def _transformer(src: CRS, dst: CRS) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def _project(geoms: np.ndarray, src: CRS, dst: CRS) -> np.ndarray:
    t = _transformer(src, dst)
    return shapely.transform(geoms, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def population_grid(
    source: str | Path | PopulationGrid,
    *,
    kind: Kind | None = None,
    sha256: str | None = None,
) -> PopulationGrid:
    """Open a population grid from a GeoTIFF path or a named product.

    Parameters
    ----------
    source : str, path-like or PopulationGrid
        A local GeoTIFF, or a name from :data:`PRODUCTS` (WorldPop needs the
        country: ``"worldpop-2020-1km:PRK"``). Named products are downloaded once
        into the cache (:func:`layers.cache.fetch`, checksum-verified).
    kind : {"count", "density"}, optional
        People per cell, or people per km². Known products and files named like
        them (``GHS_POP_*``, WorldPop ``*_ppp_*`` / ``*_pd_*``, GPW
        ``*population_count*`` / ``*population_density*``, LandScan) are recognised;
        any other file needs it.
    sha256 : str, optional
        Checksum of a named product's download, for products whose checksum riskmap
        has not pinned; overrides nothing when one is pinned (a different one is refused).

    Returns
    -------
    PopulationGrid
        The grid (not loaded into memory).

    Raises
    ------
    InputError
        For an unknown product, a kind that cannot be guessed, or a kind that
        contradicts the product.
    CRSError
        If the GeoTIFF has no CRS.
    DataError
        If a download is impossible (offline, corrupt) or the file is unreadable.

    Examples
    --------
    A local GeoTIFF opens as in :class:`PopulationGrid`; products are known by name:

    >>> sorted(PRODUCTS)[:4]
    ['ghs-pop', 'ghs-pop-100m', 'ghs-pop-1km', 'ghs-pop-3ss']
    >>> population_grid("worldpop-1km:2020")
    Traceback (most recent call last):
    ...
    geo.errors.InputError: product 'worldpop-1km' is per country; name it like ...
    """
    if isinstance(source, PopulationGrid):
        return source
    if not isinstance(source, (str, Path)):
        raise InputTypeError(
            f"population grid source {source!r} of type {type(source).__name__} is not usable; "
            "expected a GeoTIFF path or a product name from layers.grid.PRODUCTS"
        )
    if kind is not None:
        check_kind(kind)
    name = str(source)
    if is_url(name):  # a GeoTIFF (or a zip of one) by URL, through the cache and lock file
        got = fetch_grid(name, sha256=sha256)
        chosen = kind or got.kind
        if chosen is None:
            raise InputError(
                f"cannot tell whether {name!r} holds people per cell or per km²; "
                "pass kind='count' or kind='density'"
            )
        return PopulationGrid(got.path, kind=chosen, provenance=got.provenance)
    product_name, _, country = name.partition(":")
    if product_name in PRODUCTS:
        product = PRODUCTS[product_name]
        if kind is not None and kind != product.kind:
            raise InputError(
                f"kind {kind!r} contradicts product {product.name!r}, which holds "
                f"{'people per cell' if product.kind == 'count' else 'people per km²'}; drop kind="
            )
        path, provenance = fetch_product(product, country, sha256=sha256)
        return PopulationGrid(path, kind=product.kind, provenance=provenance)
    path = Path(source).expanduser()
    if not path.exists():
        raise InputError(
            f"population grid {name!r} is neither a file nor a known product; "
            f"give a GeoTIFF path or one of {', '.join(sorted(PRODUCTS))}"
        )
    guessed = guess_kind(path.name)
    if kind is None:
        if guessed is None:
            raise InputError(
                f"cannot tell whether {path.name!r} holds people per cell or people per km²; "
                "pass kind='count' or kind='density'"
            )
        kind = guessed
    return PopulationGrid(path, kind=kind)
