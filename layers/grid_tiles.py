"""Tiled population grids: which tiles a question needs, and one mosaic of them.

Some products come in tiles (GHS-POP at 100 m: 1,000 km squares of the Mollweide
projection, named ``R{row}_C{col}``). :class:`TileGrid` lists the tiles an area
touches, from the area itself (cut at ±180 first, so that an area across the
antimeridian asks for tiles at both ends of the map, not for every tile between);
:func:`write_mosaic` writes the fetched tiles (or per-country files) as one GDAL
virtual raster (VRT), which every reader of a GeoTIFF opens as one grid. riskmap
writes the VRT's XML itself: ``rasterio`` has no mosaic writer, and GDAL's
``gdalbuildvrt`` is not a dependency.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import shapely
from pyproj import CRS, Transformer

from geo.errors import DataError, InputError

__all__ = ["TileGrid", "area_parts", "write_mosaic"]

_DENSIFY_DEG = 0.1  # lon/lat edges densified to this step before projecting


def area_parts(area: Any) -> list[Any]:
    """Return a lon/lat area as polygons that do not cross ±180.

    Parameters
    ----------
    area : shapely geometry or tuple
        A geometry in lon/lat (EPSG:4326), or a box ``(west, south, east, north)``
        in degrees; ``west > east`` means the box crosses the antimeridian.

    Returns
    -------
    list of shapely.Polygon
        The parts, each within -180..180.

    Raises
    ------
    InputError
        For a box outside ±180 / ±90 or with south above north.

    Examples
    --------
    >>> [p.bounds for p in area_parts((170.0, 40.0, -170.0, 50.0))]
    [(170.0, 40.0, 180.0, 50.0), (-180.0, 40.0, -170.0, 50.0)]
    """
    if isinstance(area, (tuple, list)) and len(area) == 4:
        west, south, east, north = (float(v) for v in area)
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south < north <= 90):
            raise InputError(
                f"box {tuple(area)!r} is not (west, south, east, north) in degrees within "
                "±180 / ±90 with south < north; give it as W,S,E,N (W > E crosses ±180)"
            )
        if west <= east:
            return [shapely.box(west, south, east, north)]
        return [shapely.box(west, south, 180.0, north), shapely.box(-180.0, south, east, north)]
    if not isinstance(area, shapely.Geometry) or area.is_empty:
        raise InputError(
            f"area {area!r} is not a lon/lat geometry or a (west, south, east, north) box; "
            "pass a shapely geometry in EPSG:4326 or four numbers in degrees"
        )
    # riskmap's geometries are already cut at ±180 (RFC 7946): one part per side.
    polys = [g for g in shapely.get_parts(area) if not g.is_empty]
    return [shapely.clip_by_rect(p, -180, -90, 180, 90) for p in polys]


@dataclass(frozen=True)
class TileGrid:
    """A product's tiles: equal squares of its CRS, numbered from the top left.

    Parameters
    ----------
    crs : str
        The tiles' CRS, e.g. ``"ESRI:54009"`` (Mollweide).
    left, top : float
        Top-left corner of tile (1, 1), in the CRS's units (metres).
    size : float
        Side of a tile, in the CRS's units.
    rows, cols : int
        How many rows and columns of tiles cover the world.
    name : str, default "R{row}_C{col}"
        How a tile is named in the product's URL (1-based row and column).

    Examples
    --------
    >>> ghs = TileGrid("ESRI:54009", -18_041_000.0, 9_000_000.0, 1_000_000.0, 18, 37)
    >>> ghs.tiles_for((131.0, 42.5, 132.5, 43.5))  # around Vladivostok
    ['R4_C29', 'R4_C30']
    """

    crs: str
    left: float
    top: float
    size: float
    rows: int
    cols: int
    name: str = "R{row}_C{col}"

    def tiles_for(self, area: Any) -> list[str]:
        """Return the names of the tiles an area touches, in row then column order.

        Parameters
        ----------
        area : shapely geometry or tuple
            In lon/lat, as :func:`area_parts` takes it.

        Returns
        -------
        list of str
            Tile names, e.g. ``["R5_C30"]``.
        """
        to_crs = Transformer.from_crs(
            CRS.from_epsg(4326), CRS.from_user_input(self.crs), always_xy=True
        )
        found: set[tuple[int, int]] = set()
        for part in area_parts(area):
            dense = shapely.segmentize(part, _DENSIFY_DEG)
            projected = shapely.transform(
                dense, lambda xy: np.column_stack(to_crs.transform(xy[:, 0], xy[:, 1]))
            )
            x0, y0, x1, y1 = projected.bounds
            c0, c1 = self._index(x0 - self.left), self._index(x1 - self.left)
            r0, r1 = self._index(self.top - y1), self._index(self.top - y0)
            for row in range(max(r0, 0), min(r1, self.rows - 1) + 1):
                for col in range(max(c0, 0), min(c1, self.cols - 1) + 1):
                    box = shapely.box(
                        self.left + col * self.size,
                        self.top - (row + 1) * self.size,
                        self.left + (col + 1) * self.size,
                        self.top - row * self.size,
                    )
                    if box.intersects(projected) and not box.touches(projected):
                        found.add((row, col))
        return [self.name.format(row=r + 1, col=c + 1) for r, c in sorted(found)]

    def _index(self, offset: float) -> int:
        return math.floor(offset / self.size)


def write_mosaic(paths: Sequence[Path], out: Path) -> Path:
    """Write GeoTIFFs of one grid (same CRS, cell size and cell alignment) as one VRT.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        The tiles (or per-country files); where two overlap, a cell that holds
        nodata in one is read from the next.
    out : pathlib.Path
        The ``.vrt`` to write (atomically); sources are referenced relative to it
        when they sit beside or below it.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    DataError
        If the files differ in CRS, cell size, band type or nodata, or their cells
        do not line up (a mosaic would then shift cells).

    Examples
    --------
    >>> import tempfile, rasterio
    >>> from affine import Affine
    >>> tmp = Path(tempfile.mkdtemp())
    >>> profile = {"driver": "GTiff", "width": 2, "height": 2, "count": 1, "dtype": "float32",
    ...            "crs": "EPSG:4326", "nodata": -1}
    >>> for i, x in enumerate([0.0, 2.0]):
    ...     with rasterio.open(tmp / f"t{i}.tif", "w", transform=Affine(1, 0, x, 0, -1, 2),
    ...                        **profile) as ds:
    ...         ds.write(np.full((2, 2), i + 1, "float32"), 1)
    >>> with rasterio.open(write_mosaic([tmp / "t0.tif", tmp / "t1.tif"], tmp / "m.vrt")) as ds:
    ...     print(ds.width, ds.height, float(ds.read(1).sum()))
    4 2 12.0
    """
    import rasterio

    if not paths:
        raise DataError("no files to mosaic; the area touches no tile of the product")
    infos = []
    for path in paths:
        with rasterio.open(path) as ds:
            infos.append(
                (Path(path), ds.crs, ds.transform, ds.width, ds.height, ds.dtypes[0], ds.nodata)
            )
    _, crs, t0, _, _, dtype, nodata = infos[0]
    res_x, res_y = t0.a, t0.e
    for path, c, t, _, _, d, nd in infos[1:]:
        same_nodata = nd == nodata or (
            nd is not None and nodata is not None and math.isnan(nd) and math.isnan(nodata)
        )
        if (
            c != crs
            or not math.isclose(t.a, res_x)
            or not math.isclose(t.e, res_y)
            or d != dtype
            or not same_nodata
        ):
            raise DataError(
                f"{path.name!r} ({c}, cells {t.a:g} x {t.e:g}, {d}, nodata {nd}) does not "
                f"match {infos[0][0].name!r} ({crs}, cells {res_x:g} x {res_y:g}, {dtype}, "
                f"nodata {nodata}); a mosaic needs files of one grid"
            )
    left = min(t.c for _, _, t, *_ in infos)
    top = max(t.f for _, _, t, *_ in infos)
    right = max(t.c + w * res_x for _, _, t, w, *_ in infos)
    bottom = min(t.f + h * res_y for _, _, t, _, h, *_ in infos)
    width, height = round((right - left) / res_x), round((bottom - top) / res_y)
    sources = []
    for path, _, t, w, h, *_ in infos:
        col, row = (t.c - left) / res_x, (t.f - top) / res_y
        if abs(col - round(col)) > 1e-6 or abs(row - round(row)) > 1e-6:
            raise DataError(
                f"the cells of {path.name!r} are offset by a fraction of a cell from those "
                f"of {infos[0][0].name!r} ({col - round(col):+.3g}, {row - round(row):+.3g} "
                "cells); riskmap will not shift them: resample the files onto one grid first"
            )
        sources.append(_source_xml(path, out, round(col), round(row), w, h, nodata))
    gdal_type = {
        "float32": "Float32",
        "float64": "Float64",
        "int16": "Int16",
        "int32": "Int32",
        "uint8": "Byte",
        "uint16": "UInt16",
        "uint32": "UInt32",
    }
    if dtype not in gdal_type:
        raise DataError(f"band type {dtype!r} of {infos[0][0].name!r} cannot be mosaicked")
    nodata_xml = "" if nodata is None else f"    <NoDataValue>{nodata!r}</NoDataValue>\n"
    xml = (
        f'<VRTDataset rasterXSize="{width}" rasterYSize="{height}">\n'
        f"  <SRS>{escape(crs.to_wkt())}</SRS>\n"
        f"  <GeoTransform>{left!r}, {res_x!r}, 0.0, {top!r}, 0.0, {res_y!r}</GeoTransform>\n"
        f'  <VRTRasterBand dataType="{gdal_type[dtype]}" band="1">\n'
        f"{nodata_xml}" + "".join(sources) + "  </VRTRasterBand>\n</VRTDataset>\n"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".mosaic-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(xml)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def _source_xml(
    path: Path, out: Path, col: int, row: int, w: int, h: int, nodata: float | None
) -> str:
    try:
        name, relative = path.resolve().relative_to(out.parent.resolve()).as_posix(), 1
    except ValueError:
        name, relative = str(path.resolve()), 0
    nd = "" if nodata is None else f"      <NODATA>{nodata!r}</NODATA>\n"
    return (
        "    <ComplexSource>\n"
        f'      <SourceFilename relativeToVRT="{relative}">{escape(name)}</SourceFilename>\n'
        "      <SourceBand>1</SourceBand>\n"
        f'      <SrcRect xOff="0" yOff="0" xSize="{w}" ySize="{h}"/>\n'
        f'      <DstRect xOff="{col}" yOff="{row}" xSize="{w}" ySize="{h}"/>\n'
        f"{nd}    </ComplexSource>\n"
    )
