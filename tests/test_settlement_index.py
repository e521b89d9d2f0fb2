"""The settlement index a process reuses, and the place names it folds once.

The index is keyed to the points' coordinates: it is reused for the same points and
never served for a filtered, reordered or moved table. Exposures from it give the
same distances as geo.distance_to (checked against pyproj's Geod.inv for a point
source). Place lookups in a table of the packaged places reuse the packaged folded
names only for rows whose geonameid and name are the packaged ones.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

import geo
import layers
from layers.places import resolve_place
from layers.settlements import INDEX_CACHE_SIZE, settlement_index

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def towns():
    return layers.settlements(bbox=(124.0, 37.0, 135.0, 46.0))


def test_same_points_share_one_index(towns):
    first = settlement_index(towns)
    assert settlement_index(towns) is first
    assert settlement_index(towns.copy()) is first  # a copy holds the same points
    renamed = towns.copy()
    renamed["population"] = 0  # populations are not in the index
    assert settlement_index(renamed) is first


def test_other_points_get_their_own_index(towns):
    first = settlement_index(towns)
    filtered = towns[towns["country"] == "RU"]
    assert settlement_index(filtered) is not first
    assert settlement_index(filtered).n == len(filtered)
    reordered = towns.iloc[::-1]
    assert settlement_index(reordered) is not first
    np.testing.assert_array_equal(
        settlement_index(reordered).lonlat, shapely.get_coordinates(reordered.geometry.values)
    )


def test_a_moved_point_is_never_served_a_stale_index(towns):
    before = settlement_index(towns)
    moved = towns.copy()
    moved.loc[moved.index[0], "geometry"] = shapely.Point(131.9, 43.1)
    after = settlement_index(moved)
    assert after is not before
    np.testing.assert_array_equal(after.lonlat[0], [131.9, 43.1])
    # the exposure around the new position counts the moved place
    exp = layers.exposure(shapely.Point(131.9, 43.1), moved, ["1km"], by=None)
    assert moved.iloc[0]["name"] in set(exp.places["name"])


def test_the_cache_keeps_a_few_indexes(towns):
    frames = [towns.iloc[: 10 + k] for k in range(INDEX_CACHE_SIZE + 1)]
    indexes = [settlement_index(f) for f in frames]
    assert settlement_index(frames[-1]) is indexes[-1]
    assert settlement_index(frames[0]) is not indexes[0]  # dropped, built again


def test_exposure_distances_match_geod_inv(towns):
    """A point source: every settlement's distance is one Geod.inv (the reference)."""
    centre = (131.8735, 43.1056)
    exp = layers.exposure(shapely.Point(centre), towns, ["100km", "300km"], by=None)
    lon, lat = shapely.get_x(towns.geometry.values), shapely.get_y(towns.geometry.values)
    ref = GEOD.inv(np.full(len(lon), centre[0]), np.full(len(lat), centre[1]), lon, lat)[2]
    pop = towns["population"].to_numpy()
    for radius in [100e3, 300e3]:
        assert exp.population(radius) == pop[ref <= radius].sum()
    # a second source reuses the index and still measures against its own geometry
    other = (129.0, 41.0)
    exp2 = layers.exposure(shapely.Point(other), towns, ["150km"], by=None)
    ref2 = GEOD.inv(np.full(len(lon), other[0]), np.full(len(lat), other[1]), lon, lat)[2]
    assert exp2.population() == pop[ref2 <= 150e3].sum()


def test_index_distances_equal_distance_to_for_a_polygon(towns):
    polygon = shapely.box(126.0, 39.0, 129.0, 42.0)
    index = geo.DistanceIndex(polygon)
    ref = geo.distance_to(towns.geometry, polygon, max_distance=250e3)
    positions, metres = settlement_index(towns).within(index, 250e3)
    got = np.full(len(towns), np.inf)
    got[positions] = metres
    np.testing.assert_array_equal(got, ref)


def test_a_renamed_place_is_found_by_its_new_name_only(towns):
    renamed = towns.copy()
    row = renamed.index[renamed["name"] == "Vladivostok"][0]
    renamed.loc[row, "name"] = "Haishenwai"
    assert resolve_place("Haishenwai", renamed).geonameid == 2013348
    with pytest.raises(geo.InputError, match="no settlement named 'Vladivostok'"):
        resolve_place(
            "Vladivostok,RU", renamed[renamed["country"] == "RU"].drop(columns="geonameid")
        )
