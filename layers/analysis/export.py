"""An exposure out of Python: files by extension, and reading them back.

:func:`write_exposure` (:meth:`layers.Exposure.to_file`) writes one exposure with
its provenance, atomically (:mod:`layers.output`), in the format the file name asks
for:

========== ==============================================================================
``.gpkg``  GeoPackage: layers ``places`` (points) and ``rings`` (bands, when given);
           tables ``table``, ``bands``, ``edge``, ``curve``; and ``riskmap_provenance``,
           a plain table of one row per layer (``layer``, ``provenance`` as JSON) plus
           the row ``exposure`` holding the whole description. Each layer also carries
           the same JSON as its GDAL metadata item ``riskmap`` (the GeoPackage metadata
           extension, ``gpkg_metadata``), which GIS tools show as layer metadata.
``.geojson`` RFC 7946 FeatureCollection of the places and rings (property ``layer``), with
           the tables and the provenance in the foreign member ``riskmap``.
``.csv``   the table (one row per country and radius), and beside it
           ``<stem>.provenance.json`` with the description and the provenance.
``.parquet`` GeoParquet of the places (of the rings for a grid exposure), with the tables
           and the provenance as JSON in the file's key-value metadata ``riskmap``.
========== ==============================================================================

:func:`read_exposure` reads any of them back to the same numbers and provenance.
Rings (from :func:`geo.rings`, which knows no provenance) are written with their own
``attrs["provenance"]`` when they carry one (:func:`ring_layer` attaches the source's),
else with the exposure's sources and the ring method.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas
import numpy as np
import pandas as pd

import geo
from geo.errors import CRSError, DataError, InputError, InputTypeError
from layers.analysis.values import json_default, records
from layers.output import atomic_paths
from layers.provenance import Provenance

if TYPE_CHECKING:
    from layers.analysis.result import Exposure

__all__ = [
    "EXPORT_FORMATS",
    "ExposureFile",
    "export_format",
    "read_exposure",
    "ring_layer",
    "sidecar_path",
    "write_exposure",
]

#: File extensions an exposure is written to, and the format each means.
EXPORT_FORMATS = {
    ".gpkg": "GeoPackage",
    ".geojson": "GeoJSON",
    ".csv": "CSV (+ .provenance.json)",
    ".parquet": "GeoParquet",
}

#: Version of the layout of the ``riskmap`` metadata written in every file.
_LAYOUT = 1
_TABLES = ("table", "bands", "edge", "curve")
_RING_METHOD = "geodesic distance bands on WGS84 (geo.rings), boundary error bound in error_m"
#: Units of the columns riskmap writes (others are the input's own columns).
_UNITS = {
    "radius_m": "metres",
    "radius_km": "kilometres",
    "distance_m": "metres",
    "distance_km": "kilometres",
    "distance_min_m": "metres",
    "distance_max_m": "metres",
    "distance_min": "metres",
    "distance_max": "metres",
    "offset_m": "metres",
    "error_m": "metres",
    "population": "people",
    "places": "settlements counted",
    "cells": "grid cells (partial cells by covered fraction)",
    "coverage": "people in the data's settlements / country population",
}


@dataclass(frozen=True, eq=False)
class ExposureFile:
    """An exposure read back from a file by :func:`read_exposure`.

    Attributes
    ----------
    table : pandas.DataFrame
        Population per country and radius, as :attr:`layers.Exposure.table`.
    bands, edge, curve : pandas.DataFrame or None
        As :attr:`layers.Exposure.bands`, :attr:`~layers.Exposure.edge` and
        :meth:`~layers.Exposure.curve` (1 km steps); None where the file holds none
        (a CSV holds the table only).
    places, rings : geopandas.GeoDataFrame or None
        The settlements (EPSG:4326) and the rings, each with its provenance in
        ``attrs["provenance"]``; None where the file holds none.
    provenance : Provenance
        The exposure's.
    description : dict
        Kind, radii (metres), source, boundary variant, what was excluded, coverage,
        warnings, and the units of the columns.
    layers : dict
        The provenance of each layer written, by layer name.

    Examples
    --------
    >>> import geopandas, shapely, tempfile, os
    >>> import layers
    >>> towns = geopandas.GeoDataFrame(
    ...     {"name": ["A", "B"], "country": ["RU", "NA"], "population": [900, 50]},
    ...     geometry=geopandas.points_from_xy([131.9, 132.0], [43.1, 43.2]), crs="EPSG:4326")
    >>> result = layers.exposure(shapely.Point(131.9, 43.0), towns, "50km")
    >>> path = result.to_file(os.path.join(tempfile.mkdtemp(), "result.csv"))
    >>> back = read_exposure(path)
    >>> back.table[["country", "radius_km", "population"]]
      country  radius_km  population
    0      NA       50.0          50
    1      RU       50.0         900
    >>> back.provenance == result.provenance
    True
    """

    table: pd.DataFrame
    provenance: Provenance
    description: dict[str, Any]
    bands: pd.DataFrame | None = None
    edge: pd.DataFrame | None = None
    curve: pd.DataFrame | None = None
    places: Any = None
    rings: Any = None
    layers: dict[str, Provenance] = field(default_factory=dict)


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """Return where the provenance of a CSV export is written: ``<stem>.provenance.json``.

    Examples
    --------
    >>> sidecar_path("out/north_korea.csv").as_posix()
    'out/north_korea.provenance.json'
    """
    return Path(path).with_suffix(".provenance.json")


def export_format(path: str | os.PathLike[str]) -> str:
    """Return the extension (lower case) an exposure export of ``path`` is written as, or raise.

    Parameters
    ----------
    path : str or path-like
        The file to write.

    Returns
    -------
    str
        A key of :data:`EXPORT_FORMATS`.

    Raises
    ------
    InputError
        For any other extension; the message lists the four.

    Examples
    --------
    >>> export_format("out/North_Korea.GPKG")
    '.gpkg'
    """
    suffix = Path(path).suffix.lower()
    if suffix in EXPORT_FORMATS:
        return suffix
    ending = f"ends in {Path(path).suffix!r}" if suffix else "has no extension"
    raise InputError(
        f"output path {str(path)!r} {ending}; an exposure is written as "
        + ", ".join(f"{ext} ({name})" for ext, name in EXPORT_FORMATS.items())
        + f": give one of these, e.g. {Path(path).with_suffix('.gpkg').name!r}"
    )


def ring_layer(source: Any, distances: Any, *, outside_only: bool = False) -> Any:
    """Return :func:`geo.rings` around a layer, carrying the layer's provenance.

    Parameters
    ----------
    source : GeoDataFrame or layers.Source
        A territory, border or place layer (or a :class:`layers.Source`), in lon/lat.
    distances : sequence of float or str
        Band limits in metres or like ``"50km"``, increasing.
    outside_only : bool, default False
        Leave the source polygon out of the first band.

    Returns
    -------
    geopandas.GeoDataFrame
        The rings of :func:`geo.rings` (``distance_min``, ``distance_max``, ``error_m``
        in metres), with ``attrs["provenance"]``: the source's sources, the ring
        method, the band limits and the largest boundary error (metres).

    Examples
    --------
    >>> import layers
    >>> city = layers.resolve_source("Vladivostok,RU")
    >>> bands = ring_layer(city, ["10km"])
    >>> layers.Provenance.of(bands).details["distance_max_m"]
    [10000.0]
    """
    data = getattr(source, "data", source)
    bands = geo.rings(data, distances, outside_only=outside_only)
    own = getattr(source, "provenance", None) or Provenance.of(data) or Provenance()
    details = {
        "distance_max_m": [float(x) for x in bands["distance_max"]],
        "error_m": float(bands["error_m"].max()),
        "outside_only": bool(outside_only),
    }
    return Provenance(own.sources, _RING_METHOD, details).attach(bands)


def _ring_provenance(rings: Any, exposure: Exposure) -> Provenance:
    own = Provenance.of(rings)
    if own is not None:
        return own
    details: dict[str, Any] = {"source": exposure.source}
    if "error_m" in rings.columns and len(rings):
        details["error_m"] = float(rings["error_m"].max())
    note = " (sources: those of the exposure, the rings carried none)"
    return Provenance(exposure.provenance.sources, _RING_METHOD + note, details)


def _lonlat(frame: Any, what: str) -> Any:
    if not isinstance(frame, geopandas.GeoDataFrame):
        raise InputTypeError(
            f"{what} of type {type(frame).__name__} is not a GeoDataFrame; give the "
            "result of geo.rings or layers.analysis.export.ring_layer"
        )
    if frame.crs is None:
        raise CRSError(f"{what} has no CRS; set it first (geo.rings returns EPSG:4326)")
    return frame if frame.crs.to_epsg() == 4326 else frame.to_crs(4326)


def _description(exposure: Exposure) -> dict[str, Any]:
    out = exposure.to_dict()
    for key in ("table", "bands", "curve", "places", "edge"):
        out.pop(key, None)
    return out


def _tables(exposure: Exposure) -> dict[str, pd.DataFrame]:
    tables = {"table": exposure.table, "bands": exposure.bands, "curve": exposure.curve()}
    if exposure.edge is not None:
        tables["edge"] = exposure.edge
    return {name: pd.DataFrame(t).reset_index(drop=True) for name, t in tables.items()}


def _dtypes(frames: dict[str, Any]) -> dict[str, dict[str, str]]:
    out = {}
    for name, frame in frames.items():
        geometry = getattr(frame, "_geometry_column_name", None)
        out[name] = {str(c): str(t) for c, t in frame.dtypes.items() if c != geometry}
    return out


def write_exposure(exposure: Exposure, path: str | os.PathLike[str], *, rings: Any = None) -> Path:
    """Write an exposure with its provenance to ``path``, in the format of its extension.

    See the module's table for what each format holds. The file (and a CSV's
    provenance beside it) is complete or not written: nothing half-written, no
    temporary file left.

    Parameters
    ----------
    exposure : Exposure
        The result to write.
    path : str or path-like
        Ending in ``.gpkg``, ``.geojson``, ``.csv`` or ``.parquet`` (any case).
    rings : GeoDataFrame, optional
        Distance bands to write with it (:func:`ring_layer` or :func:`geo.rings`);
        not written to CSV.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        For another extension (the message lists these), a folder that does not
        exist, or a GeoParquet of a grid exposure without rings (it has no places).
    InputTypeError, CRSError
        For rings that are not a GeoDataFrame with a CRS.

    Examples
    --------
    >>> import geopandas, os, shapely, tempfile
    >>> import layers
    >>> towns = geopandas.GeoDataFrame(
    ...     {"name": ["A", "B"], "country": ["RU", "CN"], "population": [900, 50]},
    ...     geometry=geopandas.points_from_xy([131.9, 132.0], [43.1, 43.2]), crs="EPSG:4326")
    >>> result = layers.exposure(shapely.Point(131.9, 43.0), towns, "50km")
    >>> path = write_exposure(result, os.path.join(tempfile.mkdtemp(), "result.gpkg"))
    >>> read_exposure(path).places["distance_m"].round(1).tolist()
    [11109.4, 23663.4]
    """
    ext = export_format(path)
    places = None if exposure.places is None else _lonlat(exposure.places, "places")
    layers: dict[str, Any] = {}
    provenance: dict[str, Provenance] = {}
    if places is not None:
        layers["places"], provenance["places"] = places, exposure.provenance
    if rings is not None and ext != ".csv":
        layers["rings"] = _lonlat(rings, "rings")
        provenance["rings"] = _ring_provenance(rings, exposure)
    tables = _tables(exposure)
    meta = {
        "riskmap_export": _LAYOUT,
        "exposure": _description(exposure),
        "layers": {name: p.to_dict() for name, p in provenance.items()},
        "dtypes": _dtypes({**layers, **tables}),
        "units": _UNITS,
    }
    if ext in (".geojson", ".csv"):  # text a plain reader reads: whole counts as integers
        grid = exposure.kind == "grid"
        layers = {name: _whole_counts(frame, grid) for name, frame in layers.items()}
        tables = {name: _whole_counts(frame, grid) for name, frame in tables.items()}
    writer = {".gpkg": _gpkg, ".geojson": _geojson, ".csv": _csv, ".parquet": _parquet}[ext]
    writer(Path(path).expanduser(), layers, tables, meta)
    return Path(path).expanduser()


#: Columns of whole counts: places always; people too, unless a grid's fractional sums.
_COUNTS = ("places", "population")


def _whole_counts(frame: Any, grid: bool) -> Any:
    """Return ``frame`` with its count columns as integers where every value is whole.

    A float column of whole numbers (a table's population read as float) would be written
    ``1234.0``; a grid's population (fractional cell shares) stays a float, and so does a
    column with a fraction in it. Reading the file back restores the recorded dtypes.
    """
    out = frame
    for column in _COUNTS[:1] if grid else _COUNTS:
        if column not in frame.columns or not pd.api.types.is_float_dtype(frame[column]):
            continue
        values = frame[column].to_numpy(dtype=float)
        known = values[~np.isnan(values)]
        if (
            np.isfinite(known).all()
            and (known == np.round(known)).all()
            and (np.abs(known) < 2.0**53).all()
        ):
            out = out.copy() if out is frame else out
            out[column] = frame[column].astype("Int64")
    return out


@contextlib.contextmanager
def _quiet_extension() -> Iterator[None]:
    # The temporary file is named *.tmp until it is complete; GDAL warns of the extension.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*extension.*", category=RuntimeWarning)
        yield


def _gpkg(path: Path, layers: dict[str, Any], tables: dict[str, Any], meta: dict) -> None:
    import pyogrio

    rows = [{"layer": "exposure", "provenance": json.dumps(meta, default=json_default)}]
    rows += [
        {"layer": name, "provenance": json.dumps(p, ensure_ascii=False)}
        for name, p in meta["layers"].items()
    ]
    with atomic_paths(path) as (tmp,), _quiet_extension():
        tmp.unlink()  # GDAL creates the GeoPackage itself; an empty file is no GeoPackage
        for name, frame in layers.items():
            note = {"riskmap": json.dumps(meta["layers"][name], ensure_ascii=False)}
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", layer_metadata=note)
        for name, table in tables.items():
            pyogrio.write_dataframe(table, tmp, layer=name, driver="GPKG")
        pyogrio.write_dataframe(pd.DataFrame(rows), tmp, layer="riskmap_provenance", driver="GPKG")


def _geojson(path: Path, layers: dict[str, Any], tables: dict[str, Any], meta: dict) -> None:
    features = []
    for name, frame in layers.items():
        tagged = frame.assign(layer=name)
        features += tagged.to_geo_dict(na="null", drop_id=True)["features"]
    member = {**meta, **{name: records(t) for name, t in tables.items()}}
    doc = {"type": "FeatureCollection", "features": features, "riskmap": member}
    text = json.dumps(doc, ensure_ascii=False, allow_nan=False, default=json_default)
    with atomic_paths(path) as (tmp,):
        tmp.write_text(text, encoding="utf-8")


def _csv(path: Path, layers: dict[str, Any], tables: dict[str, Any], meta: dict) -> None:
    del layers  # a CSV holds the table only
    text = tables["table"].to_csv(index=False, lineterminator="\n")
    side = json.dumps(meta, ensure_ascii=False, indent=1, allow_nan=False, default=json_default)
    with atomic_paths(path, sidecar_path(path)) as (tmp, tmp_side):
        tmp.write_text(text, encoding="utf-8")
        tmp_side.write_text(side + "\n", encoding="utf-8")


def _pyarrow() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - pyarrow comes with the parquet extra
        raise ImportError(
            "writing GeoParquet needs pyarrow: pip install 'riskmap[parquet]' "
            "(or pip install pyarrow), or write .gpkg instead"
        ) from exc
    return pq


def _parquet(path: Path, layers: dict[str, Any], tables: dict[str, Any], meta: dict) -> None:
    pq = _pyarrow()
    name = "places" if "places" in layers else "rings"
    if name not in layers:
        raise InputError(
            f"{str(path)!r}: a GeoParquet holds one layer with geometry, and this exposure "
            "(a grid's) has no places; pass rings=ring_layer(source, radii) to write the "
            "rings, or write .gpkg, .geojson or .csv"
        )
    member = {**meta, "geometry_layer": name, **{k: records(t) for k, t in tables.items()}}
    buffer = io.BytesIO()
    layers[name].to_parquet(buffer, index=False)
    table = pq.read_table(io.BytesIO(buffer.getvalue()))
    text = json.dumps(member, ensure_ascii=False, allow_nan=False, default=json_default)
    table = table.replace_schema_metadata({**table.schema.metadata, b"riskmap": text.encode()})
    with atomic_paths(path) as (tmp,):
        pq.write_table(table, tmp)


# -- reading back --------------------------------------------------------------


def _typed(rows: list[dict[str, Any]] | None, dtypes: dict[str, str]) -> pd.DataFrame | None:
    if rows is None:
        return None
    frame = pd.DataFrame.from_records(rows, columns=list(dtypes) or None)
    return _restore(frame, dtypes)


def _restore(frame: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    for column, dtype in dtypes.items():
        if column in frame.columns and str(frame[column].dtype) != dtype:
            with contextlib.suppress(TypeError, ValueError):
                frame[column] = frame[column].astype(dtype)
    return frame


def _with_provenance(frame: Any, meta: dict, name: str) -> Any:
    if frame is not None and name in meta["layers"]:
        frame.attrs["provenance"] = meta["layers"][name]
    return frame


def _check_layout(meta: Any, path: Path) -> dict[str, Any]:
    if not isinstance(meta, dict) or meta.get("riskmap_export") != _LAYOUT:
        raise DataError(
            f"{str(path)!r} holds no riskmap exposure (layout {_LAYOUT}); "
            "read it with geopandas, or write it again with Exposure.to_file"
        )
    return meta


def read_exposure(path: str | os.PathLike[str]) -> ExposureFile:
    """Read an exposure written by :func:`write_exposure` (any of its formats).

    Parameters
    ----------
    path : str or path-like
        A ``.gpkg``, ``.geojson``, ``.csv`` (with its ``.provenance.json`` beside it)
        or ``.parquet`` file.

    Returns
    -------
    ExposureFile
        The tables, layers and provenance, with the column types written.

    Raises
    ------
    InputError
        For another extension, or a file that does not exist.
    DataError
        For a file riskmap did not write (no ``riskmap`` metadata).

    Examples
    --------
    >>> import geopandas, os, shapely, tempfile
    >>> import layers
    >>> towns = geopandas.GeoDataFrame(
    ...     {"name": ["A"], "country": ["RU"], "population": [900]},
    ...     geometry=geopandas.points_from_xy([131.9], [43.1]), crs="EPSG:4326")
    >>> result = layers.exposure(shapely.Point(131.9, 43.0), towns, "50km")
    >>> back = read_exposure(result.to_file(os.path.join(tempfile.mkdtemp(), "r.parquet")))
    >>> back.places[["name", "population", "within_50km"]]
      name  population  within_50km
    0    A         900         True
    >>> back.layers["places"].method == result.provenance.method
    True
    """
    ext, target = export_format(path), Path(path).expanduser()
    if not target.is_file():
        raise InputError(f"exposure file {str(target)!r} does not exist; check the path")
    reader = {".gpkg": _read_gpkg, ".geojson": _read_geojson}.get(ext)
    if reader is None:
        reader = _read_csv if ext == ".csv" else _read_parquet
    parts = reader(target)
    meta = parts.pop("meta")
    return ExposureFile(
        table=parts.pop("table"),
        provenance=Provenance.from_dict(meta["exposure"]["provenance"]),
        description={**meta["exposure"], "units": meta["units"]},
        layers={k: Provenance.from_dict(v) for k, v in meta["layers"].items()},
        **{k: _with_provenance(v, meta, k) for k, v in parts.items()},
    )


def _read_gpkg(path: Path) -> dict[str, Any]:
    import pyogrio

    names = {str(row[0]) for row in pyogrio.list_layers(path)}
    if "riskmap_provenance" not in names:
        _check_layout(None, path)
    rows = pyogrio.read_dataframe(path, layer="riskmap_provenance")
    meta = _check_layout(json.loads(rows.set_index("layer").loc["exposure", "provenance"]), path)
    out: dict[str, Any] = {"meta": meta}
    for name in ("places", "rings", *_TABLES):
        if name in names:
            frame = pyogrio.read_dataframe(path, layer=name, read_geometry=name in meta["layers"])
            out[name] = _restore(frame, meta["dtypes"].get(name, {}))
    return out


def _read_geojson(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    meta = _check_layout(doc.get("riskmap") if isinstance(doc, dict) else None, path)
    out: dict[str, Any] = {"meta": meta}
    for name in meta["layers"]:
        feats = [f for f in doc["features"] if f["properties"].get("layer") == name]
        frame = geopandas.GeoDataFrame.from_features(feats, crs="EPSG:4326").drop(columns="layer")
        columns = [c for c in meta["dtypes"][name] if c in frame.columns]
        out[name] = _restore(frame[[*columns, "geometry"]], meta["dtypes"][name])
    for name in _TABLES:
        out[name] = _typed(meta.get(name), meta["dtypes"].get(name, {}))
    return out


def _read_csv(path: Path) -> dict[str, Any]:
    side = sidecar_path(path)
    if not side.is_file():
        raise InputError(
            f"{str(side)!r}, the provenance of {str(path)!r}, does not exist; "
            "a CSV export is read with the .provenance.json written beside it"
        )
    meta = _check_layout(json.loads(side.read_text(encoding="utf-8")), path)
    dtypes = meta["dtypes"]["table"]
    text = {c: "str" for c, t in dtypes.items() if t in ("str", "object", "string")}
    # keep_default_na=False: a country "NA" (Namibia) is a code, not a missing value
    table = pd.read_csv(
        path,
        dtype=text,
        keep_default_na=False,
        na_values={c: [""] for c in dtypes if c not in text},
    )
    return {"meta": meta, "table": _restore(table, dtypes)}


def _read_parquet(path: Path) -> dict[str, Any]:
    pq = _pyarrow()
    raw = (pq.read_schema(path).metadata or {}).get(b"riskmap")
    meta = _check_layout(None if raw is None else json.loads(raw), path)
    out: dict[str, Any] = {"meta": meta}
    name = meta["geometry_layer"]
    out[name] = _restore(geopandas.read_parquet(path), meta["dtypes"][name])
    for table in _TABLES:
        out[table] = _typed(meta.get(table), meta["dtypes"].get(table, {}))
    return out
