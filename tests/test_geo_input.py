"""Bad input to geo's public functions: refused with a message naming it, or repaired (warned)."""

from __future__ import annotations

import geopandas
import numpy as np
import pytest
import shapely
from numpy.testing import assert_allclose
from reference import HALF_CIRCUMFERENCE

import geo
from geo.errors import CRSError, InputError, InputTypeError, RepairWarning
from geo.units import check_distance

SQUARE = shapely.Polygon([(124.0, 38.0), (130.0, 38.0), (130.0, 43.0), (124.0, 43.0)])
POINTS = np.array([[131.87353, 43.10562], [125.75432, 39.03385], [140.0, 35.0], [120.0, 30.0]])


def _calls_with_points(points):
    """Every public entry point that takes points."""
    return {
        "distance(a)": lambda: geo.distance(points, (125.0, 39.0)),
        "distance(b)": lambda: geo.distance((125.0, 39.0), points),
        "distance_to": lambda: geo.distance_to(points, SQUARE),
        "DistanceIndex.distance_to": lambda: geo.DistanceIndex(SQUARE).distance_to(points),
        "geodesic_line": lambda: geo.geodesic_line(
            points[0] if np.ndim(points) == 2 else points, (125.0, 39.0)
        ),
    }


def _calls_with_geometry(geometry):
    """Every public entry point that takes a geometry."""
    return {
        "distance_to": lambda: geo.distance_to(POINTS, geometry),
        "DistanceIndex": lambda: geo.DistanceIndex(geometry),
        "buffer": lambda: geo.buffer(geometry, 10_000.0),
        "rings": lambda: geo.rings(geometry, [10_000.0, 20_000.0]),
    }


POINT_ENTRIES = sorted(_calls_with_points(POINTS))
GEOMETRY_ENTRIES = sorted(_calls_with_geometry(SQUARE))


# --------------------------------------------------------------------------- coordinates


@pytest.mark.parametrize("entry", POINT_ENTRIES)
def test_latitude_out_of_range_suggests_swapped_axes(entry):
    swapped = POINTS[:, ::-1].copy()  # (lat, lon): Vladivostok's "latitude" becomes 131.9
    with pytest.raises(InputError, match=r"(?s)latitude \S*131\.87353.*swapped"):
        _calls_with_points(swapped)[entry]()


def test_message_shows_the_number_as_given():
    """The value reads as written (131.87353), not as numpy's repr (np.float64(131.87353))."""
    with pytest.raises(InputError) as info:
        geo.distance_to(POINTS[:, ::-1].copy(), SQUARE)
    assert "latitude 131.87353 " in str(info.value), str(info.value)


@pytest.mark.parametrize("entry", POINT_ENTRIES)
def test_longitude_out_of_range(entry):
    bad = POINTS.copy()
    bad[0, 0] = 200.0
    with pytest.raises(InputError, match=r"longitude \S*200\.0.*\[-180, 180\]"):
        _calls_with_points(bad)[entry]()


@pytest.mark.parametrize("entry", POINT_ENTRIES)
def test_nan_coordinates(entry):
    bad = POINTS.copy()
    bad[0, 1] = np.nan
    with pytest.raises(InputError, match=r"NaN"):
        _calls_with_points(bad)[entry]()


@pytest.mark.parametrize("entry", GEOMETRY_ENTRIES)
def test_geometry_latitude_out_of_range(entry):
    swapped = shapely.transform(SQUARE, lambda c: c[:, ::-1])  # lat 124..130
    with pytest.raises(InputError, match=r"latitude \S*1\d\d.*swapped"):
        _calls_with_geometry(swapped)[entry]()


@pytest.mark.parametrize("entry", GEOMETRY_ENTRIES)
def test_geometry_longitude_out_of_range(entry):
    east = shapely.Polygon([(178.0, 0.0), (182.0, 0.0), (182.0, 2.0), (178.0, 2.0)])
    with pytest.raises(InputError, match=r"longitude \S*182\.0"):
        _calls_with_geometry(east)[entry]()


@pytest.mark.parametrize("entry", GEOMETRY_ENTRIES)
def test_geometry_nan(entry):
    with np.errstate(invalid="ignore"):
        bad = shapely.LineString([(124.0, 38.0), (np.nan, 40.0), (126.0, 41.0)])
    with pytest.raises(InputError, match=r"NaN"):
        _calls_with_geometry(bad)[entry]()


