"""RiskMap rendered to HTML strings and PNG files, checked without a browser."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

import geo
import layers
from layers import DataSource, Provenance
from maps import RiskMap
from maps._display import display_geometry
from maps._io import atomic_path, atomic_write

GEOD = Geod(ellps="WGS84")  # the reference: pyproj directly, not through riskmap
VLADIVOSTOK = (131.8869, 43.1056)
PYONGYANG = (125.7625, 39.0392)


def _prov(name: str, attribution: str) -> Provenance:
    return Provenance((DataSource(name, "test", "CC BY 4.0", attribution),))


def _geojson_layers(page: str) -> list[dict]:
    """Every FeatureCollection the page hands to L.geoJSON, decoded."""
    decoder = json.JSONDecoder()
    out = []
    for match in re.finditer(r"L\.geoJSON\(", page):
        obj, _ = decoder.raw_decode(page, match.end())
        out.append(obj)
    return out


@pytest.fixture
def places() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "name": ["Vladivostok", "Ussuriysk", "Khabarovsk"],
            "country": ["RU", "RU", "RU"],
            "population": [587_022, 157_068, 577_441],
        },
        geometry=gpd.points_from_xy([131.8869, 131.9511, 135.0721], [43.1056, 43.8003, 48.4827]),
        crs="EPSG:4326",
    )
    frame["distance_m"] = [124_600.0, 170_000.0, 700_000.0]
    frame.attrs["provenance"] = _prov("GeoNames cities500", "GeoNames (CC BY 4.0)")
    return frame


@pytest.fixture
def square() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"name": ["Square"]}, geometry=[shapely.box(125, 38, 129, 42)], crs="EPSG:4326"
    )
    frame.attrs["provenance"] = _prov("Test territory", "© OpenStreetMap contributors (ODbL)")
    return frame


def test_known_point_is_lon_lat_in_geojson_and_lat_lon_for_leaflet(places):
    page = (
        RiskMap(tiles=None, bounds=(130, 42, 137, 49))
        .add_settlements(places)
        .render(self_contained=False)
    )
    features = [f for layer in _geojson_layers(page) for f in layer["features"]]
    by_tip = {re.sub("<[^>]+>", " ", f["properties"]["t"]).split()[0]: f for f in features}
    # GeoJSON carries (lon, lat) (RFC 7946); Leaflet reads it as such.
    assert by_tip["Vladivostok"]["geometry"]["coordinates"] == pytest.approx(
        list(VLADIVOSTOK), abs=1e-4
    )
    # The view is handed to Leaflet as [[south, west], [north, east]]: latitude first.
    bounds = re.search(r"fitBounds\(\s*(\[\[.*?\]\])", page, re.S).group(1)
    assert json.loads(bounds) == [[42.0, 130.0], [49.0, 137.0]]


def test_settlements_coloured_by_radius_and_sized_by_population(places):
    page = RiskMap(tiles=None).add_settlements(places, radius_m="200km", of="North Korea").render()
    (layer,) = _geojson_layers(page)
    tips = {f["properties"]["t"].split("</b>")[0][3:]: f["properties"] for f in layer["features"]}
    assert (
        "inside 200 km" in tips["Vladivostok"]["t"]
        and "124.6 km from North Korea" in tips["Vladivostok"]["t"]
    )
    assert "outside 200 km" in tips["Khabarovsk"]["t"]
    assert tips["Vladivostok"]["s"] == tips["Ussuriysk"]["s"] != tips["Khabarovsk"]["s"]
    assert tips["Vladivostok"]["r"] > tips["Ussuriysk"]["r"]
    assert "population 587,022" in tips["Vladivostok"]["t"]


def test_rings_are_geodesic_polygons_never_leaflet_circles():
    centre = shapely.Point(VLADIVOSTOK)
    tolerance = 100.0
    rings = geo.rings(centre, [100_000, 200_000])
    rmap = RiskMap(tiles=None, tolerance_m=tolerance).add_rings(rings, of="Vladivostok")
    page = rmap.render()
    assert not re.search(r"L\.circle\(", page), "a Leaflet circle is a Web Mercator approximation"
    assert all(type(child).__name__ != "Circle" for child in _walk(rmap.to_folium()))
    (layer,) = _geojson_layers(page)
    bands = [
        shapely.geometry.shape(f["geometry"])
        for f in layer["features"]
        if f["geometry"]["type"] != "Point"
    ]
    for band, radius in zip(bands, (100_000, 200_000), strict=False):
        xy = shapely.get_coordinates(band.exterior)
        _, _, d = GEOD.inv(
            np.full(len(xy), VLADIVOSTOK[0]), np.full(len(xy), VLADIVOSTOK[1]), xy[:, 0], xy[:, 1]
        )
        # drawn vertices: the geodesic ring's own error, plus display simplification and rounding
        assert np.abs(d - radius).max() <= rings["error_m"].max() + tolerance + 1, np.abs(
            d - radius
        ).max()
    labels = [f["properties"]["label"] for f in layer["features"] if "label" in f["properties"]]
    assert labels == ["100 km", "200 km"]
    assert "<b>100–200 km</b> of Vladivostok" in layer["features"][1]["properties"]["t"]


def _walk(element):
    yield element
    for child in element._children.values():
        yield from _walk(child)


def test_layers_are_grouped_and_controls_present(places, square):
    rmap = (
        RiskMap(title="Test map", tiles=None)
        .add_territory(square)
        .add_settlements(places, radius_m="200km")
        .add_geodesic_line(VLADIVOSTOK, PYONGYANG, labels=("Vladivostok", "Pyongyang"))
    )
    page = rmap.render()
    assert "L.control.groupedLayers(" in page
    for group in ("Territories", "Settlements", "Distances"):
        assert json.dumps(group) in page
    assert "new L.Control.Measure(" in page and '"primaryLengthUnit": "kilometers"' in page
    assert (
        '"secondaryLengthUnit": "nauticalmiles"' in page
        and '"factor": 0.0005399568034557236' in page
    )
    assert "L.control.fullscreen(" in page
    assert "<title>Test map</title>" in page
    # no jQuery/Bootstrap/icon fonts: the page uses Leaflet and three plugins only
    assert (
        "jquery" not in page.lower()
        and "bootstrap" not in page.lower()
        and "fontawesome" not in page
    )


def test_geodesic_line_length_and_antimeridian_split():
    page = RiskMap(tiles=None).add_geodesic_line(VLADIVOSTOK, PYONGYANG, labels=("V", "P")).render()
    _, _, reference = GEOD.inv(*VLADIVOSTOK, *PYONGYANG)
    assert f"{reference / 1000:,.1f} km (WGS84 geodesic)" in page
    # across the antimeridian the line is split, not drawn round the world
    across = RiskMap(tiles=None).add_geodesic_line((170.0, 50.0), (-170.0, 52.0), labels=("W", "E"))
    line = shapely.geometry.shape(_geojson_layers(across.render())[0]["features"][0]["geometry"])
    assert line.geom_type == "MultiLineString"
    for part in line.geoms:
        lons = shapely.get_coordinates(part)[:, 0]
        assert np.ptp(lons) < 20


def test_results_panel_holds_the_numbers():
    table = pd.DataFrame({"country": ["RU", "CN"], "population": [1_285_787, 5_123_456]})
    rmap = RiskMap(tiles=None).add_note("Claim: holds.").add_table(table, title="Within 200 km")
    distances = np.arange(0, 500_001, 50_000.0)
    rmap.add_curve(
        distances,
        {"RU": distances * 3},
        title="Population by distance",
        marks_m=[200_000],
        threshold=1e6,
    )
    page = rmap.render()
    assert "1,285,787" in page and "5,123,456" in page and "Claim: holds." in page
    assert "Within 200 km" in page and "polyline" in page and "Population by distance" in page


def test_attribution_is_composed_from_every_layer(places, square):
    rmap = RiskMap(tiles=None).add_territory(square).add_settlements(places)
    rmap.add_provenance(_prov("GHS-POP", "GHS-POP R2023A (CC BY 4.0)"))
    page = rmap.render()
    call = re.search(r"attributionControl\.addAttribution\((\".*?\")\)", page).group(1)
    text = json.loads(call)
    assert (
        text
        == "© OpenStreetMap contributors (ODbL) | GeoNames (CC BY 4.0) | GHS-POP R2023A (CC BY 4.0)"
    )


def test_display_simplification_stays_within_tolerance(ne_north_korea):
    tol = 500.0
    shown = display_geometry(ne_north_korea, tol)
    assert shapely.get_num_coordinates(shown) < shapely.get_num_coordinates(ne_north_korea)
    # every original vertex is within the tolerance of the drawn outline, on the ellipsoid
    vertices = shapely.get_coordinates(ne_north_korea.boundary)
    d = geo.distance_to(vertices, shown.boundary)
    assert d.max() <= tol + 10, d.max()


def test_self_contained_page_links_nothing(square):
    page = RiskMap(tiles=None).add_territory(square).render(self_contained=True)
    assert "<script src=" not in page and '<link rel="stylesheet"' not in page
    # nothing fetched by the page itself: no external src/href in markup, no url()/@import in CSS
    markup = re.sub(r"<script>.*?</script>", "", page, flags=re.S)
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", markup)
    styles = "".join(re.findall(r"<style>(.*?)</style>", page, flags=re.S))
    assert not re.search(r"""url\(\s*["']?https?:|@import""", styles)
    assert (
        "L.Control.Measure" in page and "groupedLayers" in page and "data:image/png;base64," in page
    )


def test_save_writes_atomically_and_refuses_missing_folder(tmp_path, square):
    rmap = RiskMap(tiles=None).add_territory(square)
    out = rmap.save(tmp_path / "map.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]
    with pytest.raises(geo.InputError, match="does not exist"):
        rmap.save(tmp_path / "missing" / "map.html")
    atomic_write(tmp_path / "keep.txt", "old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_path(tmp_path / "keep.txt") as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert (tmp_path / "keep.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "map.html"]


def test_png_export(tmp_path, places, square):
    rmap = (
        RiskMap(title="PNG", tiles=None)
        .add_territory(square)
        .add_settlements(places, radius_m="200km")
    )
    out = rmap.to_png(tmp_path / "map.png", dpi=60, size_in=(10, 6))
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    img = (matplotlib.image.imread(out)[..., :3] * 255).round()
    assert img.shape[1] == 600 and img.shape[0] >= 360  # the text below grows the figure
    # the inside-radius red of the markers is drawn (alpha-blended on white or the territory)
    red = (img[..., 0] > 150) & (img[..., 1] < 90) & (img[..., 2] < 100)
    assert red.sum() > 10


def test_repr_html_is_embeddable(square):
    html = RiskMap(tiles=None).add_territory(square)._repr_html_()
    assert "<iframe" in html and "Square" in html


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tolerance_m": -1}, "tolerance_m=-1"),
        ({"tolerance_m": float("nan")}, "tolerance_m=nan"),
        ({"bounds": (42, 130, 49, 137)}, r"\(lon, lat\) order"),
        ({"bounds": (1, 2, 3)}, "west, south, east, north"),
    ],
)
def test_bad_options_are_refused(kwargs, match):
    with pytest.raises(geo.InputError, match=match):
        RiskMap(**kwargs)


