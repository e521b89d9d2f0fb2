"""Natural Earth's world-atlas TopoJSON as plain numpy arrays, decoded once at the build.

GDAL's TopoJSON driver takes about 0.3 s and 160 MB of memory for the 1:10m land
layer, on every first use in a process; the same geometries stored as arrays load in
hundredths of a second. The arrays hold what GDAL reads, exactly:

- every coordinate of world-atlas lies on the grid of its quantization (TopoJSON's
  ``transform``): it is stored as the whole number of grid steps, delta-encoded as
  int32 in the order of the coordinates (which compresses as well as the TopoJSON);
  ``q * scale + translate`` gives back GDAL's float64 value to the bit, which the
  build checks for every coordinate;
- the geometries are shapely's ragged arrays (``shapely.to_ragged_array``) of
  MultiPolygons: ring, polygon and feature offsets;
- the features' ``id`` and ``name`` (empty where world-atlas gives none).

The geometries are as GDAL reads them, not repaired: ``layers.naturalearth`` repairs
the few that need it (antimeridian cuts, self-touching rings) when first used.
"""

from __future__ import annotations

import json

import numpy as np

__all__ = ["topojson_arrays"]


def topojson_arrays(data: bytes, layer: str) -> dict[str, np.ndarray]:
    """Return one layer of a quantized TopoJSON file as arrays, keys prefixed ``layer_``.

    Raises SystemExit if a coordinate that GDAL reads is off the quantization grid, if
    ``layers.naturalearth`` does not give back GDAL's geometries exactly,
    or if a feature is not polygonal.
    """
    import pyogrio
    import shapely

    transform = json.loads(data).get("transform")
    if transform is None:
        raise SystemExit(f"layer {layer!r}: the TopoJSON is not quantized (no transform)")
    scale = np.array(transform["scale"], dtype=np.float64)
    translate = np.array(transform["translate"], dtype=np.float64)
    frame = pyogrio.read_dataframe(data, layer=layer)
    geoms = np.array(
        [shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in frame.geometry],
        dtype=object,
    )  # one type: shapely 2.2 crashes on ragged arrays of mixed Polygons and MultiPolygons
    kind, coords, (rings, parts, features) = shapely.to_ragged_array(geoms)
    if kind != shapely.GeometryType.MULTIPOLYGON:
        raise SystemExit(f"layer {layer!r}: expected polygons, got {kind.name}")
    steps = np.rint((coords - translate) / scale)
    off = steps * scale + translate != coords
    if off.any():
        i = int(np.flatnonzero(off.any(axis=1))[0])
        raise SystemExit(
            f"layer {layer!r}: coordinate {coords[i].tolist()} is not on the TopoJSON grid"
        )
    delta = np.diff(steps.astype(np.int64), axis=0, prepend=0)
    columns = {c: frame[c] if c in frame.columns else [None] * len(frame) for c in ("id", "name")}
    arrays = {
        f"{layer}_delta": delta.astype(np.int32),
        f"{layer}_scale": scale,
        f"{layer}_translate": translate,
        f"{layer}_rings": rings.astype(np.int64),
        f"{layer}_parts": parts.astype(np.int64),
        f"{layer}_features": features.astype(np.int64),
        **{
            f"{layer}_{c}": np.array([v if isinstance(v, str) else "" for v in columns[c]])
            for c in ("id", "name")
        },
    }
    from layers.naturalearth import _decode_layer

    back = _decode_layer(arrays, layer)
    if not shapely.equals_identical(back, geoms).all():
        raise SystemExit(f"layer {layer!r}: the arrays do not give back what GDAL reads")
    return arrays
