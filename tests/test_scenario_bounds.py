"""``[map] bounds`` across the antimeridian: a west greater than the east, fitted past 180°."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
import shapely
from pyproj import Geod

from geo.errors import InputError
from maps.scenario import run_scenario
from maps.scenario_config import parse_scenario

GEOD = Geod(ellps="WGS84")
WALES = (-168.09, 65.61)  # Wales, Alaska, across the Bering Strait from Uelen (Chukotka)


def _towns() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Uelen", "Wales"], "country": ["RU", "US"], "population": [700, 150]},
        geometry=gpd.points_from_xy([-169.81, -168.09], [66.16, 65.61]),
        crs="EPSG:4326",
    )


def test_a_west_greater_than_the_east_crosses_the_antimeridian():
    scenario = parse_scenario({"map": {"bounds": [170, 60, -170, 70]}})
    assert scenario.map.bounds == (170.0, 60.0, 190.0, 70.0)  # the east 360° on, for Leaflet


@pytest.mark.parametrize(
    "bounds, says",
    [
        ([10, 60, 10, 70], "west = 10 is east = 10: the view has no width"),
        ([170, 70, -170, 60], "south = 70 is not below north = 60"),
        ([170, 60, -170, 60], "south = 60 is not below north = 60"),
        ([200, 60, 210, 70], "must be longitudes in [-180, 180]"),
        ([170, 60, -170], "expected [west, south, east, north] in degrees"),
        ([130, 42, 125, 49], "look swapped: write [125, 42, 130, 49]"),
    ],
)
def test_a_box_with_no_width_or_height_is_refused(bounds, says):
    with pytest.raises(InputError) as info:
        parse_scenario({"map": {"bounds": bounds}})
    assert str(info.value).startswith("bounds = ") and " in [map]: " in str(info.value)
    assert says in str(info.value)


def test_the_map_fits_the_view_across_180_and_draws_both_sides_in_it():
    result = run_scenario(
        {
            "exposure": [{"around": f"{WALES[0]},{WALES[1]}", "radius": "100km"}],
            "map": {"bounds": [170, 60, -170, 70], "context": ["RU", "US"], "tiles": ""},
        },
        out_dir=None,
        settlements=_towns(),
    )
    # Both towns are within 100 km of Wales (the reference: Geod.inv across the strait).
    d_uelen = GEOD.inv(*WALES, -169.81, 66.16)[2]
    assert d_uelen < 100_000 and result.exposures[0].low == 850
    desc = result.map.describe()
    assert desc.bounds == (170.0, 60.0, 190.0, 70.0)
    html = result.map.render(self_contained=False)
    assert re.search(r"fitBounds\(\s*\[\[60\.0, 170\.0\], \[70\.0, 190\.0\]\]", html)
    layers = {layer.name: layer for layer in desc.layers}
    for name, layer in layers.items():  # every layer drawn where the view is: east of 165°
        lon = shapely.get_coordinates(layer.features.geometry.values)[:, 0]
        assert lon.min() >= 165.0 - 1e-9 and lon.max() <= 195.0 + 1e-9, name

    def drawn_at(name: str, lon: float, lat: float) -> bool:
        geoms = layers[name].features.geometry.values
        return bool(shapely.intersects(geoms, shapely.Point(lon, lat).buffer(0.05)).any())

    # Alaska (west of 180°) is drawn 360° on, beside Chukotka, inside the view.
    assert drawn_at("United States (Natural Earth)", WALES[0] + 360, WALES[1])
    assert not drawn_at("United States (Natural Earth)", *WALES)
    assert drawn_at("Russia (Natural Earth)", -172.9 + 360, 64.4)  # Chukotka east of 180°
    assert drawn_at("Russia (Natural Earth)", 177.5, 64.7)  # and Anadyr, west of it