@pytest.mark.parametrize(
    "empty", [shapely.Polygon(), shapely.LineString(), shapely.MultiPolygon(), shapely.Point()]
)
@pytest.mark.parametrize("entry", GEOMETRY_ENTRIES)
def test_empty_geometry(entry, empty):
    with pytest.raises(InputError, match=r"empty"):
        _calls_with_geometry(empty)[entry]()


def test_empty_point_for_distance():
    with pytest.raises(InputError, match=r"empty"):
        geo.distance(shapely.Point(), (125.0, 39.0))


@pytest.mark.parametrize("entry", GEOMETRY_ENTRIES)
def test_geometry_of_wrong_type(entry):
    with pytest.raises(InputTypeError, match=r"POLYGON"):
        _calls_with_geometry("POLYGON ((0 0, 1 0, 1 1, 0 0))")[entry]()


def test_points_of_wrong_shape_or_type():
    with pytest.raises(InputError, match=r"shape \(4, 3\)"):
        geo.distance_to(np.zeros((4, 3)), SQUARE)
    with pytest.raises(InputTypeError, match=r"not numeric"):
        geo.distance_to([("a", "b")], SQUARE)
    with pytest.raises(InputTypeError, match=r"Polygon"):
        geo.distance_to([SQUARE], SQUARE)


# --------------------------------------------------------------------------- distances


BAD_RADII = [
    (-1.0, r"negative"),
    (float("nan"), r"(?i)nan"),
    (float("inf"), r"(?i)inf"),
    (HALF_CIRCUMFERENCE + 1.0, r"half the Earth"),
    (40_000_000.0, r"half the Earth"),
]


@pytest.mark.parametrize("radius, message", BAD_RADII)
def test_buffer_bad_radius(radius, message):
    with pytest.raises(InputError, match=message):
        geo.buffer(SQUARE, radius)


@pytest.mark.parametrize("radius, message", BAD_RADII)
def test_rings_bad_radius(radius, message):
    with pytest.raises(InputError, match=message):
        geo.rings(SQUARE, [10_000.0, radius])


@pytest.mark.parametrize("radius, message", BAD_RADII[:3])
def test_max_distance_bad(radius, message):
    with pytest.raises(InputError, match=message):
        geo.distance_to(POINTS, SQUARE, max_distance=radius)
    with pytest.raises(InputError, match=message):
        geo.DistanceIndex(SQUARE).distance_to(POINTS, max_distance=radius)


def test_half_circumference_is_a_valid_radius():
    buf = geo.buffer(shapely.Point(0.0, 0.0), HALF_CIRCUMFERENCE)
    assert buf.is_valid and not buf.is_empty


# --------------------------------------------------------------------------- CRS


def _naive_series():
    return geopandas.GeoSeries([SQUARE])


@pytest.mark.parametrize(
    "call",
    [
        lambda s: geo.distance_to(POINTS, s),
        lambda s: geo.DistanceIndex(s),
        lambda s: geo.buffer(s, 10_000.0),
        lambda s: geo.rings(s, [10_000.0]),
        lambda s: geo.distance_to(geopandas.GeoSeries(shapely.points(POINTS)), SQUARE),
        lambda s: geo.distance_to(geopandas.GeoDataFrame(geometry=shapely.points(POINTS)), SQUARE),
        lambda s: geo.distance_to(POINTS, geopandas.GeoDataFrame(geometry=[SQUARE])),
    ],
    ids=[
        "distance_to",
        "DistanceIndex",
        "buffer",
        "rings",
        "points_series",
        "points_frame",
        "geometry_frame",
    ],
)
def test_missing_crs_is_refused(call):
    with pytest.raises(CRSError, match=r"no CRS.*set_crs"):
        call(_naive_series())