def test_bad_layers_are_refused(places):
    naive = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)])
    with pytest.raises(geo.CRSError, match="has no CRS"):
        RiskMap().add_territory(naive)
    with pytest.raises(geo.InputTypeError, match=r"'Vladivostok' is a place .*add_rings"):
        RiskMap().add_territory("Vladivostok")
    with pytest.raises(geo.InputError, match="no 'population' column"):
        RiskMap().add_settlements(places.drop(columns="population"))
    with pytest.raises(geo.InputError, match="give the band distances"):
        RiskMap().add_rings(shapely.Point(VLADIVOSTOK))
    with pytest.raises(geo.InputError, match="unknown unit"):
        RiskMap().add_rings(shapely.Point(VLADIVOSTOK), ["200 parsecs"])
    with pytest.raises(geo.InputError, match=r"latitude .*131\.9.*swapped"):
        RiskMap().add_geodesic_line((43.1, 131.9), PYONGYANG)


def test_lat_lon_order_is_built_in_one_function_only():
    """Leaflet's (lat, lon) pairs are assembled in maps._folium.leaflet_latlon and nowhere else."""
    import ast
    from pathlib import Path

    import maps

    found = []
    for path in Path(maps.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) == 2:
                    first, second = (ast.unparse(e).lower() for e in node.elts)
                    if "lat" in first and "lon" in second:
                        found.append(f"{path.name}:{func.name}")
    assert set(found) == {"_folium.py:leaflet_latlon"}, found


