"""Exposure exports: each format read back by its own reader (pyogrio, json, pandas, pyarrow)
to the same numbers and provenance; geodesic distances checked against pyproj's Geod.inv;
atomic writes; the notebook table."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET

import geopandas
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Geod

import geo
import layers
from layers import DataSource, Provenance
from layers.analysis.export import read_exposure, ring_layer, sidecar_path

GEOD = Geod(ellps="WGS84")
CENTRE = (131.9, 43.0)
SOURCE_DATA = DataSource("Test harbour <survey> & co", "2024", "CC0", "Harbour survey & co")
TOWNS_DATA = DataSource("Test towns", "1", "CC BY 4.0", "Test towns (CC BY 4.0)")
FORMATS = [".gpkg", ".geojson", ".csv", ".parquet"]


@pytest.fixture(scope="module")
def source():
    """A small harbour polygon, with its provenance, as a layer would carry it."""
    frame = geopandas.GeoDataFrame(
        {"name": ["harbour"]},
        geometry=[shapely.box(CENTRE[0] - 0.02, CENTRE[1] - 0.02, CENTRE[0], CENTRE[1])],
        crs="EPSG:4326",
    )
    return Provenance((SOURCE_DATA,), method="surveyed").attach(frame)


@pytest.fixture(scope="module")
def towns():
    """Settlements with a Namibian code ("NA", which CSV readers take for missing) and markup."""
    rng = np.random.default_rng(13)
    n = 40
    lon = CENTRE[0] + rng.uniform(-0.9, 0.9, n)
    lat = CENTRE[1] + rng.uniform(-0.6, 0.6, n)
    frame = geopandas.GeoDataFrame(
        {
            "name": [f"Town <{i}> & “{i}”" for i in range(n)],
            "country": np.array(["RU", "CN", "NA", "KP"])[np.arange(n) % 4],
            "population": rng.integers(100, 2_000_000, n),
        },
        geometry=geopandas.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    return Provenance((TOWNS_DATA,), method="test towns").attach(frame)


@pytest.fixture(scope="module")
def result(source, towns):
    return layers.exposure(source, towns, ["20km", "50km"], exclude_source=False)


@pytest.fixture(scope="module")
def rings(source):
    return ring_layer(source, ["20km", "50km"])


def _reference_m(places):
    """Exact distance from each place to the harbour box, by brute force on its edges."""
    box = shapely.segmentize(shapely.box(CENTRE[0] - 0.02, CENTRE[1] - 0.02, *CENTRE), 1e-4)
    ring = shapely.get_coordinates(box.exterior)
    out = []
    for p in places.geometry:
        if box.covers(p):
            out.append(0.0)
            continue
        _, _, d = GEOD.inv(np.full(len(ring), p.x), np.full(len(ring), p.y), ring[:, 0], ring[:, 1])
        out.append(float(np.min(d)))
    return np.array(out)


def test_the_exposure_itself_measures_what_geod_inv_measures(result):
    # brute force over vertices 1e-4 degrees (~10 m) apart: at most a few metres above the exact
    np.testing.assert_allclose(
        result.places["distance_m"], _reference_m(result.places), rtol=0, atol=5.0
    )
    assert (result.places["distance_m"] <= _reference_m(result.places) + 1e-6).all()


def _same_table(got, want):
    got = got.reset_index(drop=True)
    want = pd.DataFrame(want).reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    for column in want.columns:
        a, b = got[column].to_numpy(), want[column].to_numpy()
        if want[column].dtype.kind in "fiub":
            np.testing.assert_array_equal(a.astype(float), b.astype(float), err_msg=column)
        else:
            assert [None if pd.isna(x) else str(x) for x in a] == [
                None if pd.isna(x) else str(x) for x in b
            ], column


def _same_places(got, result):
    want = result.places.reset_index(drop=True)
    _same_table(pd.DataFrame(got.drop(columns="geometry")), want.drop(columns="geometry"))
    np.testing.assert_array_equal(
        shapely.get_coordinates(got.geometry), shapely.get_coordinates(want.geometry)
    )


def test_geopackage_reads_back_with_pyogrio(tmp_path, result, rings):
    path = result.to_file(tmp_path / "harbour.gpkg", rings=rings)
    names = {str(n) for n, _ in pyogrio.list_layers(path)}
    assert names == {"places", "rings", "table", "bands", "edge", "curve", "riskmap_provenance"}
    places = pyogrio.read_dataframe(path, layer="places")
    _same_places(places, result)
    assert "NA" in set(places["country"])
    _same_table(pyogrio.read_dataframe(path, layer="table"), result.table)
    _same_table(pyogrio.read_dataframe(path, layer="bands"), result.bands)
    _same_table(pyogrio.read_dataframe(path, layer="curve"), result.curve())
    back = pyogrio.read_dataframe(path, layer="rings")
    assert shapely.equals_exact(back.geometry.to_numpy(), rings.geometry.to_numpy(), 0).all()
    np.testing.assert_array_equal(back["error_m"], rings["error_m"])
    meta = pyogrio.read_dataframe(path, layer="riskmap_provenance").set_index("layer")
    assert Provenance.from_dict(json.loads(meta.loc["places", "provenance"])) == result.provenance
    ring_prov = Provenance.from_dict(json.loads(meta.loc["rings", "provenance"]))
    assert ring_prov.sources == (SOURCE_DATA,) and "geo.rings" in ring_prov.method
    assert ring_prov.details["error_m"] == float(rings["error_m"].max())
    # the same provenance as GDAL layer metadata (gpkg_metadata), which GIS tools show
    info = pyogrio.read_info(path, layer="rings")["layer_metadata"]
    assert Provenance.from_dict(json.loads(info["riskmap"])) == ring_prov


def test_geojson_is_a_feature_collection_with_provenance(tmp_path, result, rings):
    path = result.to_file(tmp_path / "harbour.geojson", rings=rings)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc  # RFC 7946: WGS84, no crs
    member = doc["riskmap"]
    assert Provenance.from_dict(member["exposure"]["provenance"]) == result.provenance
    assert Provenance.from_dict(member["layers"]["rings"]).sources == (SOURCE_DATA,)
    _same_table(pd.DataFrame(member["table"]), result.table)
    frame = geopandas.read_file(path)  # GDAL's reader, independent of ours
    places = frame[frame["layer"] == "places"].reset_index(drop=True)
    np.testing.assert_array_equal(places["distance_m"], result.places["distance_m"])
    assert list(places["name"]) == list(result.places["name"])
    ring_rows = frame[frame["layer"] == "rings"]
    assert shapely.equals_exact(ring_rows.geometry.to_numpy(), rings.geometry.to_numpy(), 0).all()


def test_csv_keeps_namibia_and_its_provenance_beside_it(tmp_path, result):
    path = result.to_file(tmp_path / "harbour.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["harbour.csv", "harbour.provenance.json"]
    table = pd.read_csv(path, keep_default_na=False)
    assert "NA" in set(table["country"])
    np.testing.assert_array_equal(table["population"], result.table["population"])
    np.testing.assert_array_equal(table["radius_m"], result.table["radius_m"])
    side = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    assert Provenance.from_dict(side["exposure"]["provenance"]) == result.provenance
    assert side["units"]["radius_m"] == "metres" and side["units"]["population"] == "people"
    back = read_exposure(path)
    _same_table(back.table, result.table)
    assert back.places is None and back.bands is None


def test_geoparquet_carries_the_tables_in_its_metadata(tmp_path, result):
    pq = pytest.importorskip("pyarrow.parquet")
    path = result.to_file(tmp_path / "harbour.parquet")
    schema = pq.read_schema(path)
    assert json.loads(schema.metadata[b"geo"])["primary_column"] == "geometry"
    member = json.loads(schema.metadata[b"riskmap"])
    assert Provenance.from_dict(member["exposure"]["provenance"]) == result.provenance
    _same_table(pd.DataFrame(member["bands"]), result.bands)
    _same_places(geopandas.read_parquet(path), result)


@pytest.mark.parametrize("ext", FORMATS)
def test_read_exposure_gives_the_same_numbers_and_provenance(tmp_path, result, rings, ext):
    back = read_exposure(result.to_file(tmp_path / f"x{ext.upper()}", rings=rings))
    assert back.provenance == result.provenance
    _same_table(back.table, result.table)
    assert back.description["radii_m"] == list(result.radii_m)
    assert back.description["source"] == result.source
    if ext == ".csv":
        return
    _same_table(back.bands, result.bands)
    _same_table(back.curve, result.curve())
    _same_places(back.places, result)
    assert Provenance.of(back.places) == result.provenance
    if ext != ".parquet":  # a GeoParquet holds the places only
        assert Provenance.of(back.rings).sources == (SOURCE_DATA,)
        np.testing.assert_array_equal(back.rings["distance_max"], rings["distance_max"])


def test_rings_from_geo_rings_without_provenance_take_the_exposures(tmp_path, result, source):
    bare = geo.rings(source, ["20km"])
    back = read_exposure(result.to_file(tmp_path / "x.gpkg", rings=bare))
    ring_prov = Provenance.of(back.rings)
    assert set(ring_prov.sources) == set(result.provenance.sources)
    assert "carried none" in ring_prov.method


@pytest.mark.parametrize("name", ["x.shp", "x.json", "x.xlsx", "x"])
def test_an_unknown_extension_is_refused_with_the_list(tmp_path, result, name):
    with pytest.raises(geo.InputError, match=r"\.gpkg \(GeoPackage\), \.geojson.*\.parquet"):
        result.to_file(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_write_leaves_the_old_file_and_no_temporary(tmp_path, result, monkeypatch):
    target = tmp_path / "x.gpkg"
    target.write_text("old")
    calls = []

    def failing(frame, path, **kwargs):
        calls.append(kwargs["layer"])
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(frame, path, **kwargs)

    real = pyogrio.write_dataframe
    monkeypatch.setattr(pyogrio, "write_dataframe", failing)
    with pytest.raises(OSError, match="No space"):
        result.to_file(target)
    assert len(calls) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.gpkg"]
    assert target.read_text() == "old"


def test_csv_and_its_provenance_are_written_together_or_not_at_all(tmp_path, result):
    sidecar_path(tmp_path / "x.csv").mkdir()  # the provenance cannot be written there
    with pytest.raises(geo.InputError, match="is a folder"):
        result.to_file(tmp_path / "x.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.provenance.json"]


def test_a_grid_exposure_without_places_needs_rings_for_geoparquet(tmp_path, result, rings):
    gridlike = dataclasses.replace(result, kind="grid", places=None, edge=None)
    with pytest.raises(geo.InputError, match="no places; pass rings="):
        gridlike.to_file(tmp_path / "x.parquet")
    back = read_exposure(gridlike.to_file(tmp_path / "x.parquet", rings=rings))
    assert back.places is None and Provenance.of(back.rings).sources == (SOURCE_DATA,)
    assert shapely.equals_exact(back.rings.geometry.to_numpy(), rings.geometry.to_numpy(), 0).all()


def test_bad_rings_and_foreign_files_are_named(tmp_path, result, source):
    with pytest.raises(geo.InputTypeError, match="rings of type list is not a GeoDataFrame"):
        result.to_file(tmp_path / "x.gpkg", rings=[1, 2])
    naive = geo.rings(source, ["20km"]).set_crs(None, allow_override=True)
    with pytest.raises(geo.CRSError, match="rings has no CRS"):
        result.to_file(tmp_path / "x.gpkg", rings=naive)
    other = tmp_path / "other.geojson"
    other.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(geo.DataError, match="holds no riskmap exposure"):
        read_exposure(other)
    with pytest.raises(geo.InputError, match="does not exist"):
        read_exposure(tmp_path / "missing.gpkg")


def test_the_notebook_table_is_escaped_with_units_and_provenance(result):
    page = result._repr_html_()
    root = ET.fromstring(page)  # well-formed: every name and source escaped
    header = [th.text for th in root.iter("th")]
    assert header[:4] == ["country", "radius (km)", "population (people)", "places"]
    rows = [[td.text for td in tr.iter("td")] for tr in root.find("table/tbody")]
    assert len(rows) == len(result.table)
    want = result.table.iloc[0]
    assert rows[0][:3] == [want["country"], f"{want['radius_km']:g}", f"{want['population']:,.0f}"]
    credit = root.find("p/small").text
    assert "Harbour survey & co" in credit and result.provenance.library in credit
    assert result.provenance.method in credit
    assert "<survey>" not in page.replace("&lt;survey&gt;", "")


def test_cli_exposure_out_writes_the_file_with_rings(tmp_path, capsys):
    from maps.cli import main

    path = tmp_path / "vladivostok.gpkg"
    code = main(
        ["exposure", "--around", "Vladivostok,RU", "--radius", "10km,30km", "--out", str(path)]
    )
    assert code == 0 and f"file: {path}" in capsys.readouterr().out
    back = read_exposure(path)
    assert back.description["radii_m"] == [10_000.0, 30_000.0]
    # the places' distances are geodesic from the city's point
    city = layers.resolve_source("Vladivostok,RU").data.geometry.iloc[0]  # the place's point
    _, _, want = GEOD.inv(
        np.full(len(back.places), city.x),
        np.full(len(back.places), city.y),
        back.places.geometry.x.to_numpy(),
        back.places.geometry.y.to_numpy(),
    )
    np.testing.assert_allclose(back.places["distance_m"], want, rtol=0, atol=0.01)
    assert list(back.rings["distance_max"]) == [10_000.0, 30_000.0]
    assert (
        back.layers["rings"].sources == layers.resolve_source("Vladivostok,RU").provenance.sources
    )
    assert "geo.rings" in back.layers["rings"].method


def test_cli_exposure_out_refuses_a_bad_extension_before_any_work(tmp_path, capsys):
    from maps.cli import main

    code = main(
        ["exposure", "--around", "KP", "--radius", "200km", "--out", str(tmp_path / "x.xlsx")]
    )
    assert code != 0
    assert ".gpkg (GeoPackage)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
