"""The Natural Earth package data as arrays: exactly what GDAL reads of the TopoJSON.

``tools/topojson_arrays.py`` stores world-atlas's quantized TopoJSON as grid steps and
ragged offsets; ``layers.naturalearth`` decodes them. GDAL's TopoJSON driver (through
pyogrio) is the reference: the decoded geometries must be identical to the bit.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from layers import naturalearth
from layers.package_data import data_file, manifest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from topojson_arrays import topojson_arrays  # noqa: E402

#: A quantized TopoJSON written for the test: a square with a hole, a feature of two
#: polygons sharing an arc (one of them walks it backwards), a feature with no id, and
#: one with a name only; the transform is world-atlas's 1:10m grid.
_SCALE = [0.0036000360003600037, 0.0016885772698826986]
_TRANSLATE = [-180, -85.22193775799991]
_TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": _SCALE, "translate": _TRANSLATE},
    "arcs": [
        [[1000, 1000], [100, 0], [0, 100], [-100, 0], [0, -100]],  # 0: outer square
        [[1020, 1020], [0, 20], [20, 0], [0, -20], [-20, 0]],  # 1: its hole
        [[2050, 2000], [0, 50]],  # 2: the edge shared by the two squares of feature B
        [[2050, 2050], [-50, 0], [0, -50], [50, 0]],  # 3: the left square, with 2
        [[2050, 2000], [50, 0], [0, 50], [-50, 0]],  # 4: the right square, with 2 backwards
        [[50000, 30000], [7, 3], [-2, 9], [-5, -12]],  # 5: a small triangle far away
    ],
    "objects": {
        "things": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0], [1]], "id": "004", "properties": {"name": "A"}},
                {
                    "type": "MultiPolygon",
                    "arcs": [[[3, 2]], [[4, ~2]]],
                    "id": "008",
                    "properties": {"name": "B"},
                },
                {"type": "Polygon", "arcs": [[5]], "properties": {"name": "no id"}},
                {"type": "Polygon", "arcs": [[~5]], "id": "012", "properties": {}},
            ],
        }
    },
}


def _gdal(data: bytes, layer: str) -> np.ndarray:
    frame = pyogrio.read_dataframe(data, layer=layer)
    return np.array(
        [shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in frame.geometry],
        dtype=object,
    )


def test_arrays_give_back_what_gdal_reads_of_a_topojson_to_the_bit():
    data = json.dumps(_TOPOLOGY).encode()
    arrays = topojson_arrays(data, "things")
    got = naturalearth._decode_layer(arrays, "things")
    expected = _gdal(data, "things")
    assert len(got) == 4
    assert shapely.equals_identical(got, expected).all()
    # the hole and the reversed shared arc survive: areas from the grid, by hand
    sx, sy = _SCALE
    assert got[0].area == pytest.approx((100 * 100 - 20 * 20) * sx * sy, rel=1e-12)
    assert got[1].area == pytest.approx(2 * 50 * 50 * sx * sy, rel=1e-12)  # two squares
    assert got[0].is_valid  # (B is two squares sharing an edge: as read, not repaired)
    assert arrays["things_id"].tolist() == ["004", "008", "", "012"]
    assert arrays["things_name"].tolist() == ["A", "B", "no id", ""]


def test_a_coordinate_off_the_grid_is_refused_at_the_build():
    topology = json.loads(json.dumps(_TOPOLOGY))
    del topology["transform"]  # plain coordinates: nothing to quantize to
    with pytest.raises(SystemExit, match="not quantized"):
        topojson_arrays(json.dumps(topology).encode(), "things")


def test_the_packaged_arrays_are_the_file_the_manifest_records():
    data = data_file("naturalearth-10m.npz").read_bytes()
    assert manifest()["files"]["naturalearth-10m.npz"]["sha256"] == hashlib.sha256(data).hexdigest()
    land = naturalearth._decode_layer(naturalearth._arrays(), "land")
    countries = naturalearth._decode_layer(naturalearth._arrays(), "countries")
    # world-atlas 2.0.2: one land feature of 4,048 polygons; 255 country features
    assert len(land) == 1 and shapely.get_num_geometries(land[0]) == 4048
    assert len(countries) == 255
    assert int(shapely.get_num_coordinates(land).sum()) == 408_901