# -- the page as an instrument ---------------------------------------------------------------


def test_pages_are_self_contained_unless_linked():
    rmap = RiskMap(tiles=None).add_territory(shapely.box(0, 0, 1, 1))
    page = rmap.render()
    assert "<script src=" not in page and '<link rel="stylesheet" href=' not in page
    assert "geodesic.Geodesic" in page or "Geodesic" in page  # GeographicLib inlined
    linked = rmap.render(self_contained=False)
    assert (
        '<script src="https://cdn.jsdelivr.net/npm/geographiclib-geodesic@2.2.0/'
        'geographiclib-geodesic.min.js"></script>' in linked
    )
    assert "riskmapPage" in linked  # riskmap's own script is inline either way
    assert "riskmapPage" in rmap._repr_html_() and "<script src=" not in rmap._repr_html_()


def test_legend_position_is_an_option_and_a_bad_corner_is_refused():
    page = RiskMap(tiles=None, legend="topright").add_territory(shapely.box(0, 0, 1, 1)).render()
    legend = page.index('"riskmap-box riskmap-legend"')
    # the control created last before the legend's box is the legend's own
    last = page.rfind("L.control(", 0, legend)
    assert last == page.rfind('L.control({position: "topright"})', 0, legend)
    with pytest.raises(geo.InputError, match=r"legend='middle' is not a corner.*'bottomright'"):
        RiskMap(legend="middle")


