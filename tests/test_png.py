"""The static image: real SVG and PDF by extension, the headline subject on its own axis,
the places a claim names labelled, a city's markers kept apart (checked on the figure's
content, not on pixels only)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import geopandas
import numpy as np
import pytest
import shapely
from matplotlib.collections import PathCollection

import geo
import layers
from maps import RiskMap
from maps._png import figure, image_bytes

VLADIVOSTOK = (131.8869, 43.1056)
PYONGYANG = (125.7625, 39.0392)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def rmap():
    """A city of many large districts (CN, ~100 M) beside a small country (RU, ~1 M)."""
    rng = np.random.default_rng(7)
    n_city, n_small = 30, 12
    lon = np.concatenate([129.0 + rng.normal(0, 0.08, n_city), 131.5 + rng.uniform(-1, 1, n_small)])
    lat = np.concatenate([41.0 + rng.normal(0, 0.06, n_city), 42.5 + rng.uniform(-1, 1, n_small)])
    people = np.concatenate(
        [rng.integers(2_000_000, 5_000_000, n_city), rng.integers(50_000, 150_000, n_small)]
    )
    towns = geopandas.GeoDataFrame(
        {
            "name": [f"T{i}" for i in range(n_city + n_small)],
            "country": ["CN"] * n_city + ["RU"] * n_small,
            "population": people,
        },
        geometry=geopandas.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    source = shapely.box(128.5, 40.0, 130.0, 41.5)
    result = layers.exposure(source, towns, ["100km", "300km"], exclude_source=False)
    return (
        RiskMap(title="Test", tiles=None)
        .add_territory(source, name="Source")
        .add_exposure(result, of="Source")
        .add_geodesic_line(VLADIVOSTOK, PYONGYANG, labels=("Vladivostok", "Pyongyang"))
    )


@pytest.fixture(scope="module")
def fig(rmap):
    return figure(rmap.describe(), dpi=40)


def _panel(fig, label):
    for ax in fig.axes[1:]:
        if any(t.get_text() == label for t in ax.texts):
            return ax
    raise AssertionError(
        f"no panel {label!r}: {[[t.get_text() for t in a.texts] for a in fig.axes]}"
    )


def test_each_series_has_its_own_axis(fig, rmap):
    curve = rmap.describe().panel.curves[0]
    assert set(curve.series) == {"all", "CN", "RU"}
    for label, values in curve.series.items():
        top = _panel(fig, label).get_ylim()[1]
        assert values.max() <= top <= 1.2 * values.max(), label
    ru, cn = curve.series["RU"].max(), curve.series["CN"].max()
    assert ru < cn / 20  # the small country would be a flat line on the big one's axis
    assert _panel(fig, "RU").get_ylim()[1] < cn / 10
    xlims = {_panel(fig, k).get_xlim() for k in curve.series}
    assert xlims == {(0.0, 300.0)}  # one distance axis for all


def test_the_places_a_line_names_are_labelled_beside_their_markers(fig):
    ax = fig.axes[0]
    labels = {t.get_text(): t for t in ax.texts}
    for name, (lon, lat) in (("Vladivostok", VLADIVOSTOK), ("Pyongyang", PYONGYANG)):
        assert name in labels
        assert np.allclose(labels[name].xy, (lon, lat))  # anchored on the place
        assert labels[name].get_position() != (0, 0)  # and drawn beside it, not on it
    assert "684 km" in labels  # the length stays at the middle of the line


def test_a_citys_markers_are_drawn_largest_first_with_white_outlines(fig):
    ax = fig.axes[0]
    many = [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_sizes()) > 6]
    assert len(many) == 1
    sizes = many[0].get_sizes()
    assert (np.diff(sizes) <= 0).all() and sizes[0] > sizes[-1]
    edges = many[0].get_edgecolors()
    assert np.allclose(edges[:, :3], 1.0)  # white rims keep overlapping circles apart
    # the settlements are not named one by one (only layers of a few points are)
    assert not any(t.get_text().startswith("T") for t in ax.texts)


def test_svg_is_real_xml_with_its_text(rmap):
    data = image_bytes(rmap.describe(), "svg", dpi=40)
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    texts = "".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "Vladivostok" in texts and "Pyongyang" in texts and "distance (km)" in texts
    assert root.find(f"{SVG}metadata") is not None and b"<dc:title>Test</dc:title>" in data


def test_pdf_is_real_with_a_page(rmap):
    data = image_bytes(rmap.describe(), "pdf", dpi=40)
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    assert b"/Title (Test)" in data


@pytest.mark.parametrize(
    ("name", "head"), [("m.svg", b"<?xml"), ("m.PDF", b"%PDF-"), ("m.png", b"\x89PNG")]
)
def test_to_png_writes_the_format_of_the_extension(tmp_path, name, head):
    small = RiskMap(title="Box", tiles=None).add_territory(shapely.box(0, 0, 1, 1))
    out = small.to_png(tmp_path / name, dpi=30, size_in=(6, 4))
    assert out.read_bytes().startswith(head)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    again = small.to_png(tmp_path / name, dpi=30, size_in=(6, 4))
    assert again.read_bytes() == out.read_bytes()  # no date, no random ids: same map, same file


def test_an_unknown_image_format_is_refused_and_nothing_written(tmp_path):
    small = RiskMap(tiles=None).add_territory(shapely.box(0, 0, 1, 1))
    with pytest.raises(geo.InputError, match=r"m\.jpg' ends in '\.jpg'.*\.png, \.svg or \.pdf"):
        small.to_png(tmp_path / "m.jpg")
    with pytest.raises(geo.InputError, match=r"image format 'jpg' is not written"):
        image_bytes(small.describe(), "jpg")
    assert list(tmp_path.iterdir()) == []
