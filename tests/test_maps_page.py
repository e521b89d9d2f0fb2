"""What a reader of the page sees: an exposure's own rings, a view that holds the subject,
context countries to the edge of the world, subjects across ±180° drawn whole, and
settlement markers that stay apart. Checked on the map description, without a browser;
tests/test_browser_page.py opens the same kinds of page in Chromium."""

from __future__ import annotations

import dataclasses
import os

import geopandas as gpd
import numpy as np
import pytest
import shapely

import geo
import layers
from layers.analysis.export import read_exposure
from maps import RiskMap
from maps._display import (
    COARSE_TOLERANCE_M,
    METRES_PER_DEGREE_MAX,
    continuous_cut,
    marker_radius,
    shift_east,
)
from maps.elements import Rings, Settlements, Territory


@pytest.fixture(scope="module")
def kp_exposure():
    kp = layers.territory("KP")
    towns = layers.settlements(bbox=(118, 32, 140, 50))
    return kp, layers.exposure(kp, towns, ["100km", "200km"])


def _contains(outer, inner, slack=0.003):  # degrees: display simplification and rounding
    w, s, e, n = outer
    iw, is_, ie, in_ = inner
    return w - slack <= iw and s - slack <= is_ and ie <= e + slack and in_ <= n + slack


def test_an_exposure_brings_its_rings(kp_exposure):
    kp, exp = kp_exposure
    assert exp.source_geometry is not None
    desc = RiskMap(tiles=None).add_exposure(exp).describe()
    rings = [x for x in desc.layers if x.name.startswith("Within")]
    assert [x.name for x in rings] == ["Within 200 km"]
    # the same bands as drawn around the territory itself, to the display tolerance
    expected = Rings.around(kp, ["100km", "200km"]).data.geometry
    drawn = rings[0].features.geometry
    for a, b in zip(drawn, expected, strict=True):
        assert shapely.hausdorff_distance(a, b) < 300 / 80_000  # degrees, 300 m at 44°N
    assert desc.radius.field is not None  # the moving ring too
    # the view holds everything that fits: the rings and every place drawn
    for layer in desc.layers:
        if layer.fit:
            assert _contains(desc.bounds, layer.features.total_bounds), layer.name
    places = [x for x in desc.layers if x.kind == "point" and x.name.startswith("Settlements")]
    assert places and places[0].fit
    assert desc.bounds[3] >= exp.places["geometry"].y[exp.places["distance_m"] <= 220e3].max()


def test_an_exposure_without_its_geometry_says_so(kp_exposure, tmp_path):
    _, exp = kp_exposure
    bare = dataclasses.replace(exp, source_geometry=None)
    desc = RiskMap(tiles=None).add_exposure(bare).describe()
    assert not [x for x in desc.layers if x.name.startswith("Within")]
    assert any("carries no source geometry" in w and "source=" in w for w in desc.panel.warnings)
    # the export still reads back with the same numbers
    back = read_exposure(exp.to_file(os.path.join(tmp_path, "kp.gpkg")))
    assert back.table["population"].sum() == exp.table["population"].sum()


@pytest.mark.parametrize(
    "name, kind", [("Kaliningrad Oblast", "region"), ("KP-RU", "border"), ("35.0,48.0", "point")]
)
def test_the_view_opens_on_the_subject_and_its_rings(name, kind):
    src = layers.resolve_source(name)
    assert src.kind == kind
    m = RiskMap(tiles=None)
    if kind == "region":
        m.add_territory(src)
    elif kind == "border":
        m.add_border(src.data, fit=True)
    m.add_rings(src, ["50km", "100km"])
    desc = m.describe()
    subject = src.data.total_bounds
    rings = geo.rings(src.data, [50_000, 100_000]).total_bounds
    assert _contains(desc.bounds, subject) and _contains(desc.bounds, rings)
    # and no more than the rings: not the world
    w, s, e, n = desc.bounds
    assert (e - w) <= (rings[2] - rings[0]) + 0.01 and (n - s) <= (rings[3] - rings[1]) + 0.01