def test_legend_lists_what_is_shown_at_first():
    rmap = (
        RiskMap(tiles=None)
        .add_territory(shapely.box(0, 0, 1, 1), name="Shown")
        .add_territory(shapely.box(2, 0, 3, 1), name="Variant", show=False)
    )
    assert [e.label for e in rmap.describe().legend] == ["Shown"]


def test_a_page_over_its_budget_warns_with_the_fix():
    from maps.instrument import PageSizeWarning

    rmap = RiskMap(tiles=None, max_bytes=10_000).add_territory(shapely.box(0, 0, 1, 1))
    # a box's page is over 10 kB at every automatic tolerance: the warning names a coarser one
    with pytest.warns(PageSizeWarning, match=r"over its budget of 10,000 bytes.*tolerance_m=10000"):
        rmap.render()


def test_radius_control_counts_as_the_exposure_does():
    import layers

    towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
    point = shapely.Point(131.9, 43.1)
    exp = layers.exposure(point, towns, ["10km", "30km", "60km"])
    control = RiskMap(tiles=None).add_exposure(exp, source=point).describe().radius
    for r in exp.radii_m:
        assert control.population(r) == exp.population(r)
    between = np.linspace(0, 60_000, 61)[1:]
    curve = exp.curve(radii=between)["population"].to_numpy(float)
    assert [control.population(r) for r in between] == list(curve)
    with pytest.raises(geo.InputError, match="beyond 60 km"):
        RiskMap(tiles=None).add_exposure(exp, radius="70km")


def test_distance_field_ring_is_within_its_stated_error():
    """The page's ring at r passes where the bilinear field reads r; the true distance there
    is within the stated error (checked against pyproj on a point source)."""
    from maps.instrument import DistanceField

    field = DistanceField.around(shapely.Point(131.9, 43.1), "100km", nodes=3_000)
    rng = np.random.default_rng(3)
    lon = rng.uniform(130.7, 133.1, 400)
    lat = rng.uniform(42.3, 43.9, 400)
    exact = GEOD.inv(np.full(400, 131.9), np.full(400, 43.1), lon, lat)[2]
    for x, y, d in zip(lon, lat, exact, strict=True):
        if 5_000 < d < 95_000:
            assert abs(field.distance_at(x, y) - d) <= field.error_at(d) + 1e-6, (x, y, d)


def test_radius_control_of_a_grid_is_exact_at_the_radii_and_the_cell_curve_between(tmp_path):
    """One person per 0.1° cell: the table (partial cells by covered fraction) at the radii,
    the curve of whole cells by their centre between them."""
    import rasterio
    from affine import Affine

    import layers
    from layers.grid import population_grid

    path = tmp_path / "ones.tif"
    profile = {"driver": "GTiff", "width": 30, "height": 20, "count": 1, "dtype": "float32"}
    with rasterio.open(
        path, "w", crs="EPSG:4326", transform=Affine(0.1, 0, 100, 0, -0.1, 50), **profile
    ) as ds:
        ds.write(np.ones((20, 30), "float32"), 1)
    point = shapely.Point(101.5, 49.0)
    exp = layers.exposure(point, population_grid(path, kind="count"), ["20km", "50km"], by=None)
    control = RiskMap(tiles=None).add_exposure(exp, source=point).describe().radius
    assert control.kind == "grid"
    for r in exp.radii_m:
        assert control.population(r) == exp.population(r)
    assert control.population(35_000) == exp.curve(radii=[35_000])["population"].iloc[0]