def test_projected_geometry_is_reprojected():
    lonlat = geopandas.GeoSeries([SQUARE], crs="EPSG:4326")
    mercator = lonlat.to_crs("EPSG:3857")
    back = mercator.to_crs("EPSG:4326")  # what the contract says riskmap works on
    assert_allclose(
        geo.distance_to(POINTS, mercator), geo.distance_to(POINTS, back), rtol=0, atol=1e-3
    )
    assert_allclose(
        geo.distance_to(POINTS, mercator), geo.distance_to(POINTS, SQUARE), rtol=0, atol=1e-3
    )
    buf_m = geo.buffer(mercator, 50_000.0)
    buf_ll = geo.buffer(back, 50_000.0)
    assert shapely.equals_exact(shapely.normalize(buf_m), shapely.normalize(buf_ll), tolerance=1e-7)


def test_projected_points_are_reprojected():
    pts = geopandas.GeoSeries(shapely.points(POINTS), crs="EPSG:4326")
    for crs in ["EPSG:3857", "EPSG:32652"]:  # Web Mercator, UTM 52N
        got = geo.distance_to(pts.to_crs(crs), SQUARE)
        assert_allclose(got, geo.distance_to(POINTS, SQUARE), rtol=0, atol=1e-3)
    frame = geopandas.GeoDataFrame({"name": list("abcd")}, geometry=pts.to_crs("EPSG:3857"))
    assert_allclose(
        geo.distance_to(frame, SQUARE), geo.distance_to(POINTS, SQUARE), rtol=0, atol=1e-3
    )


# --------------------------------------------------------------------------- invalid geometry


BOWTIE = shapely.Polygon([(124.0, 38.0), (130.0, 43.0), (130.0, 38.0), (124.0, 43.0)])


def test_bowtie_is_repaired_with_a_warning_for_distance_to():
    repaired = shapely.make_valid(BOWTIE)
    assert not BOWTIE.is_valid and repaired.is_valid
    with pytest.warns(RepairWarning, match=r"invalid.*Self-intersection"):
        got = geo.distance_to(POINTS, BOWTIE)
    assert_allclose(got, geo.distance_to(POINTS, repaired), rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "call",
    [
        lambda g: geo.buffer(g, 10_000.0),
        lambda g: geo.rings(g, [10_000.0]),
        lambda g: geo.DistanceIndex(g),
    ],
    ids=["buffer", "rings", "DistanceIndex"],
)
def test_bowtie_is_repaired_with_a_warning(call):
    with pytest.warns(RepairWarning, match=r"invalid"):
        call(BOWTIE)


def test_bowtie_buffer_equals_buffer_of_the_repair():
    with pytest.warns(RepairWarning):
        got = geo.buffer(BOWTIE, 10_000.0)
    expected = geo.buffer(shapely.make_valid(BOWTIE), 10_000.0)
    assert shapely.equals_exact(shapely.normalize(got), shapely.normalize(expected), tolerance=1e-9)


# --------------------------------------------------------------------------- distance values

# Every distance parameter of geo's measurement functions, called with one value.
DISTANCE_PARAMETERS = {
    "parse_distance": lambda v: geo.parse_distance(v),
    "check_distance": lambda v: check_distance(v, name="radius"),
    "distance_to(max_distance)": lambda v: geo.distance_to(POINTS, SQUARE, max_distance=v),
    "DistanceIndex.distance_to(max_distance)": lambda v: geo.DistanceIndex(SQUARE).distance_to(
        POINTS, max_distance=v
    ),
    "geodesic_line(spacing)": lambda v: geo.geodesic_line(POINTS[0], POINTS[1], spacing=v),
    "PointIndex.within": lambda v: geo.PointIndex(POINTS).within(SQUARE, v),
}