def test_context_countries_reach_the_edge_of_the_world_without_a_seam():
    ru = layers.resolve_source("RU", boundary="naturalearth").data
    box = (120.0, 35.0, 140.0, 48.0)
    (layer,) = Territory(ru, context=True, clip=box).layers(200.0)
    drawn = layer.features.geometry.union_all()
    full = ru.geometry.union_all()
    # the whole country, not the part in the box
    assert drawn.bounds[0] == pytest.approx(full.bounds[0], abs=0.5)
    assert drawn.bounds[2] == pytest.approx(full.bounds[2], abs=0.5)
    assert drawn.symmetric_difference(full).area / full.area < 0.03  # far coasts at 20 km
    # no outline runs along the box: the drawn boundary follows the country's
    coarse_deg = COARSE_TOLERANCE_M / METRES_PER_DEGREE_MAX
    outline = shapely.segmentize(drawn.boundary, 0.05)
    on_box = shapely.box(*box).boundary.buffer(1e-6)
    along = shapely.intersection(outline, on_box).length
    assert along < 4 * coarse_deg, along
    # inside the box, at the map's display tolerance
    inner = shapely.box(121.0, 36.0, 139.0, 47.0)
    sample = shapely.get_coordinates(shapely.segmentize(full.boundary.intersection(inner), 0.1))
    gap = shapely.distance(shapely.points(sample), drawn.boundary)
    assert gap.max() * 80_000 < 200.0 + 50.0  # metres (a degree of longitude ≤ 80 km here)


def test_continuous_longitudes_across_the_antimeridian():
    assert continuous_cut([124.0, 131.0]) is None
    assert continuous_cut([-10.0, 10.0]) is None
    cut = continuous_cut([172.0, 179.9, -179.9, -169.0])
    assert -169.0 < cut < 172.0
    split = shapely.MultiPolygon([shapely.box(175, 60, 180, 65), shapely.box(-180, 60, -175, 65)])
    assert shift_east(split, cut).bounds == (175.0, 60.0, 185.0, 65.0)
    assert shift_east(split, None) is split


@pytest.mark.parametrize("name", ["FJ", "RU-CHU"])
def test_a_subject_across_180_is_drawn_whole(name):
    src = layers.resolve_source(name)
    desc = RiskMap(tiles=None).add_territory(src).add_rings(src, ["100km"]).describe()
    assert desc.cut is not None
    w, s, e, n = desc.bounds
    assert e > 180.0 and e - w < 60.0  # one continuous box, not -180..180
    for layer in desc.layers:
        xy = shapely.get_coordinates(layer.features.geometry.values)
        assert xy[:, 0].min() >= w - 1e-9 and xy[:, 0].max() <= e + 1e-9, layer.name
        # the ring is one piece where the data had two halves cut at ±180
        if layer.name.startswith("Within"):
            merged = shapely.union_all(layer.features.geometry.values).buffer(1e-6)
            assert merged.geom_type == "Polygon" or len(merged.geoms) < len(
                shapely.get_parts(Rings.around(src, ["100km"]).data.geometry.iloc[0])
            )
    assert (np.array([lon for layer in desc.layers for lon, _, _ in layer.labels]) >= w).all()


def test_settlement_markers_stay_apart():
    radius = marker_radius(np.array([0, 1e4, 1e5, 1e6, 1e7, 3e7]))
    assert list(radius) == sorted(radius) and radius[0] == 1.5 and radius[-1] == 14.0
    assert radius[3] == pytest.approx(8.5)
    towns = gpd.GeoDataFrame(
        {
            "name": ["a", "b", "c"],
            "population": [2_000, 9_000_000, 300_000],
            "distance_m": [1.0, 2.0, 3.0],
        },
        geometry=gpd.points_from_xy([127.0, 127.01, 127.02], [37.5, 37.5, 37.5]),
        crs="EPSG:4326",
    )
    (layer,) = Settlements(towns, radius_m=10_000).layers(200.0)
    assert list(layer.features["name"]) == ["b", "c", "a"]  # largest first, small on top
    assert all(style["color"] == "#ffffff" for style in layer.styles)  # a white rim
