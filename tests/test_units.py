"""geo.parse_distance and the constants in geo.units."""

from __future__ import annotations

import math

import pytest
from pyproj import Geod

import geo
from geo.errors import InputError, InputTypeError

# International definitions: 1 statute mile = 1,609.344 m, 1 nautical mile = 1,852 m.
MILE = 1609.344
NMI = 1852.0


@pytest.mark.parametrize(
    "text, metres",
    [
        ("200km", 200_000.0),
        ("200 km", 200_000.0),
        ("  200 km  ", 200_000.0),
        ("124 mi", 124 * MILE),
        ("108 nmi", 108 * NMI),
        ("700000 m", 700_000.0),
        ("700000m", 700_000.0),
        ("0.5 km", 500.0),
        ("2e5 m", 200_000.0),
        ("0 km", 0.0),
        (5000, 5000.0),
        (1234.5, 1234.5),
    ],
)
def test_parse_distance(text, metres):
    got = geo.parse_distance(text)
    assert isinstance(got, float)
    assert got == pytest.approx(metres, rel=1e-12)


def test_the_scenario_radii_agree():
    # The editorial's 200 km, and its usual renderings in miles and nautical miles.
    assert geo.parse_distance("124 mi") == pytest.approx(199_558.656, abs=1e-6)
    assert geo.parse_distance("108 nmi") == pytest.approx(200_016.0, abs=1e-6)


@pytest.mark.parametrize("text", ["200 furlongs", "200 kms", "200 ft", "5 parsec"])
def test_parse_distance_unknown_unit(text):
    with pytest.raises(InputError, match=r"unknown unit"):
        geo.parse_distance(text)


@pytest.mark.parametrize(
    "text",
    ["", "km", "two hundred km", "200", "200 km 3", "km 200", "1__000km", "_1km", "1_km"],
)
def test_parse_distance_bad_text(text):
    with pytest.raises(InputError, match=r"200km"):  # the message shows how to write one
        geo.parse_distance(text)


@pytest.mark.parametrize(
    "text, metres",
    [
        ("1_000km", 1_000_000.0),
        ("1_000 km", 1_000_000.0),
        ("12_345.6_7 m", 12_345.67),
        ("2_0e0_3 m", 20_000.0),
        ("1_000_000 m", 1_000_000.0),
    ],
)
def test_underscores_between_digits_as_python_reads_them(text, metres):
    # Python's own reading of the number (float accepts the same underscores) is the reference.
    number = text.rstrip("kmi ").strip()
    assert float(number) * (1000.0 if text.endswith("km") else 1.0) == metres
    assert geo.parse_distance(text) == pytest.approx(metres, rel=1e-15)


@pytest.mark.parametrize(
    "text, plain, grouped",
    [
        ("1,000km", "1000km", "1_000km"),
        ("1,000 km", "1000 km", "1_000 km"),
        ("12,345,678 m", "12345678 m", "12_345_678 m"),
    ],
)
def test_a_comma_in_the_number_is_refused_with_both_spellings(text, plain, grouped):
    with pytest.raises(InputError, match="comma") as info:
        geo.parse_distance(text, name="radius")
    message = str(info.value)
    assert repr(text) in message and repr(plain) in message and repr(grouped) in message


@pytest.mark.parametrize("text", ["-5 km", -5.0])
def test_parse_distance_negative(text):
    with pytest.raises(InputError, match=r"negative"):
        geo.parse_distance(text)


@pytest.mark.parametrize("text", [float("nan"), float("inf")])
def test_parse_distance_not_finite(text):
    with pytest.raises(InputError, match=r"finite"):
        geo.parse_distance(text)


def test_parse_distance_over_half_the_earth():
    assert geo.parse_distance("20003 km") == 20_003_000.0
    with pytest.raises(InputError, match=r"half the Earth"):
        geo.parse_distance("20004 km")


@pytest.mark.parametrize("value", [True, None, [200, "km"], b"200km"])
def test_parse_distance_wrong_type(value):
    with pytest.raises(InputTypeError, match=repr(value).replace("[", r"\[").replace("]", r"\]")):
        geo.parse_distance(value)


def test_half_circumference():
    # Meridian from pole to pole on WGS84, from an independent Geod and the published value.
    geod = Geod(a=6378137.0, f=1 / 298.257223563)
    assert geo.HALF_CIRCUMFERENCE_M == pytest.approx(geod.inv(0.0, 90.0, 0.0, -90.0)[2], abs=1e-6)
    assert geo.HALF_CIRCUMFERENCE_M == pytest.approx(20_003_931.46, abs=0.01)


def test_wgs84_ellipsoid():
    assert geo.WGS84.a == 6378137.0
    assert math.isclose(geo.WGS84.f, 1 / 298.257223563, rel_tol=1e-12)


@pytest.mark.parametrize("text, fix", [("1,5km", "'1.5km'"), ("12,3456 m", "'12.3456 m'")])
def test_a_decimal_comma_is_refused_with_the_decimal_point(text, fix):
    with pytest.raises(InputError, match="comma") as info:
        geo.parse_distance(text)
    assert f"write {fix}" in str(info.value)


def test_a_sites_range_cell_reads_its_distances_through_the_one_parser():
    # A cell lists ranges split at ';', '/' or a comma between distances, never inside a number.
    import geopandas as gpd

    from layers.sites import read_sites

    def ranges(cell):
        frame = gpd.GeoDataFrame(
            {"name": ["a"], "range": [cell]}, geometry=gpd.points_from_xy([131], [43]), crs=4326
        )
        return read_sites(frame)["ranges_m"].iloc[0]

    assert ranges("30km, 1_000km") == (30_000.0, geo.parse_distance("1000km"))
    assert ranges("30km,80km") == ranges("30km; 80km") == (30_000.0, 80_000.0)
    with pytest.raises(InputError, match=r"'1000km' or '1_000km'"):
        ranges("30km, 1,000km")