def test_a_page_over_its_budget_is_drawn_with_less_detail_by_default():
    """With the default tolerance a page steps to coarser ones until it fits, and says so;
    with a tolerance given, it keeps it and warns (China: 0.43 MB at 200 m, 0.16 MB at 1 km)."""
    import warnings

    import layers
    from maps.instrument import PageSizeWarning

    china = layers.territory("CN")
    budget = 200_000
    with warnings.catch_warnings():
        warnings.simplefilter("error", PageSizeWarning)
        page = (
            RiskMap(tiles=None, max_bytes=budget).add_territory(china).render(self_contained=False)
        )
    assert len(page.encode()) <= budget
    assert "simplified for display to \\u2264 1000 m" in page, re.findall(
        r"simplified for display[^<]*", page
    )
    with pytest.warns(PageSizeWarning, match="over its budget"):
        fixed = RiskMap(tiles=None, tolerance_m=200, max_bytes=budget).add_territory(china)
        assert len(fixed.render(self_contained=False).encode()) > budget


def test_radius_control_of_an_admin1_breakdown_counts_by_country():
    """by="admin1" has a row per country and region: the control lists each country once,
    its people the sum of its regions' rows (summed here with pandas), at and between radii."""
    import layers
    from maps.instrument import RadiusControl

    kgd = layers.region("RU-KGD")
    towns = layers.settlements(bbox=(17, 52, 25, 57))
    exp = layers.exposure(kgd, towns, ["50km", "100km"], by="admin1")
    control = RadiusControl.of_exposure(exp)
    codes = [g["code"] for g in control.groups]
    assert len(codes) == len(set(codes)) and list(control.shown) == codes
    for r in exp.radii_m:
        rows = exp.table[np.isclose(exp.table["radius_m"], r)]
        expected = rows.groupby("country")["population"].sum()
        for g in control.groups:
            i = np.searchsorted(g["d"], r, side="right")
            got = g["pop"][i - 1] if i else 0.0
            assert got == expected[g["code"]] == exp.population(r, country=g["code"])
        assert control.population(r) == float(rows["population"].sum())
    assert expected["PL"] > 2_000_000
    for r in (12_300.0, 77_700.0):
        assert control.population(r) == exp.curve(radii=[r])["population"].iloc[0]


def test_legend_names_each_band_by_its_limits_with_its_fill():
    from maps.elements import BAND_COLORS

    rmap = RiskMap(tiles=None).add_rings(shapely.Point(20.5, 54.7), ["30km", "100km"], of="X")
    legend = rmap.describe().legend
    assert [(e.label, e.fill_color) for e in legend] == [
        ("Within 30 km of X", BAND_COLORS[0]),
        ("30–100 km of X", BAND_COLORS[1]),
    ]


def test_legend_gives_the_dashed_ring_error_at_the_radius_shown():
    import layers

    towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
    point = shapely.Point(131.9, 43.1)
    exp = layers.exposure(point, towns, ["20km", "60km"])
    desc = RiskMap(tiles=None).add_exposure(exp, source=point, radius="20km").describe()
    dashed = [n for n in desc.legend_notes if n.startswith("Dashed ring")]
    error = desc.radius.field.error_at(20_000)
    assert dashed == [
        f"Dashed ring at 20 km: within {error:,.0f} m of the exact buffer "
        "(measured on the distance grid at this radius)"
    ]
    assert error < desc.radius.field.error_m  # not the worst over every radius


def test_parts_cut_at_180_are_drawn_as_one_polygon():
    """Halves of a ring cut at ±180° are merged once shifted: no outline along the meridian."""
    from maps._display import shift_east

    halves = shapely.MultiPolygon(
        [
            shapely.box(178, -18, 180, -16),
            shapely.box(-180, -18, -178, -16),
            shapely.box(170, 0, 171, 1),
        ]
    )
    joined = shift_east(halves, 0.0)
    for poly in shapely.get_parts(joined):  # no edge runs along the meridian
        x = np.asarray(poly.exterior.coords)[:, 0]
        assert not ((x[1:] == 180.0) & (x[:-1] == 180.0)).any()
    assert shapely.get_num_geometries(joined) == 2
    assert joined.area == pytest.approx(halves.area, rel=1e-12)


def test_names_draw_what_layers_exposure_reads_them_as():
    # A country, a region and a place written as the exposure takes them, in the map too.
    rmap = RiskMap(tiles=None).add_territory("North Korea").add_territory("Primorsky Krai")
    rmap.add_rings("Vladivostok,RU", ["30km"]).add_rings("131.9,43.1", ["10km"])
    kp = layers.territory("KP")
    drawn = rmap._items[0].data
    assert shapely.equals(drawn.geometry.union_all(), kp.geometry.union_all())
    assert rmap._items[1].data.attrs["kind"] == "region"
    ring = rmap._items[2].data
    expected = geo.rings(layers.resolve_source("Vladivostok,RU").data, [30_000.0])
    assert shapely.equals_exact(
        ring.geometry.union_all(), expected.geometry.union_all(), tolerance=1e-9
    )