def _same_answer(a, b):
    if isinstance(a, tuple):
        return all(_same_answer(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, shapely.Geometry):
        return shapely.equals_exact(a, b, tolerance=0)
    return np.array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("entry", sorted(DISTANCE_PARAMETERS))
@pytest.mark.parametrize(
    "value, metres",
    [
        (np.int64(300_000), 300_000.0),
        (np.float32(5e4), 50_000.0),
        (np.float64(1234.5), 1234.5),
        (np.int32(0), 0.0),
        ("300km", 300_000.0),
        ("50 nmi", 92_600.0),
    ],
    ids=["int64", "float32", "float64", "int32-zero", "300km", "50nmi"],
)
def test_numpy_numbers_and_unit_strings_are_distances(entry, value, metres):
    """np.int64(1000), np.float32(5e4) and '300km' mean what the plain float of metres means."""
    call = DISTANCE_PARAMETERS[entry]
    if entry == "geodesic_line(spacing)" and metres == 0.0:
        with pytest.raises(InputError, match=r"positive"):
            call(value)
        return
    assert _same_answer(call(value), call(metres))


@pytest.mark.parametrize("entry", sorted(DISTANCE_PARAMETERS))
@pytest.mark.parametrize(
    "value", [3 + 0j, np.complex128(1e5), 2e5 + 1e-9j], ids=["complex", "np.complex128", "imag"]
)
def test_complex_distances_are_refused(entry, value):
    with pytest.raises(InputTypeError, match=r"complex number; expected a real number of metres"):
        DISTANCE_PARAMETERS[entry](value)


@pytest.mark.parametrize(
    "call",
    [
        lambda p: geo.distance(p, (7.0, 49.0)),
        lambda p: geo.distance_to([p], shapely.Point(7.0, 49.0)),
        lambda p: geo.buffer(p, "1km"),
    ],
    ids=["distance", "distance_to", "buffer"],
)
@pytest.mark.parametrize("point", [(6 + 1j, 49.0), (6 + 0j, 49.0), (True, False)])
def test_complex_or_boolean_coordinates_are_refused(call, point):
    # float() of 6+1j is 6: the point would be measured from a place nobody gave.
    with pytest.raises(InputTypeError, match=r"values; expected real \(lon, lat\) pairs"):
        call(point)


@pytest.mark.parametrize("entry", sorted(DISTANCE_PARAMETERS))
@pytest.mark.parametrize("value", [True, np.bool_(False), [1000.0], None, b"5km"])
def test_other_distance_types_are_refused(entry, value):
    if value is None and "max_distance" in entry:
        pytest.skip("max_distance=None means no limit")
    with pytest.raises(InputTypeError, match=r"expected (a|a real) number of metres"):
        DISTANCE_PARAMETERS[entry](value)


# --------------------------------------------------------------------------- what points are


@pytest.mark.parametrize("entry", POINT_ENTRIES)
@pytest.mark.parametrize("value", [None, {"lon": 1.0, "lat": 2.0}, "131.9,43.1", {(1.0, 2.0)}])
def test_points_that_are_not_points_say_what_was_expected(entry, value):
    with pytest.raises(InputTypeError) as info:
        _calls_with_points(value)[entry]()
    message = str(info.value)
    assert "mixes geometries" not in message, message
    assert type(value).__name__ in message and "expected a (lon, lat) pair" in message, message


def test_a_list_holding_none_names_it():
    with pytest.raises(InputTypeError, match=r"None of type NoneType at index 1; expected"):
        geo.distance_to([shapely.Point(1, 2), None], SQUARE)
    with pytest.raises(InputTypeError, match=r"neither numbers nor geometries.*index 0"):
        geo.distance_to([{"lon": 1.0}], SQUARE)


EMPTY_POINTS = {
    "[]": [],
    "()": (),
    "np.array([])": np.array([]),
    "np.empty((0, 2))": np.empty((0, 2)),
    "empty GeoSeries": geopandas.GeoSeries([], crs="EPSG:4326"),
}


@pytest.mark.parametrize("name", sorted(EMPTY_POINTS))
def test_no_points_give_an_empty_answer_whatever_their_container(name):
    """An empty list and an empty array behave the same: an empty array of metres."""
    points = EMPTY_POINTS[name]
    index = geo.DistanceIndex(SQUARE)
    for got in (
        geo.distance_to(points, SQUARE),
        geo.distance_to(points, SQUARE, signed=True, max_distance="10km"),
        index.distance_to(points),
        index.inside(points),
        geo.distance(points, (125.0, 39.0)),
    ):
        assert isinstance(got, np.ndarray) and got.shape == (0,), (name, got)
    assert geo.PointIndex(points).within(SQUARE, "100km")[0].shape == (0,)


def test_geodesic_line_needs_one_point_at_each_end():
    with pytest.raises(InputError, match=r"a holds 0 points; expected one end point"):
        geo.geodesic_line([], (125.0, 39.0))
    with pytest.raises(InputError, match=r"b holds 4 points"):
        geo.geodesic_line((125.0, 39.0), POINTS)
