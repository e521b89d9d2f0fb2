"""What RiskMap takes as a source geometry, what it writes images as, and what its messages name."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod

import geo
from layers import resolve_source
from maps import RiskMap

GEOD = Geod(ellps="WGS84")  # the reference: pyproj directly, not through riskmap
ZAPORIZHZHIA = (34.5856, 47.5119)  # (lon, lat), as layers.exposure takes it
REPO = Path(__file__).resolve().parents[1]


def _outer_distances(rings, centre) -> np.ndarray:
    """Distances (metres) from ``centre`` of the outer ring's vertices, by pyproj."""
    ring = rings.data.loc[rings.data["distance_max"].idxmax()].geometry
    parts = getattr(ring, "geoms", [ring])
    xy = np.concatenate([np.asarray(p.exterior.coords) for p in parts])
    lon0, lat0 = np.full(len(xy), centre[0]), np.full(len(xy), centre[1])
    _, _, d = GEOD.inv(lon0, lat0, xy[:, 0], xy[:, 1])
    return np.asarray(d)


@pytest.mark.parametrize("pair", [ZAPORIZHZHIA, list(ZAPORIZHZHIA), np.array(ZAPORIZHZHIA)])
def test_rings_take_a_lon_lat_pair(pair):
    rmap = RiskMap(tiles=None).add_rings(pair, ["50km", "100km"], of="Zaporizhzhia")
    (rings,) = rmap.describe().elements
    assert rings.data["distance_max"].tolist() == [50_000.0, 100_000.0]
    d = _outer_distances(rings, ZAPORIZHZHIA)
    assert np.abs(d - 100_000.0).max() <= 10.0  # DESIGN.md: max(10 m, 5e-5 R)


def test_rings_and_territories_take_a_layers_source():
    point = resolve_source("34.5856,47.5119")
    rmap = RiskMap(tiles=None).add_rings(point, ["50km"])
    (rings,) = rmap.describe().elements
    assert np.abs(_outer_distances(rings, ZAPORIZHZHIA) - 50_000.0).max() <= 10.0
    assert rings.of == point.name  # what the rings are measured from, named by the source
    korea = resolve_source("KP", boundary="naturalearth")
    rmap = RiskMap(tiles=None).add_territory(korea)
    (territory,) = rmap.describe().elements
    assert shapely.equals(
        shapely.union_all(territory.data.geometry.values),
        shapely.union_all(korea.data.geometry.values),
    )
    assert territory.provenance is not None and territory.provenance.sources


@pytest.mark.parametrize(
    ("pair", "match"),
    [
        ((47.5119, 134.5856), r"latitude 134\.5856.*outside \[-90, 90\]"),
        ((float("nan"), 47.5), "NaN"),
        (("a", "b"), "not numeric"),
    ],
)
def test_a_bad_pair_is_refused_with_its_values(pair, match):
    with pytest.raises((geo.InputError, geo.InputTypeError), match=match):
        RiskMap(tiles=None).add_rings(pair, ["50km"])


def test_a_source_of_the_wrong_type_names_real_modules():
    with pytest.raises(geo.InputTypeError) as info:
        RiskMap(tiles=None).add_rings({"lon": 34.6, "lat": 47.5}, ["50km"])
    message = str(info.value)
    assert "riskmap." not in message
    for module in re.findall(r"\b(layers|geo)\.(\w+)", message):
        import importlib

        assert hasattr(importlib.import_module(module[0]), module[1]), module


def test_messages_name_modules_that_exist():
    """No string in geo, layers or maps names a ``riskmap.<module>``: riskmap's modules are
    geo, layers and maps (``riskmap.toml`` and the like, file names, are fine)."""
    invented = []
    for package in ("geo", "layers", "maps"):
        for path in (REPO / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(r"\briskmap\.([A-Za-z_]\w*)", text):
                if match.group(1) not in {
                    "toml",
                    "html",
                    "png",
                    "json",
                    "csv",
                    "lock",
                    "js",
                    "css",
                }:
                    line = text.count("\n", 0, match.start()) + 1
                    invented.append(f"{path.relative_to(REPO)}:{line}: {match.group(0)}")
    assert invented == []


@pytest.mark.parametrize("name", ["map.jpg", "map.tiff", "map"])
def test_to_png_refuses_other_formats(tmp_path, name):
    rmap = RiskMap(tiles=None).add_territory(shapely.box(0, 0, 1, 1))
    with pytest.raises(geo.InputError, match=r"as \.png, \.svg or \.pdf.*'map\.png'"):
        rmap.to_png(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_to_png_takes_png_in_any_case(tmp_path):
    out = RiskMap(tiles=None).add_territory(shapely.box(0, 0, 1, 1)).to_png(tmp_path / "m.PNG")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
